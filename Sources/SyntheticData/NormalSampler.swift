import CLockstepShims

/// Standard normal samples addressed by a counter: sample pair `c` of a stream is a pure function of
/// (key, c), so any row of a dataset can be made on its own, in any order, on any thread.
///
/// Pair c: 64 bits = splitmix64's output function applied to `key + c·γ` (γ = 0x9E3779B97F4A7C15;
/// this is exactly the splitmix64 sequence of state `key`, read at position c). The high 32 bits
/// give the radius, the low 32 the angle of a Box–Muller pair:
///
///     u1 = (2·(hi >> 9) + 1) · 2⁻²⁴            in (0, 1), exact in Float
///     q  = lo >> 30                             quadrant
///     a  = signed(lo << 2) >> 8 · (π/4) · 2⁻²³  in [−π/4, π/4)
///     θ  = q·π/2 + a,   r = √(−2 ln u1),   (r cos θ, r sin θ)
///
/// ln, sin and cos are polynomials in plain Float arithmetic (no libm calls, no fused multiply-add),
/// so the loop vectorises and the bits are the same on every x86-64 build. Tails are cut at
/// √(48 ln 2) ≈ 5.77σ (probability 8·10⁻⁹ per sample). Max error against libm's Double
/// Box–Muller of the same (u1, θ): a few Float ulps (checked in the tests).
public enum NormalSampler {
    /// The golden-ratio increment of splitmix64 (2⁶⁴/φ), which steps the counter from one pair to the next.
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The stream key of (seed, stream): different streams of one seed never share values.
    public static func key(seed: UInt64, stream: UInt64) -> UInt64 {
        var x = seed ^ (stream &* 0xD6E8_FEB8_6659_FD93)
        _ = RandomSource.splitmix(&x)
        return RandomSource.splitmix(&x)
    }

    @inline(__always)
    static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// ln(u) for u in (0, 1): u = m·2^e with m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1).
    @inline(__always)
    static func log(_ u: Float) -> Float {
        let bits = u.bitPattern
        var e = Int32(bitPattern: (bits >> 23) & 0xFF) &- 127
        var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
        let big = m > 1.41421356
        m = big ? m * 0.5 : m
        e = big ? e &+ 1 : e
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        let p = 1 + s2 * (0.333333333 + s2 * (0.2 + s2 * (0.142857143 + s2 * 0.111111111)))
        return Float(e) * 0.693147181 + 2 * s * p
    }

    /// The two normals of 64 random bits.
    @inline(__always)
    public static func pair(_ bits: UInt64) -> (Float, Float) {
        let hi = UInt32(truncatingIfNeeded: bits >> 32), lo = UInt32(truncatingIfNeeded: bits)
        let u1 = Float(Int32(bitPattern: (hi >> 9) << 1 | 1)) * 0x1p-24
        let radius = ls_sqrtf(-2 * log(u1))
        let a = Float(Int32(bitPattern: lo << 2) >> 8) * (0.785398163 * 0x1p-23)
        let a2 = a * a
        let sinA = a * (1 + a2 * (-0.166666667 + a2 * (0.00833333333 + a2 * (-0.000198412698 + a2 * 2.75573192e-6))))
        let cosA = 1 + a2 * (-0.5 + a2 * (0.0416666667 + a2 * (-0.00138888889 + a2 * 2.48015873e-5)))
        let q = lo >> 30
        let swap = q & 1 == 1
        let c = swap ? sinA : cosA, s = swap ? cosA : sinA
        let cosSign = ((q &+ 1) & 2) << 30, sinSign = (q & 2) << 30
        return (
            radius * Float(bitPattern: c.bitPattern ^ cosSign), radius * Float(bitPattern: s.bitPattern ^ sinSign)
        )
    }

    /// Writes the `pairs` pairs of counters `start…` to `out[0..<2·pairs]` (cos, sin, cos, sin, …).
    @_spi(Benchmarks)
    public static func fill(key: UInt64, start: UInt64, pairs: Int, into out: UnsafeMutablePointer<Float>) {
        var p = 0
        while p < pairs {
            let (c, s) = pair(mix(key &+ (start &+ UInt64(truncatingIfNeeded: p)) &* gamma))
            out[2 &* p] = c
            out[2 &* p &+ 1] = s
            p &+= 1
        }
    }

    /// The first normal of pair `counter`.
    @inline(__always)
    public static func first(key: UInt64, counter: UInt64) -> Float {
        pair(mix(key &+ counter &* gamma)).0
    }
}
