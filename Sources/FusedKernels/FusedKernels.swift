import CLockstepShims

/// The fused one-pass gradient kernels: for the rows of one chunk,
///
///     z = x·w + b;  (r, l) = objective(z, y);   out[0..<d] = Σ r·x,   out[d] = Σ r,   out[d+1] = Σ l
///
/// with r = z − y and l = r² for least squares (see `Objective` for the logistic and Huber losses).
///
/// Shapes: X is rows × d Float32, row-major; y has one value per row; w has d values; `out` has at
/// least d + 2 values. Every kernel writes all of `out[0..<d+2]` and reads nothing else of it.
///
/// The arithmetic is plain multiply then add, with one exception: the AVX-512 copy's d = 64 dot
/// product fuses two of its multiply-adds (`LOCKSTEP_FUSED_DOT`, set by Package.swift for that copy
/// only). Fused multiply-adds in a build without FMA hardware would be per-lane `fmaf` calls (20–30×
/// slower), so the portable copy never uses them. Within a chunk every kernel adds in a fixed order
/// (rows in order; for d ≤ 2 in 8 lanes of rows, then a tree), so every kernel is deterministic for
/// any thread count and agrees with `reference` to float rounding.
///
/// This module is compiled twice from the same files: `FusedKernels` with no CPU target (runs on any
/// x86-64) and `FusedKernelsAVX512` (symlinks to these files) for `skylake-avx512`, so a plain
/// `swift build -c release` still has AVX-512 loops. `GradientKernels` in LinearTraining picks one
/// copy per trainer from CPUID. The copies give the same bits except in the d = 64 kernel, where they
/// agree to rounding.
public enum Fused {
    /// The kernels by number (LinearTraining's `GradientKernels.Kind` maps onto these).
    /// `d64`: d == 64, w and the gradient in registers (4 × SIMD16 each), two rows per iteration.
    /// `wide`: d >= 16, SIMD16 dot with 4 accumulators, the gradient swept once per 4 rows.
    /// `small`: d = 1 and d = 2 in 8 lanes of rows; 3 <= d < 16 the reference loop.
    /// `reference`: the naive loop, scalar, left to right, one row at a time.
    @inlinable public static var d64: Int { 0 }
    @inlinable public static var wide: Int { 1 }
    @inlinable public static var small: Int { 2 }
    @inlinable public static var reference: Int { 3 }

