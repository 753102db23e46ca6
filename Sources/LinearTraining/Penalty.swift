/// `penalty: {alpha, l1Ratio}`: an elastic-net penalty on the weights (never the bias), in
/// scikit-learn's parametrisation (`ElasticNet`, `SGDRegressor(penalty="elasticnet")`):
///
///     objective = mean loss + α·l1Ratio·‖w‖₁ + α·(1 − l1Ratio)/2·‖w‖²
///
/// One SGD step at rate lr with the loss's gradient g (a proximal gradient step):
///
///     w = w − lr·(g + α(1 − l1Ratio)·w)            (the L2 part, in the gradient, before momentum)
///     w = sign(w)·max(|w| − lr·α·l1Ratio, 0)       (the L1 part: a soft threshold after the update)
///
/// so weights the L1 part does not pay for become exactly zero. Full-batch steps at a constant rate
/// are ISTA, which converges to the objective's minimum (scikit-learn's `Lasso`/`ElasticNet`
/// optimum for the `squared` loss, whose mean is their 1/(2n)‖y − Xw − b‖²). PyTorch-style
/// `optimizer.weightDecay` is separate and, as in PyTorch, decays the bias too.
public struct Penalty: Sendable, Equatable {
    /// The penalty's strength α (scikit-learn `alpha`), at least 0; 0 turns the penalty off.
    public var alpha: Float
    /// The share of the penalty that is L1 (scikit-learn `l1_ratio`): 0 is ridge, 1 is lasso; in 0...1.
    public var l1Ratio: Float

    /// `l1Ratio` 0.15 is scikit-learn's `SGDRegressor`/`SGDClassifier` default.
    public init(alpha: Float, l1Ratio: Float = 0.15) {
        self.alpha = alpha
        self.l1Ratio = l1Ratio
    }

    /// α·(1 − l1Ratio): the L2 part's coefficient in the gradient.
    public var l2: Float { alpha * (1 - l1Ratio) }
    /// α·l1Ratio: the L1 part's threshold per unit of rate.
    public var l1: Float { alpha * l1Ratio }

    /// Throws `TrainingError.invalidValue` naming `penalty.alpha` (negative or not finite) or `penalty.l1Ratio`
    /// (outside 0...1).
    public func validate() throws(TrainingError) {
        if !(alpha.isFinite && alpha >= 0) {
            throw .invalidValue(key: "penalty.alpha", value: "\(alpha)", fix: "use a number >= 0 (0 turns the penalty off)")
        }
        if !(l1Ratio.isFinite && l1Ratio >= 0 && l1Ratio <= 1) {
            throw .invalidValue(key: "penalty.l1Ratio", value: "\(l1Ratio)", fix: "use a number from 0 (ridge) to 1 (lasso)")
        }
    }

    /// The objective's penalty term at `weights`, in float64.
    public func value(weights: [Float]) -> Double {
        var l1Sum = 0.0, l2Sum = 0.0
        for w in weights {
            l1Sum += abs(Double(w))
            l2Sum += Double(w) * Double(w)
        }
        return Double(l1) * l1Sum + Double(l2) / 2 * l2Sum
    }

    /// The soft threshold of one weight by `t` ≥ 0: sign(w)·max(|w| − t, 0).
    @inline(__always)
    public static func softThreshold(_ w: Float, _ t: Float) -> Float {
        w > t ? w - t : (w < -t ? w + t : 0)
    }
}
