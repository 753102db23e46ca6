import SyntheticData

/// How the weights of a linear model start.
public enum ModelInit: Sendable, Equatable {
    /// w = 0, b = 0 (`model: {init: zeros}`).
    case zeros
    /// w ~ N(0, std²), b = 0 (the d2l lesson: std 0.01).
    case normal(std: Float)
    /// w, b ~ U(−1/√d, 1/√d) (PyTorch `nn.Linear`'s default).
    case uniform

    /// The `model.init` key's value: `zeros`, `normal` or `uniform`.
    public var name: String {
        switch self {
        case .zeros: return "zeros"
        case .normal: return "normal"
        case .uniform: return "uniform"
        }
    }
}

/// A linear model with d features and k outputs (k = 1: ŷ = x·w + b; the softmax loss's k classes:
/// the scores z = x·W + b), in Float32.
///
/// `Codable` as `{"weights": [...], "bias": b, "bits": {"weights": ["3f9a1cac", ...], "bias": "..."}}`
/// for one output, and `{"outputs": k, "weights": [...d·k], "biases": [...k], "bits": {"weights": …,
/// "biases": …}}` for k: the readable numbers and the exact IEEE-754 bit patterns (8 hex digits
/// each). Decoding takes the bits and refuses a file whose readable values no longer equal them (an
/// edit of one but not the other), so a saved model round-trips bit for bit.
public struct LinearModel: Sendable, Equatable, Codable {
    /// The weights: with one output w, one per feature (d values) in the order of the data's
    /// columns; with k outputs the d × k matrix W feature by feature (`weights[j * k + c]` is
    /// feature j's weight for output c: scikit-learn's `coef_.T`, PyTorch's `weight.T`).
    public var weights: [Float]
    /// The intercepts, one per output.
    public var biases: [Float]

    /// b, the intercept of a one-output model (the first output's for k outputs).
    public var bias: Float {
        get { biases[0] }
        set { biases[0] = newValue }
    }

    /// k: 1, or the softmax loss's classes.
    public var outputs: Int { biases.count }

    /// d: the features.
    public var features: Int { weights.count / max(1, biases.count) }

    /// A one-output model with these weights (d = `weights.count`) and bias, taken as they are.
    public init(weights: [Float], bias: Float) {
        self.weights = weights
        self.biases = [bias]
    }

    /// A model with k = `biases.count` outputs: `weights` is d × k, feature by feature (see `weights`).
    public init(weights: [Float], biases: [Float]) {
        precondition(!biases.isEmpty && weights.count % biases.count == 0, "\(weights.count) weights for \(biases.count) outputs")
        self.weights = weights
        self.biases = biases
    }

    /// A model initialised by `method`, reproducibly from `seed` (k = `outputs`: `normal` draws the
    /// d·k weights in the order of `weights`; `uniform` is `nn.Linear(d, k)`'s U(−1/√d, 1/√d) for
    /// every weight, then every bias).
    public init(features d: Int, outputs k: Int = 1, initialisation method: ModelInit, seed: UInt64) {
        var rng = RandomSource(seed: seed ^ 0x6D6F_6465_6C5F_696E)  // "model_in"
        let n = d * k
        switch method {
        case .zeros:
            self.init(weights: [Float](repeating: 0, count: n), biases: [Float](repeating: 0, count: k))
        case let .normal(std):
            var w = [Float](repeating: 0, count: n)
            w.withUnsafeMutableBufferPointer { rng.fillNormals($0.baseAddress!, count: n) }
            self.init(weights: w.map { $0 * std }, biases: [Float](repeating: 0, count: k))
        case .uniform:
            let bound = 1 / Float(d).squareRoot()
            let w = (0..<n).map { _ in Float(2 * rng.uniform() - 1) * bound }
            self.init(weights: w, biases: (0..<k).map { _ in Float(2 * rng.uniform() - 1) * bound })
        }
    }

