import SyntheticData

/// Per-class weights of the `logistic` loss (`loss: {kind: logistic, classWeight: …}`), as
/// scikit-learn's `class_weight`: row i's loss and gradient are multiplied by w_{yᵢ}, so the loss is
/// mean(w_y · BCEWithLogits) — PyTorch's `BCEWithLogitsLoss(weight:)` with the row weights w_y
/// (the mean still divides by the batch's rows). Validation scores stay unweighted.
public enum ClassWeight: Sendable, Equatable {
    /// w_c = n / (2·n_c) over the training rows: each class weighs as much in total
    /// (scikit-learn's `"balanced"`).
    case balanced
    /// w₀ for class 0 and w₁ for class 1 (scikit-learn's `{0: w0, 1: w1}`).
    case weights(Float, Float)

    /// The weights for `data`'s labels (0 and 1; checked before): `balanced` counts the classes
    /// and refuses data missing one.
    public func resolve(_ data: TrainingData) throws(TrainingError) -> (Float, Float) {
        switch self {
        case let .weights(w0, w1): return (w0, w1)
        case .balanced:
            let ones = data.labelSum()
            let n = Double(data.rows), zeros = n - ones
            guard ones > 0 && zeros > 0 else {
                throw .invalidValue(
                    key: "loss.classWeight", value: "balanced",
                    fix: "the training rows hold only class \(ones > 0 ? 1 : 0); balanced weights need both classes")
            }
            return (Float(n / (2 * zeros)), Float(n / (2 * ones)))
        }
    }

    /// Checks explicit weights: finite and > 0.
    public func validate() throws(TrainingError) {
        if case let .weights(w0, w1) = self, !(w0.isFinite && w0 > 0 && w1.isFinite && w1 > 0) {
            throw .invalidValue(key: "loss.classWeight", value: "{0: \(w0), 1: \(w1)}", fix: "use weights that are finite numbers > 0")
        }
    }

    /// The config's spelling: `balanced` or `{0: w0, 1: w1}`.
    public var text: String {
        switch self {
        case .balanced: return "balanced"
        case let .weights(w0, w1): return "{0: \(w0), 1: \(w1)}"
        }
    }
}

extension TrainingData {
    /// Σ y over all rows, in Double (the count of class 1 for 0/1 labels). Data made on the fly is
    /// made once for it.
    public func labelSum() -> Double {
        switch self {
        case let .stored(d):
            var s = 0.0
            for i in 0..<d.rows { s += Double(d.y[i]) }
            return s
        case let .generated(g):
            let block = 4096
            let x = UnsafeMutablePointer<Float>.allocate(capacity: block * g.features)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: block)
            defer {
                x.deallocate()
                y.deallocate()
            }
            var s = 0.0
            var lo = 0
            while lo < g.rows {
                let hi = min(g.rows, lo + block)
                g.fill(rows: lo..<hi, x: x, y: y)
                for i in 0..<(hi - lo) { s += Double(y[i]) }
                lo = hi
            }
            return s
        }
    }
}
