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
            rows: spec.rows, features: spec.features, trueWeights: spec.trueWeights, trueBias: spec.bias,
            source: spec.summary)
        let chunk = generatorChunkRows(features: spec.features)
        let chunks = (spec.rows + chunk - 1) / chunk
        let workers = max(1, min(threads, chunks))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var k = worker
            while k < chunks {
                let first = k * chunk
                let range = first..<min(first + chunk, spec.rows)
                rows.fill(rows: range, x: data.x + first * spec.features, y: data.y + first)
                k += workers
            }
        }
        return data
    }

    /// Rows made in one piece: about 1 MiB of X (at least 1 row).
    public static func generatorChunkRows(features: Int) -> Int { max(1, (1 << 20) / (4 * features)) }
}
