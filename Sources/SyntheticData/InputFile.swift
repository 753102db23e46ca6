#if canImport(Glibc)
    import Glibc
#endif

/// The check every input file (config, CSV, X.npy, y.npy) passes before it is opened: it must be a
/// regular file, after following symbolic links.
///
/// A FIFO's `open` for reading waits for a writer, for ever, and a device or socket never ends:
/// either would hang the run before its first line. `stat` does not open the file, so it never
/// waits. Standard input (`-`, `/dev/stdin`) is not an input Lockstep reads; it is refused too.
/// Exit 66 (EX_NOINPUT: "an input file did not exist or was not readable").
public enum InputFile {
    /// The size in bytes of the regular file at `path`; a missing path is `fileNotFound`, anything
    /// else that is not a regular file (FIFO, device, socket, directory) `notRegularFile`.
    @discardableResult
    public static func requireRegular(_ path: String) throws(DataError) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(e)))
        }
        if let kind = kindName(st.st_mode) { throw .notRegularFile(path: path, kind: kind) }
        return Int(st.st_size)
    }

    /// What a non-regular file is, in words ("a FIFO (named pipe)"), or nil for a regular file.
    public static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a directory"
        default: "not a regular file"
        }
    }
}
