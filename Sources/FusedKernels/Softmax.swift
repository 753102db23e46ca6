import CLockstepShims
#if canImport(Glibc)
    import Glibc
#endif

/// The softmax (multinomial logistic) kernels: for the rows of one chunk, k classes,
///
///     z = x·W + b (k values);  p = softmax(z);  g = p − onehot(y)
///     out[j·L + c] = Σ x_j·g_c,   out[d·L + c] = Σ g_c,   out[(d+1)·L] = Σ [log Σ_c e^{z_c − m} − (z_y − m)]
///
/// with m = max_c z_c (the stable log-sum-exp: nothing overflows for any finite z). The model is
/// stored in `L` lanes per feature (L = k rounded up to 16; the `L − k` padding lanes are zero and
/// stay zero: their g is exactly 0): W[j·L + c] for feature j and class c, then the k biases at
/// d·L. `out` has (d + 1)·L + 1 values; every kernel writes all of them and reads nothing else.
/// y holds class indices 0…k−1 as floats (validated by the trainer).
///
/// The tuned kernel (`softmaxTuned`) keeps z in SIMD16 blocks of classes: each block's x·W
/// runs in four accumulators (features j mod 4, added as (a0 + a1) + (a2 + a3)) so the adds do
/// not form one chain of d latencies; e^{z−m} is `StableMath.exp` (≤ 2 ulp), log S is
/// `StableMath.logAtLeastOne` (S ≥ 1: the largest class contributes e⁰). The reference
/// (`softmaxReference`) is the plain loop: scalar, features left to right, `expf`/`logf` of the
/// C library. They agree to float rounding (the tests); each is deterministic, so the trainer's
/// bits are the same for any thread count.
extension Fused {
    /// The lanes the softmax kernels store k classes in: k rounded up to a multiple of 16.
    @inlinable public static func softmaxLanes(classes k: Int) -> Int { (k + 15) / 16 * 16 }

    /// Runs the softmax kernel (tuned, or the reference when `reference`) on `count` rows starting at
    /// `first`, or gathered through `indices` (`available` of them may be read ahead).
    @inlinable @inline(__always)
    public static func softmax(
        x: UnsafePointer<Float>, y: UnsafePointer<Float>, d: Int, classes k: Int, first: Int, count: Int,
        indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
        reference: Bool
    ) {
        switch (indices, reference) {
        case let (indices?, false): softmaxGathered(x, y, d, k, indices, available, count, w, out)
        case let (indices?, true): softmaxReferenceGathered(x, y, d, k, indices, count, w, out)
        case (nil, false): softmaxSequential(x, y, d, k, first, count, w, out)
        case (nil, true): softmaxReferenceSequential(x, y, d, k, first, count, w, out)
        }
    }

    /// The same over float16 rows (converted to float32 as they are loaded).
    @inlinable @inline(__always)
    public static func softmax(
        x: UnsafePointer<Float16>, y: UnsafePointer<Float>, d: Int, classes k: Int, first: Int, count: Int,
        indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
        reference: Bool
    ) {
        switch (indices, reference) {
        case let (indices?, false): softmaxGatheredHalf(x, y, d, k, indices, available, count, w, out)
        case let (indices?, true): softmaxReferenceGatheredHalf(x, y, d, k, indices, count, w, out)
        case (nil, false): softmaxSequentialHalf(x, y, d, k, first, count, w, out)
        case (nil, true): softmaxReferenceSequentialHalf(x, y, d, k, first, count, w, out)
        }
    }

