import DataParallel
import Dispatch
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
}

/// Trains a linear model on a dataset with synchronous data-parallel minibatch SGD.
///
/// Built once (validates everything, allocates every buffer), then `run()` never allocates per
/// step and never throws from inside a step. Results are bitwise identical for every worker count
/// and executor: chunks depend only on batch size and d, and every sum is taken in chunk order.
public final class Trainer {
    public let config: TrainingConfig
    /// The rows trained on: stored, or made on the fly.
    public let data: TrainingData
    public let plan: ShardPlan
    public let workers: Int
    public let kernel: GradientKernels.Kind
    /// The executor mode chosen (before any per-span fallback).
    public let mode: ExecutionMode
    public let batchRows: Int
    let evalChunkRows: Int
    let executor: Executor
    let state: TrainingState
    /// On-the-fly data: the row maker and each worker's scratch rows (X then y).
    let maker: SyntheticRows?
    let scratch: UnsafeMutableRawPointer?
    let scratchRows: Int
    let scratchStride: Int
    public private(set) var stepsTaken = 0
    /// Steps done and the last batch loss, readable from other threads while `run` trains.
    public let progress: TrainingProgress
    public private(set) var epochsDone = 0

    /// Steps with fewer floats of X than this run serially under `executor: auto`: a 2-way parallel
    /// step costs ≥ 1 µs in barriers, ~3 µs of memory-bound work at 128 KiB.
    public static let parallelThresholdFloats = 32_768

    /// A trainer over a dataset in memory.
    public convenience init(config: TrainingConfig, dataset: Dataset, topology: Topology? = nil) throws(TrainingError) {
        try self.init(config: config, data: .stored(dataset), topology: topology)
    }

    public init(config: TrainingConfig, data: TrainingData, topology: Topology? = nil) throws(TrainingError) {
        try config.validate()
        self.config = config
        progress = TrainingProgress(lossFactor: config.loss.lossFactor)
        self.data = data
        let d = data.features, n = data.rows
        batchRows = min(config.batchSize ?? n, n)
        plan = ShardPlan(batchRows: batchRows, features: d, chunkRows: config.chunkRows)
        evalChunkRows = ShardPlan.automaticChunkRows(batchRows: n, features: d)
        kernel = config.kernel ?? .automatic(features: d)
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
        let requested = config.threads ?? topology?.physicalCores ?? 1
        switch config.executor {
        case .serial: mode = .serial
        case .span: mode = .span
        case .perStep: mode = .perStep
        case .auto: mode = requested > 1 && batchRows * d >= Self.parallelThresholdFloats ? .span : .serial
        }
        workers = mode == .serial ? 1 : requested
        executor = Executor(mode: mode, workers: workers, topology: topology, bindToCores: config.bindToCores)
        let fullBatch = batchRows == n
        state = TrainingState(
            d: d, maxChunks: plan.maxChunks, evalChunks: (n + evalChunkRows - 1) / evalChunkRows,
            stepLossCapacity: fullBatch ? config.epochs : (n + batchRows - 1) / batchRows,
            permutationRows: config.shuffle && !fullBatch ? n : nil)
        state.load(LinearModel(features: d, initialisation: config.model, seed: config.seed))
        if case let .generated(maker) = data {
            let capacity = max(plan.chunkRows, evalChunkRows)
            scratchRows = capacity
            scratchStride = (capacity * (d + 1) + 15) / 16 * 16
            scratch = .allocate(byteCount: workers * scratchStride * 4, alignment: 64)
            self.maker = maker
        } else {
            scratchRows = 0
            scratchStride = 0
            scratch = nil
            maker = nil
        }
    }

    deinit { scratch?.deallocate() }

    /// Time the phases of each step (compute, reduce + update, waiting) into the report's
    /// `phaseSeconds`; costs 4 clock reads per step and worker.
    public var measurePhases: Bool {
        get { executor.measurePhases }
        set { executor.measurePhases = newValue }
    }

    /// The model as it is now.
    public var model: LinearModel { state.model }

    /// True when each epoch is one step over all rows.
    public var isFullBatch: Bool { batchRows == data.rows }

    /// Batches per epoch (the last partial batch is kept).
    public var batchesPerEpoch: Int { (data.rows + batchRows - 1) / batchRows }

    /// Steps in the whole run.
    public var totalSteps: Int { config.epochs * batchesPerEpoch }

