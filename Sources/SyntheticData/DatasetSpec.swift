import Foundation

/// The true weights of a synthetic dataset: given one by one, by the reference workloads' pattern,
/// or drawn from the seed.
public enum WeightPattern: Sendable, Equatable {
    /// These weights, one per feature (`task: softmax`: features × classes of them, feature-major);
    /// `DatasetSpec.validate()` refuses another count or a non-finite value.
    case explicit([Float])
    /// `w[j] = (+1 if j even else -1) * (1 + j/d)`, as the w3–w5 reference workloads.
    case alternating
    /// Independent N(0, 1) values drawn from the seed's weight stream (`weights: normal`; the
    /// default of `task: softmax`): value i is the i-th normal of stream 6 of `DatasetSpec.seed`,
    /// so the same seed gives the same weights on every machine.
    case normal

    /// The weights for `d` features: the explicit ones as given (not checked here), the alternating
    /// pattern's, or (`normal`) the draws of seed 0 (`weights(count:seed:)` takes the seed).
    public func weights(features d: Int) -> [Float] { weights(count: d, seed: 0) }

    /// The `count` true weights of a spec with seed `seed`: the explicit ones as given (not checked
    /// here), the alternating pattern's over `count` values, or `count` normals of the seed's weight stream.
    public func weights(count n: Int, seed: UInt64) -> [Float] {
        switch self {
        case let .explicit(w): return w
        case .alternating:
            return (0..<n).map { j in (j % 2 == 0 ? 1 : -1) * (1 + Float(j) / Float(n)) }
        case .normal:
            let pairs = (n + 1) / 2
            var out = [Float](repeating: 0, count: 2 * pairs)
            out.withUnsafeMutableBufferPointer { b in
                if let base = b.baseAddress {
                    NormalSampler.fill(key: NormalSampler.key(seed: seed, stream: 6), start: 0, pairs: pairs, into: base)
                }
            }
            return Array(out.prefix(n))
        }
    }
}

/// What a synthetic task's labels are: regression (y = X·w + b + noise·ε), binary
/// classification (y ~ Bernoulli(σ(X·w + b)), labels 0 and 1) or multinomial classification
/// (y ~ Categorical(softmax(X·W + b)), labels 0, 1, …, k − 1).
public enum SyntheticTask: String, Sendable, Equatable, CaseIterable {
    /// y = X·w + b + noise·ε, float32 targets.
    case regression
    /// y = 1 with probability σ(X·w + b), else 0 (binary labels, as float32 0 and 1).
    case logistic
    /// y = c with probability softmax(z)[c], z_c = x·W[:, c] + b_c, for `DatasetSpec.classes` = k
    /// classes (labels the class index as float32 0, 1, …, k − 1). W is d × k, stored feature-major
    /// (`DatasetSpec.trueWeights[j * k + c]`); b_c = log π_c for the `priors` π (0 without).
    case softmax
}

