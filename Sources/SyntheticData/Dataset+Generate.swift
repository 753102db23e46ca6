import Dispatch

extension Dataset {
    /// Makes the synthetic dataset of `spec` in memory, on `threads` threads.
    ///
    /// The rows come from `SyntheticRows`, so the bytes are the same for any thread count and the
    /// same as `lockstep generate` writes or on-the-fly training makes. First touch of the pages
    /// happens here, on the threads that make them.
    public static func generate(_ spec: DatasetSpec, threads: Int = 1) throws(DataError) -> Dataset {
        let rows = try SyntheticRows(spec)
        let data = try Dataset(
            rows: spec.rows, features: spec.features, dtype: spec.dtype, trueWeights: spec.trueWeights,
            trueBias: spec.task == .softmax ? nil : spec.bias, trueBiases: spec.task == .softmax ? spec.trueBiases : nil,
            source: spec.summary)
        let d = spec.features
        let chunk = generatorChunkRows(features: d)
        let chunks = (spec.rows + chunk - 1) / chunk
        let workers = max(1, min(threads, chunks))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // float16: each piece is made in float32 into this worker's ~1 MiB, then rounded into place.
            let scratch = data.dtype == .float16 ? UnsafeMutablePointer<Float>.allocate(capacity: chunk * d) : nil
            defer { scratch?.deallocate() }
            var k = worker
            while k < chunks {
                let first = k * chunk
                let range = first..<min(first + chunk, spec.rows)
                if let scratch {
                    rows.fill(rows: range, x: scratch, y: data.y + first)
                    HalfConversion.narrow(scratch, count: range.count * d, into: data.xHalf + first * d)
                } else {
                    rows.fill(rows: range, x: data.x + first * d, y: data.y + first)
                }
                k += workers
            }
        }
        return data
    }

    /// Rows made in one piece: about 1 MiB of X (at least 1 row).
    public static func generatorChunkRows(features: Int) -> Int { max(1, (1 << 20) / (4 * features)) }
}
