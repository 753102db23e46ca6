import CLockstepShims
import DataParallel
import HardwareTopology
import SyntheticData

/// One epoch's outcome, handed to the caller as it finishes.
public struct EpochRecord: Sendable {
    /// 1-based.
    public var epoch: Int
    /// The epoch loss: over the whole dataset after the epoch, or for full-batch runs the batch loss
    /// computed inside the step (before its update), as the line lesson prints it.
    public var loss: Double
    /// Seconds of the epoch's shuffle and steps (not its evaluation pass).
    public var seconds: Double
    /// The learning rate in force (with `interval: step`, that of the epoch's last step), as the
    /// schedule computed it in Double; the update applied `Float(lr)`.
    public var lr: Double
    /// The validation loss after the epoch (the run's loss over the held-out rows, in float64), if
    /// the run has a validation set.
    public var validationLoss: Double? = nil
    /// The validation metric after the epoch: R² for regression losses, accuracy for `logistic`.
    public var validationMetric: Double? = nil

    /// A record from its fields, as listed above (`epoch` 1-based; `seconds` of wall clock; the validation
    /// scores nil for a run without `data.validation`).
    public init(epoch: Int, loss: Double, seconds: Double, lr: Double, validationLoss: Double? = nil, validationMetric: Double? = nil) {
        self.epoch = epoch
        self.loss = loss
        self.seconds = seconds
        self.lr = lr
        self.validationLoss = validationLoss
        self.validationMetric = validationMetric
    }
}

/// When and how often `Trainer.run` hands out checkpoints.
public struct CheckpointPolicy: Sendable {
    /// Also after every this many steps of the run (nil: only at epoch ends, the end and a stop).
    public var everySteps: Int?
    /// Epoch-end checkpoints closer together than this are skipped (a full-batch epoch can take
    /// microseconds); the last epoch's always counts.
    public var minSeconds: Double

    /// `everySteps`: also checkpoint every this many steps (nil, the default: only at epoch ends, the end
    /// and a stop); `minSeconds`: the least wall-clock time between epoch-end checkpoints (default 1 s).
    public init(everySteps: Int? = nil, minSeconds: Double = 1) {
        self.everySteps = everySteps
        self.minSeconds = minSeconds
    }
}