    /// Gathered rows with the prefetch distance for d: ~8 KiB ahead, between 2 and 16 rows (16 up
    /// to d = 128, without a division: this runs once per chunk).
    @inline(__always)
    static func gathered(_ indices: UnsafePointer<UInt32>, _ available: Int, d: Int) -> GatheredRows {
        GatheredRows(indices: indices, distance: d <= 128 ? 16 : max(2, 2048 / d), available: available)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// Pairwise tree sum of the 16 lanes (the stdlib `sum()` is one sequential chain): through the C
    /// shim, because the same tree in Swift makes LLVM scalarise the kernel (docs/performance.md).
    @inline(__always)
    static func treeSum(_ v: SIMD16<Float>) -> Float { ls_tree_sum16(v) }

    /// The 16 lanes of a d = 64 row's x·w before the tree sum: (x0·w0 + x1·w1) + (x2·w2 + x3·w3).
    /// In the AVX-512 copy the first product of each pair is fused into its add: on shuffled rows,
    /// where each row is a cache miss, that made the w3 pass 18 % faster (docs/performance.md),
    /// although the loop runs no fewer memory accesses.
    @inline(__always)
    static func dot64(
        _ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>, _ x3: SIMD16<Float>,
        _ w0: SIMD16<Float>, _ w1: SIMD16<Float>, _ w2: SIMD16<Float>, _ w3: SIMD16<Float>
    ) -> SIMD16<Float> {
        #if LOCKSTEP_FUSED_DOT
            (x1 * w1).addingProduct(x0, w0) + (x3 * w3).addingProduct(x2, w2)
        #else
            (x0 * w0 + x1 * w1) + (x2 * w2 + x3 * w3)
        #endif
    }

    /// d == 64.
    @inline(__always)
    static func d64<R: RowOrder, T: XElement, O: Objective>(
        _ order: R, _ objective: O, x: UnsafePointer<T>, y: UnsafePointer<Float>, count: Int, w: UnsafePointer<Float>,
        b: Float, out: UnsafeMutablePointer<Float>
    ) {
        let w0 = load(w), w1 = load(w + 16), w2 = load(w + 32), w3 = load(w + 48)
        var g0 = SIMD16<Float>(), g1 = SIMD16<Float>(), g2 = SIMD16<Float>(), g3 = SIMD16<Float>()
        // (Σ r, Σ r²) as one pair: as two scalars, LLVM's SLP pass pairs r² with lanes of x and
        // scatters ~25 scalar instructions through the loop. Lane by lane it is the same arithmetic.
        var sums = SIMD2<Float>()
        let rowBytes = 64 &* MemoryLayout<T>.stride
        var k = 0
        while k &+ 1 < count {
            order.prefetch(k, x: x, y: y, rowBytes: rowBytes)
            order.prefetch(k &+ 1, x: x, y: y, rowBytes: rowBytes)
            objective.prefetchAhead(order, k)
            objective.prefetchAhead(order, k &+ 1)
            let ia = order.row(k), ib = order.row(k &+ 1)
            let xa = x + ia &* 64, xb = x + ib &* 64
            let a0 = T.load16(xa), a1 = T.load16(xa + 16), a2 = T.load16(xa + 32), a3 = T.load16(xa + 48)
            let b0 = T.load16(xb), b1 = T.load16(xb + 16), b2 = T.load16(xb + 32), b3 = T.load16(xb + 48)
            let dots = ls_tree_sum16x2(dot64(a0, a1, a2, a3, w0, w1, w2, w3), dot64(b0, b1, b2, b3, w0, w1, w2, w3))
            let (gp, lp) = objective.residualPair(SIMD2(dots[0] + b, dots[1] + b), rows: ia, ib, y)
            let ra = gp[0], rb = gp[1]
            let va = SIMD16<Float>(repeating: ra), vb = SIMD16<Float>(repeating: rb)
            g0 = (g0 + va * a0) + vb * b0
            g1 = (g1 + va * a1) + vb * b1
            g2 = (g2 + va * a2) + vb * b2
            g3 = (g3 + va * a3) + vb * b3
            sums = (sums + SIMD2(ra, lp[0])) + SIMD2(rb, lp[1])
            k &+= 2
        }
        if k < count {
            let ia = order.row(k)
            let xa = x + ia &* 64
            let a0 = T.load16(xa), a1 = T.load16(xa + 16), a2 = T.load16(xa + 32), a3 = T.load16(xa + 48)
            let (ra, la) = objective.residual(treeSum(dot64(a0, a1, a2, a3, w0, w1, w2, w3)) + b, row: ia, y)
            let va = SIMD16<Float>(repeating: ra)
            g0 = g0 + va * a0
            g1 = g1 + va * a1
            g2 = g2 + va * a2
            g3 = g3 + va * a3
            sums = sums + SIMD2(ra, la)
        }
        store(g0, out)
        store(g1, out + 16)
        store(g2, out + 32)
        store(g3, out + 48)
        out[64] = sums[0]
        out[65] = sums[1]
    }

    /// x·w for one row, d >= 16: blocks of 16 go to 4 accumulators in turn, then a tree, then the
    /// scalar tail left to right. While it streams the row it prefetches the row at `ahead` (if any),
    /// one cache line per block read, so the prefetches are spread over the work instead of issued
    /// in a burst of d/16 at once.
    @inline(__always)
    static func dotWide<T: XElement>(
        _ x: UnsafePointer<T>, _ w: UnsafePointer<Float>, blocks: Int, d: Int, ahead: UnsafeRawPointer?
    ) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var i = 0
        // A block of 16 values is one cache line of float32 and half of one of float16.
        let blockBytes = 16 &* MemoryLayout<T>.stride
        while i &+ 4 <= blocks {
            if let ahead {
                let p = ahead + i &* blockBytes
                ls_prefetch(p)
                ls_prefetch(p + 64)
                if blockBytes == 64 {
                    ls_prefetch(p + 128)
                    ls_prefetch(p + 192)
                }
            }
            let o = i &* 16
            a0 = a0 + T.load16(x + o) * load(w + o)
            a1 = a1 + T.load16(x + (o &+ 16)) * load(w + (o &+ 16))
            a2 = a2 + T.load16(x + (o &+ 32)) * load(w + (o &+ 32))
            a3 = a3 + T.load16(x + (o &+ 48)) * load(w + (o &+ 48))
            i &+= 4
        }
        if let ahead {
            var off = i &* blockBytes
            while off < d &* MemoryLayout<T>.stride {
                ls_prefetch(ahead + off)
                off &+= 64
            }
        }
        if i < blocks { a0 = a0 + T.load16(x + i &* 16) * load(w + i &* 16); i &+= 1 }
        if i < blocks { a1 = a1 + T.load16(x + i &* 16) * load(w + i &* 16); i &+= 1 }
        if i < blocks { a2 = a2 + T.load16(x + i &* 16) * load(w + i &* 16) }
        var s = treeSum((a0 + a1) + (a2 + a3))
        var j = blocks &* 16
        while j < d {
            s = s + x[j].float * w[j]
            j &+= 1
        }
        return s
    }

