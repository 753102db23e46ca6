import DataParallel
import SyntheticData

/// Seconds of the step spans of a run, averaged over the workers: computing (gradients and
/// shuffles), reducing and updating, and the rest (waiting at barriers, fan-out). They add up to
/// the spans' wall time.
public struct PhaseSeconds: Sendable, Equatable, Codable {
    /// Seconds spent computing gradients and shuffles (per worker, averaged).
    public var compute: Double
    /// Seconds spent reducing the partial sums and updating the parameters (per worker, averaged).
    public var reduceUpdate: Double
    /// The rest of the spans' time: waiting at barriers and fanning out (per worker, averaged).
    public var wait: Double

    /// Phase times as measured; the three should add up to the spans' wall time.
    public init(compute: Double, reduceUpdate: Double, wait: Double) {
        self.compute = compute
        self.reduceUpdate = reduceUpdate
        self.wait = wait
    }

    /// The three figures as the summary file writes them: `computeSeconds`, `reduceUpdateSeconds`, `waitSeconds`.
    public var json: JSONValue {
        .object([("computeSeconds", .double(compute)), ("reduceUpdateSeconds", .double(reduceUpdate)), ("waitSeconds", .double(wait))])
    }
}

/// What a training run produced and how long it took.
///
/// `Codable`: `JSONEncoder().encode(report)` and `JSONDecoder().decode(TrainingReport.self, from:)`
/// keep every field (the model's floats exactly); no import of SyntheticData is needed. The CLI's
/// summary file is a different, documented JSON (`json`, with the config and the run's figures).
public struct TrainingReport: Sendable, Equatable, Codable {
    /// The trained weights and bias (after early stopping's restore, when it restored the best epoch).
    public var model: LinearModel
    /// One loss per epoch (see `EpochRecord.loss`).
    public var epochLosses: [Double]
    /// Seconds of each epoch's shuffle and steps.
    public var epochSeconds: [Double]
    /// SGD steps taken in the whole run (a resumed run counts the steps before the resume too).
    public var steps: Int
    /// Worker threads that ran the steps.
    public var threads: Int
    /// The whole training loop, per-epoch evaluation and checkpoints included, but not the run's last
    /// checkpoint (written at its end, like the summary).
    public var trainSeconds: Double
    /// Rows processed per second of `trainSeconds` (rows of the steps this run took, not those before a resume).
    public var samplesPerSecond: Double
    /// The mode that ran the spans (per-step if any span had to fall back).
    public var executor: ExecutionMode
    /// Spans that could not run as one `concurrentPerform` span and fell back to one fan-out per step (0 normally).
    public var spanFallbacks: Int
    /// The gradient kernel used (picked by feature count unless the config names one).
    public var kernel: GradientKernels.Kind
    /// The copy of the kernels that ran (AVX-512 or portable).
    public var kernelTarget: GradientKernels.Target
    /// Rows per chunk: the fixed unit of work and of the reduction's order (`ShardPlan.chunkRows`).
    public var chunkRows: Int
    /// Rows per SGD step (the config's `batchSize`, resolved).
    public var batchRows: Int
    /// Rows of the data (each epoch visits all of them).
    public var rows: Int
    /// The weights the data were made from, when known (synthetic data).
    public var trueWeights: [Float]?
    /// The bias the data were made from, when known.
    public var trueBias: Float?
    /// The learning rate of each epoch (see `EpochRecord.lr`).
    public var epochLRs: [Double] = []
    /// Where the step spans' time went, when `Trainer.measurePhases` was set.
    public var phaseSeconds: PhaseSeconds? = nil
    /// The run stopped (by `TrainingProgress.requestStop`) before its last epoch.
    public var stoppedEarly = false
    /// [epochs done, batch] of the checkpoint the run resumed from.
    public var resumedFrom: [Int]? = nil
    /// The validation loss and metric of each epoch (empty without a validation set).
    public var validationLosses: [Double] = []
    /// The validation metric of each epoch: R² for regression losses, accuracy for logistic (see
    /// `validationMetricName`).
    public var validationMetrics: [Double] = []
    /// `r2` or `accuracy`; nil without a validation set.
    public var validationMetricName: String? = nil
    /// Why and where early stopping ended the run (nil when it ran every epoch).
    public var earlyStop: EarlyStopReport? = nil
    /// `standardize`: the features' means and standard deviations (`model` is in the data's units,
    /// `scaledModel` holds the weights of the scaled features as trained); nil without it.
    public var scaling: FeatureScaling? = nil
    /// `standardize`: the weights and bias of the scaled features, as trained (nil without it).
    public var scaledModel: LinearModel? = nil
    /// `loss.classWeight` resolved: [w₀, w₁] (nil without class weights).
    public var classWeights: [Float]? = nil