/// Trains a linear model on a dataset with synchronous data-parallel minibatch SGD.
///
/// Built once (validates everything, allocates every buffer), then `run()` never allocates per
/// step and never throws from inside a step. Results are bitwise identical for every worker count
/// and executor: chunks depend only on batch size and d, and every sum is taken in chunk order.
public final class Trainer {
    /// The configuration the trainer was built with, as passed (validated by `init`, which throws
    /// `TrainingError.invalidValue` naming the key otherwise).
    public let config: TrainingConfig
    /// The rows trained on: stored, or made on the fly.
    public let data: TrainingData
    /// How each step's `batchRows` rows are cut into chunks (`training.chunkRows`, or picked from the
    /// batch size and d): fixed for the run and independent of `workers`, so every sum has the same bits.
    public let plan: ShardPlan
    /// How the steps run, decided once from the topology's cores (or this process's):
    /// `training.threads` workers (nil: one per physical core), `training.executor` resolved, the
    /// binding, and why.
    public let execution: ExecutionPlan
    /// Workers that run each step: `execution.workers` (1 when serial).
    public let workers: Int
    /// The gradient kernel that runs: `training.kernel`, or `GradientKernels.Kind.automatic(features:)`
    /// from d. `init` throws if `d64` is asked for without 64 features or `wide` with fewer than 16.
    public let kernel: GradientKernels.Kind
    /// The copy of the kernels that runs: AVX-512 where the CPU has it, whatever the build's flags.
    public let kernelTarget: GradientKernels.Target
    /// The executor mode chosen: `execution.mode` (a span may still fall back to per-step at run time).
    public var mode: ExecutionMode { execution.mode }
    /// Rows per full minibatch: `training.batchSize`, capped at the training rows (nil, `full`: all of
    /// them, one step per epoch). An epoch's last batch may be shorter.
    public let batchRows: Int
    /// `config.standardize`: each feature's mean and standard deviation over the training rows
    /// (nil without it).
    public let scaling: FeatureScaling?
    /// `loss.classWeight` resolved: (w₀, w₁) over the training rows (nil: every row weighs 1).
    public let classWeights: (Float, Float)?
    /// w₀ (1 without class weights): the kernels weigh rows 1 and w₁/w₀, the sums are scaled by it.
    let classScale: Float
    /// The model's outputs: the softmax loss's classes k, else 1.
    public let classes: Int
    /// What the kernels compute per row.
    let objective: GradientKernels.Objective
    /// Turns the kernels' Σ l into the summed loss: the loss's factor times `classScale`.
    let lossFactor: Double
    let evalChunkRows: Int
    let executor: Executor
    let state: TrainingState
    /// On-the-fly data: the row maker and each worker's scratch rows (X then y), owned here.
    let maker: UnsafeMutablePointer<SyntheticRows>?
    let scratch: UnsafeMutableRawPointer?
    /// Where the spans read rows. Built once: it holds only pointers, so the spans that carry it
    /// are plain values (no retain, release or value-witness call when a span is made or dropped).
    let rowSource: RowSource
    /// The cross-process combine of a distributed run, boxed so the spans holding it stay trivially copyable.
    let combineBox: UnsafeMutablePointer<any CrossProcessExchange>?
    /// Owns `combineBox` and `communicationWords`.
    let storage: CombineStorage
    /// The training steps' cross-process traffic, added to by each step's `combine` on the
    /// executor's thread: [nanoseconds in the exchange, bytes this rank sent, exchanges].
    let communicationWords: UnsafeMutablePointer<UInt64>
    /// Steps done and the last batch loss, readable from other threads while `run` trains.
    public let progress: TrainingProgress
    // The run's bookkeeping, touched a dozen times per span by the one thread in `run`. Without
    // `@exclusivity(unchecked)` every access is a `swift_beginAccess` runtime call (a thread-local
    // lookup and an access-set insert), which costs more than a d2l step.
    /// SGD steps taken so far, counted over the whole job: a resumed run starts from the checkpoint's.
    @exclusivity(unchecked) public internal(set) var stepsTaken = 0
    /// Epochs completed so far (at most `config.epochs`), including those before a resume.
    @exclusivity(unchecked) public internal(set) var epochsDone = 0
    /// The next batch of the current epoch (0 at an epoch boundary).
    @exclusivity(unchecked) public internal(set) var batchInEpoch = 0
    /// Losses and seconds of the epochs done (including those before a resume).
    @exclusivity(unchecked) var lossesSoFar: [Double] = []
    @exclusivity(unchecked) var secondsSoFar: [Double] = []
    /// The loss, seconds and learning rate of each epoch finished so far (a resumed run: the checkpoint's).
    public var finishedEpochs: [(loss: Double, seconds: Double, lr: Double)] {
        lossesSoFar.indices.map { (lossesSoFar[$0], secondsSoFar[$0], $0 < lrsSoFar.count ? lrsSoFar[$0] : config.scheduleBaseLR) }
    }
    @exclusivity(unchecked) var partialEpochSeconds = 0.0
    /// The learning rate of each epoch done (see `EpochRecord.lr`).
    @exclusivity(unchecked) var lrsSoFar: [Double] = []
    /// The held-out rows scored after each epoch (`data.validation`), and their scores so far.
    let validation: ValidationSet?
    @exclusivity(unchecked) var validationLossesSoFar: [Double] = []
    @exclusivity(unchecked) var validationMetricsSoFar: [Double] = []
    /// Early stopping's state (`training.earlyStopping`).
    @exclusivity(unchecked) var stopper: EarlyStopper?
    /// The schedule's state now: stepped ahead of each span (`scheduleSpan`), or by `plateau` at
    /// each epoch end. nil without a schedule.
    @exclusivity(unchecked) public internal(set) var scheduler: LearningRateScheduler?
    /// (epochs done, batch) of the checkpoint this run resumed from.
    public internal(set) var resumedFrom: (epoch: Int, batch: Int)?
    /// The epoch whose order the permutation buffer holds.
    @exclusivity(unchecked) var permutationEpoch: Int?
    lazy var dataFingerprint: String = data.fingerprint()