/// What a synthetic dataset is: y = X·w + b + noise·ε, X and ε ~ N(0, 1) (or, for `task: logistic`,
/// y = 1 when Φ(ε) < σ(X·w + b), else 0: Bernoulli(σ(X·w + b)) from the same noise stream).
///
/// The defaults are the d2l lesson's: w = [2, −3.4], b = 4.2, noise std 0.01, 1000 rows.
public struct DatasetSpec: Sendable, Equatable {
    /// Number of rows to make (at least 1). X takes rows × features × `dtype.size` bytes, y rows × 4.
    public var rows: Int
    /// Number of features, d (at least 1).
    public var features: Int
    /// The true weights: explicit values (exactly `features` of them) or the reference pattern.
    public var weights: WeightPattern
    /// The true bias b, added to every row's X·w. `task: softmax` takes none (it must be 0): its
    /// biases are `trueBiases`, log π_c of the `priors`.
    public var bias: Float
    /// Standard deviation of the Gaussian noise added to each target (regression); 0 makes y = X·w + b exactly.
    public var noise: Float
    /// The seed of the counter-based streams X and ε are drawn from: the same seed and spec give the same bits on
    /// every machine, thread count and way of making the data (memory, .npy files, on the fly).
    public var seed: UInt64
    /// How X is stored. float16 X holds the float32 generator's values rounded to nearest-even
    /// (y is computed from the float32 values, as for float32 data, and stays float32).
    public var dtype: DType
    /// Regression targets or binary labels.
    public var task: SyntheticTask = .regression
    /// Only the first m features carry weight (`informative: m`): the true weights of the others
    /// are 0, a sparse truth for L1 penalties (scikit-learn's `make_regression(n_informative=m)`).
    /// nil: all of them.
    public var informative: Int? = nil
    /// Correlated features (`correlation: {rho, factors}`): feature j of row r is
    /// √ρ·f[j mod factors] + √(1 − ρ)·z[j], with f the row's `factors` shared normals, so features
    /// of the same factor have correlation ρ and X has `factors` large directions (a low effective
    /// rank, as real tables have). ρ = 0: independent features (the bits as ever).
    public var correlation: Float = 0
    /// The shared factors of `correlation` (1 ≤ factors ≤ features).
    public var factors: Int = 1
    /// Gross outliers in y (`outliers: {fraction, scale}`, regression only): each row is one with
    /// probability `outlierFraction`, and then gets `outlierScale`·η added, η ~ N(0, 1) (for Huber).
    public var outlierFraction: Float = 0
    /// The standard deviation of an outlier's added error (`outliers.scale`, default 10).
    public var outlierScale: Float = 10
    /// `task: softmax`: the number of classes k (at least 2; required for softmax, refused for
    /// the other tasks). nil for the other tasks.
    public var classes: Int? = nil
    /// `task: softmax`: the class priors π_0 … π_{k−1} (positive; normalised when they do not sum
    /// to 1), giving the true biases b_c = log π_c, so the class frequencies follow π when the
    /// weights are small. nil: b_c = 0 for every class.
    public var priors: [Float]? = nil

    /// A spec with the d2l lesson's defaults; nothing is checked until the data are made (`validate()`,
    /// throwing `DataError.invalidSpec`).
    public init(
        rows: Int = 1000, features: Int = 2, weights: WeightPattern = .explicit([2, -3.4]), bias: Float = 4.2,
        noise: Float = 0.01, seed: UInt64 = 0, dtype: DType = .float32
    ) {
        self.dtype = dtype
        self.rows = rows
        self.features = features
        self.weights = weights
        self.bias = bias
        self.noise = noise
        self.seed = seed
    }

    /// Softmax data of `classes` classes: W ~ N(0, 1) per entry from the seed (`weights: .normal`),
    /// b_c = log π_c of `priors` (0 without), no noise term (the labels are drawn from the
    /// row's own uniform). Not validated here.
    public static func softmax(
        rows: Int, features: Int, classes: Int, priors: [Float]? = nil, seed: UInt64 = 0, dtype: DType = .float32
    ) -> DatasetSpec {
        var s = DatasetSpec(rows: rows, features: features, weights: .normal, bias: 0, noise: 0, seed: seed, dtype: dtype)
        s.task = .softmax
        s.classes = classes
        s.priors = priors
        return s
    }

    /// The reference workloads' data: `rows × features`, alternating weights, b = 4.2, noise 0.01.
    public static func reference(rows: Int, features: Int, seed: UInt64 = 0) -> DatasetSpec {
        DatasetSpec(rows: rows, features: features, weights: .alternating, bias: 4.2, noise: 0.01, seed: seed)
    }

    /// The number of true weights: `features`, or `features × classes` for `task: softmax`.
    public var weightCount: Int { task == .softmax ? features * (classes ?? 1) : features }

    /// The weights as numbers (`weights.weights(count: weightCount, seed: seed)`, with the features
    /// past `informative` set to 0): one per feature, or for `task: softmax` the d × k matrix W
    /// flat and feature-major, `trueWeights[j * k + c]` being feature j's weight for class c.
    public var trueWeights: [Float] {
        let w = weights.weights(count: weightCount, seed: seed)
        let perFeature = task == .softmax ? max(classes ?? 1, 1) : 1
        guard let m = informative, m * perFeature < w.count else { return w }
        return w.enumerated().map { $0.offset < m * perFeature ? $0.element : 0 }
    }

