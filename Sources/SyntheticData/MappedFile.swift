#if canImport(Glibc)
    import Glibc
#endif

/// A whole file mapped read-only (shared with the page cache: nothing is copied or read up front).
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer
    let size: Int

    /// Maps `path`; a missing file is `fileNotFound`, an empty one a .npy problem, a FIFO, device,
    /// socket or directory `notRegularFile` (checked before opening, and the open is non-blocking,
    /// so a FIFO swapped in between is still refused by `fstat` instead of waiting for a writer).
    init(path: String) throws(DataError) {
        try InputFile.requireRegular(path)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(e)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        if let kind = InputFile.kindName(st.st_mode) { throw .notRegularFile(path: path, kind: kind) }
        size = Int(st.st_size)
        guard size > 0 else { throw .npy(path: path, problem: "is empty; write it with numpy.save") }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw .unreadable(path: path, reason: "cannot map it into memory (\(String(cString: strerror(errno))))")
        }
        base = UnsafeRawPointer(p)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }
}
