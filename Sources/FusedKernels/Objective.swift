/// What a kernel computes per row from z = x·w + b and the label y: the gradient factor g (the
/// derivative of the row's loss with respect to z, up to the loss's constant) and the row's loss
/// term l. The kernels sum g·x, g and l; the trainer scales the sums once per step.
///
/// - `SquaredError`: g = z − y, l = (z − y)² (the squared and mse losses; exactly today's arithmetic).
/// - `LogisticLoss`: g = σ(z) − y, l = softplus(z) − y·z, both in the stable form (no overflow for
///   any finite z): BCEWithLogits.
/// - `HuberError`: e = z − y, g = clamp(e, −δ, δ), l = e² if |e| ≤ δ else δ·(2|e| − δ) (twice
///   PyTorch's HuberLoss term, so the squared loss's factor ½ applies to both).
protocol Objective {
    func residual(_ z: Float, _ y: Float) -> (g: Float, l: Float)
    func residuals(_ z: SIMD8<Float>, _ y: SIMD8<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>)
    /// Two rows (the d = 64 kernel's pair): by default `residual` twice.
    func residualPair(_ z: SIMD2<Float>, _ y: SIMD2<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>)
    /// Four rows (the wide kernel's group): by default `residual` four times.
    func residualQuad(_ z: SIMD4<Float>, _ y: SIMD4<Float>) -> (g: SIMD4<Float>, l: SIMD4<Float>)
    /// The forms the kernels call, by row index (requirements, so `SampleWeighted`'s are the ones
    /// its specialised kernels run; by default the labels are read from y: see the extension).
    func residual(_ z: Float, row i: Int, _ y: UnsafePointer<Float>) -> (g: Float, l: Float)
    func residualPair(_ z: SIMD2<Float>, rows ia: Int, _ ib: Int, _ y: UnsafePointer<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>)
    func residualQuad(
        _ z: SIMD4<Float>, rows i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ y: UnsafePointer<Float>
    ) -> (g: SIMD4<Float>, l: SIMD4<Float>)
    func residuals<R: RowOrder>(_ z: SIMD8<Float>, _ order: R, _ k: Int, _ y: UnsafePointer<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>)
    /// Called where a kernel prefetches the row `order` will reach after row k: an objective that
    /// reads more per row than its label (sample weights) prefetches it there too. By default nothing.
    func prefetchAhead<R: RowOrder>(_ order: R, _ k: Int)
}

/// The forms the kernels call: by row index, so an objective can read more than the label (sample
/// weights). By default the label is read from y and the plain forms run, so the unweighted
/// kernels compile to what they were.
extension Objective {
    @inline(__always)
    func residual(_ z: Float, row i: Int, _ y: UnsafePointer<Float>) -> (g: Float, l: Float) { residual(z, y[i]) }

    @inline(__always) func prefetchAhead<R: RowOrder>(_ order: R, _ k: Int) {}

    @inline(__always)
    func residualPair(_ z: SIMD2<Float>, rows ia: Int, _ ib: Int, _ y: UnsafePointer<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>) {
        residualPair(z, SIMD2(y[ia], y[ib]))
    }

    @inline(__always)
    func residualQuad(
        _ z: SIMD4<Float>, rows i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ y: UnsafePointer<Float>
    ) -> (g: SIMD4<Float>, l: SIMD4<Float>) {
        residualQuad(z, SIMD4(y[i0], y[i1], y[i2], y[i3]))
    }

    @inline(__always)
    func residuals<R: RowOrder>(_ z: SIMD8<Float>, _ order: R, _ k: Int, _ y: UnsafePointer<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        residuals(z, order.lanes(y, k))
    }
}

/// Any objective with per-row sample weights s: row i's g and l multiplied by s[i] (scikit-learn's
/// `sample_weight`; the mean still divides by the batch's rows, as PyTorch's `(w * l).mean()`).
struct SampleWeighted<O: Objective>: Objective {
    let base: O
    let s: UnsafePointer<Float>
    @inline(__always) func prefetchAhead<R: RowOrder>(_ order: R, _ k: Int) { order.prefetchValue(k, s) }
    @inline(__always) func residual(_ z: Float, _ y: Float) -> (g: Float, l: Float) { base.residual(z, y) }
    @inline(__always) func residuals(_ z: SIMD8<Float>, _ y: SIMD8<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        base.residuals(z, y)
    }
    @inline(__always)
    func residual(_ z: Float, row i: Int, _ y: UnsafePointer<Float>) -> (g: Float, l: Float) {
        let (g, l) = base.residual(z, y[i])
        return (g * s[i], l * s[i])
    }
    @inline(__always)
    func residualPair(_ z: SIMD2<Float>, rows ia: Int, _ ib: Int, _ y: UnsafePointer<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>) {
        let (g, l) = base.residualPair(z, SIMD2(y[ia], y[ib]))
        let w = SIMD2(s[ia], s[ib])
        return (g * w, l * w)
    }
    @inline(__always)
    func residualQuad(
        _ z: SIMD4<Float>, rows i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ y: UnsafePointer<Float>
    ) -> (g: SIMD4<Float>, l: SIMD4<Float>) {
        let (g, l) = base.residualQuad(z, SIMD4(y[i0], y[i1], y[i2], y[i3]))
        let w = SIMD4(s[i0], s[i1], s[i2], s[i3])
        return (g * w, l * w)
    }
    @inline(__always)
    func residuals<R: RowOrder>(_ z: SIMD8<Float>, _ order: R, _ k: Int, _ y: UnsafePointer<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        let (g, l) = base.residuals(z, order.lanes(y, k))
        let w = order.lanes(s, k)
        return (g * w, l * w)
    }
}