    /// x·W[:, c0..<c0+16] + b for one row: four accumulators over the features (j mod 4), then
    /// (a0 + a1) + (a2 + a3); the features past the last multiple of 4 go to a0 in order. Each x_j
    /// is a scalar load broadcast to 16 lanes (indexing a loaded SIMD16 by a loop variable went
    /// through the stack: 92 ms a 1M × 64 × 10 epoch).
    @inline(__always)
    static func softmaxBlockScores<T: XElement>(
        _ row: UnsafePointer<T>, d: Int, lanes L: Int, w: UnsafePointer<Float>, bias: SIMD16<Float>
    ) -> SIMD16<Float> {
        var a0 = bias, a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var j = 0
        while j &+ 4 <= d {
            let p = w + j &* L
            a0 = a0 + SIMD16(repeating: row[j].float) * load(p)
            a1 = a1 + SIMD16(repeating: row[j &+ 1].float) * load(p + L)
            a2 = a2 + SIMD16(repeating: row[j &+ 2].float) * load(p + 2 &* L)
            a3 = a3 + SIMD16(repeating: row[j &+ 3].float) * load(p + 3 &* L)
            j &+= 4
        }
        while j < d {
            a0 = a0 + SIMD16(repeating: row[j].float) * load(w + j &* L)
            j &+= 1
        }
        return (a0 + a1) + (a2 + a3)
    }

    /// out[j·L + c0 …] += x_j·g for one row and one block of classes.
    @inline(__always)
    static func softmaxBlockGradient<T: XElement>(
        _ row: UnsafePointer<T>, d: Int, lanes L: Int, g: SIMD16<Float>, out: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j &+ 4 <= d {
            let p = out + j &* L
            store(load(p) + SIMD16(repeating: row[j].float) * g, p)
            store(load(p + L) + SIMD16(repeating: row[j &+ 1].float) * g, p + L)
            store(load(p + 2 &* L) + SIMD16(repeating: row[j &+ 2].float) * g, p + 2 &* L)
            store(load(p + 3 &* L) + SIMD16(repeating: row[j &+ 3].float) * g, p + 3 &* L)
            j &+= 4
        }
        while j < d {
            let q = out + j &* L
            store(load(q) + SIMD16(repeating: row[j].float) * g, q)
            j &+= 1
        }
    }

    @inline(__always)
    static func softmaxTuned<R: RowOrder, T: XElement>(
        _ order: R, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, classes k: Int, count: Int,
        w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let L = softmaxLanes(classes: k), blocks = L >> 4
        let paramCount = (d &+ 1) &* L
        out.initialize(repeating: 0, count: paramCount &+ 1)
        let bias = w + d &* L, biasSums = out + d &* L
        let rowBytes = d &* MemoryLayout<T>.stride
        let iota = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let minusInfinity = SIMD16<Float>(repeating: -.infinity)
        var lossSum: Float = 0
        withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: blocks) { zs in
            let z = zs.baseAddress!
            for r in 0..<count {
                order.prefetch(r, x: x, y: y, rowBytes: rowBytes)
                let i = order.row(r)
                let row = x + i &* d
                let label = Int(y[i])
                // Scores, with the padding lanes at −∞; their maximum m.
                var m = SIMD16<Float>(repeating: -.infinity)
                for blk in 0..<blocks {
                    let c0 = blk &<< 4
                    var s = softmaxBlockScores(row, d: d, lanes: L, w: w + c0, bias: load(bias + c0))
                    s = s.replacing(with: minusInfinity, where: iota .>= SIMD16(repeating: Float(k &- c0)))
                    z[blk] = s
                    m = m.replacing(with: s, where: s .> m)
                }
                let m8 = m.lowHalf.replacing(with: m.highHalf, where: m.highHalf .> m.lowHalf)
                let m4 = m8.lowHalf.replacing(with: m8.highHalf, where: m8.highHalf .> m8.lowHalf)
                let m2 = m4.lowHalf.replacing(with: m4.highHalf, where: m4.highHalf .> m4.lowHalf)
                let top = max(m2[0], m2[1])
                let zy = UnsafeRawPointer(z).load(fromByteOffset: label &* 4, as: Float.self)
                // e = e^{z − m} (0 in the padding lanes), summed block by block, then a tree.
                let mv = SIMD16<Float>(repeating: top)
                var total = SIMD16<Float>()
                for blk in 0..<blocks {
                    let c0 = blk &<< 4
                    let t = z[blk] - mv
                    var e = SIMD16(lowHalf: StableMath.exp(t.lowHalf), highHalf: StableMath.exp(t.highHalf))
                    e = e.replacing(with: 0, where: iota .>= SIMD16(repeating: Float(k &- c0)))
                    z[blk] = e
                    total = total + e
                }
                let sum = treeSum(total)
                lossSum = lossSum + (StableMath.logAtLeastOne(sum) - (zy - top))
                let sv = SIMD16<Float>(repeating: sum)
                for blk in 0..<blocks {
                    let c0 = blk &<< 4
                    let one = SIMD16<Float>(repeating: 1).replacing(with: 0, where: iota .!= SIMD16(repeating: Float(label &- c0)))
                    let g = z[blk] / sv - one
                    softmaxBlockGradient(row, d: d, lanes: L, g: g, out: out + c0)
                    store(load(biasSums + c0) + g, biasSums + c0)
                }
            }
        }
        out[paramCount] = lossSum
    }

    /// The plain loop: scalar, one row at a time, features left to right, the C library's expf and logf.
    @inline(__always)
    static func softmaxReference<R: RowOrder, T: XElement>(
        _ order: R, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, classes k: Int, count: Int,
        w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let L = softmaxLanes(classes: k)
        let paramCount = (d &+ 1) &* L
        out.initialize(repeating: 0, count: paramCount &+ 1)
        var lossSum: Float = 0
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { zs in
            let z = zs.baseAddress!
            for r in 0..<count {
                let i = order.row(r)
                let row = x + i &* d
                let label = Int(y[i])
                var m = -Float.infinity
                for c in 0..<k {
                    var s = w[d &* L &+ c]
                    for j in 0..<d { s = s + row[j].float * w[j &* L &+ c] }
                    z[c] = s
                    m = max(m, s)
                }
                let zy = z[label]
                var sum: Float = 0
                for c in 0..<k {
                    z[c] = expf(z[c] - m)
                    sum = sum + z[c]
                }
                lossSum = lossSum + (logf(sum) - (zy - m))
                for c in 0..<k {
                    let g = z[c] / sum - (c == label ? 1 : 0)
                    for j in 0..<d { out[j &* L &+ c] = out[j &* L &+ c] + row[j].float * g }
                    out[d &* L &+ c] = out[d &* L &+ c] + g
                }
            }
        }
        out[paramCount] = lossSum
    }
}

