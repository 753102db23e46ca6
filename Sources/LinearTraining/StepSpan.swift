import CLockstepShims
import DataParallel
import SyntheticData

/// A span of SGD steps: one shuffled or storage-order epoch of minibatches, or several full-batch
/// epochs (one step each).
///
/// Step s covers batch `b = (firstBatch + s) % batchesPerEpoch`: rows `[b·B, min((b+1)·B, N))` of
/// the epoch's order. A span stops early, after the step in progress, when a stop is requested.
/// compute: worker w fills the partial sums of the chunks it claims (`ChunkClaims`: its share
/// `slice(chunks, w, W)` first, then what is left of the others'); it writes only those slots.
/// reduceAndUpdate: worker w makes its share claimable again for the next step, reduces coordinates
/// `coordinateSlice(paramCount + 1, w, W)` in chunk order, scales them to the gradient and applies SGD to the
/// parameters among them (writes only those).
struct StepSpan: StepProgram {
    let source: RowSource
    let params: SharedPointer<Float>
    let momentum: SharedPointer<Float>
    let totals: SharedPointer<Float>
    let stepLoss: SharedPointer<Float>
    let partials: SharedPointer<Float>
    let partialStride: Int
    let claims: ChunkClaims
    let permutation: SharedPointer<UInt32>?
    let order: EpochPermutation?
    let rows: Int
    let d: Int
    /// Floats per feature of the parameters (1, or the softmax classes rounded up to 16), and all
    /// of them: (d + 1)·lanes (`TrainingState`). A step's sums are `paramCount` + 1 floats.
    let lanes: Int
    let paramCount: Int
    let batch: Int
    let chunkRows: Int
    let batchesPerEpoch: Int
    /// Chunks in a whole batch, and the gradient scale of a whole batch: worked out once per span,
    /// so a step does no integer division unless its batch is the epoch's short last one.
    let chunksPerBatch: Int
    let batchScale: Float
    /// w₀ of `loss.classWeight` (1 without): a short last batch's scale is multiplied by it too.
    let classScale: Float
    let kernel: GradientKernels.Kind
    let loss: Loss
    let sgd: SGD
    /// `config.penalty` (nil: none, or α = 0), on the d weights.
    let penalty: Penalty?
    /// With a schedule: the rate of each step of this span (`TrainingState.stepLR`); nil: `sgd.lr`.
    let stepLR: SharedPointer<Float>?
    /// Steps taken by the run before this span (momentum starts on global step 0).
    let stepsBefore: Int
    let stepCount: Int
    /// The batch of the epoch that span step 0 covers (non-zero when a span starts mid-epoch).
    let firstBatch: Int
    /// False when the permutation already holds this epoch's order (a span continuing an epoch).
    let fillPermutation: Bool
    /// `TrainingProgress.words`: the step count and batch loss, for progress bars.
    let progress: SharedPointer<UInt64>
    /// Other processes of a distributed run (nil: one process, the path as it always was).
    let combiner: SharedPointer<any CrossProcessExchange>?
    /// `distributed.reduction: fast` (with a combiner): the rank adds its own chunks into the totals
    /// here and the ranks all-reduce those; the reduce phase then only updates.
    let fastReduction: Bool
    /// `Trainer.communicationWords`: [nanoseconds in the exchange, bytes sent, exchanges].
    let communication: SharedPointer<UInt64>
    /// `data.standardize`: the kernels get the model in original units, the update the gradient of
    /// the scaled features' weights (`FeatureScaling`). nil: the parameters as they are.
    let scaling: ScalingBuffers?

    var combinesAcrossProcesses: Bool { combiner != nil }

    /// After this rank's chunks are computed: every rank gets every chunk's partial sums (exact), or
    /// the sum of all of them (fast). Timed by two clock reads (vDSO, no system call) around the
    /// exchange alone; the bytes are this rank's own partial sums, `paramCount` + 1 floats per chunk
    /// it owns (exact) or that many in all (fast).
    func combine(step: Int) {
        guard let combiner else { return }
        let (_, count) = batchRows(step)
        let chunks = chunks(rows: count), width = paramCount &+ 1
        let sent: Int
        let t0: UInt64
        if fastReduction {
            // This rank's chunks, in chunk order, into one partial (zeros if it owns none).
            let owned = combiner.base.pointee.ownedChunks(chunks)
            FixedOrderAllReduce.sum(
                partials.base + owned.lowerBound &* partialStride, stride: partialStride, chunks: owned.count,
                coordinates: 0..<width, into: totals.base)
            t0 = ls_monotonic_nanos()
            combiner.base.pointee.allReduce(totals.base, count: width)
            sent = width
        } else {
            t0 = ls_monotonic_nanos()
            combiner.base.pointee.exchange(partials.base, stride: partialStride, width: width, chunks: chunks)
            sent = combiner.base.pointee.ownedChunks(chunks).count &* width
        }
        let c = communication.base
        c[0] &+= ls_monotonic_nanos() &- t0
        c[1] &+= UInt64(truncatingIfNeeded: sent &* 4)
        c[2] &+= 1
    }

    func prepare(worker: Int, of workers: Int) {
        guard fillPermutation, let order, let permutation else { return }
        order.fill(permutation.base, range: ShardPlan.slice(rows, worker: worker, of: workers))
    }

    @inline(__always)
    func batchRows(_ step: Int) -> (start: Int, count: Int) {
        let b = firstBatch &+ step
        let start = (b < batchesPerEpoch ? b : b % batchesPerEpoch) &* batch
        return (start, min(batch, rows &- start))
    }

    @inline(__always)
    func chunks(rows count: Int) -> Int {
        count == batch ? chunksPerBatch : (count &+ chunkRows &- 1) / chunkRows
    }