extension Objective {
    @inline(__always)
    func residualPair(_ z: SIMD2<Float>, _ y: SIMD2<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>) {
        let a = residual(z[0], y[0]), b = residual(z[1], y[1])
        return (SIMD2(a.g, b.g), SIMD2(a.l, b.l))
    }

    @inline(__always)
    func residualQuad(_ z: SIMD4<Float>, _ y: SIMD4<Float>) -> (g: SIMD4<Float>, l: SIMD4<Float>) {
        let a = residual(z[0], y[0]), b = residual(z[1], y[1]), c = residual(z[2], y[2]), d = residual(z[3], y[3])
        return (SIMD4(a.g, b.g, c.g, d.g), SIMD4(a.l, b.l, c.l, d.l))
    }
}

struct SquaredError: Objective {
    @inline(__always) func residual(_ z: Float, _ y: Float) -> (g: Float, l: Float) {
        let r = z - y
        return (r, r * r)
    }
    @inline(__always) func residuals(_ z: SIMD8<Float>, _ y: SIMD8<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        let r = z - y
        return (r, r * r)
    }
}

struct HuberError: Objective {
    let delta: Float
    @inline(__always) func residual(_ z: Float, _ y: Float) -> (g: Float, l: Float) {
        let e = z - y, a = abs(e)
        return a <= delta ? (e, e * e) : (e < 0 ? -delta : delta, delta * (2 * a - delta))
    }
    @inline(__always) func residuals(_ z: SIMD8<Float>, _ y: SIMD8<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        let e = z - y
        let a = e.replacing(with: -e, where: e .< 0)
        let dv = SIMD8<Float>(repeating: delta)
        let inside = a .<= dv
        // clamp(e, ±δ) by selects: the stdlib's `clamped` is an out-of-line call here.
        let g = dv.replacing(with: -dv, where: e .< 0).replacing(with: e, where: inside)
        let l = (dv * (a + a - dv)).replacing(with: e * e, where: inside)
        return (g, l)
    }
}

struct LogisticLoss: Objective {
    @inline(__always) func residual(_ z: Float, _ y: Float) -> (g: Float, l: Float) {
        let (g, l) = residuals(SIMD8(repeating: z), SIMD8(repeating: y))
        return (g[0], l[0])
    }
    @inline(__always) func residualPair(_ z: SIMD2<Float>, _ y: SIMD2<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>) {
        let (g, l) = residuals(SIMD8(lowHalf: SIMD4(lowHalf: z, highHalf: .zero), highHalf: .zero),
                               SIMD8(lowHalf: SIMD4(lowHalf: y, highHalf: .zero), highHalf: .zero))
        return (g.lowHalf.lowHalf, l.lowHalf.lowHalf)
    }
    @inline(__always) func residualQuad(_ z: SIMD4<Float>, _ y: SIMD4<Float>) -> (g: SIMD4<Float>, l: SIMD4<Float>) {
        let (g, l) = residuals(SIMD8(lowHalf: z, highHalf: .zero), SIMD8(lowHalf: y, highHalf: .zero))
        return (g.lowHalf, l.lowHalf)
    }
    /// With e = exp(−|z|) ∈ (0, 1]: σ(z) = 1/(1 + e) for z ≥ 0, e/(1 + e) otherwise, and
    /// softplus(z) = max(z, 0) + log1p(e); nothing overflows for any finite z.
    @inline(__always) func residuals(_ z: SIMD8<Float>, _ y: SIMD8<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        let negative = z .< 0
        let e = StableMath.exp(z.replacing(with: -z, where: .!negative))  // exp(−|z|)
        let one = SIMD8<Float>(repeating: 1)
        let onePlus = one + e
        let p = (one / onePlus).replacing(with: e / onePlus, where: negative)
        let positivePart = z.replacing(with: 0, where: negative)
        let l = (positivePart - y * z) + StableMath.log1pSmall(e, onePlus: onePlus)
        return (p - y, l)
    }
}

