import DataParallel
import Dispatch
import SyntheticData

/// Per-feature standardisation (`data.standardize: true`), as scikit-learn's `StandardScaler`:
/// x′ = (x − mean) / scale, with `scale` the population standard deviation (ddof 0) and 1 for a
/// constant feature.
///
/// The trainer never makes a scaled copy of X. It trains the weights w′ of the scaled features and
/// hands the kernels, each step, the same model in the original units, z = x·w + b with
/// wⱼ = w′ⱼ / scaleⱼ and b = b′ − Σⱼ meanⱼ·wⱼ, so the kernels read the raw rows as ever. The sums
/// they return are turned into the gradient of w′ by ∂/∂w′ⱼ = (Σ g·xⱼ − meanⱼ·Σ g) / scaleⱼ (the
/// bias's is Σ g unchanged): O(d) work per step besides the kernels'. Penalties and weight decay
/// act on w′, as they do on a scikit-learn pipeline's `StandardScaler` → model.
///
/// `fit` reads the data once, in chunks whose size depends on the row count alone, each chunk's
/// mean and sum of squared deviations in Double, merged in chunk order (Chan et al.'s pairwise
/// update): the same bits for any thread count.
public struct FeatureScaling: Sendable, Equatable, Codable {
    /// The mean of each feature over the training rows.
    public var mean: [Float]
    /// The standard deviation of each feature (population, ddof 0); 1 where it is 0.
    public var scale: [Float]

    /// A scaling with the given parameters; both arrays have one value per feature, every scale
    /// finite and > 0.
    public init(mean: [Float], scale: [Float]) {
        precondition(mean.count == scale.count, "\(mean.count) means for \(scale.count) scales")
        self.mean = mean
        self.scale = scale
    }

    /// The number of features.
    public var features: Int { mean.count }

