import DataParallel

/// The mutable state of one training run, in buffers owned by this one object.
///
/// Kept out of Swift arrays on purpose: a second reference to a weights array turns a 3 ns update
/// into a 100+ ns copy every step. Layouts (all 64-byte aligned, zero-initialised):
/// - `params`: w[0..<d], then b at index d.
/// - `momentum`: the SGD momentum buffer, same layout.
/// - `totals`: the reduced sums of the current step: Σ r·x (d), Σ r, Σ r² (unscaled; the update
///   scales indices 0...d to the gradient as it reads them).
/// - `stepLoss`: Σ r² of each step of the current span (full-batch spans report it per epoch).
/// - `stepLR` / `stepLRDouble`: with a schedule, the rate of each step of the current span, as the
///   update applies it (Float) and as the schedule made it (Double, for reports).
/// - `permutation`: the current epoch's row order (shuffled minibatch runs only).
/// - `claims`: which worker computes which chunk of a step (one counter per worker).
final class TrainingState: @unchecked Sendable {
    let d: Int
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

    init(d: Int, workers: Int, maxChunks: Int, evalChunks: Int, stepLossCapacity: Int, permutationRows: Int?) {
        self.d = d
        let width = (d + 2 + 15) / 16 * 16 + 16
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
        partials = GradientBuffers(slots: maxChunks, width: d + 2)
        evalPartials = GradientBuffers(slots: evalChunks, width: d + 2)
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
        LinearModel(weights: Array(UnsafeBufferPointer(start: params, count: d)), bias: params[d])
    }

    /// w and b are all finite (checked after each epoch).
    var parametersAreFinite: Bool {
        for j in 0...d where !params[j].isFinite { return false }
        return true
    }

    func load(_ model: LinearModel) {
        precondition(model.weights.count == d, "model has \(model.weights.count) weights, expected \(d)")
        for j in 0..<d { params[j] = model.weights[j] }
        params[d] = model.bias
    }
}
