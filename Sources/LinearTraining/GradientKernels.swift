import CLockstepShims
import Foundation
import FusedKernels
import FusedKernelsAVX512

/// The fused one-pass gradient kernels (`r = x·w + b − y; out[0..<d] = Σ r·x, out[d] = Σ r,
/// out[d+1] = Σ r²` over the rows of a chunk; see `FusedKernels.Fused`), by kind and by the
/// instruction set their copy was compiled for.
public enum GradientKernels {
    /// Which kernel runs a training job, chosen once from d.
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// d == 64: w and the gradient live in registers (4 × SIMD16 each), two rows per iteration.
        case d64
        /// d >= 16: SIMD16 dot with 4 accumulators; the gradient swept once per 4 rows.
        case wide
        /// d < 16: d = 1 and d = 2 in 8 lanes of rows; 3 ≤ d < 16 the reference loop.
        case small
        /// The naive reference: scalar, left-to-right, one row at a time.
        case reference

        /// The kernel `training.kernel: auto` picks for d features: `d64` at d = 64, `wide` for d ≥ 16,
        /// else `small` (never `reference`).
        public static func automatic(features d: Int) -> Kind {
            if d == 64 { return .d64 }
            if d >= 16 { return .wide }
            return .small
        }

        /// The kernel's number in `FusedKernels.Fused`.
        var number: Int {
            switch self {
            case .d64: FusedKernels.Fused.d64
            case .wide: FusedKernels.Fused.wide
            case .small: FusedKernels.Fused.small
            case .reference: FusedKernels.Fused.reference
            }
        }
    }

    /// What the kernels sum per row besides Σ g·x: the gradient factor g and the loss term l of
    /// z = x·w + b against y (see `FusedKernels.Objective`).
    public enum Objective: Sendable, Equatable {
        /// g = z − y, l = (z − y)²: the squared and mse losses (the same bits as ever).
        case squaredError
        /// g = σ(z) − y, l = softplus(z) − y·z (stable for any z): BCEWithLogits, labels 0 and 1.
        case logistic
        /// e = z − y: g = clamp(e, ±delta), l = e² inside, delta·(2|e| − delta) outside.
        case huber(delta: Float)
        /// The logistic loss with each row's g and l multiplied by 1 (class 0) or `ratio` = w₁/w₀
        /// (class 1); the caller scales the sums by w₀.
        case weightedLogistic(ratio: Float)
        /// The softmax loss over `classes` classes (labels 0…classes−1): z = x·W + b has one score
        /// per class, the sums are Σ x·(p − onehot(y)) per class, Σ (p − onehot) and Σ CE (see
        /// `FusedKernels.Fused.softmax`). The model is stored in `lanes` lanes per feature.
        case softmax(classes: Int)

        /// The lanes per feature the model and the sums take: 1, or for softmax the classes rounded up to 16.
        public var lanes: Int {
            if case let .softmax(k) = self { return FusedKernels.Fused.softmaxLanes(classes: k) }
            return 1
        }

        var number: Int {
            switch self {
            case .squaredError: FusedKernels.Fused.squaredError
            case .logistic: FusedKernels.Fused.logistic
            case .huber: FusedKernels.Fused.huber
            case .weightedLogistic: FusedKernels.Fused.weightedLogistic
            case .softmax: -1  // its own kernels (`accumulate` branches before)
            }
        }

        var delta: Float {
            switch self {
            case let .huber(delta): return delta
            case let .weightedLogistic(ratio): return ratio
            default: return 1
            }
        }
    }

    /// The copy of the kernels that runs: both are the same Swift source, compiled for a portable
    /// x86-64 (SSE2: a SIMD16 operation is four instructions and 16 xmm registers cannot hold w and
    /// the gradient) or for AVX-512. Both give the same bits, except the `d64` kernel, whose AVX-512
    /// dot product fuses its multiply-adds (there they agree to rounding). Either way a run gives the
    /// same bits for any thread count.
    public enum Target: String, Sendable, CaseIterable, Codable {
        /// The x86-64 baseline copy (SSE2), which every CPU runs (`LOCKSTEP_KERNELS=portable`).
        case portable
        /// The AVX-512 copy, picked when CPUID says the CPU runs it (`LOCKSTEP_KERNELS=avx512`).
        case avx512

        /// Whether this CPU runs the AVX-512 copy, asked once (in a VM every CPUID traps to the hypervisor).
        static let cpuRunsAVX512 = ls_cpu_runs_avx512() != 0

        /// AVX-512 when this CPU runs it.
        public static var best: Target { cpuRunsAVX512 ? .avx512 : .portable }

        /// What the environment asks for: `LOCKSTEP_KERNELS=portable|avx512|auto` (unset: auto,
        /// which is `best`). Refuses an unknown value, and avx512 on a CPU without it.
        public static func requested() throws(TrainingError) -> Target {
            guard let raw = getenv("LOCKSTEP_KERNELS").map({ String(cString: $0) }), raw != "auto", !raw.isEmpty else {
                return best
            }
            guard let target = Target(rawValue: raw) else {
                throw .invalidValue(key: "LOCKSTEP_KERNELS", value: raw, fix: "use portable, avx512 or auto (or unset it)")
            }
            guard runnable.contains(target) else {
                throw .invalidValue(
                    key: "LOCKSTEP_KERNELS", value: raw, fix: "this CPU cannot run AVX-512 code; use portable or auto")
            }
            return target
        }

        /// The targets this CPU can run (for tests: every one of them must agree bit for bit).
        public static var runnable: [Target] { cpuRunsAVX512 ? [.portable, .avx512] : [.portable] }
    }

    /// Runs kernel `kind` from the `target` copy on `count` rows starting at `first` (contiguous), or
    /// gathered through `indices[0..<count]` when `indices` is non-nil (`available` indices may be
    /// read ahead). `target` must be one of `Target.runnable`. With `sampleWeights` (one per row of
    /// X, indexed like y), each row's g and l are multiplied by its weight.
    @inline(__always)
    package static func accumulate(
        _ kind: Kind, target: Target, x: UnsafePointer<Float>, y: UnsafePointer<Float>, d: Int, first: Int,
        count: Int, indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, b: Float,
        out: UnsafeMutablePointer<Float>, objective: Objective = .squaredError, sampleWeights: UnsafePointer<Float>? = nil
    ) {
        if case let .softmax(classes) = objective {
            switch target {
            case .avx512:
                FusedKernelsAVX512.Fused.softmax(
                    x: x, y: y, d: d, classes: classes, first: first, count: count, indices: indices, available: available, w: w,
                    out: out, reference: kind == .reference)
            case .portable:
                FusedKernels.Fused.softmax(
                    x: x, y: y, d: d, classes: classes, first: first, count: count, indices: indices, available: available, w: w,
                    out: out, reference: kind == .reference)
            }
            return
        }
        switch target {
        case .avx512:
            FusedKernelsAVX512.Fused.accumulate(
                kernel: kind.number, x: x, y: y, d: d, first: first, count: count, indices: indices,
                available: available, w: w, b: b, out: out, objective: objective.number, delta: objective.delta,
                sampleWeights: sampleWeights)
        case .portable:
            FusedKernels.Fused.accumulate(
                kernel: kind.number, x: x, y: y, d: d, first: first, count: count, indices: indices,
                available: available, w: w, b: b, out: out, objective: objective.number, delta: objective.delta,
                sampleWeights: sampleWeights)
        }
    }
}