    /// Steps with fewer floats of X than this run serially under `executor: auto`
    /// (`ExecutionPlan.parallelThresholdFloats`).
    public static var parallelThresholdFloats: Int { ExecutionPlan.parallelThresholdFloats }

    /// A trainer over a dataset in memory.
    public convenience init(
        config: TrainingConfig, dataset: Dataset, topology: Topology? = nil, kernelTarget: GradientKernels.Target? = nil
    ) throws(TrainingError) {
        try self.init(config: config, data: .stored(dataset), topology: topology, kernelTarget: kernelTarget)
    }

    /// `kernelTarget` picks the copy of the kernels (default: `GradientKernels.Target.requested()`,
    /// i.e. `LOCKSTEP_KERNELS` or the best this CPU runs); tests pass each runnable one to check
    /// they agree (bit for bit but at d = 64, where the AVX-512 copy fuses its dot product).
    /// `combine`: the other processes of a distributed run (MPI, or `SimulatedRanks` in tests); each
    /// rank computes its share of every step's chunks and the result is bit for bit a single
    /// process's, for any number of ranks and threads. nil (one process), or a combine of one rank,
    /// runs as ever (in spans, with nothing exchanged).
    ///
    /// `validation`: the held-out data of `config.validation = .source(…)`, when the caller loaded
    /// it (else it is loaded here); with `.split`, the rows are taken out of `data` (a copy of both
    /// parts: data made on the fly cannot be split).
    public init(
        config: TrainingConfig, data allData: TrainingData, validation validationData: TrainingData? = nil, topology: Topology? = nil,
        kernelTarget: GradientKernels.Target? = nil, combine: (any CrossProcessCombine)? = nil
    ) throws(TrainingError) {
        // Owned by an object, not freed in deinit: an init that throws below frees them too.
        let owner = CombineStorage(combine)
        storage = owner
        communicationWords = owner.words
        combineBox = owner.box
        try config.validate()
        if config.loss.needsBinaryLabels, let (row, value) = allData.firstNonBinaryLabel() {
            throw .badLabel(
                source: allData.source, row: row, value: value,
                fix: "the logistic loss takes labels 0 and 1 (for synthetic data: task: logistic)")
        }
        let (data, heldOut) = try Self.splitValidation(config, allData, validationData)
        let classes = config.loss == .softmax ? try Self.softmaxClasses(config, data, heldOut) : 1
        self.classes = classes
        validation = heldOut.map {
            ValidationSet(
                $0, loss: config.loss, huberDelta: Double(config.huberDelta), classes: classes,
                lanes: config.loss.objective(huberDelta: 1, classes: classes).lanes)
        }
        stopper = config.earlyStopping.map { EarlyStopper(rule: $0) }
        self.config = config
        let weights = try config.classWeight?.resolve(data)
        classWeights = weights
        classScale = weights?.0 ?? 1
        objective = weights.map { .weightedLogistic(ratio: $0.1 / $0.0) } ?? config.loss.objective(huberDelta: config.huberDelta, classes: classes)
        lossFactor = config.loss.lossFactor * Double(classScale)
        progress = TrainingProgress(lossFactor: lossFactor)
        self.data = data
        let d = data.features, n = data.rows
        batchRows = min(config.batchSize ?? n, n)
        plan = ShardPlan(batchRows: batchRows, features: d, chunkRows: config.chunkRows)
        evalChunkRows = ShardPlan.automaticChunkRows(batchRows: n, features: d)
        kernel = config.kernel ?? .automatic(features: d)
        if let kernelTarget { self.kernelTarget = kernelTarget } else { self.kernelTarget = try GradientKernels.Target.requested() }
        guard GradientKernels.Target.runnable.contains(self.kernelTarget) else {
            throw .invalidValue(
                key: "kernelTarget", value: self.kernelTarget.rawValue, fix: "this CPU cannot run it; use portable")
        }
        if kernel == .d64 && d != 64 || kernel == .wide && d < 16 {
            throw .invalidValue(
                key: "training.kernel", value: kernel.rawValue,
                fix: "d64 needs 64 features and wide at least 16 (the data has \(d)); use auto or reference")
        }
        if config.shuffle && n > Int(UInt32.max) && batchRows < n {
            throw .invalidValue(
                key: "training.shuffle", value: "true",
                fix: "shuffled epochs support up to \(UInt32.max) rows (the data has \(n)); set shuffle: false")
        }
        execution = ExecutionPlan(
            mode: config.executor, threads: config.threads, stepFloats: batchRows * d, topology: topology, bindToCores: config.bindToCores)
        workers = execution.workers
        executor = Executor(plan: execution, topology: topology)
        let fullBatch = batchRows == n
        state = TrainingState(
            d: d, outputs: classes, lanes: objective.lanes, workers: workers, maxChunks: plan.maxChunks, evalChunks: (n + evalChunkRows - 1) / evalChunkRows,
            stepLossCapacity: fullBatch ? config.epochs : (n + batchRows - 1) / batchRows,
            permutationRows: config.shuffle && !fullBatch ? n : nil)
        state.load(LinearModel(features: d, outputs: classes, initialisation: config.model, seed: config.seed))
        scaling = config.standardize ? FeatureScaling.fit(data, threads: max(workers, config.threads ?? execution.cores)) : nil
        if let scaling { state.attach(scaling, workers: workers) }
        // No allocation while the run is timed: growing these from empty is 3 reallocations in a
        // 3-epoch run.
        lossesSoFar.reserveCapacity(min(config.epochs, 1 << 16))
        secondsSoFar.reserveCapacity(min(config.epochs, 1 << 16))
        lrsSoFar.reserveCapacity(min(config.epochs, 1 << 16))
        scheduler = config.schedule.map { LearningRateScheduler(schedule: $0, baseLR: config.scheduleBaseLR) }
        switch data {
        case let .generated(rows):
            let capacity = max(plan.chunkRows, evalChunkRows)
            let stride = (capacity * (d + 1) + 15) / 16 * 16
            let raw = UnsafeMutableRawPointer.allocate(byteCount: workers * stride * 4, alignment: 64)
            let floats = raw.bindMemory(to: Float.self, capacity: workers * stride)
            let made = UnsafeMutablePointer<SyntheticRows>.allocate(capacity: 1)
            made.initialize(to: rows)
            scratch = raw
            maker = made
            rowSource = RowSource(
                target: self.kernelTarget, objective: objective, x: SharedPointer(floats), xHalf: nil, y: SharedPointer(floats), weights: nil,
                maker: SharedPointer(made), roundsToHalf: rows.spec.dtype == .float16, scratch: SharedPointer(floats),
                scratchStride: stride, scratchRows: capacity)
        case let .stored(dataset):
            scratch = nil
            maker = nil
            let half = dataset.dtype == .float16
            rowSource = RowSource(
                target: self.kernelTarget, objective: objective,
                x: SharedPointer(dataset.xBytes.assumingMemoryBound(to: Float.self)),
                xHalf: half ? SharedPointer(dataset.xHalf) : nil, y: SharedPointer(dataset.y),
                weights: dataset.sampleWeights.map { SharedPointer(UnsafeMutablePointer(mutating: $0)) }, maker: nil,
                roundsToHalf: false, scratch: nil, scratchStride: 0, scratchRows: 0)
        }
    }