    /// One worker and one chunk: the chunk's sums are the totals (a sum of one chunk is that chunk,
    /// bit for bit), so the kernel writes them there and the reduce is skipped. Tiny steps (10 rows)
    /// are a chain of stores and reloads; this is one link less.
    @inline(__always)
    func kernelWritesTotals(chunks: Int, workers: Int) -> Bool { workers == 1 && chunks == 1 && combiner == nil }

    func compute(step: Int, worker: Int, of workers: Int) {
        let (start, count) = batchRows(step)
        computePhase(start: start, count: count, chunks: chunks(rows: count), worker, workers)
    }

    func reduceAndUpdate(step: Int, worker: Int, of workers: Int) {
        let (_, count) = batchRows(step)
        let chunks = chunks(rows: count)
        let coords = FixedOrderAllReduce.coordinateSlice(width: paramCount &+ 1, worker: worker, of: workers)
        claims.reset(worker: worker)
        // (fast: `combine` already left the ranks' sum in the totals)
        if !kernelWritesTotals(chunks: chunks, workers: workers) && !fastReduction {
            FixedOrderAllReduce.sum(partials.base, stride: partialStride, chunks: chunks, coordinates: coords, into: totals.base)
        }
        if let scaling { scaleGradient(scaling, coordinates: coords, chunks: chunks) }
        update(step, rows: count, coordinates: coords)
    }

    /// `data.standardize`: the sums of this worker's weights (of `coords`) made those of the scaled
    /// features. Σ g is the total at d: this worker's own when d is among its coordinates (or when
    /// the totals are whole already: fast reduction), else summed again from the partials in chunk
    /// order, the same bits its owner gets (lane by lane, the reduce adds in that order too).
    @inline(__always)
    func scaleGradient(_ scaling: ScalingBuffers, coordinates coords: Range<Int>, chunks: Int) {
        let weights = coords.lowerBound..<min(coords.upperBound, d)
        guard !weights.isEmpty else { return }
        var biasSum: Float
        if coords.contains(d) || fastReduction {
            biasSum = totals.base[d]
        } else {
            biasSum = partials.base[d]
            var k = 1
            while k < chunks {
                biasSum = biasSum + partials.base[k &* partialStride &+ d]
                k &+= 1
            }
        }
        FeatureScaling.scaleGradient(
            totals.base, range: weights, biasSum: biasSum, mean: UnsafePointer(scaling.mean.base), scale: UnsafePointer(scaling.scale.base))
    }

    /// One worker: both phases inlined with worker 0 of 1 as constants, so a one-chunk step is one
    /// kernel call writing the totals and no reduce; otherwise the reduce covers every coordinate.
    func serialStep(_ step: Int) {
        let (start, count) = batchRows(step)
        let chunks = chunks(rows: count)
        computePhase(start: start, count: count, chunks: chunks, 0, 1)
        if !kernelWritesTotals(chunks: chunks, workers: 1) {
            FixedOrderAllReduce.sum(partials.base, stride: partialStride, chunks: chunks, coordinates: 0..<(paramCount &+ 1), into: totals.base)
        }
        if let scaling { scaleGradient(scaling, coordinates: 0..<(paramCount &+ 1), chunks: chunks) }
        update(step, rows: count, coordinates: 0..<(paramCount &+ 1))
    }

    /// SGD on the parameters among `coords` (of the totals); the step's loss and progress by the
    /// worker whose slice holds Σ r².
    @inline(__always)
    func update(_ step: Int, rows count: Int, coordinates coords: Range<Int>) {
        let update = coords.lowerBound..<min(coords.upperBound, paramCount)
        var sgd = self.sgd
        if let stepLR { sgd.lr = stepLR.base[step] }
        sgd.apply(
            params: params.base, grads: totals.base,
            gradientScale: count == batch ? batchScale : loss.gradientScale(rows: count) * classScale,
            momentumBuffer: momentum.base, range: update, first: stepsBefore &+ step == 0, penalty: penalty, penalized: paramCount &- lanes)
        if coords.contains(paramCount) {
            stepLoss.base[step] = totals.base[paramCount]
            TrainingProgress.publish(progress.base, stepsDone: stepsBefore &+ step &+ 1, lossSum: totals.base[paramCount], rows: count)
            TrainingProgress.decideStop(progress.base, step: step)
        }
    }

    /// The kernel over worker `worker`'s chunks of the batch at `start`: into the partial sums, or,
    /// for one worker and one chunk, one call straight into the totals (no loop to set up).
    @inline(__always)
    func computePhase(start: Int, count: Int, chunks: Int, _ worker: Int, _ workers: Int) {
        var w = UnsafePointer(params.base)
        if let scaling { w = scaling.originalUnits(w, worker: worker) }
        let b = w[d]
        if kernelWritesTotals(chunks: chunks, workers: workers) {
            source.accumulate(
                kernel, worker: worker, d: d, first: start, count: count, permutation: permutation, rows: rows, w: w, b: b,
                out: totals.base)
            return
        }
        // A rank computes only its own chunks (all of them in one process).
        let owned = combiner.map { $0.base.pointee.ownedChunks(chunks) } ?? 0..<chunks
        claims.forEach(chunks: owned.count, worker: worker, of: workers) { i in
            let k = owned.lowerBound &+ i
            let first = start &+ k &* chunkRows
            let n = min(chunkRows, count &- k &* chunkRows)
            source.accumulate(
                kernel, worker: worker, d: d, first: first, count: n, permutation: permutation, rows: rows, w: w, b: b,
                out: partials.base + k &* partialStride)
        }
    }

    func stopsAfter(step: Int) -> Bool { TrainingProgress.stops(progress.base, after: step) }
}
