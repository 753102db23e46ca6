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

/// A linear model with d features and one output, in Float32: ŷ = x·w + b.
///
/// `Codable` as `{"weights": [...], "bias": b, "bits": {"weights": ["3f9a1cac", ...], "bias": "..."}}`:
/// the readable numbers and the exact IEEE-754 bit patterns (8 hex digits each). Decoding takes the
/// bits and refuses a file whose readable values no longer equal them (an edit of one but not the
/// other), so a saved model round-trips bit for bit.
public struct LinearModel: Sendable, Equatable, Codable {
    /// w, one per feature (d values), in the order of the data's columns.
    public var weights: [Float]
    /// b, the intercept.
    public var bias: Float

    /// A model with these weights (d = `weights.count`) and bias, taken as they are.
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

    /// ŷ for one row: `Float(score(x))`.
    public func predict(_ x: [Float]) -> Float {
        precondition(x.count == weights.count, "a row of \(x.count) values for a model of \(weights.count) features")
        return x.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { Float(linearScoreDouble(xp.baseAddress!, $0.baseAddress!, d: weights.count, b: bias)) }
        }
    }

    enum CodingKeys: String, CodingKey { case weights, bias, bits }
    enum BitsKeys: String, CodingKey { case weights, bias }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(weights, forKey: .weights)
        try c.encode(bias, forKey: .bias)
        var bits = c.nestedContainer(keyedBy: BitsKeys.self, forKey: .bits)
        try bits.encode(weights.map(Self.hex), forKey: .weights)
        try bits.encode(Self.hex(bias), forKey: .bias)
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
        let w = try bits.decode([String].self, forKey: .weights).map { try float($0, .weights) }
        let b = try float(try bits.decode(String.self, forKey: .bias), .bias)
        guard !w.isEmpty, w.allSatisfy(\.isFinite), b.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: .weights, in: bits, debugDescription: "the weights and bias must be finite and at least one weight")
        }
        // The readable copies must say the same (compared as bits: -0 and 0 differ).
        let readable = try c.decode([Float].self, forKey: .weights), readableBias = try c.decode(Float.self, forKey: .bias)
        guard readable.map(\.bitPattern) == w.map(\.bitPattern), readableBias.bitPattern == b.bitPattern else {
            throw DecodingError.dataCorruptedError(
                forKey: .weights, in: c, debugDescription: "the readable weights or bias differ from their bit patterns (edited?); edit both or neither")
        }
        self.init(weights: w, bias: b)
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