    deinit {
        scratch?.deallocate()
        maker?.deinitialize(count: 1)
        maker?.deallocate()
    }

    /// Time the phases of each step (compute, reduce + update, waiting) into the report's
    /// `phaseSeconds`; costs 4 clock reads per step and worker.
    public var measurePhases: Bool {
        get { executor.measurePhases }
        set { executor.measurePhases = newValue }
    }

    /// The model as it is now, in the data's own units (with `standardize`, converted from the
    /// weights of the scaled features: what the kernels compute with and predictions use).
    public var model: LinearModel { scaling.map { $0.originalUnits(state.model) } ?? state.model }

    /// With `standardize`: the weights and bias of the scaled features, as trained (nil otherwise).
    public var scaledModel: LinearModel? { scaling == nil ? nil : state.model }

    /// The combine of a distributed run (nil: one process).
    public var ranks: Int { combineBox?.pointee.ranks ?? 1 }

    /// This process's training steps' exchanges so far (`run` of this process; the evaluation
    /// passes not counted): how many, the bytes of partial sums this rank sent in them, and the
    /// wall time spent in them. Zero without other processes.
    public var communication: (exchanges: Int, bytesSent: Int, seconds: Double) {
        (Int(communicationWords[2]), Int(communicationWords[1]), Double(communicationWords[0]) / 1e9)
    }