    /// d >= 16 (any d; SIMD body and scalar tail). The gradient lives in `out` and is swept once
    /// per group of 4 rows, so it is loaded and stored 4× less often; each coordinate still adds
    /// the rows in order.
    @inline(__always)
    static func wide<R: RowOrder, T: XElement, O: Objective>(
        _ order: R, _ objective: O, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, count: Int, w: UnsafePointer<Float>,
        b: Float, out: UnsafeMutablePointer<Float>
    ) {
        let blocks = d / 16
        let rowBytes = d &* MemoryLayout<T>.stride
        out.initialize(repeating: 0, count: d)
        var sumR: Float = 0, sumL: Float = 0
        var k = 0
        while k &+ 3 < count {
            let i0 = order.row(k), i1 = order.row(k &+ 1), i2 = order.row(k &+ 2), i3 = order.row(k &+ 3)
            let x0 = x + i0 &* d, x1 = x + i1 &* d, x2 = x + i2 &* d, x3 = x + i3 &* d
            objective.prefetchAhead(order, k)
            objective.prefetchAhead(order, k &+ 1)
            objective.prefetchAhead(order, k &+ 2)
            objective.prefetchAhead(order, k &+ 3)
            let z0 = dotWide(x0, w, blocks: blocks, d: d, ahead: order.rowAhead(k, x: x, y: y, rowBytes: rowBytes)) + b
            let z1 = dotWide(x1, w, blocks: blocks, d: d, ahead: order.rowAhead(k &+ 1, x: x, y: y, rowBytes: rowBytes)) + b
            let z2 = dotWide(x2, w, blocks: blocks, d: d, ahead: order.rowAhead(k &+ 2, x: x, y: y, rowBytes: rowBytes)) + b
            let z3 = dotWide(x3, w, blocks: blocks, d: d, ahead: order.rowAhead(k &+ 3, x: x, y: y, rowBytes: rowBytes)) + b
            let (g4, l4) = objective.residualQuad(SIMD4(z0, z1, z2, z3), rows: i0, i1, i2, i3, y)
            let r0 = g4[0], r1 = g4[1], r2 = g4[2], r3 = g4[3]
            let v0 = SIMD16<Float>(repeating: r0), v1 = SIMD16<Float>(repeating: r1)
            let v2 = SIMD16<Float>(repeating: r2), v3 = SIMD16<Float>(repeating: r3)
            var o = 0
            for _ in 0..<blocks {
                var acc = load(out + o)
                acc = acc + v0 * T.load16(x0 + o)
                acc = acc + v1 * T.load16(x1 + o)
                acc = acc + v2 * T.load16(x2 + o)
                acc = acc + v3 * T.load16(x3 + o)
                store(acc, out + o)
                o &+= 16
            }
            while o < d {
                out[o] = (((out[o] + r0 * x0[o].float) + r1 * x1[o].float) + r2 * x2[o].float) + r3 * x3[o].float
                o &+= 1
            }
            sumR = (((sumR + r0) + r1) + r2) + r3
            sumL = (((sumL + l4[0]) + l4[1]) + l4[2]) + l4[3]
            k &+= 4
        }
        while k < count {
            let i0 = order.row(k)
            let x0 = x + i0 &* d
            let (r0, l0) = objective.residual(
                dotWide(x0, w, blocks: blocks, d: d, ahead: order.rowAhead(k, x: x, y: y, rowBytes: rowBytes)) + b, row: i0, y)
            let v0 = SIMD16<Float>(repeating: r0)
            var o = 0
            for _ in 0..<blocks {
                store(load(out + o) + v0 * T.load16(x0 + o), out + o)
                o &+= 16
            }
            while o < d {
                out[o] = out[o] + r0 * x0[o].float
                o &+= 1
            }
            sumR = sumR + r0
            sumL = sumL + l0
            k &+= 1
        }
        out[d] = sumR
        out[d &+ 1] = sumL
    }

