import CLockstepShims

/// Which rows a chunk covers: a contiguous run, or rows gathered through a permutation.
/// Kernels are generic over it and specialised for both, so the choice costs nothing per row.
protocol RowOrder {
    /// Row number of the k-th row of the chunk.
    func row(_ k: Int) -> Int
    /// Prefetch the row `distance` ahead of k and its label (gathered order only; hardware prefetch
    /// handles runs).
    func prefetch(_ k: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, rowBytes: Int)
    /// For long rows: prefetches the label of the row `distance` ahead of k and returns the row's
    /// address, for the kernel to prefetch line by line as it works (nil: nothing to prefetch).
    func rowAhead(_ k: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, rowBytes: Int) -> UnsafeRawPointer?
}

/// Rows `first, first + 1, …`.
struct SequentialRows: RowOrder {
    let first: Int
    @inline(__always) func row(_ k: Int) -> Int { first &+ k }
    @inline(__always) func prefetch(_ k: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, rowBytes: Int) {}
    @inline(__always) func rowAhead(
        _ k: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, rowBytes: Int
    ) -> UnsafeRawPointer? { nil }
}

/// Rows `indices[0], indices[1], …`; prefetches whole rows and their labels `distance` ahead while
/// `k + distance < available` (the indices may run on past the chunk into the next ones).
struct GatheredRows: RowOrder {
    let indices: UnsafePointer<UInt32>
    let distance: Int
    let available: Int
    @inline(__always) func row(_ k: Int) -> Int { Int(indices[k]) }
    @inline(__always) func rowAhead(
        _ k: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, rowBytes: Int
    ) -> UnsafeRawPointer? {
        let ahead = k &+ distance
        guard ahead < available else { return nil }
        let row = Int(indices[ahead])
        ls_prefetch(y + row)
        return UnsafeRawPointer(x) + row &* rowBytes
    }
    @inline(__always) func prefetch(_ k: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, rowBytes: Int) {
        let ahead = k &+ distance
        if ahead < available {
            let row = Int(indices[ahead])
            ls_prefetch(y + row)
            let p = UnsafeRawPointer(x) + row &* rowBytes
            var off = 0
            while off < rowBytes {
                ls_prefetch(p + off)
                off &+= 64
            }
        }
    }
}

