/// Entry points for Lockstep's own Benchmarks package, not part of the library's API.
///
/// The benchmarks are a separate package (so the main package never builds the benchmark
/// framework), and a separate package cannot see `package` declarations; these wrappers are SPI,
/// reached only with `@_spi(Benchmarks) import DataParallel`, and left out of the documented
/// public surface. They may change or go away in any release.
@_spi(Benchmarks) public enum BenchmarkSupport {
    /// The coordinates worker `worker` of `workers` reduces in the fixed-order all-reduce: whole
    /// blocks of 16 of `0..<width` (the trainer's own slicing).
    public static func coordinateSlice(width: Int, worker: Int, of workers: Int) -> Range<Int> {
        FixedOrderAllReduce.coordinateSlice(width: width, worker: worker, of: workers)
    }

    /// The trainer's fixed-order sum: `out[j] = Σ_{k in 0..<chunks} base[k × stride + j]` (k
    /// ascending) for every `j` of `coordinates`. `base` holds `chunks × stride` floats, `stride` a
    /// multiple of 16, `coordinates.lowerBound` a multiple of 16; `out` at least
    /// `coordinates.upperBound` floats. The caller owns both buffers. One call across the module
    /// boundary per sum (the trainer's copy is inlined), a few nanoseconds on top of the sum.
    public static func fixedOrderSum(
        _ base: UnsafeMutablePointer<Float>, stride: Int, chunks: Int, coordinates: Range<Int>,
        into out: UnsafeMutablePointer<Float>
    ) {
        FixedOrderAllReduce.sum(base, stride: stride, chunks: chunks, coordinates: coordinates, into: out)
    }
}
