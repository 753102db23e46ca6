/// Stochastic gradient descent with PyTorch `optim.SGD` semantics: lr, momentum, dampening,
/// nesterov and weight decay (applied to every parameter, the bias included, as one PyTorch
/// parameter group does).
///
/// Per parameter p with gradient g:
///
///     g = g + weightDecay · p                       (if weightDecay ≠ 0)
///     buf = g  on the first step, else  buf = momentum · buf + (1 − dampening) · g
///     g = nesterov ? g + momentum · buf : buf       (if momentum ≠ 0)
///     p = p − lr · g
public struct SGD: Sendable, Equatable {
    /// The learning rate: how far each step moves along the (averaged) gradient; finite and > 0.
    public var lr: Float
    /// The momentum factor (PyTorch `momentum`), at least 0; 0 keeps no momentum buffer.
    public var momentum: Float
    /// The dampening of the gradient added to the momentum buffer (PyTorch `dampening`); finite.
    public var dampening: Float
    /// Nesterov momentum (PyTorch `nesterov`): needs momentum > 0 and dampening 0, as PyTorch requires.
    public var nesterov: Bool
    /// L2 weight decay added to the gradient, applied to the bias too (PyTorch `weight_decay`); at least 0.
    public var weightDecay: Float

    /// The settings with PyTorch's defaults; nothing is checked until `validate()` (the trainer calls it when it is
    /// built).
    public init(lr: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    /// Whether a momentum buffer is kept.
    public var usesMomentum: Bool { momentum != 0 }

    /// Checks the values; the message names the key and the fix.
    public func validate() throws(TrainingError) {
        if !(lr.isFinite && lr > 0) { throw .invalidValue(key: "optimizer.lr", value: "\(lr)", fix: "use a finite number > 0, e.g. 0.03") }
        if !(momentum.isFinite && momentum >= 0) {
            throw .invalidValue(key: "optimizer.momentum", value: "\(momentum)", fix: "use a number >= 0 (0 turns momentum off)")
        }
        if !dampening.isFinite { throw .invalidValue(key: "optimizer.dampening", value: "\(dampening)", fix: "use a finite number") }
        if !(weightDecay.isFinite && weightDecay >= 0) {
            throw .invalidValue(key: "optimizer.weightDecay", value: "\(weightDecay)", fix: "use a number >= 0")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw .invalidValue(
                key: "optimizer.nesterov", value: "true",
                fix: "nesterov needs momentum > 0 and dampening 0 (as in PyTorch)")
        }
    }

    /// Applies one step to `params[range]` with the gradient `grads[range] · gradientScale` (the
    /// scale turns sums into the mean loss's gradient; multiplying here, not in a pass of its own,
    /// saves a store and a reload per parameter on a step's critical path). `first` is true on the
    /// very first step of a run (the momentum buffer starts as the gradient). Called by each worker
    /// for its own slice; touches nothing outside `range`.
    ///
    /// With a `penalty`, parameters below `penalized` (the weights, not the bias) also get its L2
    /// part in the gradient (after weight decay, before momentum) and its L1 part as a soft
    /// threshold by lr·α·l1Ratio after the update (`Penalty`).
    @inlinable
    package func apply(
        params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, gradientScale: Float = 1,
        momentumBuffer: UnsafeMutablePointer<Float>, range: Range<Int>, first: Bool,
        penalty: Penalty? = nil, penalized: Int = 0
    ) {
        let lr = self.lr, wd = weightDecay, mu = momentum, damp = 1 - dampening
        if mu == 0 && wd == 0 && penalty == nil {
            for j in range { params[j] = params[j] - lr * (grads[j] * gradientScale) }
            return
        }
        let l2 = penalty?.l2 ?? 0, threshold = lr * (penalty?.l1 ?? 0)
        for j in range {
            var g = grads[j] * gradientScale
            if wd != 0 { g = g + wd * params[j] }
            if l2 != 0 && j < penalized { g = g + l2 * params[j] }
            if mu != 0 {
                let buf = first ? g : mu * momentumBuffer[j] + damp * g
                momentumBuffer[j] = buf
                g = nesterov ? g + mu * buf : buf
            }
            let p = params[j] - lr * g
            params[j] = threshold != 0 && j < penalized ? Penalty.softThreshold(p, threshold) : p
        }
    }
}
