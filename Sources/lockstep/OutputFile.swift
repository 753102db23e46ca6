import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files so that a reader never sees half of one: a temporary file beside the target,
/// fsync, then rename over the target. A failure removes the temporary file and leaves any
/// previous file untouched.
enum OutputFile {
    static func write(_ text: String, to path: String) throws(CLIError) {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError(message: "cannot write \(path): directory \(dir) does not exist; create it first", status: .ioError)
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CLIError(message: "cannot write \(path): \(String(cString: strerror(errno)))", status: .ioError)
        }
        var ok = true
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { ok = false; break }
                off += n
            }
        }
        if ok && fsync(fd) != 0 { ok = false }
        let err = errno
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw CLIError(message: "cannot write \(path): \(String(cString: strerror(ok ? errno : err)))", status: .ioError)
        }
        bytes.removeAll()
    }
}