/// The logistic loss with class weights, up to a common factor: each row's g and l multiplied by
/// m = 1 + (ratio − 1)·y, i.e. 1 for class 0 and `ratio` = w₁/w₀ for class 1 (the trainer scales
/// the sums by w₀ once per step): BCEWithLogits with per-row weights w_y, scikit-learn's
/// `class_weight`.
struct WeightedLogisticLoss: Objective {
    let ratio: Float
    @inline(__always) func residual(_ z: Float, _ y: Float) -> (g: Float, l: Float) {
        let (g, l) = residuals(SIMD8(repeating: z), SIMD8(repeating: y))
        return (g[0], l[0])
    }
    @inline(__always) func residualPair(_ z: SIMD2<Float>, _ y: SIMD2<Float>) -> (g: SIMD2<Float>, l: SIMD2<Float>) {
        let (g, l) = residuals(SIMD8(lowHalf: SIMD4(lowHalf: z, highHalf: .zero), highHalf: .zero),
                               SIMD8(lowHalf: SIMD4(lowHalf: y, highHalf: .zero), highHalf: .zero))
        return (g.lowHalf.lowHalf, l.lowHalf.lowHalf)
    }
    @inline(__always) func residualQuad(_ z: SIMD4<Float>, _ y: SIMD4<Float>) -> (g: SIMD4<Float>, l: SIMD4<Float>) {
        let (g, l) = residuals(SIMD8(lowHalf: z, highHalf: .zero), SIMD8(lowHalf: y, highHalf: .zero))
        return (g.lowHalf, l.lowHalf)
    }
    @inline(__always) func residuals(_ z: SIMD8<Float>, _ y: SIMD8<Float>) -> (g: SIMD8<Float>, l: SIMD8<Float>) {
        let (g, l) = LogisticLoss().residuals(z, y)
        let m = SIMD8<Float>(repeating: 1) + SIMD8(repeating: ratio - 1) * y
        return (g * m, l * m)
    }
}

/// exp and log1p in plain float arithmetic (no libm, no fused multiply-add), 8 lanes at a time:
/// deterministic on every copy of the kernels, and vectorised. Measured against Double over
/// 2·10⁶ points (the tests): exp within 2 ulp on [−87, 0], log1p within 2 ulp on (0, 1].
enum StableMath {
    /// e^x for x ≤ 0; x below −87 gives e^−87 (≈ 1.6·10⁻³⁸: as good as 0 next to 1).
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // x is ≤ 0 by its callers; below −87 it is raised to −87 (a select: `clamped` is a call).
        let floor = SIMD8<Float>(repeating: -87)
        let x = x.replacing(with: floor, where: x .< floor)
        // x = n·ln 2 + r, |r| ≤ ln 2 / 2, n by rounding (adding and subtracting 1.5·2²³).
        let shifter = SIMD8<Float>(repeating: 12_582_912)
        let t = x * SIMD8(repeating: 1.442_695_04) + shifter
        let n = t - shifter
        let r = (x - n * SIMD8(repeating: 0.693_145_752)) - n * SIMD8(repeating: 1.428_606_82e-6)
        // e^r: Taylor to r⁷ (the remainder is below 2⁻²⁴ relative on |r| ≤ 0.347), Horner.
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + SIMD8(repeating: 1.0 / 720)
        p = p * r + SIMD8(repeating: 1.0 / 120)
        p = p * r + SIMD8(repeating: 1.0 / 24)
        p = p * r + SIMD8(repeating: 1.0 / 6)
        p = p * r + SIMD8(repeating: 0.5)
        p = p * r + SIMD8(repeating: 1)
        p = p * r + SIMD8(repeating: 1)
        // 2ⁿ from its bits (n ∈ [−126, 0]): t's low mantissa bits hold n (t = 1.5·2²³ + n), so the
        // integer n is bits(t) − bits(1.5·2²³), with no float-to-integer conversion (whose range
        // check would make the loop scalar).
        let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
        return p * unsafeBitCast((ni &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    /// log(1 + e) for e ∈ [0, 1], given 1 + e: 2·atanh(s) with s = e / (2 + e) ∈ [0, 1/3], to s¹¹
    /// (the remainder is below 2⁻²⁴ relative). Accurate for tiny e (no 1 + e rounding in s).
    @inline(__always)
    static func log1pSmall(_ e: SIMD8<Float>, onePlus: SIMD8<Float>) -> SIMD8<Float> {
        let s = e / (onePlus + SIMD8(repeating: 1))
        let s2 = s * s
        var q = SIMD8<Float>(repeating: 2.0 / 13)
        q = q * s2 + SIMD8(repeating: 2.0 / 11)
        q = q * s2 + SIMD8(repeating: 2.0 / 9)
        q = q * s2 + SIMD8(repeating: 2.0 / 7)
        q = q * s2 + SIMD8(repeating: 2.0 / 5)
        q = q * s2 + SIMD8(repeating: 2.0 / 3)
        q = q * s2 + SIMD8(repeating: 2)
        return q * s
    }
}
