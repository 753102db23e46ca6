/// The true weights of a synthetic dataset: given one by one, or by the reference workloads' pattern.
public enum WeightPattern: Sendable, Equatable {
    /// These weights, one per feature; `DatasetSpec.validate()` refuses a count other than `features` or a non-finite
    /// value.
    case explicit([Float])
    /// `w[j] = (+1 if j even else -1) * (1 + j/d)`, as the w3–w5 reference workloads.
    case alternating

    /// The weights for `d` features: the explicit ones as given (not checked here), or the alternating pattern's.
    public func weights(features d: Int) -> [Float] {
        switch self {
        case let .explicit(w): return w
        case .alternating:
            return (0..<d).map { j in (j % 2 == 0 ? 1 : -1) * (1 + Float(j) / Float(d)) }
        }
    }
}

/// What a synthetic task's labels are: regression (y = X·w + b + noise·ε) or binary
/// classification (y ~ Bernoulli(σ(X·w + b)), labels 0 and 1).
public enum SyntheticTask: String, Sendable, Equatable, CaseIterable {
    /// y = X·w + b + noise·ε, float32 targets.
    case regression
    /// y = 1 with probability σ(X·w + b), else 0 (binary labels, as float32 0 and 1).
    case logistic
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
    /// The true bias b, added to every row's X·w.
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

    /// The reference workloads' data: `rows × features`, alternating weights, b = 4.2, noise 0.01.
    public static func reference(rows: Int, features: Int, seed: UInt64 = 0) -> DatasetSpec {
        DatasetSpec(rows: rows, features: features, weights: .alternating, bias: 4.2, noise: 0.01, seed: seed)
    }

    /// The weights as numbers, one per feature (`weights.weights(features: features)`, with the
    /// features past `informative` set to 0).
    public var trueWeights: [Float] {
        let w = weights.weights(features: features)
        guard let m = informative, m < w.count else { return w }
        return w.enumerated().map { $0.offset < m ? $0.element : 0 }
    }

    /// A short description for reports: "synthetic 1000 × 2 (seed 0)".
    public var summary: String {
        "synthetic \(rows) × \(features)\(dtype == .float16 ? " float16" : "") (seed \(seed))"
    }

    /// The spec as the keys of a config's `data.synthetic` block (also in meta.json).
    public var jsonPairs: [(String, JSONValue)] {
        let w: JSONValue
        switch weights {
        case .alternating: w = .string("alternating")
        case let .explicit(list): w = .floats(list)
        }
        // dtype only when it is not the default, so float32 specs (and the config hashes and
        // meta.json files made from them) are what they were before float16 existed.
        return [
            ("rows", .int(rows)), ("features", .int(features)), ("weights", w), ("bias", .float(bias)),
            ("noise", .float(noise)), ("seed", .number("\(seed)")),
        ] + (dtype == .float32 ? [] : [("dtype", .string(dtype.rawValue))])
            + (task == .regression ? [] : [("task", .string(task.rawValue))])
            + (informative.map { [("informative", .int($0))] } ?? [])
            + (correlation == 0 ? [] : [("correlation", .object([("rho", .float(correlation)), ("factors", .int(factors))]))])
            + (outlierFraction == 0
                ? [] : [("outliers", .object([("fraction", .float(outlierFraction)), ("scale", .float(outlierScale))]))])
    }

    /// The widest synthetic row: 2²⁰ = 1 048 576 features (4 MiB of float32 per row).
    public static let maxFeatures = 1 << 20

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
        if case let .explicit(w) = weights, w.count != features {
            throw .invalidSpec(
                field: "weights", value: "(\(w.count) values)",
                fix: "give exactly \(features) weights (one per feature), or 'alternating'")
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
}
