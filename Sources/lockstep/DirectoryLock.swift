import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a directory a run writes (a checkpoint directory, a run directory, a
/// dataset being generated), held for the rest of the process: `flock` on a lock file, which the
/// kernel releases however the process ends (SIGKILL included), so there is never a stale lock.
/// The holder writes its PID into the file; a second run is refused at once (exit 75, EX_TEMPFAIL:
/// try again when the other run is done) with that PID.
enum DirectoryLock {
    /// The lock file of a directory: `DIR/.lockstep.lock`.
    static func file(inDirectory dir: String) -> String { dir + "/.lockstep.lock" }

    /// Descriptors of the locks this process holds (kept open: closing one would release it).
    nonisolated(unsafe) private static var held: [String: Int32] = [:]

    /// Takes the lock at `lockPath` for `what` ("checkpoint directory ck"); refuses when another
    /// process holds it.
    static func acquire(_ lockPath: String, for what: String) throws(CLIError) {
        guard held[lockPath] == nil else { return }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw CLIError(message: "cannot lock \(what): \(lockPath): \(String(cString: strerror(errno)))", status: .ioError)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, 31, 0)
            close(fd)
            let pid = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            guard busy else {
                throw CLIError(message: "cannot lock \(what): \(String(cString: strerror(errno)))", status: .ioError)
            }
            throw CLIError(
                message: "\(what) is in use by another lockstep run (PID \(pid)); wait for it to finish, or choose another directory",
                status: .busy)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        held[lockPath] = fd
    }

    /// Gives the lock up before the process ends; with `removeFile`, the lock file goes too (for a
    /// lock file beside a target, which would otherwise stay behind in the user's directory). A run
    /// that opens the old file meanwhile is refused (it asks without waiting) as if it were held.
    static func release(_ lockPath: String, removeFile: Bool) {
        guard let fd = held.removeValue(forKey: lockPath) else { return }
        if removeFile { unlink(lockPath) }
        close(fd)
    }
}
