/// The entry points of the kernels: `Fused.accumulate` and the loops it calls.
extension Fused {
    /// The objectives by number (`objective:` of `accumulate`; see `Objective`): least squares,
    /// the logistic loss (labels 0 and 1), Huber with `delta`, and the class-weighted logistic loss.
    @inlinable public static var squaredError: Int { 0 }
    @inlinable public static var logistic: Int { 1 }
    @inlinable public static var huber: Int { 2 }
    /// The logistic loss with class weights; `delta` carries w₁/w₀ (see `WeightedLogisticLoss`).
    @inlinable public static var weightedLogistic: Int { 3 }

    /// Runs kernel number `kernel` on `count` rows starting at `first` (contiguous), or gathered
    /// through `indices[0..<count]` when `indices` is non-nil (`available` indices may be read ahead).
    /// Inlined into the caller, which then calls one of this module's loops directly: the loops are
    /// never inlined, so they run as this copy of the module was compiled (AVX-512 or portable).
    @inlinable @inline(__always)
    public static func accumulate(
        kernel: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>, d: Int, first: Int, count: Int,
        indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, b: Float,
        out: UnsafeMutablePointer<Float>, objective: Int = squaredError, delta: Float = 1,
        sampleWeights: UnsafePointer<Float>? = nil
    ) {
        if objective != squaredError || sampleWeights != nil {
            if let indices {
                switch kernel {
                case d64: d64GatheredObjective(x, y, indices, available, count, w, b, out, objective, delta, sampleWeights)
                case wide: wideGatheredObjective(x, y, d, indices, available, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 1: small1GatheredObjective(x, y, indices, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 2: small2GatheredObjective(x, y, indices, count, w, b, out, objective, delta, sampleWeights)
                default: referenceGatheredObjective(x, y, d, indices, count, w, b, out, objective, delta, sampleWeights)
                }
            } else {
                switch kernel {
                case d64: d64SequentialObjective(x, y, first, count, w, b, out, objective, delta, sampleWeights)
                case wide: wideSequentialObjective(x, y, d, first, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 1: small1SequentialObjective(x, y, first, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 2: small2SequentialObjective(x, y, first, count, w, b, out, objective, delta, sampleWeights)
                default: referenceSequentialObjective(x, y, d, first, count, w, b, out, objective, delta, sampleWeights)
                }
            }
            return
        }
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

    /// The same for float16 rows of X (converted to float32 in registers; y, w and the sums stay
    /// float32): bit for bit what the float32 kernel gives on the converted rows.
    @inlinable @inline(__always)
    public static func accumulate(
        kernel: Int, x: UnsafePointer<Float16>, y: UnsafePointer<Float>, d: Int, first: Int, count: Int,
        indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, b: Float,
        out: UnsafeMutablePointer<Float>, objective: Int = squaredError, delta: Float = 1,
        sampleWeights: UnsafePointer<Float>? = nil
    ) {
        if objective != squaredError || sampleWeights != nil {
            if let indices {
                switch kernel {
                case d64: d64GatheredHalfObjective(x, y, indices, available, count, w, b, out, objective, delta, sampleWeights)
                case wide: wideGatheredHalfObjective(x, y, d, indices, available, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 1: small1GatheredHalfObjective(x, y, indices, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 2: small2GatheredHalfObjective(x, y, indices, count, w, b, out, objective, delta, sampleWeights)
                default: referenceGatheredHalfObjective(x, y, d, indices, count, w, b, out, objective, delta, sampleWeights)
                }
            } else {
                switch kernel {
                case d64: d64SequentialHalfObjective(x, y, first, count, w, b, out, objective, delta, sampleWeights)
                case wide: wideSequentialHalfObjective(x, y, d, first, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 1: small1SequentialHalfObjective(x, y, first, count, w, b, out, objective, delta, sampleWeights)
                case small where d == 2: small2SequentialHalfObjective(x, y, first, count, w, b, out, objective, delta, sampleWeights)
                default: referenceSequentialHalfObjective(x, y, d, first, count, w, b, out, objective, delta, sampleWeights)
                }
            }
            return
        }
        if let indices {
            switch kernel {
            case d64: d64GatheredHalf(x, y, indices, available, count, w, b, out)
            case wide: wideGatheredHalf(x, y, d, indices, available, count, w, b, out)
            case small where d == 1: small1GatheredHalf(x, y, indices, count, w, b, out)
            case small where d == 2: small2GatheredHalf(x, y, indices, count, w, b, out)
            default: referenceGatheredHalf(x, y, d, indices, count, w, b, out)
            }
        } else {
            switch kernel {
            case d64: d64SequentialHalf(x, y, first, count, w, b, out)
            case wide: wideSequentialHalf(x, y, d, first, count, w, b, out)
            case small where d == 1: small1SequentialHalf(x, y, first, count, w, b, out)
            case small where d == 2: small2SequentialHalf(x, y, first, count, w, b, out)
            default: referenceSequentialHalf(x, y, d, first, count, w, b, out)
            }
        }
    }
}

extension Fused {
    /// Converts `count` float16 values to float32 exactly, with the conversion the kernels use in
    /// registers (for callers that need float32 copies of float16 data, and for the tests).
    @inlinable @inline(__always)
    public static func widen(_ source: UnsafePointer<Float16>, count: Int, into destination: UnsafeMutablePointer<Float>) {
        widenHalf(source, count, destination)
    }
}

@usableFromInline @inline(never)
func widenHalf(_ source: UnsafePointer<Float16>, _ count: Int, _ destination: UnsafeMutablePointer<Float>) {
    var i = 0
    while i &+ 16 <= count {
        Fused.store(Float16.load16(source + i), destination + i)
        i &+= 16
    }
    guard i < count else { return }
    var tail = SIMD16<UInt16>()
    for l in 0..<(count &- i) { tail[l] = source[i &+ l].bitPattern }
    let wide = halfToFloat(tail)
    for l in 0..<(count &- i) { destination[i &+ l] = wide[l] }
}

// The loops as plain functions, one per kernel and row order: each is a generic loop of `Fused`
// specialised and inlined, so a call from another module lands straight in the loop. Free functions
// taking only what they use (only d64 and wide prefetch, so only they take `available`): a static
// one, or an unused argument, gets a thunk that drops it.

@usableFromInline @inline(never)
func d64Sequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(SequentialRows(first: first), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func d64Gathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(Fused.gathered(indices, available, d: 64), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideSequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(SequentialRows(first: first), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideGathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(Fused.gathered(indices, available, d: d), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1Sequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(SequentialRows(first: first), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1Gathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(Fused.gathered(indices, 0, d: 1), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2Sequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(SequentialRows(first: first), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2Gathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(Fused.gathered(indices, 0, d: 2), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceSequential(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(SequentialRows(first: first), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceGathered(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(Fused.gathered(indices, 0, d: d), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

// The same loops over float16 rows.

@usableFromInline @inline(never)
func d64SequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(SequentialRows(first: first), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func d64GatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(Fused.gathered(indices, available, d: 64), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideSequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(SequentialRows(first: first), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideGatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(Fused.gathered(indices, available, d: d), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1SequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(SequentialRows(first: first), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1GatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(Fused.gathered(indices, 0, d: 1), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2SequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(SequentialRows(first: first), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2GatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(Fused.gathered(indices, 0, d: 2), SquaredError(), x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceSequentialHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(SequentialRows(first: first), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceGatheredHalf(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(Fused.gathered(indices, 0, d: d), SquaredError(), x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

// The logistic and Huber losses, and any loss with sample weights: a dispatcher per loop (so the
// least-squares loops above stay as they were, compact), each calling that loop specialised for the
// objective (wrapped in `SampleWeighted` when there are weights).

@usableFromInline @inline(never)
func d64SequentialObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            d64SequentialLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            d64SequentialLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.huber {
            d64SequentialLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, first, count, w, b, out)
        } else {
            d64SequentialLoop(SampleWeighted(base: SquaredError(), s: s), x, y, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        d64SequentialLoop(LogisticLoss(), x, y, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        d64SequentialLoop(WeightedLogisticLoss(ratio: delta), x, y, first, count, w, b, out)
    } else {
        d64SequentialLoop(HuberError(delta: delta), x, y, first, count, w, b, out)
    }
}

@inline(never)
func d64SequentialLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(SequentialRows(first: first), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func d64GatheredObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            d64GatheredLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, indices, available, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            d64GatheredLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, indices, available, count, w, b, out)
        } else if objective == Fused.huber {
            d64GatheredLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, indices, available, count, w, b, out)
        } else {
            d64GatheredLoop(SampleWeighted(base: SquaredError(), s: s), x, y, indices, available, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        d64GatheredLoop(LogisticLoss(), x, y, indices, available, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        d64GatheredLoop(WeightedLogisticLoss(ratio: delta), x, y, indices, available, count, w, b, out)
    } else {
        d64GatheredLoop(HuberError(delta: delta), x, y, indices, available, count, w, b, out)
    }
}

@inline(never)
func d64GatheredLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(Fused.gathered(indices, available, d: 64), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideSequentialObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            wideSequentialLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            wideSequentialLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.huber {
            wideSequentialLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, first, count, w, b, out)
        } else {
            wideSequentialLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        wideSequentialLoop(LogisticLoss(), x, y, d, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        wideSequentialLoop(WeightedLogisticLoss(ratio: delta), x, y, d, first, count, w, b, out)
    } else {
        wideSequentialLoop(HuberError(delta: delta), x, y, d, first, count, w, b, out)
    }
}

@inline(never)
func wideSequentialLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(SequentialRows(first: first), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideGatheredObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            wideGatheredLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, indices, available, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            wideGatheredLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, indices, available, count, w, b, out)
        } else if objective == Fused.huber {
            wideGatheredLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, indices, available, count, w, b, out)
        } else {
            wideGatheredLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, indices, available, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        wideGatheredLoop(LogisticLoss(), x, y, d, indices, available, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        wideGatheredLoop(WeightedLogisticLoss(ratio: delta), x, y, d, indices, available, count, w, b, out)
    } else {
        wideGatheredLoop(HuberError(delta: delta), x, y, d, indices, available, count, w, b, out)
    }
}

@inline(never)
func wideGatheredLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(Fused.gathered(indices, available, d: d), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1SequentialObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small1SequentialLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small1SequentialLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.huber {
            small1SequentialLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, first, count, w, b, out)
        } else {
            small1SequentialLoop(SampleWeighted(base: SquaredError(), s: s), x, y, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small1SequentialLoop(LogisticLoss(), x, y, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small1SequentialLoop(WeightedLogisticLoss(ratio: delta), x, y, first, count, w, b, out)
    } else {
        small1SequentialLoop(HuberError(delta: delta), x, y, first, count, w, b, out)
    }
}

@inline(never)
func small1SequentialLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(SequentialRows(first: first), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1GatheredObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small1GatheredLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small1GatheredLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.huber {
            small1GatheredLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, indices, count, w, b, out)
        } else {
            small1GatheredLoop(SampleWeighted(base: SquaredError(), s: s), x, y, indices, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small1GatheredLoop(LogisticLoss(), x, y, indices, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small1GatheredLoop(WeightedLogisticLoss(ratio: delta), x, y, indices, count, w, b, out)
    } else {
        small1GatheredLoop(HuberError(delta: delta), x, y, indices, count, w, b, out)
    }
}

@inline(never)
func small1GatheredLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(Fused.gathered(indices, 0, d: 1), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2SequentialObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small2SequentialLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small2SequentialLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.huber {
            small2SequentialLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, first, count, w, b, out)
        } else {
            small2SequentialLoop(SampleWeighted(base: SquaredError(), s: s), x, y, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small2SequentialLoop(LogisticLoss(), x, y, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small2SequentialLoop(WeightedLogisticLoss(ratio: delta), x, y, first, count, w, b, out)
    } else {
        small2SequentialLoop(HuberError(delta: delta), x, y, first, count, w, b, out)
    }
}

@inline(never)
func small2SequentialLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(SequentialRows(first: first), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2GatheredObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small2GatheredLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small2GatheredLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.huber {
            small2GatheredLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, indices, count, w, b, out)
        } else {
            small2GatheredLoop(SampleWeighted(base: SquaredError(), s: s), x, y, indices, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small2GatheredLoop(LogisticLoss(), x, y, indices, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small2GatheredLoop(WeightedLogisticLoss(ratio: delta), x, y, indices, count, w, b, out)
    } else {
        small2GatheredLoop(HuberError(delta: delta), x, y, indices, count, w, b, out)
    }
}

@inline(never)
func small2GatheredLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(Fused.gathered(indices, 0, d: 2), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceSequentialObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            referenceSequentialLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            referenceSequentialLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.huber {
            referenceSequentialLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, first, count, w, b, out)
        } else {
            referenceSequentialLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        referenceSequentialLoop(LogisticLoss(), x, y, d, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        referenceSequentialLoop(WeightedLogisticLoss(ratio: delta), x, y, d, first, count, w, b, out)
    } else {
        referenceSequentialLoop(HuberError(delta: delta), x, y, d, first, count, w, b, out)
    }
}

@inline(never)
func referenceSequentialLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(SequentialRows(first: first), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceGatheredObjective(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            referenceGatheredLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, indices, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            referenceGatheredLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, indices, count, w, b, out)
        } else if objective == Fused.huber {
            referenceGatheredLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, indices, count, w, b, out)
        } else {
            referenceGatheredLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, indices, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        referenceGatheredLoop(LogisticLoss(), x, y, d, indices, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        referenceGatheredLoop(WeightedLogisticLoss(ratio: delta), x, y, d, indices, count, w, b, out)
    } else {
        referenceGatheredLoop(HuberError(delta: delta), x, y, d, indices, count, w, b, out)
    }
}

@inline(never)
func referenceGatheredLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(Fused.gathered(indices, 0, d: d), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func d64SequentialHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            d64SequentialHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            d64SequentialHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.huber {
            d64SequentialHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, first, count, w, b, out)
        } else {
            d64SequentialHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        d64SequentialHalfLoop(LogisticLoss(), x, y, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        d64SequentialHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, first, count, w, b, out)
    } else {
        d64SequentialHalfLoop(HuberError(delta: delta), x, y, first, count, w, b, out)
    }
}

@inline(never)
func d64SequentialHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(SequentialRows(first: first), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func d64GatheredHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            d64GatheredHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, indices, available, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            d64GatheredHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, indices, available, count, w, b, out)
        } else if objective == Fused.huber {
            d64GatheredHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, indices, available, count, w, b, out)
        } else {
            d64GatheredHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, indices, available, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        d64GatheredHalfLoop(LogisticLoss(), x, y, indices, available, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        d64GatheredHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, indices, available, count, w, b, out)
    } else {
        d64GatheredHalfLoop(HuberError(delta: delta), x, y, indices, available, count, w, b, out)
    }
}

@inline(never)
func d64GatheredHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ available: Int,
    _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.d64(Fused.gathered(indices, available, d: 64), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideSequentialHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            wideSequentialHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            wideSequentialHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.huber {
            wideSequentialHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, first, count, w, b, out)
        } else {
            wideSequentialHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        wideSequentialHalfLoop(LogisticLoss(), x, y, d, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        wideSequentialHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, d, first, count, w, b, out)
    } else {
        wideSequentialHalfLoop(HuberError(delta: delta), x, y, d, first, count, w, b, out)
    }
}

@inline(never)
func wideSequentialHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(SequentialRows(first: first), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func wideGatheredHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            wideGatheredHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, indices, available, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            wideGatheredHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, indices, available, count, w, b, out)
        } else if objective == Fused.huber {
            wideGatheredHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, indices, available, count, w, b, out)
        } else {
            wideGatheredHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, indices, available, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        wideGatheredHalfLoop(LogisticLoss(), x, y, d, indices, available, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        wideGatheredHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, d, indices, available, count, w, b, out)
    } else {
        wideGatheredHalfLoop(HuberError(delta: delta), x, y, d, indices, available, count, w, b, out)
    }
}

@inline(never)
func wideGatheredHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>,
    _ available: Int, _ count: Int, _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.wide(Fused.gathered(indices, available, d: d), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1SequentialHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small1SequentialHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small1SequentialHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.huber {
            small1SequentialHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, first, count, w, b, out)
        } else {
            small1SequentialHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small1SequentialHalfLoop(LogisticLoss(), x, y, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small1SequentialHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, first, count, w, b, out)
    } else {
        small1SequentialHalfLoop(HuberError(delta: delta), x, y, first, count, w, b, out)
    }
}

@inline(never)
func small1SequentialHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(SequentialRows(first: first), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small1GatheredHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small1GatheredHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small1GatheredHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.huber {
            small1GatheredHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, indices, count, w, b, out)
        } else {
            small1GatheredHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, indices, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small1GatheredHalfLoop(LogisticLoss(), x, y, indices, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small1GatheredHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, indices, count, w, b, out)
    } else {
        small1GatheredHalfLoop(HuberError(delta: delta), x, y, indices, count, w, b, out)
    }
}

@inline(never)
func small1GatheredHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small1(Fused.gathered(indices, 0, d: 1), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2SequentialHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small2SequentialHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small2SequentialHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, first, count, w, b, out)
        } else if objective == Fused.huber {
            small2SequentialHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, first, count, w, b, out)
        } else {
            small2SequentialHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small2SequentialHalfLoop(LogisticLoss(), x, y, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small2SequentialHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, first, count, w, b, out)
    } else {
        small2SequentialHalfLoop(HuberError(delta: delta), x, y, first, count, w, b, out)
    }
}

@inline(never)
func small2SequentialHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ first: Int, _ count: Int, _ w: UnsafePointer<Float>,
    _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(SequentialRows(first: first), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func small2GatheredHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            small2GatheredHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            small2GatheredHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, indices, count, w, b, out)
        } else if objective == Fused.huber {
            small2GatheredHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, indices, count, w, b, out)
        } else {
            small2GatheredHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, indices, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        small2GatheredHalfLoop(LogisticLoss(), x, y, indices, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        small2GatheredHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, indices, count, w, b, out)
    } else {
        small2GatheredHalfLoop(HuberError(delta: delta), x, y, indices, count, w, b, out)
    }
}

@inline(never)
func small2GatheredHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.small2(Fused.gathered(indices, 0, d: 2), objective, x: x, y: y, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceSequentialHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            referenceSequentialHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            referenceSequentialHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, first, count, w, b, out)
        } else if objective == Fused.huber {
            referenceSequentialHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, first, count, w, b, out)
        } else {
            referenceSequentialHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, first, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        referenceSequentialHalfLoop(LogisticLoss(), x, y, d, first, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        referenceSequentialHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, d, first, count, w, b, out)
    } else {
        referenceSequentialHalfLoop(HuberError(delta: delta), x, y, d, first, count, w, b, out)
    }
}

@inline(never)
func referenceSequentialHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ first: Int, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(SequentialRows(first: first), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }

@usableFromInline @inline(never)
func referenceGatheredHalfObjective(
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>, _ objective: Int, _ delta: Float,
    _ s: UnsafePointer<Float>?
) {
    if let s {
        if objective == Fused.logistic {
            referenceGatheredHalfLoop(SampleWeighted(base: LogisticLoss(), s: s), x, y, d, indices, count, w, b, out)
        } else if objective == Fused.weightedLogistic {
            referenceGatheredHalfLoop(SampleWeighted(base: WeightedLogisticLoss(ratio: delta), s: s), x, y, d, indices, count, w, b, out)
        } else if objective == Fused.huber {
            referenceGatheredHalfLoop(SampleWeighted(base: HuberError(delta: delta), s: s), x, y, d, indices, count, w, b, out)
        } else {
            referenceGatheredHalfLoop(SampleWeighted(base: SquaredError(), s: s), x, y, d, indices, count, w, b, out)
        }
        return
    }
    if objective == Fused.logistic {
        referenceGatheredHalfLoop(LogisticLoss(), x, y, d, indices, count, w, b, out)
    } else if objective == Fused.weightedLogistic {
        referenceGatheredHalfLoop(WeightedLogisticLoss(ratio: delta), x, y, d, indices, count, w, b, out)
    } else {
        referenceGatheredHalfLoop(HuberError(delta: delta), x, y, d, indices, count, w, b, out)
    }
}

@inline(never)
func referenceGatheredHalfLoop<O: Objective>(
    _ objective: O,
    _ x: UnsafePointer<Float16>, _ y: UnsafePointer<Float>, _ d: Int, _ indices: UnsafePointer<UInt32>, _ count: Int,
    _ w: UnsafePointer<Float>, _ b: Float, _ out: UnsafeMutablePointer<Float>
) { Fused.reference(Fused.gathered(indices, 0, d: d), objective, x: x, y: y, d: d, count: count, w: w, b: b, out: out) }
