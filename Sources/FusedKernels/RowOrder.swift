import CLockstepShims

/// Which rows a chunk covers: a contiguous run, or rows gathered through a permutation.
/// Kernels are generic over it and specialised for both, so the choice costs nothing per row.
protocol RowOrder {
    /// Row number of the k-th row of the chunk.
    func row(_ k: Int) -> Int
    /// Prefetch the row `distance` ahead of k and its label (gathered order only; hardware prefetch
    /// handles runs).
    func prefetch(_ k: Int, x: UnsafeRawPointer, y: UnsafePointer<Float>, rowBytes: Int)
    /// For long rows: prefetches the label of the row `distance` ahead of k and returns the row's
    /// address, for the kernel to prefetch line by line as it works (nil: nothing to prefetch).
    func rowAhead(_ k: Int, x: UnsafeRawPointer, y: UnsafePointer<Float>, rowBytes: Int) -> UnsafeRawPointer?
    /// `v[row(k + l)]` for lanes l = 0..<8: y, or x when d = 1.
    func lanes<T: XElement>(_ v: UnsafePointer<T>, _ k: Int) -> SIMD8<Float>
    /// (x0, x1) of rows `row(k + l)`, l = 0..<8, for d = 2.
    func pairLanes<T: XElement>(_ x: UnsafePointer<T>, _ k: Int) -> (SIMD8<Float>, SIMD8<Float>)
    /// Prefetches `p[row]` of the row `distance` ahead of k (gathered order only): a per-row value
    /// read beside the label (sample weights).
    func prefetchValue(_ k: Int, _ p: UnsafePointer<Float>)
}

/// Rows `first, first + 1, …`.
struct SequentialRows: RowOrder {
    let first: Int
    @inline(__always) func row(_ k: Int) -> Int { first &+ k }
    @inline(__always) func prefetch(_ k: Int, x: UnsafeRawPointer, y: UnsafePointer<Float>, rowBytes: Int) {}
    @inline(__always) func prefetchValue(_ k: Int, _ p: UnsafePointer<Float>) {}
    @inline(__always) func rowAhead(
        _ k: Int, x: UnsafeRawPointer, y: UnsafePointer<Float>, rowBytes: Int
    ) -> UnsafeRawPointer? { nil }
    @inline(__always) func lanes<T: XElement>(_ v: UnsafePointer<T>, _ k: Int) -> SIMD8<Float> {
        T.load8(v + (first &+ k))
    }
    @inline(__always) func pairLanes<T: XElement>(_ x: UnsafePointer<T>, _ k: Int) -> (SIMD8<Float>, SIMD8<Float>) {
        let both = T.load16(x + (first &+ k) &* 2)
        return (ls_even_lanes16(both), ls_odd_lanes16(both))
    }
}

/// Rows `indices[0], indices[1], …`; prefetches whole rows and their labels `distance` ahead while
/// `k + distance < available` (the indices may run on past the chunk into the next ones).
struct GatheredRows: RowOrder {
    let indices: UnsafePointer<UInt32>
    let distance: Int
    let available: Int
    @inline(__always) func row(_ k: Int) -> Int { Int(indices[k]) }
    @inline(__always) func prefetchValue(_ k: Int, _ p: UnsafePointer<Float>) {
        let ahead = k &+ distance
        guard ahead < available else { return }
        ls_prefetch(p + Int(indices[ahead]))
    }
    @inline(__always) func rowAhead(
        _ k: Int, x: UnsafeRawPointer, y: UnsafePointer<Float>, rowBytes: Int
    ) -> UnsafeRawPointer? {
        let ahead = k &+ distance
        guard ahead < available else { return nil }
        let row = Int(indices[ahead])
        ls_prefetch(y + row)
        return x + row &* rowBytes
    }
    @inline(__always) func lanes<T: XElement>(_ v: UnsafePointer<T>, _ k: Int) -> SIMD8<Float> {
        var out = SIMD8<Float>()
        for l in 0..<8 { out[l] = ls_opaque_float(v[Int(indices[k &+ l])].float) }
        return out
    }
    @inline(__always) func pairLanes<T: XElement>(_ x: UnsafePointer<T>, _ k: Int) -> (SIMD8<Float>, SIMD8<Float>) {
        let v = T.gatherPairs(x, indices, k)
        return (ls_even_lanes16(v), ls_odd_lanes16(v))
    }
    @inline(__always) func prefetch(_ k: Int, x: UnsafeRawPointer, y: UnsafePointer<Float>, rowBytes: Int) {
        guard let p = rowAhead(k, x: x, y: y, rowBytes: rowBytes) else { return }
        var off = 0
        while off < rowBytes {
            ls_prefetch(p + off)
            off &+= 64
        }
    }
}

