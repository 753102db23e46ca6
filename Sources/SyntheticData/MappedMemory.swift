#if canImport(Glibc)
    import Glibc
#endif

/// Page-mapped, zero-filled memory, 2 MiB aligned, with transparent huge pages asked for before
/// first touch when it is large (measured 5–15 % faster shuffled access on the VM).
final class MappedMemory: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    private let mapping: UnsafeMutableRawPointer
    private let mappingSize: Int

    static let hugePage = 2 << 20

    init(byteCount: Int) throws(DataError) {
        let size = max(byteCount, 1)
        let rounded = (size + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        let total = rounded + Self.hugePage
        let p = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let p, p != MAP_FAILED else { throw .outOfMemory(bytes: byteCount, available: nil) }
        mapping = p
        mappingSize = total
        let addr = (Int(bitPattern: p) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        base = UnsafeMutableRawPointer(bitPattern: addr)!
        self.byteCount = byteCount
        if rounded >= 2 * Self.hugePage { _ = madvise(base, rounded, MADV_HUGEPAGE) }
    }

    deinit { munmap(mapping, mappingSize) }
}
