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

    /// Scores of one block of classes for four rows at once: each row in the four accumulators of
    /// `softmaxBlockScores` (the same additions, so the same bits), each W load feeding four rows.
    @inline(__always)
    static func softmaxBlockScores4<T: XElement>(
        _ x0: UnsafePointer<T>, _ x1: UnsafePointer<T>, _ x2: UnsafePointer<T>, _ x3: UnsafePointer<T>, d: Int,
        lanes L: Int, w: UnsafePointer<Float>, bias: SIMD16<Float>
    ) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
        let zero = SIMD16<Float>()
        var a0 = bias, a1 = zero, a2 = zero, a3 = zero
        var b0 = bias, b1 = zero, b2 = zero, b3 = zero
        var c0 = bias, c1 = zero, c2 = zero, c3 = zero
        var e0 = bias, e1 = zero, e2 = zero, e3 = zero
        var j = 0
        while j &+ 4 <= d {
            let p = w + j &* L
            let w0 = load(p), w1 = load(p + L), w2 = load(p + 2 &* L), w3 = load(p + 3 &* L)
            a0 = a0 + SIMD16(repeating: x0[j].float) * w0
            b0 = b0 + SIMD16(repeating: x1[j].float) * w0
            c0 = c0 + SIMD16(repeating: x2[j].float) * w0
            e0 = e0 + SIMD16(repeating: x3[j].float) * w0
            a1 = a1 + SIMD16(repeating: x0[j &+ 1].float) * w1
            b1 = b1 + SIMD16(repeating: x1[j &+ 1].float) * w1
            c1 = c1 + SIMD16(repeating: x2[j &+ 1].float) * w1
            e1 = e1 + SIMD16(repeating: x3[j &+ 1].float) * w1
            a2 = a2 + SIMD16(repeating: x0[j &+ 2].float) * w2
            b2 = b2 + SIMD16(repeating: x1[j &+ 2].float) * w2
            c2 = c2 + SIMD16(repeating: x2[j &+ 2].float) * w2
            e2 = e2 + SIMD16(repeating: x3[j &+ 2].float) * w2
            a3 = a3 + SIMD16(repeating: x0[j &+ 3].float) * w3
            b3 = b3 + SIMD16(repeating: x1[j &+ 3].float) * w3
            c3 = c3 + SIMD16(repeating: x2[j &+ 3].float) * w3
            e3 = e3 + SIMD16(repeating: x3[j &+ 3].float) * w3
            j &+= 4
        }
        while j < d {
            let wj = load(w + j &* L)
            a0 = a0 + SIMD16(repeating: x0[j].float) * wj
            b0 = b0 + SIMD16(repeating: x1[j].float) * wj
            c0 = c0 + SIMD16(repeating: x2[j].float) * wj
            e0 = e0 + SIMD16(repeating: x3[j].float) * wj
            j &+= 1
        }
        return ((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3), (c0 + c1) + (c2 + c3), (e0 + e1) + (e2 + e3))
    }

    /// out[j·L + c0 …] += x_j·g of four rows in row order (the additions one row at a time would
    /// make, so the same bits), one load and one store of the sum per feature.
    @inline(__always)
    static func softmaxBlockGradient4<T: XElement>(
        _ x0: UnsafePointer<T>, _ x1: UnsafePointer<T>, _ x2: UnsafePointer<T>, _ x3: UnsafePointer<T>, d: Int,
        lanes L: Int, _ g0: SIMD16<Float>, _ g1: SIMD16<Float>, _ g2: SIMD16<Float>, _ g3: SIMD16<Float>,
        out: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j &+ 2 <= d {
            let p = out + j &* L, q = p + L
            let u = load(p) + SIMD16(repeating: x0[j].float) * g0 + SIMD16(repeating: x1[j].float) * g1
                + SIMD16(repeating: x2[j].float) * g2 + SIMD16(repeating: x3[j].float) * g3
            let v = load(q) + SIMD16(repeating: x0[j &+ 1].float) * g0 + SIMD16(repeating: x1[j &+ 1].float) * g1
                + SIMD16(repeating: x2[j &+ 1].float) * g2 + SIMD16(repeating: x3[j &+ 1].float) * g3
            store(u, p)
            store(v, q)
            j &+= 2
        }
        if j < d {
            let p = out + j &* L
            store(
                load(p) + SIMD16(repeating: x0[j].float) * g0 + SIMD16(repeating: x1[j].float) * g1
                    + SIMD16(repeating: x2[j].float) * g2 + SIMD16(repeating: x3[j].float) * g3, p)
        }
    }

    /// One row's softmax from its scores in one block (`s0`) or two (`s0`, `s1`, when `two`):
    /// g = e^{z − m} / Σ − onehot per block and the loss term log Σ − (z_y − m); the padding lanes
    /// (c ≥ k, `pad0`/`pad1`) give g = 0. The arithmetic of the row-at-a-time kernel, lane for lane,
    /// but with no SIMD comparison against k or the label per row (each was a 16-step scalar loop
    /// through the stack): the padding masks come from the caller and onehot(y) is a load from
    /// `oneHot`, 64 floats with a 1 at 32 only.
    @_transparent
    static func softmaxRow(
        _ s0: SIMD16<Float>, _ s1: SIMD16<Float>, two: Bool, padding pad0: SIMDMask<SIMD16<Int32>>,
        _ pad1: SIMDMask<SIMD16<Int32>>, oneHot: UnsafePointer<Float>, label: Int
    ) -> (SIMD16<Float>, SIMD16<Float>, Float) {
        let minusInfinity = SIMD16<Float>(repeating: -.infinity)
        let z0 = s0.replacing(with: minusInfinity, where: pad0)
        let z1 = two ? s1.replacing(with: minusInfinity, where: pad1) : minusInfinity
        let m = two ? z0.replacing(with: z1, where: z1 .> z0) : z0
        let m8 = m.lowHalf.replacing(with: m.highHalf, where: m.highHalf .> m.lowHalf)
        let m4 = m8.lowHalf.replacing(with: m8.highHalf, where: m8.highHalf .> m8.lowHalf)
        let m2 = m4.lowHalf.replacing(with: m4.highHalf, where: m4.highHalf .> m4.lowHalf)
        let top = max(m2[0], m2[1])
        let zy = label < 16 ? z0[label] : z1[label &- 16]
        let mv = SIMD16<Float>(repeating: top)
        let t0 = z0 - mv
        var e0 = SIMD16(lowHalf: StableMath.exp(t0.lowHalf), highHalf: StableMath.exp(t0.highHalf))
        e0 = e0.replacing(with: 0, where: pad0)
        var e1 = SIMD16<Float>()
        if two {
            let t1 = z1 - mv
            e1 = SIMD16(lowHalf: StableMath.exp(t1.lowHalf), highHalf: StableMath.exp(t1.highHalf))
            e1 = e1.replacing(with: 0, where: pad1)
        }
        let sum = treeSum(two ? e0 + e1 : e0)
        let loss = StableMath.logAtLeastOne(sum) - (zy - top)
        let sv = SIMD16<Float>(repeating: sum)
        let g0 = e0 / sv - load(oneHot + (32 &- label))
        var g1 = SIMD16<Float>()
        if two { g1 = e1 / sv - load(oneHot + (48 &- label)) }
        return (g0, g1, loss)
    }

    /// The tuned kernel: up to 32 classes (one or two blocks) four rows per pass (the scores of four
    /// rows from one W load, one load and store of the gradient per feature for four rows, four
    /// rows' max, exp, sum, log and divide chains side by side), the rows past the last multiple of
    /// four one at a time; wider k one row at a time. Every sum adds its terms in row order, as one
    /// row at a time would, so the bits do not depend on the grouping (nor on the copy).
    @inline(__always)
    static func softmaxTuned<R: RowOrder, T: XElement>(
        _ order: R, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, classes k: Int, count: Int,
        w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) {
        let L = softmaxLanes(classes: k)
        let paramCount = (d &+ 1) &* L
        out.initialize(repeating: 0, count: paramCount &+ 1)
        let lossSum: Float
        switch L {
        case 16: lossSum = softmaxGrouped(order, x: x, y: y, d: d, classes: k, count: count, two: false, w: w, out: out)
        case 32: lossSum = softmaxGrouped(order, x: x, y: y, d: d, classes: k, count: count, two: true, w: w, out: out)
        default: lossSum = softmaxRows(order, x: x, y: y, d: d, classes: k, count: count, w: w, out: out)
        }
        out[paramCount] = lossSum
    }

    /// `softmaxTuned` for one block of classes (`two` false) or two; returns the loss sum.
    @inline(__always)
    static func softmaxGrouped<R: RowOrder, T: XElement>(
        _ order: R, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, classes k: Int, count: Int, two: Bool,
        w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) -> Float {
        let iota = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let pad0 = iota .>= SIMD16(repeating: Float(k)), pad1 = iota .>= SIMD16(repeating: Float(k &- 16))
        var hot = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        hot.2[0] = 1
        return withUnsafeBytes(of: &hot) { bytes in
            softmaxGroupedRows(
                order, x: x, y: y, d: d, classes: k, count: count, two: two, padding: pad0, pad1,
                oneHot: bytes.baseAddress!.assumingMemoryBound(to: Float.self), w: w, out: out)
        }
    }

    @inline(__always)
    static func softmaxGroupedRows<R: RowOrder, T: XElement>(
        _ order: R, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, classes k: Int, count: Int, two: Bool,
        padding pad0: SIMDMask<SIMD16<Int32>>, _ pad1: SIMDMask<SIMD16<Int32>>, oneHot: UnsafePointer<Float>,
        w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) -> Float {
        let L = two ? 32 : 16
        let bias = w + d &* L, biasSums = out + d &* L
        let rowBytes = d &* MemoryLayout<T>.stride
        var lossSum: Float = 0
        var r = 0
        while r &+ 4 <= count {
            order.prefetch(r, x: x, y: y, rowBytes: rowBytes)
            order.prefetch(r &+ 1, x: x, y: y, rowBytes: rowBytes)
            order.prefetch(r &+ 2, x: x, y: y, rowBytes: rowBytes)
            order.prefetch(r &+ 3, x: x, y: y, rowBytes: rowBytes)
            let i0 = order.row(r), i1 = order.row(r &+ 1), i2 = order.row(r &+ 2), i3 = order.row(r &+ 3)
            let x0 = x + i0 &* d, x1 = x + i1 &* d, x2 = x + i2 &* d, x3 = x + i3 &* d
            let (s00, s10, s20, s30) = softmaxBlockScores4(x0, x1, x2, x3, d: d, lanes: L, w: w, bias: load(bias))
            var s01 = SIMD16<Float>(), s11 = s01, s21 = s01, s31 = s01
            if two {
                (s01, s11, s21, s31) = softmaxBlockScores4(x0, x1, x2, x3, d: d, lanes: L, w: w + 16, bias: load(bias + 16))
            }
            let (g00, g01, l0) = softmaxRow(s00, s01, two: two, padding: pad0, pad1, oneHot: oneHot, label: Int(y[i0]))
            let (g10, g11, l1) = softmaxRow(s10, s11, two: two, padding: pad0, pad1, oneHot: oneHot, label: Int(y[i1]))
            let (g20, g21, l2) = softmaxRow(s20, s21, two: two, padding: pad0, pad1, oneHot: oneHot, label: Int(y[i2]))
            let (g30, g31, l3) = softmaxRow(s30, s31, two: two, padding: pad0, pad1, oneHot: oneHot, label: Int(y[i3]))
            lossSum = lossSum + l0 + l1 + l2 + l3
            softmaxBlockGradient4(x0, x1, x2, x3, d: d, lanes: L, g00, g10, g20, g30, out: out)
            store(load(biasSums) + g00 + g10 + g20 + g30, biasSums)
            if two {
                softmaxBlockGradient4(x0, x1, x2, x3, d: d, lanes: L, g01, g11, g21, g31, out: out + 16)
                store(load(biasSums + 16) + g01 + g11 + g21 + g31, biasSums + 16)
            }
            r &+= 4
        }
        while r < count {
            let i = order.row(r)
            let row = x + i &* d
            let s0 = softmaxBlockScores(row, d: d, lanes: L, w: w, bias: load(bias))
            let s1 = two ? softmaxBlockScores(row, d: d, lanes: L, w: w + 16, bias: load(bias + 16)) : SIMD16<Float>()
            let (g0, g1, l) = softmaxRow(s0, s1, two: two, padding: pad0, pad1, oneHot: oneHot, label: Int(y[i]))
            lossSum = lossSum + l
            softmaxBlockGradient(row, d: d, lanes: L, g: g0, out: out)
            store(load(biasSums) + g0, biasSums)
            if two {
                softmaxBlockGradient(row, d: d, lanes: L, g: g1, out: out + 16)
                store(load(biasSums + 16) + g1, biasSums + 16)
            }
            r &+= 1
        }
        return lossSum
    }

    /// `softmaxTuned` for more than 32 classes: one row at a time, its blocks of scores on the stack.
    @inline(__always)
    static func softmaxRows<R: RowOrder, T: XElement>(
        _ order: R, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, classes k: Int, count: Int,
        w: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    ) -> Float {
        let L = softmaxLanes(classes: k), blocks = L >> 4
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
        return lossSum
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