    /// True when each epoch is one step over all rows.
    public var isFullBatch: Bool { batchRows == data.rows }

    /// Batches per epoch (the last partial batch is kept).
    public var batchesPerEpoch: Int { (data.rows + batchRows - 1) / batchRows }

    /// Steps in the whole run.
    public var totalSteps: Int { config.epochs * batchesPerEpoch }

    /// Trains until `config.epochs` epochs are done (from where a `resume` left it), calling
    /// `onEpoch` after each epoch (for a span of full-batch epochs, once the span's epochs are all
    /// recorded: `epochsDone` may then be ahead of the record).
    ///
    /// With `evaluateEachEpoch` false (the sweep's timing runs), minibatch epochs skip the pass over
    /// the whole dataset and only the last epoch's loss is computed. With `checkpoints`, a checkpoint
    /// is handed to `onCheckpoint` every `everySteps` steps, at epoch ends (at most one per
    /// `minSeconds`), at the end, and when the run stops early. `progress.requestStop()` (from any
    /// thread) ends the run after the step in progress; the report then has `stoppedEarly`.
    public func run(
        evaluateEachEpoch: Bool = true, checkpoints: CheckpointPolicy? = nil,
        onEpoch: (EpochRecord) -> Void = { _ in },
        onCheckpoint: (TrainingCheckpoint) throws(TrainingError) -> Void = { _ in }
    ) throws(TrainingError) -> TrainingReport {
        // The modes the spans ran in (one, or per-step when they differed). Not a Set: the first
        // hash of a String-backed enum initialises Unicode tables, 160 µs inside the first epoch.
        var modeUsed: ExecutionMode?, modesDiffer = false
        var phases = (compute: 0.0, reduceUpdate: 0.0, wait: 0.0)
        let timing = measurePhases
        let start = ls_monotonic_nanos()
        let samplesAtStart = samplesDone
        var lastCheckpointNanos = start
        var lastCheckpointSteps = checkpoints == nil ? -1 : stepsTaken
        var stopped = false
        var fullBatchSpan = 1
        progress.set(stepsDone: stepsTaken)

        func saveCheckpoint() throws(TrainingError) {
            guard state.parametersAreFinite else { throw divergence(epoch: epochsDone + 1, step: stepsTaken, losses: lossesSoFar) }
            try onCheckpoint(checkpoint())
            lastCheckpointNanos = ls_monotonic_nanos()
            lastCheckpointSteps = stepsTaken
        }

        while epochsDone < config.epochs {
            if stopper?.stopped == true { break }
            if progress.stopRequested {
                stopped = true
                break
            }
            // Tiny full-batch runs go as one span (no clock reads or fan-out per epoch); otherwise a
            // span is the rest of the epoch (full batch: one epoch), cut at checkpoint steps.
            var spanSteps: Int
            if isFullBatch {
                if decidesEachEpoch {
                    spanSteps = 1
                } else if mode == .serial && checkpoints == nil {
                    spanSteps = config.epochs - epochsDone
                } else {
                    // Checkpoints or several workers: spans of full-batch epochs that double while a
                    // span takes under 20 ms, so a 50 000-epoch lesson is ~20 spans, not 50 000 (a
                    // span's fan-out and clock reads cost more than a line50 epoch). Where spans are
                    // cut never changes the bits.
                    spanSteps = min(config.epochs - epochsDone, fullBatchSpan)
                }
            } else {
                spanSteps = batchesPerEpoch - batchInEpoch
            }
            if let every = checkpoints?.everySteps { spanSteps = min(spanSteps, every - stepsTaken % every) }
            if timing { executor.resetPhaseTimes() }
            progress.clearStopDecision()
            let ahead = scheduler.map { scheduleSpan(from: $0, steps: spanSteps) }
            let t0 = ls_monotonic_nanos()
            let ranIn = executor.run(stepSpan(steps: spanSteps))
            if let modeUsed, modeUsed != ranIn { modesDiffer = true }
            modeUsed = ranIn
            let t1 = ls_monotonic_nanos()
            permutationEpoch = epochsDone
            if timing {
                let split = executor.phaseTimes
                phases = (phases.compute + split.compute, phases.reduceUpdate + split.reduceUpdate, phases.wait + split.wait)
            }
            let stoppedAfter = progress.stoppedAfter
            let ran = stoppedAfter ?? spanSteps
            stopped = stoppedAfter != nil
            let spanSeconds = Double(t1 - t0) / 1e9
            if isFullBatch && spanSeconds < 0.02 && fullBatchSpan < 1 << 30 { fullBatchSpan *= 2 }
            if let ahead { scheduler = ran == spanSteps ? ahead : scheduleSpan(from: scheduler!, steps: ran) }
            stepsTaken += ran
            var epochEnded = false
            if isFullBatch {
                try finishFullBatchEpochs(ran, seconds: spanSeconds, onEpoch: onEpoch)
                epochEnded = ran > 0
            } else {
                partialEpochSeconds += spanSeconds
                batchInEpoch += ran
                if batchInEpoch == batchesPerEpoch {
                    let last = epochsDone + 1 == config.epochs
                    let evaluates = evaluateEachEpoch || last || decidesEachEpoch
                    let loss = evaluates ? evaluate() : .nan  // .nan: not evaluated
                    batchInEpoch = 0
                    try finishEpoch(
                        loss: loss, seconds: partialEpochSeconds, lr: lrOfSpanStep(ran - 1), checkFinite: evaluates, onEpoch: onEpoch)
                    epochEnded = true
                }
            }
            if let policy = checkpoints {
                let now = ls_monotonic_nanos()
                let atStep = policy.everySteps.map { stepsTaken % $0 == 0 } ?? false
                // The run's last checkpoint (at its end, a stop or early stopping) is written after the
                // loop, outside the timed training: for a short run (the line lesson: 3 ms) it is
                // most of the cost.
                let atEpoch = epochEnded && Double(now - lastCheckpointNanos) / 1e9 >= policy.minSeconds
                    && epochsDone < config.epochs && stopper?.stopped != true
                if (atStep || atEpoch) && !stopped && lastCheckpointSteps != stepsTaken { try saveCheckpoint() }
            }
            if stopped || stopper?.stopped == true { break }
        }
        let earlyStop = finishEarlyStop()
        let total = Double(ls_monotonic_nanos() - start) / 1e9
        if checkpoints != nil, lastCheckpointSteps != stepsTaken { try saveCheckpoint() }
        return TrainingReport(
            model: model, epochLosses: lossesSoFar, epochSeconds: secondsSoFar, steps: stepsTaken, threads: workers,
            trainSeconds: total, samplesPerSecond: Double(samplesDone - samplesAtStart) / max(total, 1e-12),
            executor: modesDiffer ? .perStep : (modeUsed ?? mode), spanFallbacks: executor.fallbacks,
            kernel: kernel, kernelTarget: kernelTarget, chunkRows: plan.chunkRows, batchRows: batchRows, rows: data.rows,
            trueWeights: data.trueWeights, trueBias: data.trueBias, epochLRs: lrsSoFar,
            phaseSeconds: timing ? PhaseSeconds(compute: phases.compute, reduceUpdate: phases.reduceUpdate, wait: phases.wait) : nil,
            stoppedEarly: stopped && epochsDone < config.epochs, resumedFrom: resumedFrom.map { [$0.epoch, $0.batch] },
            validationLosses: validationLossesSoFar, validationMetrics: validationMetricsSoFar,
            validationMetricName: validation?.metricName, earlyStop: earlyStop, scaling: scaling, scaledModel: scaledModel,
            classWeights: classWeights.map { [$0.0, $0.1] })
    }