extension GradientKernels {
    /// `accumulate` for float16 rows of X: each row is converted to float32 in registers as it is
    /// loaded, so the sums are bit for bit those of the float32 kernel over the converted rows.
    @inline(__always)
    package static func accumulate(
        _ kind: Kind, target: Target, x: UnsafePointer<Float16>, y: UnsafePointer<Float>, d: Int, first: Int,
        count: Int, indices: UnsafePointer<UInt32>?, available: Int, w: UnsafePointer<Float>, b: Float,
        out: UnsafeMutablePointer<Float>, objective: Objective = .squaredError, sampleWeights: UnsafePointer<Float>? = nil
    ) {
        if case let .softmax(classes) = objective {
            switch target {
            case .avx512:
                FusedKernelsAVX512.Fused.softmax(
                    x: x, y: y, d: d, classes: classes, first: first, count: count, indices: indices, available: available, w: w,
                    out: out, reference: kind == .reference)
            case .portable:
                FusedKernels.Fused.softmax(
                    x: x, y: y, d: d, classes: classes, first: first, count: count, indices: indices, available: available, w: w,
                    out: out, reference: kind == .reference)
            }
            return
        }
        switch target {
        case .avx512:
            FusedKernelsAVX512.Fused.accumulate(
                kernel: kind.number, x: x, y: y, d: d, first: first, count: count, indices: indices,
                available: available, w: w, b: b, out: out, objective: objective.number, delta: objective.delta,
                sampleWeights: sampleWeights)
        case .portable:
            FusedKernels.Fused.accumulate(
                kernel: kind.number, x: x, y: y, d: d, first: first, count: count, indices: indices,
                available: available, w: w, b: b, out: out, objective: objective.number, delta: objective.delta,
                sampleWeights: sampleWeights)
        }
    }

    /// Converts `count` float16 values to float32 exactly, with `target`'s conversion (the one its
    /// kernels use in registers: `vcvtph2ps` in the AVX-512 copy, integer operations in the portable one).
    package static func widen(
        _ source: UnsafePointer<Float16>, count: Int, into destination: UnsafeMutablePointer<Float>, target: Target
    ) {
        switch target {
        case .avx512: FusedKernelsAVX512.Fused.widen(source, count: count, into: destination)
        case .portable: FusedKernels.Fused.widen(source, count: count, into: destination)
        }
    }
}