    /// d == 1 (the line lesson): rows in 8 lanes, each lane its own running sums, so the adds of
    /// consecutive rows do not wait for each other (the one-row-at-a-time loop is bound by the
    /// latency of a chain of 50 adds); then a tree over the lanes and the last `count % 8` rows in
    /// order. Fixed order for a given chunk, so still bitwise identical for any thread count.
    @inline(__always)
    static func small1<R: RowOrder, T: XElement, O: Objective>(
        _ order: R, _ objective: O, x: UnsafePointer<T>, y: UnsafePointer<Float>, count: Int, w: UnsafePointer<Float>,
        b: Float, out: UnsafeMutablePointer<Float>
    ) {
        let w0 = w[0]
        let wv = SIMD8<Float>(repeating: w0), bv = SIMD8<Float>(repeating: b)
        var g = SIMD8<Float>(), sr = SIMD8<Float>(), sl = SIMD8<Float>()
        var k = 0
        while k &+ 8 <= count {
            let xv = order.lanes(x, k)
            let (r, l) = objective.residuals(xv * wv + bv, order, k, y)
            g = g + r * xv
            sr = sr + r
            sl = sl + l
            k &+= 8
        }
        var g0 = ls_tree_sum8(g), sumR = ls_tree_sum8(sr), sumL = ls_tree_sum8(sl)
        while k < count {
            let i = order.row(k)
            let x0 = x[i].float
            let (r, l) = objective.residual(x0 * w0 + b, row: i, y)
            g0 = g0 + r * x0
            sumR = sumR + r
            sumL = sumL + l
            k &+= 1
        }
        out[0] = g0
        out[1] = sumR
        out[2] = sumL
    }

    /// d == 2 (the d2l lesson): as `small1`, with x0 and x1 of 8 rows split into two vectors.
    @inline(__always)
    static func small2<R: RowOrder, T: XElement, O: Objective>(
        _ order: R, _ objective: O, x: UnsafePointer<T>, y: UnsafePointer<Float>, count: Int, w: UnsafePointer<Float>,
        b: Float, out: UnsafeMutablePointer<Float>
    ) {
        let w0 = w[0], w1 = w[1]
        let w0v = SIMD8<Float>(repeating: w0), w1v = SIMD8<Float>(repeating: w1), bv = SIMD8<Float>(repeating: b)
        var g0v = SIMD8<Float>(), g1v = SIMD8<Float>(), sr = SIMD8<Float>(), sl = SIMD8<Float>()
        var k = 0
        while k &+ 8 <= count {
            let (x0, x1) = order.pairLanes(x, k)
            let (r, l) = objective.residuals((x0 * w0v + x1 * w1v) + bv, order, k, y)
            g0v = g0v + r * x0
            g1v = g1v + r * x1
            sr = sr + r
            sl = sl + l
            k &+= 8
        }
        var g0 = ls_tree_sum8(g0v), g1 = ls_tree_sum8(g1v), sumR = ls_tree_sum8(sr), sumL = ls_tree_sum8(sl)
        while k < count {
            let i = order.row(k)
            let x0 = x[i &* 2].float, x1 = x[i &* 2 &+ 1].float
            let (r, l) = objective.residual((x0 * w0 + x1 * w1) + b, row: i, y)
            g0 = g0 + r * x0
            g1 = g1 + r * x1
            sumR = sumR + r
            sumL = sumL + l
            k &+= 1
        }
        out[0] = g0
        out[1] = g1
        out[2] = sumR
        out[3] = sumL
    }

    /// The naive reference (and the kernel for 3 <= d < 16): scalar, one row at a time, the dot left to right.
    @inline(__always)
    static func reference<R: RowOrder, T: XElement, O: Objective>(
        _ order: R, _ objective: O, x: UnsafePointer<T>, y: UnsafePointer<Float>, d: Int, count: Int, w: UnsafePointer<Float>,
        b: Float, out: UnsafeMutablePointer<Float>
    ) {
        out.initialize(repeating: 0, count: d)
        var sumR: Float = 0, sumL: Float = 0
        for k in 0..<count {
            let i = order.row(k)
            let row = x + i &* d
            var dot: Float = 0
            for j in 0..<d { dot = dot + row[j].float * w[j] }
            let (r, l) = objective.residual(dot + b, row: i, y)
            for j in 0..<d { out[j] = out[j] + r * row[j].float }
            sumR = sumR + r
            sumL = sumL + l
        }
        out[d] = sumR
        out[d &+ 1] = sumL
    }
}