extension StableMath {
    /// log s for s ≥ 1 (finite): s = 2ⁿ·f with f ∈ [1, 2), log s = n·ln 2 + log1p(f − 1) (f − 1 is
    /// exact), ln 2 in two parts so n·ln 2 keeps its digits. Within 2 ulp (the tests).
    @inline(__always)
    static func logAtLeastOne(_ s: Float) -> Float {
        let bits = s.bitPattern
        let n = Float(Int32(bitPattern: bits >> 23) &- 127)
        let f = Float(bitPattern: (bits & 0x007f_ffff) | 0x3f80_0000)
        let e = SIMD8<Float>(repeating: f - 1)
        let l = log1pSmall(e, onePlus: SIMD8(repeating: f))[0]
        return n * 0.693_145_752 + (n * 1.428_606_82e-6 + l)
    }
}

// The loops `Fused.softmax` calls: never inlined, so each runs as this copy of the module was compiled.

@usableFromInline @inline(never)
func softmaxSequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxTuned(SequentialRows(first: first), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxGathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxTuned(Fused.gathered(indices, available, d: d), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxReferenceSequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxReference(SequentialRows(first: first), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxReferenceGathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ indices: UnsafePointer<UInt32>,
    _ count: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxReference(Fused.gathered(indices, 0, d: d), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxSequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxTuned(SequentialRows(first: first), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxGatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxTuned(Fused.gathered(indices, available, d: d), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxReferenceSequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxReference(SequentialRows(first: first), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }

@usableFromInline @inline(never)
func softmaxReferenceGatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ k: Int, _ indices: UnsafePointer<UInt32>,
    _ count: Int, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>
) { Fused.softmaxReference(Fused.gathered(indices, 0, d: d), x: x, y: y, d: d, classes: k, count: count, w: w, out: out) }