    /// ŷ for one row of a one-output model: `Float(score(x))`.
    public func predict(_ x: [Float]) -> Float {
        precondition(outputs == 1, "a model of \(outputs) outputs: use scores(_:)")
        precondition(x.count == weights.count, "a row of \(x.count) values for a model of \(weights.count) features")
        return x.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { Float(linearScoreDouble(xp.baseAddress!, $0.baseAddress!, d: weights.count, b: bias)) }
        }
    }

    /// The k scores z = x·W + b of one row, each summed in Double in feature order and rounded once.
    public func scores(_ x: [Float]) -> [Float] {
        precondition(x.count == features, "a row of \(x.count) values for a model of \(features) features")
        return (0..<outputs).map { c in
            var s = 0.0
            for j in 0..<features { s += Double(x[j]) * Double(weights[j * outputs + c]) }
            return Float(s + Double(biases[c]))
        }
    }

    enum CodingKeys: String, CodingKey { case weights, bias, biases, outputs, bits }
    enum BitsKeys: String, CodingKey { case weights, bias, biases }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if outputs > 1 { try c.encode(outputs, forKey: .outputs) }
        try c.encode(weights, forKey: .weights)
        if outputs == 1 { try c.encode(bias, forKey: .bias) } else { try c.encode(biases, forKey: .biases) }
        var bits = c.nestedContainer(keyedBy: BitsKeys.self, forKey: .bits)
        try bits.encode(weights.map(Self.hex), forKey: .weights)
        if outputs == 1 { try bits.encode(Self.hex(bias), forKey: .bias) } else { try bits.encode(biases.map(Self.hex), forKey: .biases) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let bits = try c.nestedContainer(keyedBy: BitsKeys.self, forKey: .bits)
        func float(_ text: String, _ key: BitsKeys) throws -> Float {
            guard text.count == 8, let word = UInt32(text, radix: 16) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: bits, debugDescription: "'\(text.prefix(40))' is not 8 hex digits")
            }
            return Float(bitPattern: word)
        }
        let k = try c.decodeIfPresent(Int.self, forKey: .outputs) ?? 1
        let w = try bits.decode([String].self, forKey: .weights).map { try float($0, .weights) }
        let b = k == 1
            ? [try float(try bits.decode(String.self, forKey: .bias), .bias)]
            : try bits.decode([String].self, forKey: .biases).map { try float($0, .biases) }
        guard k >= 1, b.count == k, !w.isEmpty, w.count % k == 0, w.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else {
            throw DecodingError.dataCorruptedError(
                forKey: .weights, in: bits,
                debugDescription: "the weights and biases must be finite, at least one weight per output, \(k) biases and d × \(k) weights")
        }
        // The readable copies must say the same (compared as bits: -0 and 0 differ).
        let readable = try c.decode([Float].self, forKey: .weights)
        let readableBiases = k == 1 ? [try c.decode(Float.self, forKey: .bias)] : try c.decode([Float].self, forKey: .biases)
        guard readable.map(\.bitPattern) == w.map(\.bitPattern), readableBiases.map(\.bitPattern) == b.map(\.bitPattern) else {
            throw DecodingError.dataCorruptedError(
                forKey: .weights, in: c, debugDescription: "the readable weights or bias differ from their bit patterns (edited?); edit both or neither")
        }
        self.init(weights: w, biases: b)
    }

    static func hex(_ x: Float) -> String {
        let s = String(x.bitPattern, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}

/// The score z = x·w + b of one row for predictions and evaluation, defined to be reproducible
/// outside Lockstep: every product `Double(x_j)·Double(w_j)` is exact, they are summed in Double
/// in eight lanes (lane j mod 8), the lanes added pairwise ((0+4)+(2+6))+((1+5)+(3+7)), the
/// remaining j one by one, then `Double(b)`. The same bits for any thread count or machine; numpy's
/// `X.astype(np.float64) @ w.astype(np.float64) + b` rounded to float32 agrees to ≤ 1 ulp.
@inline(__always)
func linearScoreDouble(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, d: Int, b: Float) -> Double {
    var acc = SIMD8<Double>(repeating: 0)
    var j = 0
    while j &+ 8 <= d {
        let xv = SIMD8<Double>(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self))
        let wv = SIMD8<Double>(UnsafeRawPointer(w + j).loadUnaligned(as: SIMD8<Float>.self))
        acc = acc.addingProduct(xv, wv)
        j &+= 8
    }
    var s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
    while j < d {
        s += Double(x[j]) * Double(w[j])
        j &+= 1
    }
    return s + Double(b)
}

/// The same for a float16 row (each value widened exactly first).
@inline(__always)
func linearScoreDouble(_ x: UnsafePointer<Float16>, _ w: UnsafePointer<Float>, d: Int, b: Float) -> Double {
    var acc = SIMD8<Double>(repeating: 0)
    var j = 0
    while j &+ 8 <= d {
        let xv = SIMD8<Double>(SIMD8<Float>(UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float16>.self)))
        let wv = SIMD8<Double>(UnsafeRawPointer(w + j).loadUnaligned(as: SIMD8<Float>.self))
        acc = acc.addingProduct(xv, wv)
        j &+= 8
    }
    var s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
    while j < d {
        s += Double(Float(x[j])) * Double(w[j])
        j &+= 1
    }
    return s + Double(b)
}