    /// Records the `count` epochs (one step each) of a full-batch span from their step losses,
    /// refusing non-finite losses or weights. In bulk (a span is up to 50 000 epochs of the line
    /// lesson): the losses converted and checked in one pass, the seconds appended at once, then
    /// one `onEpoch` per epoch; a divergence records the epochs before it, as one at a time would.
    private func finishFullBatchEpochs(_ count: Int, seconds: Double, onEpoch: (EpochRecord) -> Void) throws(TrainingError) {
        partialEpochSeconds = 0
        let factor = lossFactor / Double(data.rows), perEpoch = seconds / Double(max(1, count))
        let first = lossesSoFar.count, firstEpoch = epochsDone
        let losses = state.stepLoss
        lossesSoFar.append(contentsOf: repeatElement(0, count: count))
        var finite = count
        lossesSoFar.withUnsafeMutableBufferPointer { all in
            let out = all.baseAddress! + first
            for e in 0..<count { out[e] = Double(losses[e]) * factor }
            if let bad = (0..<count).first(where: { !out[$0].isFinite }) { finite = bad }
        }
        let lastIsBad = finite == count && count > 0 && !state.parametersAreFinite
        let recorded = lastIsBad ? count - 1 : finite
        lossesSoFar.removeLast(count - recorded)
        secondsSoFar.append(contentsOf: repeatElement(perEpoch, count: recorded))
        // Without a schedule every step had the configured rate: one append, not a copy of the
        // optional scheduler per epoch (line50's 50 000 epochs: ~0.3 ms of start-to-end).
        if scheduler == nil {
            lrsSoFar.append(contentsOf: repeatElement(config.scheduleBaseLR, count: recorded))
        } else {
            for e in 0..<recorded { lrsSoFar.append(lrOfSpanStep(e)) }
        }
        epochsDone += recorded
        // Validation, early stopping, plateau: their spans are one epoch each (`decidesEachEpoch`).
        let scores = recorded == 1 ? scoreEpoch(trainLoss: lossesSoFar[first]) : nil
        let validationLoss = scores?.loss, validationMetric = scores?.metric
        lossesSoFar.withUnsafeBufferPointer { all in
            lrsSoFar.withUnsafeBufferPointer { lrs in
                for e in 0..<recorded {
                    onEpoch(EpochRecord(
                        epoch: firstEpoch + e + 1, loss: all[first + e], seconds: perEpoch, lr: lrs[first + e],
                        validationLoss: validationLoss, validationMetric: validationMetric))
                }
            }
        }
        if case .plateau = config.schedule, recorded == 1 { scheduler?.step(metric: scores?.loss ?? lossesSoFar[first]) }
        if recorded < count {
            throw divergence(epoch: epochsDone + 1, step: stepsTaken - count + recorded + 1, losses: lossesSoFar)
        }
    }