    /// The priors as given, normalised to sum to 1 (in Double); nil without priors.
    public var normalizedPriors: [Double]? {
        guard let priors else { return nil }
        let total = priors.reduce(0.0) { $0 + Double($1) }
        return priors.map { Double($0) / total }
    }

    /// The true biases: for `task: softmax` one per class, b_c = log π_c of the normalised
    /// `priors` (all 0 without priors); for the other tasks `[bias]`.
    public var trueBiases: [Float] {
        guard task == .softmax else { return [bias] }
        guard let p = normalizedPriors else { return [Float](repeating: 0, count: classes ?? 0) }
        return p.map { Float(log($0)) }
    }

    /// A short description for reports: "synthetic 1000 × 2 (seed 0)"; softmax data add the task,
    /// the classes and the priors: "synthetic 1000 × 5, softmax 3 classes, priors 0.5/0.3/0.2 (seed 0)".
    public var summary: String {
        var task = ""
        if self.task == .softmax {
            task = ", softmax \(classes ?? 0) classes"
            if let priors { task += ", priors " + priors.map { "\($0)" }.joined(separator: "/") }
        }
        return "synthetic \(rows) × \(features)\(dtype == .float16 ? " float16" : "")\(task) (seed \(seed))"
    }

    /// The spec as the keys of a config's `data.synthetic` block (also in meta.json).
    public var jsonPairs: [(String, JSONValue)] {
        let w: JSONValue
        switch weights {
        case .alternating: w = .string("alternating")
        case .normal: w = .string("normal")
        case let .explicit(list): w = .floats(list)
        }
        // dtype only when it is not the default, so float32 specs (and the config hashes and
        // meta.json files made from them) are what they were before float16 existed.
        return [
            ("rows", .int(rows)), ("features", .int(features)), ("weights", w),
        ] + (task == .softmax ? [] : [("bias", .float(bias))]) + [
            ("noise", .float(noise)), ("seed", .number("\(seed)")),
        ] + (dtype == .float32 ? [] : [("dtype", .string(dtype.rawValue))])
            + (task == .regression ? [] : [("task", .string(task.rawValue))])
            + (classes.map { [("classes", .int($0))] } ?? [])
            + (priors.map { [("priors", .floats($0))] } ?? [])
            + (informative.map { [("informative", .int($0))] } ?? [])
            + (correlation == 0 ? [] : [("correlation", .object([("rho", .float(correlation)), ("factors", .int(factors))]))])
            + (outlierFraction == 0
                ? [] : [("outliers", .object([("fraction", .float(outlierFraction)), ("scale", .float(outlierScale))]))])
    }

    /// The widest synthetic row: 2²⁰ = 1 048 576 features (4 MiB of float32 per row).
    public static let maxFeatures = 1 << 20

    /// The most classes of `task: softmax`: 2¹⁶ = 65 536 (and features × classes at most
    /// `maxFeatures` × 16, 64 MiB of true weights).
    public static let maxClasses = 1 << 16

