import Foundation

/// The rows of a synthetic dataset, each made on its own from (seed, row index).
///
/// Row r of X is d standard normals: pairs `r·⌈d/2⌉ …` of the seed's X stream (for odd d the last
/// pair's second value is unused; for even d the whole of X is simply the stream in order). Its
/// noise ε is the first value of pair r of the seed's noise stream, and
///
///     y = Float((Σⱼ x[j]·w[j] + b) + noise·ε)        in Double
///
/// (with `correlation`, x is first mixed with the row's shared factors; with `outliers`, y gets an
/// outlier's term added: see `DatasetSpec`) with the dot product summed in 8 lanes (lane l takes j ≡ l mod 8, in order of j) and the lanes
/// added as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)).
///
/// `task: logistic` takes u = Φ(ε) of the same ε and sets y = 1 when u < σ(z). `task: softmax`
/// (k classes) computes z_c = x·W[:, c] + b_c for c = 0 … k − 1 (each dot product as above, in
/// Double), p = softmax(z) as e_c = exp(z_c − max z), p_c = e_c / Σ e (summed in order of c), and
/// sets y to the first c with u < p_0 + … + p_c (summed in order of c; k − 1 if rounding leaves
/// none), again with u = Φ(ε) of the row's own noise value. Nothing depends on which rows are
/// made together, in which order or on which thread: a dataset generated into memory, written to
/// .npy files or made on the fly during training has the same bits.
public struct SyntheticRows: Sendable {
    /// The generator's version, recorded in meta.json; any change of the bits above bumps it.
    public static let version = 2
    /// The generator's name and version as meta.json records it (`generator.name`).
    public static let name = "lockstep counter-based Box-Muller (splitmix64), version 2"

    /// The spec the rows are made from (validated).
    public let spec: DatasetSpec
    /// Number of features, d: values per row of X.
    public let features: Int
    let weights: [Double]
    /// `task: softmax`: W class-major (class c's d weights at c·d, so each z_c is one `dot`) and the k biases.
    let classWeights: [Double]
    let classBiases: [Double]
    let bias: Double
    let noise: Double
    let xKey: UInt64
    let noiseKey: UInt64
    /// `correlation`: the rows' shared factors (stream 3); `outliers`: which rows (stream 4, Φ of
    /// its normal below the fraction) and by how much (stream 5).
    let factorKey: UInt64
    let outlierKey: UInt64
    let outlierSizeKey: UInt64

    /// The rows of `spec`; throws `DataError.invalidSpec` when the spec is invalid
    /// (`DatasetSpec.validate()`). No memory is allocated: rows are made when `fill` asks for them.
    public init(_ spec: DatasetSpec) throws(DataError) {
        try spec.validate()
        self.spec = spec
        features = spec.features
        if spec.task == .softmax, let k = spec.classes {
            let w = spec.trueWeights, d = spec.features
            weights = []
            classWeights = (0..<(d * k)).map { i in Double(w[(i % d) * k + i / d]) }
            classBiases = spec.trueBiases.map(Double.init)
        } else {
            weights = spec.trueWeights.map(Double.init)
            classWeights = []
            classBiases = []
        }
        bias = Double(spec.bias)
        noise = Double(spec.noise)
        xKey = NormalSampler.key(seed: spec.seed, stream: 1)
        noiseKey = NormalSampler.key(seed: spec.seed, stream: 2)
        factorKey = NormalSampler.key(seed: spec.seed, stream: 3)
        outlierKey = NormalSampler.key(seed: spec.seed, stream: 4)
        outlierSizeKey = NormalSampler.key(seed: spec.seed, stream: 5)
    }

    /// Number of rows the spec has; `row(_:)` accepts indices in 0..<rows.
    public var rows: Int { spec.rows }

    /// Row `r` (in `0..<rows`): its `features` values of X and its target, a copy; the same bits as
    /// row `r` of `Dataset.generate` of this spec (float32; a float16 spec's X is these rounded).
    public func row(_ r: Int) -> (x: [Float], y: Float) {
        precondition(r >= 0 && r < rows, "row \(r) of \(rows) rows")
        var y: Float = 0
        let x = [Float](unsafeUninitializedCapacity: features) { buffer, count in
            fill(row: r, x: buffer.baseAddress!, y: &y)
            count = features
        }
        return (x, y)
    }

    /// Writes rows `range` to `x` (range.count × d, row-major) and `y` (range.count).
    package func fill(rows range: Range<Int>, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let d = features
        if d & 1 == 0 {
            NormalSampler.fill(
                key: xKey, start: UInt64(range.lowerBound) &* UInt64(d / 2), pairs: range.count &* (d / 2), into: x)
        } else {
            for (k, r) in range.enumerated() { fillOddRow(r, x + k &* d) }
        }
        finishTargets(rows: range, x: x, y: y)
    }

    /// Writes row `r` to `x[0..<d]` and `y[0]`: the same bits as `fill(rows:)` gives that row.
    @inline(__always)
    package func fill(row r: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let d = features
        if d & 1 == 0 {
            NormalSampler.fill(key: xKey, start: UInt64(r) &* UInt64(d / 2), pairs: d / 2, into: x)
        } else {
            fillOddRow(r, x)
        }
        finishTargets(rows: r..<(r &+ 1), x: x, y: y)
    }