    /// Rows visited since the start (a resumed run counts the checkpoint's): every batch before the
    /// current one in an epoch is whole.
    var samplesDone: Int { epochsDone * data.rows + batchInEpoch * batchRows }

    /// The error for a run that stopped being finite at `epoch` / `step`, with the last finite loss.
    private func divergence(epoch: Int, step: Int, losses: [Double]) -> TrainingError {
        .diverged(epoch: epoch, step: step, lastFiniteLoss: losses.last(where: \.isFinite), lr: config.optimizer.lr)
    }

    /// Records a finished epoch (refusing non-finite losses or weights) and tells the caller.
    private func finishEpoch(
        loss: Double, seconds: Double, lr: Double, checkFinite: Bool, onEpoch: (EpochRecord) -> Void
    ) throws(TrainingError) {
        guard loss.isFinite || !checkFinite, state.parametersAreFinite else {
            throw divergence(epoch: epochsDone + 1, step: stepsTaken, losses: lossesSoFar)
        }
        lossesSoFar.append(loss)
        secondsSoFar.append(seconds)
        lrsSoFar.append(lr)
        partialEpochSeconds = 0
        epochsDone += 1
        let scores = scoreEpoch(trainLoss: loss)
        if case .plateau = config.schedule { scheduler?.step(metric: scores?.loss ?? loss) }
        onEpoch(EpochRecord(epoch: epochsDone, loss: loss, seconds: seconds, lr: lr, validationLoss: scores?.loss, validationMetric: scores?.metric))
    }