    /// Checks every field; the message names the field and the fix.
    public func validate() throws(DataError) {
        if rows < 1 { throw .invalidSpec(field: "rows", value: "\(rows)", fix: "use at least 1 row") }
        if features < 1 { throw .invalidSpec(field: "features", value: "\(features)", fix: "use at least 1 feature") }
        // Before anything of `features` floats is made (the true weights, a row): 4.6e18 features
        // aborted in the allocation, 1e8 needed 400 MB per row.
        if features > Self.maxFeatures {
            throw .invalidSpec(
                field: "features", value: "\(features)",
                fix: "use at most \(Self.maxFeatures) features (the limit: a row of 4 MiB)")
        }
        try validateClasses()
        if case let .explicit(w) = weights, w.count != weightCount {
            throw .invalidSpec(
                field: "weights", value: "(\(w.count) values)",
                fix: task == .softmax
                    ? "give exactly \(weightCount) weights (features × classes, feature-major: w[j·k + c]), or 'normal'"
                    : "give exactly \(features) weights (one per feature), or 'alternating'")
        }
        if trueWeights.contains(where: { !$0.isFinite }) {
            throw .invalidSpec(field: "weights", value: "\(trueWeights)", fix: "weights must be finite numbers")
        }
        if !bias.isFinite { throw .invalidSpec(field: "bias", value: "\(bias)", fix: "use a finite number") }
        if let m = informative, !(1...features).contains(m) {
            throw .invalidSpec(field: "informative", value: "\(m)", fix: "use 1 to \(features) (the features)")
        }
        if !(correlation >= 0 && correlation < 1) {
            throw .invalidSpec(field: "correlation.rho", value: "\(correlation)", fix: "use a correlation from 0 up to (not including) 1")
        }
        if !(1...features).contains(factors) {
            throw .invalidSpec(field: "correlation.factors", value: "\(factors)", fix: "use 1 to \(features) shared factors")
        }
        if !(outlierFraction >= 0 && outlierFraction <= 1) {
            throw .invalidSpec(field: "outliers.fraction", value: "\(outlierFraction)", fix: "use a share from 0 to 1")
        }
        if !(outlierScale.isFinite && outlierScale >= 0) {
            throw .invalidSpec(field: "outliers.scale", value: "\(outlierScale)", fix: "use a standard deviation >= 0")
        }
        if outlierFraction > 0 && task != .regression {
            throw .invalidSpec(field: "outliers", value: "task \(task.rawValue)", fix: "outliers in y apply to regression data only")
        }
        if !(noise >= 0) || !noise.isFinite {
            throw .invalidSpec(field: "noise", value: "\(noise)", fix: "use a standard deviation >= 0")
        }
        let (bytes, overflow) = rows.multipliedReportingOverflow(by: features + 1)
        if overflow || bytes > Int.max / 8 {
            throw .invalidSpec(field: "rows × features", value: "\(rows) × \(features)", fix: "the dataset is too large to address")
        }
    }

    /// `classes` and `priors`: softmax needs 2 to `maxClasses` classes and, if any, one positive
    /// prior per class; the other tasks take neither. Checked before the weights are made.
    private func validateClasses() throws(DataError) {
        guard task == .softmax else {
            if let k = classes {
                throw .invalidSpec(field: "classes", value: "\(k)", fix: "classes apply to task softmax only; remove it or use task: softmax")
            }
            if let p = priors {
                throw .invalidSpec(field: "priors", value: "\(p)", fix: "priors apply to task softmax only; remove them or use task: softmax")
            }
            return
        }
        guard let k = classes else {
            throw .invalidSpec(field: "classes", value: "(none)", fix: "task softmax needs classes: k (at least 2)")
        }
        if !(2...Self.maxClasses).contains(k) {
            throw .invalidSpec(field: "classes", value: "\(k)", fix: "use 2 to \(Self.maxClasses) classes")
        }
        if features > Self.maxFeatures * 16 / k {
            throw .invalidSpec(
                field: "features × classes", value: "\(features) × \(k)",
                fix: "use at most \(Self.maxFeatures * 16) true weights in all (features × classes)")
        }
        if bias != 0 {
            throw .invalidSpec(
                field: "bias", value: "\(bias)", fix: "task softmax takes no bias; its biases are log(priors): give priors instead")
        }
        if weights == .alternating {
            throw .invalidSpec(
                field: "weights", value: "alternating",
                fix: "task softmax takes 'normal' (the default) or features × classes = \(features * k) values")
        }
        if let p = priors {
            if p.count != k {
                throw .invalidSpec(field: "priors", value: "(\(p.count) values)", fix: "give exactly \(k) priors (one per class)")
            }
            if let bad = p.first(where: { !($0 > 0 && $0.isFinite) }) {
                throw .invalidSpec(field: "priors", value: "\(bad)", fix: "priors must be positive finite numbers")
            }
            let total = p.reduce(0.0) { $0 + Double($1) }
            if !total.isFinite {
                throw .invalidSpec(field: "priors", value: "(sum \(total))", fix: "priors must have a finite sum")
            }
        }
    }
}