    private func fillOddRow(_ r: Int, _ out: UnsafeMutablePointer<Float>) {
        let pairs = features / 2, start = UInt64(r) &* UInt64(pairs &+ 1)
        NormalSampler.fill(key: xKey, start: start, pairs: pairs, into: out)
        out[features &- 1] = NormalSampler.first(key: xKey, counter: start &+ UInt64(pairs))
    }

    /// `correlation`: row r's features mixed with its shared factors, in Double, rounded once.
    private func correlate(rows range: Range<Int>, x: UnsafeMutablePointer<Float>) {
        let d = features, r = spec.factors
        let shared = Double(spec.correlation).squareRoot(), own = (1 - Double(spec.correlation)).squareRoot()
        for (k, row) in range.enumerated() {
            let out = x + k &* d
            for factor in 0..<r {
                let f = shared * Double(NormalSampler.first(key: factorKey, counter: UInt64(row) &* UInt64(r) &+ UInt64(factor)))
                var j = factor
                while j < d {
                    out[j] = Float(f + own * Double(out[j]))
                    j &+= r
                }
            }
        }
    }

    /// `outliers`: what row r's y gets added (0 for most rows).
    @inline(__always)
    private func outlier(_ r: Int) -> Double {
        let u = 0.5 * erfc(-Double(NormalSampler.first(key: outlierKey, counter: UInt64(r))) / 2.0.squareRoot())
        guard u < Double(spec.outlierFraction) else { return 0 }
        return Double(spec.outlierScale) * Double(NormalSampler.first(key: outlierSizeKey, counter: UInt64(r)))
    }

    private func finishTargets(rows range: Range<Int>, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        if spec.correlation > 0 { correlate(rows: range, x: x) }
        let d = features
        if spec.task == .softmax { return softmaxLabels(rows: range, x: x, y: y) }
        weights.withUnsafeBufferPointer { wb in
            let w = wb.baseAddress!
            if spec.task == .logistic {
                // u = Φ(ε) is uniform on (0, 1); the label is 1 with probability σ(z).
                for (k, r) in range.enumerated() {
                    let eps = Double(NormalSampler.first(key: noiseKey, counter: UInt64(r)))
                    let z = Self.dot(x + k &* d, w, d) + bias
                    y[k] = 0.5 * erfc(-eps / 2.0.squareRoot()) < 1 / (1 + exp(-z)) ? 1 : 0
                }
                return
            }
            if spec.outlierFraction > 0 {
                for (k, r) in range.enumerated() {
                    let eps = Double(NormalSampler.first(key: noiseKey, counter: UInt64(r)))
                    y[k] = Float(((Self.dot(x + k &* d, w, d) + bias) + noise * eps) + outlier(r))
                }
                return
            }
            for (k, r) in range.enumerated() {
                let eps = Double(NormalSampler.first(key: noiseKey, counter: UInt64(r)))
                y[k] = Float((Self.dot(x + k &* d, w, d) + bias) + noise * eps)
            }
        }
    }

    /// `task: softmax`: each row's label drawn from softmax(x·W + b) with its own u = Φ(ε).
    private func softmaxLabels(rows range: Range<Int>, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let d = features, k = classBiases.count
        classWeights.withUnsafeBufferPointer { wb in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { zb in
                let w = wb.baseAddress!, z = zb.baseAddress!
                for (i, r) in range.enumerated() {
                    let eps = Double(NormalSampler.first(key: noiseKey, counter: UInt64(r)))
                    let u = 0.5 * erfc(-eps / 2.0.squareRoot())
                    let row = UnsafePointer(x + i &* d)
                    var top = -Double.infinity
                    for c in 0..<k {
                        z[c] = Self.dot(row, w + c &* d, d) + classBiases[c]
                        top = Swift.max(top, z[c])
                    }
                    var total = 0.0
                    for c in 0..<k {
                        z[c] = exp(z[c] - top)
                        total += z[c]
                    }
                    var label = k - 1, cumulative = 0.0
                    for c in 0..<(k - 1) {
                        cumulative += z[c] / total
                        if u < cumulative {
                            label = c
                            break
                        }
                    }
                    y[i] = Float(label)
                }
            }
        }
    }

    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Double>, _ d: Int) -> Double {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0
        var j = 0
        while j &+ 8 <= d {
            a0 += Double(x[j]) * w[j]
            a1 += Double(x[j &+ 1]) * w[j &+ 1]
            a2 += Double(x[j &+ 2]) * w[j &+ 2]
            a3 += Double(x[j &+ 3]) * w[j &+ 3]
            a4 += Double(x[j &+ 4]) * w[j &+ 4]
            a5 += Double(x[j &+ 5]) * w[j &+ 5]
            a6 += Double(x[j &+ 6]) * w[j &+ 6]
            a7 += Double(x[j &+ 7]) * w[j &+ 7]
            j &+= 8
        }
        // The tail j = 8k + l goes to lane l, as if the loop had run on.
        let left = d &- j
        if left > 0 { a0 += Double(x[j]) * w[j] }
        if left > 1 { a1 += Double(x[j &+ 1]) * w[j &+ 1] }
        if left > 2 { a2 += Double(x[j &+ 2]) * w[j &+ 2] }
        if left > 3 { a3 += Double(x[j &+ 3]) * w[j &+ 3] }
        if left > 4 { a4 += Double(x[j &+ 4]) * w[j &+ 4] }
        if left > 5 { a5 += Double(x[j &+ 5]) * w[j &+ 5] }
        if left > 6 { a6 += Double(x[j &+ 6]) * w[j &+ 6] }
        return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))
    }
}
