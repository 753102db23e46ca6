#if canImport(Glibc)
    import Glibc
#endif

/// xoshiro256** seeded by splitmix64: the sequential generator of model initialisations.
///
/// Datasets use the counter-based `NormalSampler` instead, so any row can be made on its own.
public struct RandomSource: Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose four state words are splitmix64 of `seed`: equal seeds give equal sequences on every platform.
    public init(seed: UInt64) {
        var x = seed
        s0 = Self.splitmix(&x)
        s1 = Self.splitmix(&x)
        s2 = Self.splitmix(&x)
        s3 = Self.splitmix(&x)
    }

    /// One splitmix64 step: advances `x` and returns the next 64-bit output (used to seed the state).
    @inlinable
    public static func splitmix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next 64 uniformly distributed bits (xoshiro256**), advancing the state.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Fills `out[0..<n]` with N(0, 1) samples (Box–Muller in Double, rounded to Float).
    package mutating func fillNormals(_ out: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i < n {
            let u1 = 1.0 - uniform(), u2 = uniform()
            let radius = (-2.0 * log(u1)).squareRoot()
            let theta = 2.0 * Double.pi * u2
            out[i] = Float(radius * cos(theta))
            if i + 1 < n { out[i + 1] = Float(radius * sin(theta)) }
            i += 2
        }
    }
}
