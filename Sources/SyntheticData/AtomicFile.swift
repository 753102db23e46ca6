import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes an output file the way careful Unix tools do, never destroying what is not a file of ours
/// (docs/reliability.md, "Outputs"):
///
/// - `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are written to that
///   descriptor as it is (a terminal, a pipe, `>(cmd)`, a file the shell opened), never replaced.
/// - A regular file, or a new path, is replaced atomically: the bytes go to `.NAME.tmp-PID` beside
///   it, are fsynced and renamed over it, and the directory is fsynced; an existing file keeps its
///   permission bits. A reader never sees half a file and a failure leaves the old one untouched.
/// - A symbolic link is followed: its target is replaced as above (as `sed -i --follow-symlinks`
///   does), and the link stays a link.
/// - A character device, FIFO or socket (`/dev/null`, `mkfifo` pipes) is opened and written
///   through, never replaced (a FIFO's open waits for its reader, as `tee`'s does).
/// - A directory is refused.
public enum AtomicFile {
    /// Writes `bytes` to `path` by the rules above: atomically replaced when a regular file or a new path,
    /// written through when a descriptor, device, FIFO or socket. Throws `DataError.writeFailed` (with the
    /// system's reason) when the path is a directory, its directory cannot be written, or a write or fsync fails;
    /// the old file is then untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
        if let fd = standardDescriptor(path) {
            try writeThrough(descriptor: fd, bytes, path: path)
            return
        }
        var st = stat()
        guard lstat(path, &st) == 0 else {
            try replace(path, bytes, mode: nil)
            return
        }
        var target = path
        if st.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = resolveLink(path) else {
                throw .writeFailed(path: path, reason: "it is a symbolic link that cannot be followed (a loop?)")
            }
            target = resolved
            if lstat(target, &st) != 0 {
                try replace(target, bytes, mode: nil)  // a dangling link: make its target
                return
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: try replace(target, bytes, mode: st.st_mode & 0o7777)
        case S_IFDIR: throw .writeFailed(path: path, reason: "it is a directory; give a file path")
        default:
            let fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            try writeThrough(descriptor: fd, bytes, path: path)
        }
    }

    /// Writes `text` as UTF-8 to `path`, by the same rules and with the same failures as `write(_:to:)` for bytes.
    public static func write(_ text: String, to path: String) throws(DataError) {
        try write(Array(text.utf8), to: path)
    }

    /// The descriptor a path names when it stands for an open descriptor of this process.
    public static func standardDescriptor(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let n = Int32(path.dropFirst(prefix.count)), n >= 0 { return n }
            }
            return nil
        }
    }

    /// The final target of a symbolic link (relative links resolved against their own directory),
    /// which need not exist; nil after 40 links (a loop).
    static func resolveLink(_ path: String) -> String? {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return nil }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : URL(fileURLWithPath: current).deletingLastPathComponent().path + "/" + link
        }
        return nil
    }

    static func writeThrough(descriptor fd: Int32, _ bytes: [UInt8], path: String) throws(DataError) {
        // What print() buffered goes first, so the lines stay in order.
        if fd == 1 || fd == 2 { fflush(nil) }
        if let failure = writeAll(fd, bytes) { throw .writeFailed(path: path, reason: failure) }
    }

    /// Writes every byte (retrying short writes and EINTR); the error text, or nil.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { buf -> String? in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return String(cString: strerror(errno)) }
                off += n
            }
            return nil
        }
    }

    /// Temporary file, fsync, rename over `path`, fsync of the directory.
    static func replace(_ path: String, _ bytes: [UInt8], mode: mode_t?) throws(DataError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .writeFailed(path: path, reason: "directory \(dir) does not exist; create it first")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode ?? 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var failure = writeAll(fd, bytes)
        if failure == nil, let mode, fchmod(fd, mode) != 0 { failure = "chmod: " + String(cString: strerror(errno)) }
        if failure == nil && fsync(fd) != 0 { failure = "fsync: " + String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp)
            throw .writeFailed(path: path, reason: failure)
        }
        try StagingDirectory.fsyncPath(dir)
    }
}
