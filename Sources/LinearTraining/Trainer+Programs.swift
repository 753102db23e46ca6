import DataParallel
import SyntheticData

/// A span of SGD steps: one shuffled or storage-order epoch of minibatches, or several full-batch
/// epochs (one step each).
///
/// Step s covers batch `s % batchesPerEpoch`: rows `[b·B, min((b+1)·B, N))` of the epoch's order.
/// compute: worker w fills the partial sums of chunks `slice(chunks, w, W)` (writes only those slots).
/// reduceAndUpdate: worker w reduces coordinates `coordinateSlice(d + 2, w, W)` in chunk order,
/// scales them to the gradient and applies SGD to the parameters among them (writes only those).
struct StepSpan: StepProgram {
    let x: SharedPointer<Float>
    let y: SharedPointer<Float>
    let params: SharedPointer<Float>
    let momentum: SharedPointer<Float>
    let totals: SharedPointer<Float>
    let stepLoss: SharedPointer<Float>
    let partials: SharedPointer<Float>
    let partialStride: Int
    let permutation: SharedPointer<UInt32>?
    let order: EpochPermutation?
    let rows: Int
    let d: Int
    let batch: Int
    let chunkRows: Int
    let batchesPerEpoch: Int
    let kernel: GradientKernels.Kind
    let loss: Loss
    let sgd: SGD
    /// Steps taken by the run before this span (momentum starts on global step 0).
    let stepsBefore: Int
    let stepCount: Int

    func prepare(worker: Int, of workers: Int) {
        guard let order, let permutation else { return }
        order.fill(permutation.base, range: ShardPlan.slice(rows, worker: worker, of: workers))
    }

    @inline(__always)
    func batchRows(_ step: Int) -> (start: Int, count: Int) {
        let start = (step % batchesPerEpoch) &* batch
        return (start, min(batch, rows &- start))
    }

    func compute(step: Int, worker: Int, of workers: Int) {
        let (start, count) = batchRows(step)
        let chunks = (count &+ chunkRows &- 1) / chunkRows
        let w = UnsafePointer(params.base)
        let b = params.base[d]
        for k in ShardPlan.slice(chunks, worker: worker, of: workers) {
            let first = start &+ k &* chunkRows
            let n = min(chunkRows, count &- k &* chunkRows)
            GradientKernels.accumulate(
                kernel, x: x.base, y: y.base, d: d, first: first, count: n,
                indices: permutation.map { UnsafePointer($0.base + first) }, available: rows &- first,
                w: w, b: b, out: partials.base + k &* partialStride)
        }
    }

    func reduceAndUpdate(step: Int, worker: Int, of workers: Int) {
        let (_, count) = batchRows(step)
        let chunks = (count &+ chunkRows &- 1) / chunkRows
        let coords = FixedOrderAllReduce.coordinateSlice(width: d &+ 2, worker: worker, of: workers)
        FixedOrderAllReduce.sum(partials.base, stride: partialStride, chunks: chunks, coordinates: coords, into: totals.base)
        let update = coords.lowerBound..<min(coords.upperBound, d &+ 1)
        let scale = loss.gradientScale(rows: count)
        for j in update { totals.base[j] = totals.base[j] * scale }
        sgd.apply(
            params: params.base, grads: totals.base, momentumBuffer: momentum.base, range: update,
            first: stepsBefore &+ step == 0)
        if coords.contains(d &+ 1) { stepLoss.base[step] = totals.base[d &+ 1] }
    }
}

/// The loss over the whole dataset at the current parameters: one step, chunks of fixed rows.
/// compute: worker w runs the gradient kernel on its chunks (only Σ r² is used).
/// reduceAndUpdate: worker 0 adds the chunks' Σ r² in chunk order, in Double.
struct EvaluationSpan: StepProgram {
    let x: SharedPointer<Float>
    let y: SharedPointer<Float>
    let params: SharedPointer<Float>
    let partials: SharedPointer<Float>
    let partialStride: Int
    let result: SharedPointer<Double>
    let rows: Int
    let d: Int
    let chunkRows: Int
    let kernel: GradientKernels.Kind
    var stepCount: Int { 1 }

    var chunks: Int { (rows + chunkRows - 1) / chunkRows }

    func prepare(worker: Int, of workers: Int) {}

    func compute(step: Int, worker: Int, of workers: Int) {
        let w = UnsafePointer(params.base)
        let b = params.base[d]
        for k in ShardPlan.slice(chunks, worker: worker, of: workers) {
            let first = k &* chunkRows
            GradientKernels.accumulate(
                kernel, x: x.base, y: y.base, d: d, first: first, count: min(chunkRows, rows &- first),
                indices: nil, available: 0, w: w, b: b, out: partials.base + k &* partialStride)
        }
    }

    func reduceAndUpdate(step: Int, worker: Int, of workers: Int) {
        guard worker == 0 else { return }
        var s: Double = 0
        for k in 0..<chunks { s += Double(partials.base[k &* partialStride &+ d &+ 1]) }
        result.base[0] = s
    }
}
