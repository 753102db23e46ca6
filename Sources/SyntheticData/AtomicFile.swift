import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a file so that no reader and no crash ever sees half of it: the bytes go to
/// `.NAME.tmp-PID` beside the target, are fsynced, renamed over the target, and the directory is
/// fsynced so the rename itself survives a power cut. On failure the temporary file is removed and
/// any previous file is untouched.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw .writeFailed(path: path, reason: "directory \(dir) does not exist; create it first")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failure = String(cString: strerror(errno))
                    return
                }
                off += n
            }
        }
        if failure == nil && fsync(fd) != 0 { failure = "fsync: " + String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp)
            throw .writeFailed(path: path, reason: failure)
        }
        try StagingDirectory.fsyncPath(dir)
    }

    public static func write(_ text: String, to path: String) throws(DataError) {
        try write(Array(text.utf8), to: path)
    }
}