    /// The last epoch's training loss (NaN when no epoch ran).
    public var finalLoss: Double { epochLosses.last ?? .nan }

    /// max_j |w_j − w*_j|, when the true weights are known.
    public var maxWeightError: Float? {
        guard let t = trueWeights, t.count == model.weights.count else { return nil }
        return zip(model.weights, t).map { abs($0 - $1) }.max()
    }

    /// |b − b*|, when the true bias is known.
    public var biasError: Float? { model.outputs == 1 ? trueBias.map { abs(model.bias - $0) } : nil }

    /// The JSON of DESIGN.md's `--summary` contract; `config` is the resolved configuration.
    public func json(config: JSONValue) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("weights", .floats(model.weights)),
            model.outputs == 1 ? ("bias", .float(model.bias)) : ("biases", .floats(model.biases)),
            ("finalLoss", .double(finalLoss)),
            ("epochLosses", .doubles(epochLosses)),
            ("epochSeconds", .doubles(epochSeconds)),
            ("epochLrs", .doubles(epochLRs)),
            ("steps", .int(steps)),
            ("threads", .int(threads)),
            ("executor", .string(executor.rawValue)),
            ("spanFallbacks", .int(spanFallbacks)),
            ("kernel", .string(kernel.rawValue)),
            ("kernelTarget", .string(kernelTarget.rawValue)),
            ("chunkRows", .int(chunkRows)),
            ("batchRows", .int(batchRows)),
            ("rows", .int(rows)),
            ("features", .int(model.features)),
            ("nonZeroWeights", .int(model.weights.count { $0 != 0 })),
            ("trainSeconds", .double(trainSeconds)),
            ("samplesPerSecond", .double(samplesPerSecond)),
        ]
        if model.outputs > 1 { pairs.append(("classes", .int(model.outputs))) }
        if let t = trueWeights { pairs.append(("trueWeights", .floats(t))) }
        if let b = trueBias { pairs.append(("trueBias", .float(b))) }
        if let e = maxWeightError { pairs.append(("maxWeightError", .float(e))) }
        if let e = biasError { pairs.append(("biasError", .float(e))) }
        if let name = validationMetricName {
            pairs.append(("validation", .object([
                ("metric", .string(name)), ("losses", .doubles(validationLosses)), ("metrics", .doubles(validationMetrics)),
                ("finalLoss", .double(validationLosses.last ?? .nan)), ("finalMetric", .double(validationMetrics.last ?? .nan)),
            ])))
        }
        if let e = earlyStop {
            pairs.append(("earlyStopping", .object([
                ("stoppedAfterEpoch", .int(e.stoppedAfterEpoch)), ("bestEpoch", .int(e.bestEpoch)), ("bestLoss", .double(e.bestLoss)),
                ("monitored", .string(e.monitored)), ("restoredBest", .bool(e.restoredBest)), ("reason", .string(e.sentence)),
            ])))
        }
        if let scaling, let scaledModel {
            pairs.append(("standardization", .object([
                ("mean", .floats(scaling.mean)), ("scale", .floats(scaling.scale)),
                ("scaledWeights", .floats(scaledModel.weights)), ("scaledBias", .float(scaledModel.bias)),
            ])))
        }
        if let c = classWeights { pairs.append(("classWeights", .floats(c))) }
        if let r = resumedFrom { pairs.append(("resumedFrom", .object([("epochsDone", .int(r[0])), ("batchInEpoch", .int(r[1]))]))) }
        pairs.append(("config", config))
        return .object(pairs)
    }
}

/// Lockstep's version, in one place: `lockstep --version`, summaries and saved files.
public enum LockstepVersion {
    /// The version string, semantic versioning (`MAJOR.MINOR.PATCH`, `-dev` between releases).
    public static let string = "0.8.0-dev"
}