    /// The mean and standard deviation of each feature of `data`, on `threads` workers (the
    /// result does not depend on `threads`). Data made on the fly is made once for this pass.
    public static func fit(_ data: TrainingData, threads: Int = 1) -> FeatureScaling {
        let n = data.rows, d = data.features
        guard n > 0, d > 0 else { return FeatureScaling(mean: .init(repeating: 0, count: d), scale: .init(repeating: 1, count: d)) }
        let chunkRows = max(4096, (n + 4095) / 4096)
        let chunks = (n + chunkRows - 1) / chunkRows
        // Per chunk: d means, then d sums of squared deviations from them.
        var stats = [Double](repeating: 0, count: chunks * 2 * d)
        stats.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendable(buffer.baseAddress!)
            let workers = max(1, min(threads, chunks))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var rows = [Float](repeating: 0, count: chunkRows * d)
                var labels = [Float](repeating: 0, count: chunkRows)
                for c in (chunks * worker / workers)..<(chunks * (worker + 1) / workers) {
                    let lo = c * chunkRows, hi = min(n, lo + chunkRows)
                    rows.withUnsafeMutableBufferPointer { x in
                        labels.withUnsafeMutableBufferPointer { y in
                            let block = Self.rows(data, lo..<hi, scratch: x.baseAddress!, labels: y.baseAddress!)
                            chunkStats(block, rows: hi - lo, d: d, into: out.pointer + c * 2 * d)
                        }
                    }
                }
            }
        }
        // Merged in chunk order: (count, mean, M2) of rows so far with the next chunk's.
        var mean = Array(stats[0..<d]), m2 = Array(stats[d..<(2 * d)])
        var count = Double(min(n, chunkRows))
        for c in 1..<max(1, chunks) {
            let rowsInChunk = Double(min(n, (c + 1) * chunkRows) - c * chunkRows)
            let total = count + rowsInChunk
            for j in 0..<d {
                let delta = stats[c * 2 * d + j] - mean[j]
                mean[j] += delta * rowsInChunk / total
                m2[j] += stats[c * 2 * d + d + j] + delta * delta * count * rowsInChunk / total
            }
            count = total
        }
        let scale = m2.map { m -> Float in
            let s = Float((m / Double(n)).squareRoot())
            return s.isNormal ? s : 1
        }
        return FeatureScaling(mean: mean.map { Float($0) }, scale: scale)
    }

    /// Rows `range` of `data` as float32: in place for stored float32 data, else converted or made
    /// into `scratch` (float16 as its float32 values; on-the-fly data as stored data would hold it).
    static func rows(_ data: TrainingData, _ range: Range<Int>, scratch: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Float>)
        -> UnsafePointer<Float>
    {
        let d = data.features
        switch data {
        case let .stored(ds):
            if ds.dtype == .float32 { return UnsafePointer(ds.x + range.lowerBound * d) }
            let x = ds.xHalf + range.lowerBound * d
            for k in 0..<(range.count * d) { scratch[k] = Float(x[k]) }
        case let .generated(made):
            made.fill(rows: range, x: scratch, y: labels)
            if made.spec.dtype == .float16 { for k in 0..<(range.count * d) { scratch[k] = Float(Float16(scratch[k])) } }
        }
        return UnsafePointer(scratch)
    }

    /// One chunk's per-feature mean and Σ (x − mean)², two passes over rows in cache, in Double.
    static func chunkStats(_ x: UnsafePointer<Float>, rows: Int, d: Int, into out: UnsafeMutablePointer<Double>) {
        for j in 0..<(2 * d) { out[j] = 0 }
        for i in 0..<rows { for j in 0..<d { out[j] += Double(x[i * d + j]) } }
        for j in 0..<d { out[j] /= Double(rows) }
        for i in 0..<rows {
            for j in 0..<d {
                let e = Double(x[i * d + j]) - out[j]
                out[d + j] += e * e
            }
        }
    }

    /// The model in the original units of a model `scaled` of the scaled features: the weights and
    /// bias the kernels compute with while training (bit for bit), and what predictions use.
    public func originalUnits(_ scaled: LinearModel) -> LinearModel {
        precondition(scaled.weights.count == features, "a model of \(scaled.weights.count) weights for \(features) features")
        var out = [Float](repeating: 0, count: features + 1)
        mean.withUnsafeBufferPointer { m in
            scale.withUnsafeBufferPointer { s in
                var params = scaled.weights + [scaled.bias]
                params.withUnsafeMutableBufferPointer { p in
                    out.withUnsafeMutableBufferPointer { o in
                        Self.originalUnits(p.baseAddress!, mean: m.baseAddress!, scale: s.baseAddress!, d: features, into: o.baseAddress!)
                    }
                }
            }
        }
        return LinearModel(weights: Array(out[0..<features]), bias: out[features])
    }

    /// The model of the scaled features equal to `original` (the inverse of `originalUnits`, up to
    /// rounding): w′ⱼ = wⱼ·scaleⱼ, b′ = b + Σⱼ meanⱼ·wⱼ. For starting a standardised run from a model
    /// in original units.
    public func scaledUnits(_ original: LinearModel) -> LinearModel {
        precondition(original.weights.count == features, "a model of \(original.weights.count) weights for \(features) features")
        var shift: Float = 0
        for j in 0..<features { shift += mean[j] * original.weights[j] }
        return LinearModel(weights: (0..<features).map { original.weights[$0] * scale[$0] }, bias: original.bias + shift)
    }

    /// `params` (w′ then b′) in original units into `out` (w then b): wⱼ = w′ⱼ / scaleⱼ, then
    /// b = b′ − Σⱼ meanⱼ·wⱼ summed in j order (every worker computes the same bits).
    @inline(__always)
    static func originalUnits(
        _ params: UnsafePointer<Float>, mean: UnsafePointer<Float>, scale: UnsafePointer<Float>, d: Int, into out: UnsafeMutablePointer<Float>
    ) {
        var shift: Float = 0
        var j = 0
        while j < d {
            let w = params[j] / scale[j]
            out[j] = w
            shift = shift + mean[j] * w
            j &+= 1
        }
        out[d] = params[d] - shift
    }

    /// Turns the step's sums Σ g·xⱼ (`totals[range]`, j < d) into the sums of the scaled features,
    /// (Σ g·xⱼ − meanⱼ·Σ g) / scaleⱼ, given Σ g (`biasSum`).
    @inline(__always)
    static func scaleGradient(
        _ totals: UnsafeMutablePointer<Float>, range: Range<Int>, biasSum: Float, mean: UnsafePointer<Float>, scale: UnsafePointer<Float>
    ) {
        var j = range.lowerBound
        while j < range.upperBound {
            totals[j] = (totals[j] - mean[j] * biasSum) / scale[j]
            j &+= 1
        }
    }
}

/// `FeatureScaling`'s numbers where a step reads them (trivially copyable, like the spans), and one
/// slot per worker (plus one for the trainer's thread) for the model in original units.
struct ScalingBuffers {
    let mean: SharedPointer<Float>
    let scale: SharedPointer<Float>
    /// `slots` × `stride` floats: slot k is worker k's w, b in original units (the last slot: the
    /// trainer thread's, for validation).
    let effective: SharedPointer<Float>
    let stride: Int
    let d: Int

    /// Worker `worker`'s slot, filled from `params` (w′, b′).
    @inline(__always)
    func originalUnits(_ params: UnsafePointer<Float>, worker: Int) -> UnsafePointer<Float> {
        let slot = effective.base + worker &* stride
        FeatureScaling.originalUnits(params, mean: UnsafePointer(mean.base), scale: UnsafePointer(scale.base), d: d, into: slot)
        return UnsafePointer(slot)
    }
}