    /// The loss over the whole dataset at the current parameters (mean, with the config's loss).
    public func evaluate() -> Double {
        executor.run(evaluationSpan())
        return state.evalLoss[0] * lossFactor / Double(data.rows)
    }

    /// The next `steps` steps from where the run is (`epochsDone`, `batchInEpoch`).
    func stepSpan(steps: Int) -> StepSpan {
        let shuffled = state.permutation != nil
        return StepSpan(
            source: rowSource, params: SharedPointer(state.params), momentum: SharedPointer(state.momentum), totals: SharedPointer(state.totals),
            stepLoss: SharedPointer(state.stepLoss), partials: SharedPointer(state.partials.base),
            partialStride: state.partials.stride, claims: state.claims, permutation: state.permutation.map { SharedPointer($0) },
            order: shuffled ? EpochPermutation(rows: data.rows, seed: config.seed, epoch: epochsDone) : nil,
            rows: data.rows, d: data.features, lanes: state.lanes, paramCount: state.paramCount, batch: batchRows, chunkRows: plan.chunkRows,
            batchesPerEpoch: batchesPerEpoch, chunksPerBatch: plan.chunkCount(rows: batchRows),
            batchScale: config.loss.gradientScale(rows: batchRows) * classScale, classScale: classScale, kernel: kernel, loss: config.loss, sgd: config.optimizer,
            penalty: config.penalty.flatMap { $0.alpha == 0 ? nil : $0 },
            stepLR: scheduler == nil ? nil : SharedPointer(state.stepLR),
            stepsBefore: stepsTaken, stepCount: steps, firstBatch: batchInEpoch,
            fillPermutation: permutationEpoch != epochsDone, progress: SharedPointer(progress.words),
            combiner: combineBox.map { SharedPointer($0) }, fastReduction: config.reduction == .fast && combineBox != nil,
            communication: SharedPointer(communicationWords), scaling: state.scaling)
    }

    func evaluationSpan() -> EvaluationSpan {
        EvaluationSpan(
            source: rowSource, params: SharedPointer(state.params), partials: SharedPointer(state.evalPartials.base), partialStride: state.evalPartials.stride,
            claims: state.claims, result: SharedPointer(state.evalLoss), rows: data.rows, d: data.features, paramCount: state.paramCount,
            chunkRows: evalChunkRows, kernel: kernel, combiner: combineBox.map { SharedPointer($0) }, scaling: state.scaling)
    }
}

/// The boxed combine of a trainer and its communication counters, freed with their owner (also
/// when `Trainer.init` throws after making them, where the trainer's deinit never runs).
final class CombineStorage {
    let box: UnsafeMutablePointer<any CrossProcessExchange>?
    let words: UnsafeMutablePointer<UInt64>

    init(_ given: (any CrossProcessCombine)?) {
        words = .allocate(capacity: 3)
        words.initialize(repeating: 0, count: 3)
        // One rank has nothing to exchange: `mpirun -np 1` then trains exactly as a plain run, in
        // spans (an exchange per step would force the per-step executor: +13 % on w3).
        if let given, given.ranks > 1 {
            // The exchange is package-only: the library's own combines (MPICombine, SimulatedRanks) have it.
            guard let combine = given as? any CrossProcessExchange else {
                preconditionFailure("\(type(of: given)) is not one of Lockstep's combines: use MPIWorld.combine()")
            }
            let box = UnsafeMutablePointer<any CrossProcessExchange>.allocate(capacity: 1)
            box.initialize(to: combine)
            self.box = box
        } else {
            box = nil
        }
    }

    deinit {
        box?.deinitialize(count: 1)
        box?.deallocate()
        words.deallocate()
    }
}
