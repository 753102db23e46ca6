/// Sums per-chunk partials into totals, in chunk order, one coordinate slice per worker.
///
/// Implementations: `FixedOrderAllReduce` inside one process. An MPI implementation sums the
/// per-process totals in rank order the same way, so the bits do not depend on the rank count either.
package protocol AllReduce: Sendable {
    /// Writes `out[j] = Σ_{k in 0..<chunks} partials.slot(k)[j]` (k ascending) for every j of
    /// `coordinates`. Called once per worker per step, each with a disjoint slice.
    func reduce(_ partials: GradientBuffers, chunks: Int, coordinates: Range<Int>, into out: UnsafeMutablePointer<Float>)
}

/// The in-process fixed-order sum. Worker slices are whole blocks of 16 coordinates, so each worker
/// adds SIMD16 vectors (and the last short block one float at a time); every coordinate is still a
/// plain left-to-right sum over chunks, so the result is the same as `reduceReference`, bit for bit.
///
/// Package plumbing over raw buffers (the trainer calls it); the Benchmarks package reaches `sum`
/// through the SPI `BenchmarkSupport`.
package struct FixedOrderAllReduce: AllReduce {
    /// The reducer; it holds no state.
    package init() {}

    /// The coordinates worker `worker` of `workers` reduces: whole 16-blocks of `0..<width`.
    @inlinable @inline(__always)
    package static func coordinateSlice(width: Int, worker: Int, of workers: Int) -> Range<Int> {
        let blocks = (width + 15) / 16
        let b = ShardPlan.slice(blocks, worker: worker, of: workers)
        return min(b.lowerBound &* 16, width)..<min(b.upperBound &* 16, width)
    }

    @inlinable
    package func reduce(
        _ partials: GradientBuffers, chunks: Int, coordinates: Range<Int>, into out: UnsafeMutablePointer<Float>
    ) {
        Self.sum(partials.base, stride: partials.stride, chunks: chunks, coordinates: coordinates, into: out)
    }

    /// The kernel: `coordinates.lowerBound` must be a multiple of 16. Whole blocks of 16 are added as
    /// SIMD16 vectors; a last block of fewer than 16 coordinates (all of them when d + 2 < 16) is
    /// added one float at a time: a 64-byte load over floats the kernel has just stored one by one
    /// cannot be forwarded from the store buffer and stalls (~40 % of a d2l step's reduce).
    @inlinable
    package static func sum(
        _ base: UnsafeMutablePointer<Float>, stride: Int, chunks: Int, coordinates: Range<Int>,
        into out: UnsafeMutablePointer<Float>
    ) {
        var j = coordinates.lowerBound
        let end = coordinates.upperBound
        while j &+ 16 <= end {
            var acc = SIMD16<Float>(repeating: 0)
            if chunks > 0 {
                acc = UnsafeRawPointer(base + j).loadUnaligned(as: SIMD16<Float>.self)
                var k = 1
                while k < chunks {
                    acc = acc + UnsafeRawPointer(base + (k &* stride &+ j)).loadUnaligned(as: SIMD16<Float>.self)
                    k &+= 1
                }
            }
            UnsafeMutableRawPointer(out + j).storeBytes(of: acc, as: SIMD16<Float>.self)
            j &+= 16
        }
        while j < end {
            var acc: Float = 0
            if chunks > 0 {
                acc = base[j]
                var k = 1
                while k < chunks {
                    acc = acc + base[k &* stride &+ j]
                    k &+= 1
                }
            }
            out[j] = acc
            j &+= 1
        }
    }

    /// The naive reference: one scalar left-to-right sum per coordinate.
    package static func reduceReference(
        _ partials: GradientBuffers, chunks: Int, coordinates: Range<Int>, into out: UnsafeMutablePointer<Float>
    ) {
        for j in coordinates {
            var s: Float = chunks > 0 ? partials.slot(0)[j] : 0
            if chunks > 1 { for k in 1..<chunks { s += partials.slot(k)[j] } }
            out[j] = s
        }
    }
}
