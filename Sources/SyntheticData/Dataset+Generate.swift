import Dispatch

extension Dataset {
    /// Rows per generator block: each block has its own random source seeded from (seed, block).
    public static let generatorBlockRows = 4096

    /// Makes the synthetic dataset of `spec` in memory, on `threads` threads.
    ///
    /// X ~ N(0, 1) and y = X·w + b + noise·ε with the dot product in Double. Rows are made in blocks
    /// of 4096, each from its own generator, so the bytes are the same for any thread count.
    public static func generate(_ spec: DatasetSpec, threads: Int = 1) throws(DataError) -> Dataset {
        try spec.validate()
        let w = spec.trueWeights
        let data = try Dataset(
            rows: spec.rows, features: spec.features, trueWeights: w, trueBias: spec.bias,
            source: spec.summary)
        let blocks = (spec.rows + generatorBlockRows - 1) / generatorBlockRows
        let workers = max(1, min(threads, blocks))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lo = blocks * worker / workers, hi = blocks * (worker + 1) / workers
            var noise = [Float](repeating: 0, count: generatorBlockRows)
            for block in lo..<hi {
                generateBlock(block, spec: spec, weights: w, into: data, noise: &noise)
            }
        }
        return data
    }

    private static func generateBlock(
        _ block: Int, spec: DatasetSpec, weights w: [Float], into data: Dataset, noise: inout [Float]
    ) {
        let d = spec.features
        let start = block * generatorBlockRows
        let end = min(start + generatorBlockRows, spec.rows)
        var rng = RandomSource(seed: spec.seed, block: UInt64(block))
        rng.fillNormals(data.x + start * d, count: (end - start) * d)
        noise.withUnsafeMutableBufferPointer { nb in
            rng.fillNormals(nb.baseAddress!, count: end - start)
            w.withUnsafeBufferPointer { wb in
                let bias = Double(spec.bias), sigma = Double(spec.noise)
                for i in start..<end {
                    let row = data.x + i &* d
                    var acc = bias
                    for j in 0..<d { acc += Double(row[j]) * Double(wb[j]) }
                    data.y[i] = Float(acc + sigma * Double(nb[i - start]))
                }
            }
        }
    }
}