    /// Trains `config.epochs` epochs, calling `onEpoch` after each.
    ///
    /// With `evaluateEachEpoch` false (the sweep's timing runs), minibatch epochs skip the pass over
    /// the whole dataset and only the last epoch's loss is computed.
    public func run(evaluateEachEpoch: Bool = true, onEpoch: (EpochRecord) -> Void = { _ in }) throws(TrainingError)
        -> TrainingReport
    {
        var losses: [Double] = []
        var seconds: [Double] = []
        var modesUsed: Set<ExecutionMode> = []
        var phases = (compute: 0.0, reduceUpdate: 0.0, wait: 0.0)
        let start = DispatchTime.now().uptimeNanoseconds
        let n = Double(data.rows)
        // Tiny full-batch runs go as one span (no clock reads or fan-out per epoch); bigger ones one
        // span per epoch, so every epoch is timed.
        let epochsPerSpan = isFullBatch && mode == .serial ? config.epochs : 1
        var epoch = 0
        while epoch < config.epochs {
            let spanEpochs = min(epochsPerSpan, config.epochs - epoch)
            executor.resetPhaseTimes()
            let t0 = DispatchTime.now().uptimeNanoseconds
            modesUsed.insert(executor.run(stepSpan(epoch: epoch, epochs: spanEpochs)))
            let t1 = DispatchTime.now().uptimeNanoseconds
            let split = executor.phaseTimes
            phases = (phases.compute + split.compute, phases.reduceUpdate + split.reduceUpdate, phases.wait + split.wait)
            let perEpoch = Double(t1 - t0) / 1e9 / Double(spanEpochs)
            for e in 0..<spanEpochs {
                let loss: Double
                if isFullBatch {
                    loss = Double(state.stepLoss[e]) * config.loss.lossFactor / n
                } else if evaluateEachEpoch || epoch + e + 1 == config.epochs {
                    loss = evaluate()
                } else {
                    loss = .nan  // not evaluated
                }
                guard loss.isFinite || !evaluateEachEpoch, state.parametersAreFinite else {
                    throw .diverged(epoch: epoch + e + 1, lastFiniteLoss: losses.last, lr: config.optimizer.lr)
                }
                losses.append(loss)
                seconds.append(perEpoch)
                onEpoch(EpochRecord(epoch: epoch + e + 1, loss: loss, seconds: perEpoch))
            }
            stepsTaken += spanEpochs * batchesPerEpoch
            epoch += spanEpochs
            epochsDone = epoch
        }
        let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return TrainingReport(
            model: model, epochLosses: losses, epochSeconds: seconds, steps: stepsTaken, threads: workers,
            trainSeconds: total, samplesPerSecond: Double(data.rows) * Double(config.epochs) / total,
            executor: modesUsed.count == 1 ? modesUsed.first! : .perStep, spanFallbacks: executor.fallbacks,
            kernel: kernel, chunkRows: plan.chunkRows, batchRows: batchRows, rows: data.rows,
            trueWeights: data.trueWeights, trueBias: data.trueBias,
            phaseSeconds: measurePhases ? PhaseSeconds(compute: phases.compute, reduceUpdate: phases.reduceUpdate, wait: phases.wait) : nil)
    }

    /// The loss over the whole dataset at the current parameters (mean, with the config's loss).
    public func evaluate() -> Double {
        executor.run(evaluationSpan())
        return state.evalLoss[0] * config.loss.lossFactor / Double(data.rows)
    }

    func stepSpan(epoch: Int, epochs: Int) -> StepSpan {
        let shuffled = state.permutation != nil
        return StepSpan(
            source: rowSource, params: SharedPointer(state.params), momentum: SharedPointer(state.momentum), totals: SharedPointer(state.totals),
            stepLoss: SharedPointer(state.stepLoss), partials: SharedPointer(state.partials.base),
            partialStride: state.partials.stride, permutation: state.permutation.map { SharedPointer($0) },
            order: shuffled ? EpochPermutation(rows: data.rows, seed: config.seed, epoch: epoch) : nil,
            rows: data.rows, d: data.features, batch: batchRows, chunkRows: plan.chunkRows,
            batchesPerEpoch: batchesPerEpoch, kernel: kernel, loss: config.loss, sgd: config.optimizer,
            stepsBefore: stepsTaken, stepCount: epochs * batchesPerEpoch, progress: SharedPointer(progress.words))
    }

    var rowSource: RowSource {
        let scratchFloats = scratch.map { SharedPointer($0.assumingMemoryBound(to: Float.self)) }
        let stored = data.dataset
        let x = stored?.x ?? scratchFloats!.base, y = stored?.y ?? scratchFloats!.base
        return RowSource(
            x: SharedPointer(x), y: SharedPointer(y), maker: maker, scratch: scratchFloats, scratchStride: scratchStride,
            scratchRows: scratchRows)
    }

    func evaluationSpan() -> EvaluationSpan {
        EvaluationSpan(
            source: rowSource, params: SharedPointer(state.params), partials: SharedPointer(state.evalPartials.base), partialStride: state.evalPartials.stride,
            result: SharedPointer(state.evalLoss), rows: data.rows, d: data.features,
            chunkRows: evalChunkRows, kernel: kernel)
    }
}
