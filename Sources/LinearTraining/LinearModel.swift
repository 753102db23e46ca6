import SyntheticData

/// How the weights of a linear model start.
public enum ModelInit: Sendable, Equatable {
    case zeros
    /// w ~ N(0, std²), b = 0 (the d2l lesson: std 0.01).
    case normal(std: Float)
    /// w, b ~ U(−1/√d, 1/√d) (PyTorch `nn.Linear`'s default).
    case uniform

    public var name: String {
        switch self {
        case .zeros: return "zeros"
        case .normal: return "normal"
        case .uniform: return "uniform"
        }
    }
}

/// A linear model with d features and one output, in Float32: ŷ = x·w + b.
public struct LinearModel: Sendable, Equatable {
    public var weights: [Float]
    public var bias: Float

    public init(weights: [Float], bias: Float) {
        self.weights = weights
        self.bias = bias
    }

    /// A model initialised by `method`, reproducibly from `seed`.
    public init(features d: Int, initialisation method: ModelInit, seed: UInt64) {
        var rng = RandomSource(seed: seed ^ 0x6D6F_6465_6C5F_696E)  // "model_in"
        switch method {
        case .zeros:
            self.init(weights: [Float](repeating: 0, count: d), bias: 0)
        case let .normal(std):
            var w = [Float](repeating: 0, count: d)
            w.withUnsafeMutableBufferPointer { rng.fillNormals($0.baseAddress!, count: d) }
            self.init(weights: w.map { $0 * std }, bias: 0)
        case .uniform:
            let bound = 1 / Float(d).squareRoot()
            let w = (0..<d).map { _ in Float(2 * rng.uniform() - 1) * bound }
            self.init(weights: w, bias: Float(2 * rng.uniform() - 1) * bound)
        }
    }

    /// ŷ for one row.
    public func predict(_ x: [Float]) -> Float {
        var s: Float = 0
        for j in 0..<weights.count { s += x[j] * weights[j] }
        return s + bias
    }
}
