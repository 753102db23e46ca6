import CLockstepShims
import DataParallel
import SyntheticData

/// The loss over the whole dataset at the current parameters: one step, chunks of fixed rows.
/// compute: worker w runs the gradient kernel on the chunks it claims (only Σ r² is used).
/// reduceAndUpdate: every worker makes its share claimable again; worker 0 adds the chunks' Σ r² in
/// chunk order, in Double.
struct EvaluationSpan: StepProgram {
    let source: RowSource
    let params: SharedPointer<Float>
    let partials: SharedPointer<Float>
    let partialStride: Int
    let claims: ChunkClaims
    let result: SharedPointer<Double>
    let rows: Int
    let d: Int
    /// `TrainingState.paramCount`: the loss sum is at this index of a chunk's sums.
    let paramCount: Int
    let chunkRows: Int
    let kernel: GradientKernels.Kind
    let combiner: SharedPointer<any CrossProcessExchange>?
    /// `data.standardize`: the loss of the model in original units (see `StepSpan.scaling`).
    let scaling: ScalingBuffers?
    var stepCount: Int { 1 }

    var chunks: Int { (rows + chunkRows - 1) / chunkRows }

    var combinesAcrossProcesses: Bool { combiner != nil }

    func combine(step: Int) {
        combiner?.base.pointee.exchange(partials.base, stride: partialStride, width: paramCount &+ 1, chunks: chunks)
    }

    func prepare(worker: Int, of workers: Int) {}

    func compute(step: Int, worker: Int, of workers: Int) {
        var w = UnsafePointer(params.base)
        if let scaling { w = scaling.originalUnits(w, worker: worker) }
        let b = w[d]
        let owned = combiner.map { $0.base.pointee.ownedChunks(chunks) } ?? 0..<chunks
        claims.forEach(chunks: owned.count, worker: worker, of: workers) { i in
            let k = owned.lowerBound &+ i
            let first = k &* chunkRows
            source.accumulate(
                kernel, worker: worker, d: d, first: first, count: min(chunkRows, rows &- first), permutation: nil,
                rows: rows, w: w, b: b, out: partials.base + k &* partialStride)
        }
    }

    func reduceAndUpdate(step: Int, worker: Int, of workers: Int) {
        claims.reset(worker: worker)
        guard worker == 0 else { return }
        var s: Double = 0
        for k in 0..<chunks { s += Double(partials.base[k &* partialStride &+ paramCount]) }
        result.base[0] = s
    }
}
