import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An output written piece by piece (predictions of data larger than memory), with `AtomicFile`'s
/// rules: `-` and `/dev/fd/N` are written to that descriptor; a character device, FIFO or socket
/// is written through; a symbolic link is followed; a directory is refused; a regular file or a
/// new path gets the bytes in `.NAME.tmp-PID` beside it, renamed over it by `commit()` only (then
/// fsynced with its directory). Dropped without `commit()`, the temporary file is removed and the
/// old file is untouched.
public final class AtomicStream {
    /// The output path as given (`-` for standard output); the temporary file, if any, is beside its target.
    public let path: String
    private let fd: Int32
    /// The final path and the temporary file, when the output is replaced by a rename.
    private let staged: (target: String, temporary: String)?
    private let owned: Bool
    private var finished = false

    /// Opens `path` for writing by the rules above; nothing replaces the old file until `commit()`. Throws
    /// `DataError.writeFailed` for a directory, an unwritable directory or an open that fails.
    public init(path: String) throws(DataError) {
        self.path = path
        if let standard = AtomicFile.standardDescriptor(path) {
            fflush(nil)
            fd = standard
            staged = nil
            owned = false
            return
        }
        var target = path
        var st = stat()
        var exists = lstat(path, &st) == 0
        if exists && st.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = AtomicFile.resolveLink(path) else {
                throw .writeFailed(path: path, reason: "it is a symbolic link that cannot be followed (a loop?)")
            }
            target = resolved
            exists = lstat(target, &st) == 0
        }
        if exists && st.st_mode & S_IFMT == S_IFDIR { throw .writeFailed(path: path, reason: "it is a directory; give a file path") }
        if exists && st.st_mode & S_IFMT != S_IFREG {
            fd = open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC)
            guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
            staged = nil
            owned = true
            return
        }
        let url = URL(fileURLWithPath: target)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .writeFailed(path: path, reason: "directory \(dir) does not exist; create it first")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let mode = exists ? st.st_mode & 0o7777 : 0o644
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        if exists { fchmod(fd, mode) }
        staged = (target, tmp)
        owned = true
    }

    deinit {
        if !finished { discard() }
    }

    /// Appends `count` bytes.
    package func write(_ bytes: UnsafeRawPointer, count: Int) throws(DataError) {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, bytes + done, count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
            done += n
        }
    }

    /// Appends `bytes`; throws `DataError.writeFailed` when the write fails (a full disk, a closed pipe).
    public func write(_ bytes: [UInt8]) throws(DataError) {
        var failure: DataError?
        bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return }
            do throws(DataError) { try self.write(base, count: b.count) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Makes the output whole: fsync and rename into place (a file), or nothing more (a descriptor or device).
    public func commit() throws(DataError) {
        guard !finished else { return }
        finished = true
        guard let staged else {
            if owned { close(fd) }
            return
        }
        var failure: String?
        if fsync(fd) != 0 { failure = "fsync: " + String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(staged.temporary, staged.target) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(staged.temporary)
            throw .writeFailed(path: path, reason: failure)
        }
        try StagingDirectory.fsyncPath(URL(fileURLWithPath: staged.target).deletingLastPathComponent().path)
    }

    /// Drops what was written to a temporary file (a device or descriptor keeps what it got).
    public func discard() {
        guard !finished else { return }
        finished = true
        if owned { close(fd) }
        if let staged { unlink(staged.temporary) }
    }
}
