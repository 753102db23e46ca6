import DataParallel

/// The mutable state of one training run, in buffers owned by this one object.
///
/// Kept out of Swift arrays on purpose: a second reference to a weights array turns a 3 ns update
/// into a 100+ ns copy every step. Layouts (all 64-byte aligned, zero-initialised):
/// - `params`: w[0..<d], then b at index d. With k outputs (softmax), `lanes` L per feature:
///   W[j·L + c], then the biases at d·L + c; the padding lanes c ≥ k stay zero (see
///   `FusedKernels.Fused.softmax`). `paramCount` = (d + 1)·L in all (d + 1 for one output).
/// - `momentum`: the SGD momentum buffer, same layout.
/// - `totals`: the reduced sums of the current step: Σ r·x, Σ r (`paramCount` values, in the
///   layout of `params`), then Σ r² (unscaled; the update scales the first `paramCount` to the
///   gradient as it reads them). `width` = `paramCount` + 1.
/// - `stepLoss`: Σ r² of each step of the current span (full-batch spans report it per epoch).
/// - `stepLR` / `stepLRDouble`: with a schedule, the rate of each step of the current span, as the
///   update applies it (Float) and as the schedule made it (Double, for reports).
/// - `permutation`: the current epoch's row order (shuffled minibatch runs only).
/// - `claims`: which worker computes which chunk of a step (one counter per worker).
final class TrainingState: @unchecked Sendable {
    let d: Int
    /// k: 1, or the softmax loss's classes.
    let outputs: Int
    /// Floats per feature in `params` (1, or k rounded up to 16).
    let lanes: Int
    /// (d + 1)·lanes: the weights and biases, padding included.
    let paramCount: Int
    /// The floats of a step's sums: `paramCount` + 1.
    var width: Int { paramCount + 1 }
    let params: UnsafeMutablePointer<Float>
    let momentum: UnsafeMutablePointer<Float>
    let totals: UnsafeMutablePointer<Float>
    let stepLoss: UnsafeMutablePointer<Float>
    let stepLR: UnsafeMutablePointer<Float>
    let stepLRDouble: UnsafeMutablePointer<Double>
    let evalLoss: UnsafeMutablePointer<Double>
    let permutation: UnsafeMutablePointer<UInt32>?
    let partials: GradientBuffers
    let evalPartials: GradientBuffers
    let claims: ChunkClaims
    let stepLossCapacity: Int
    /// `data.standardize`: the scaling and the workers' slots for the model in original units.
    private(set) var scaling: ScalingBuffers?

    init(
        d: Int, outputs: Int = 1, lanes: Int = 1, workers: Int, maxChunks: Int, evalChunks: Int, stepLossCapacity: Int,
        permutationRows: Int?
    ) {
        self.d = d
        self.outputs = outputs
        self.lanes = lanes
        paramCount = (d + 1) * lanes
        let width = (paramCount + 1 + 15) / 16 * 16 + 16
        func floats(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64).bindMemory(to: Float.self, capacity: n)
            p.initialize(repeating: 0, count: n)
            return p
        }
        params = floats(width)
        momentum = floats(width)
        totals = floats(width)
        self.stepLossCapacity = max(1, stepLossCapacity)
        stepLoss = floats(self.stepLossCapacity)
        stepLR = floats(self.stepLossCapacity)
        stepLRDouble = .allocate(capacity: self.stepLossCapacity)
        stepLRDouble.initialize(repeating: 0, count: self.stepLossCapacity)
        evalLoss = .allocate(capacity: 8)
        evalLoss.initialize(repeating: 0, count: 8)
        if let n = permutationRows {
            let p = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
            p.initialize(repeating: 0, count: n)
            permutation = p
        } else {
            permutation = nil
        }
        partials = GradientBuffers(slots: maxChunks, width: paramCount + 1)
        evalPartials = GradientBuffers(slots: evalChunks, width: paramCount + 1)
        claims = .allocate(workers: workers)
    }

    deinit {
        params.deallocate()
        momentum.deallocate()
        totals.deallocate()
        stepLoss.deallocate()
        stepLR.deallocate()
        stepLRDouble.deallocate()
        evalLoss.deallocate()
        permutation?.deallocate()
        claims.deallocate()
        if let scaling {
            scaling.mean.base.deallocate()
            scaling.scale.base.deallocate()
            scaling.effective.base.deallocate()
        }
    }

    /// Holds `s` for the steps, with a slot per worker and one for the trainer's thread.
    func attach(_ s: FeatureScaling, workers: Int) {
        precondition(scaling == nil && s.features == d)
        func copy(_ values: [Float]) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: d)
            p.initialize(from: values, count: d)
            return p
        }
        let stride = (d + 1 + 15) / 16 * 16
        let slots = UnsafeMutableRawPointer.allocate(byteCount: (workers + 1) * stride * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: (workers + 1) * stride)
        slots.initialize(repeating: 0, count: (workers + 1) * stride)
        scaling = ScalingBuffers(
            mean: SharedPointer(copy(s.mean)), scale: SharedPointer(copy(s.scale)), effective: SharedPointer(slots), stride: stride, d: d)
    }

    var model: LinearModel {
        if lanes == 1 { return LinearModel(weights: Array(UnsafeBufferPointer(start: params, count: d)), bias: params[d]) }
        let k = outputs
        return LinearModel(
            weights: (0..<(d * k)).map { params[($0 / k) * lanes + $0 % k] }, biases: (0..<k).map { params[d * lanes + $0] })
    }

    /// w and b are all finite (checked after each epoch).
    var parametersAreFinite: Bool {
        for j in 0..<paramCount where !params[j].isFinite { return false }
        return true
    }

    func load(_ model: LinearModel) {
        precondition(model.features == d && model.outputs == outputs, "model has \(model.weights.count) weights, expected \(d * outputs)")
        params.update(repeating: 0, count: paramCount)
        let k = outputs
        for i in 0..<(d * k) { params[(i / k) * lanes + i % k] = model.weights[i] }
        for c in 0..<k { params[d * lanes + c] = model.biases[c] }
    }
}
