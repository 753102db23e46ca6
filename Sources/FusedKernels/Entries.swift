/// The entry points of the kernels: `Fused.accumulate` and the loops it calls.
extension Fused {
    /// Runs kernel number `kernel` on `count` rows starting at `first` (contiguous), or gathered
    /// through `indices[0..<count]` when `indices` is non-nil (`available` indices may be read ahead).
    /// Inlined into the caller, which then calls one of this module's loops directly: the loops are
    /// never inlined, so they run as this copy of the module was compiled (AVX-512 or portable).
    @inlinable @inline(__always)
    public static func accumulate(
        kernel: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, d: Int, first: Int, count: Int,
        indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, b: Float,
        out: UnsafeMutablePointer<Float>
    ) {
        if let indices {
            switch kernel {
            case d64: d64Gathered(x, y, indices, available, count, w, b, out)
            case wide: wideGathered(x, y, d, indices, available, count, w, b, out)
            case small where d == 1: small1Gathered(x, y, indices, count, w, b, out)
            case small where d == 2: small2Gathered(x, y, indices, count, w, b, out)
            default: referenceGathered(x, y, d, indices, count, w, b, out)
            }
        } else {
            switch kernel {
            case d64: d64Sequential(x, y, first, count, w, b, out)
            case wide: wideSequential(x, y, d, first, count, w, b, out)
            case small where d == 1: small1Sequential(x, y, first, count, w, b, out)
            case small where d == 2: small2Sequential(x, y, first, count, w, b, out)
            default: referenceSequential(x, y, d, first, count, w, b, out)
            }
        }
    }
}

// The loops as plain functions, one per kernel and row order: each is a generic loop of `Fused`
// specialised and inlined, so a call from another module lands straight in the loop. Free functions
// taking only what they use (only d64 and wide prefetch, so only they take `available`): a static
// one, or an unused argument, gets a thunk that drops it.

@usableFromInline @inline(never)
func d64Sequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(SequentialRows(first: first), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func d64Gathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(Fused.gathered(indices, available, d: 64), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideSequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(SequentialRows(first: first), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideGathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(Fused.gathered(indices, available, d: d), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1Sequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(SequentialRows(first: first), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1Gathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(Fused.gathered(indices, 0, d: 1), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2Sequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(SequentialRows(first: first), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2Gathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(Fused.gathered(indices, 0, d: 2), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceSequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(SequentialRows(first: first), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceGathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(Fused.gathered(indices, 0, d: d), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }
