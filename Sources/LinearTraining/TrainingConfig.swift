import DataParallel
import SyntheticData

/// The validation data of a run (`data.validation`).
public enum Validation: Sendable, Equatable {
    /// Rows held out of the training data by `ValidationSplit`'s keyed hash (`{fraction, seed}`).
    case split(ValidationSplit)
    /// Another source (`{csv: …}`, `{npy: …}`, `{synthetic: …}`), loaded beside the training data.
    case source(DataSource)
}

/// Where the training data come from.
public enum DataSource: Sendable, Equatable {
    /// Made in memory from a spec.
    case synthetic(DatasetSpec)
    /// Made from a spec row by row as each minibatch needs it, never stored (`materialize: false`):
    /// the same bits as `.synthetic` of the same spec.
    case onTheFly(DatasetSpec)
    /// A CSV file: `target` names the y column, every other column is a feature; X is converted
    /// to `dtype` on load (float16: rounded to nearest-even, out-of-range values refused). With
    /// `header` false the first line is data and the columns are named "0", "1", … by index.
    case csv(path: String, target: String, dtype: DType = .float32, header: Bool = true, weight: String? = nil)
    /// `dir/X.npy` and `dir/y.npy`, memory-mapped (float64 converted into memory only if allowed).
    case npy(dir: String, convertFloat64: Bool)

    /// A short human description: "synthetic 1000 × 2 (seed 0)", "csv configs/data/line50.csv".
    public var summary: String {
        switch self {
        case let .synthetic(spec): return spec.summary
        case let .onTheFly(spec): return spec.summary + ", made on the fly"
        case let .csv(path, _, dtype, _, weight):
            return "csv \(path)" + (dtype == .float16 ? " as float16" : "") + (weight.map { ", weights from '\($0)'" } ?? "")
        case let .npy(dir, _): return "npy \(dir)"
        }
    }

    /// Loads, maps or prepares the data, generating or scanning on `threads` threads.
    public func load(threads: Int) throws(DataError) -> TrainingData {
        switch self {
        case let .synthetic(spec): return .stored(try Dataset.generate(spec, threads: threads))
        case let .onTheFly(spec): return .generated(try SyntheticRows(spec))
        case let .csv(path, target, dtype, header, weight):
            guard let weight else { return .stored(try Dataset.loadCSV(path: path, target: target, header: header).converted(to: dtype)) }
            return .stored(try Dataset.loadCSV(path: path, target: target, weight: weight, header: header).converted(to: dtype))
        case let .npy(dir, convert):
            return .stored(try Dataset.loadNpy(directory: dir, convertFloat64: convert, threads: threads))
        }
    }
}

/// Everything a training run needs, resolved (no "auto" left but the executor's and kernel's).
public struct TrainingConfig: Sendable, Equatable {
    /// The training rows (`data`: `synthetic`, `csv` or `npy`); default the d2l lesson's synthetic 1000 × 2.
    public var data: DataSource
    /// How the weights start (`model.init`, `model.std`); default `normal(std: 0.01)`. `validate()` throws
    /// for a negative or non-finite std.
    public var model: ModelInit
    /// The loss minimised (`loss`, or `loss.kind`); default `squared`. `logistic` needs labels 0 and 1:
    /// `Trainer.init` throws `TrainingError.badLabel` naming the first other row.
    public var loss: Loss
    /// δ of the `huber` loss (PyTorch's default 1).
    public var huberDelta: Float = 1
    /// `loss.classes` of the `softmax` loss: k, the number of classes (labels 0…k−1). nil: from the
    /// data (a synthetic spec's `classes`, else the largest label + 1).
    public var classes: Int? = nil
    /// `loss.classWeight` of the `logistic` loss (nil: every row weighs 1).
    public var classWeight: ClassWeight? = nil
    /// `data.standardize`: train on each feature scaled to mean 0 and standard deviation 1 over the
    /// training rows (`FeatureScaling`, applied inside the step: no copy of X). The model is reported
    /// and saved in the data's own units, with the scaling and the scaled weights beside it.
    public var standardize = false
    /// Held-out data scored after every epoch (`data.validation`): a share of the rows, or another source.
    public var validation: Validation? = nil
    /// `training.earlyStopping`; nil trains every epoch.
    public var earlyStopping: EarlyStopping? = nil
    /// PyTorch `optim.SGD`'s settings (`optimizer: {lr, momentum, dampening, nesterov, weightDecay}`);
    /// default lr 0.03 and no momentum. `validate()` checks them through `SGD.validate()`.
    public var optimizer: SGD
    /// `penalty: {alpha, l1Ratio}`: elastic net on the weights (`Penalty`); nil: none.
    public var penalty: Penalty? = nil
    /// Passes over the data (`training.epochs`, ≥ 1, default 3; `validate()` throws below). Resuming a
    /// checkpoint needs at least the checkpoint's epochs; a resumed run may raise it.
    public var epochs: Int
    /// Rows per minibatch; nil means the full dataset (one step per epoch).
    public var batchSize: Int?
    /// Visit rows in a fresh order each epoch (from seed and epoch), or in storage order.
    public var shuffle: Bool
    /// Seeds the model's initialisation and the epoch orders.
    public var seed: UInt64
    /// Workers; nil means the physical cores available.
    public var threads: Int?
    /// How the workers run (`training.executor`: auto, span, per-step or serial; default auto).
    public var executor: ExecutionMode
    /// Rows per chunk; nil picks it from the batch size and d (never from the thread count).
    public var chunkRows: Int?
    /// `reference` forces the naive kernel (for checking the tuned ones); nil picks from d.
    public var kernel: GradientKernels.Kind?
    /// Bind workers to cores for each span.
    public var bindToCores: Bool
    /// The learning-rate schedule (`training.schedule`); nil keeps `optimizer.lr` throughout.
    public var schedule: LearningRateSchedule? = nil
    /// What one scheduler step is: an epoch or an SGD step (`training.schedule.interval`).
    public var scheduleInterval: LearningRateSchedule.Interval = .epoch
    /// `optimizer.lr` as written, in Double: the schedule starts from it, as PyTorch's does from the
    /// Python float (nil, or a value that no longer rounds to `optimizer.lr`: `Double(optimizer.lr)`).
    public var lrAsWritten: Double? = nil
    /// How the ranks of a distributed run combine each step (`distributed.reduction`): `exact` (the
    /// default; the bits of one process for any rank count) or `fast` (reproducible at a fixed rank
    /// count only). No effect without other processes.
    public var reduction: CrossProcessReduction = .exact

    /// The most classes the softmax loss takes (its kernels hold a row's k scores on the stack).
    public static let maxClasses = 4096

    /// The rate a schedule starts from (PyTorch's `initial_lr`).
    public var scheduleBaseLR: Double {
        if let lrAsWritten, Float(lrAsWritten) == optimizer.lr { return lrAsWritten }
        return Double(optimizer.lr)
    }

    /// A config from the d2l lesson's defaults (the README's "Config reference"): synthetic 1000 × 2 data,
    /// `normal(std: 0.01)`, `squared`, lr 0.03, 3 epochs of batches of 10, shuffled, seed 0, every physical
    /// core, `auto` executor, chunk size and kernel, workers bound to cores. The other fields keep their
    /// defaults (no validation, schedule, penalty or class weights). Checks nothing: see `validate()`.
    public init(
        data: DataSource = .synthetic(DatasetSpec()), model: ModelInit = .normal(std: 0.01), loss: Loss = .squared,
        optimizer: SGD = SGD(lr: 0.03), epochs: Int = 3, batchSize: Int? = 10, shuffle: Bool = true, seed: UInt64 = 0,
        threads: Int? = nil, executor: ExecutionMode = .auto, chunkRows: Int? = nil,
        kernel: GradientKernels.Kind? = nil, bindToCores: Bool = true
    ) {
        self.data = data
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.threads = threads
        self.executor = executor
        self.chunkRows = chunkRows
        self.kernel = kernel
        self.bindToCores = bindToCores
    }

    /// Checks the ranges of every value; the message names the key and the fix.
    public func validate() throws(TrainingError) {
        try optimizer.validate()
        try penalty?.validate()
        if epochs < 1 { throw .invalidValue(key: "training.epochs", value: "\(epochs)", fix: "use at least 1 epoch") }
        if let b = batchSize, b < 1 {
            throw .invalidValue(key: "training.batchSize", value: "\(b)", fix: "use at least 1 row, or 'full'")
        }
        if let t = threads, t < 1 {
            throw .invalidValue(key: "training.threads", value: "\(t)", fix: "use at least 1 thread, or 'auto'")
        }
        if let c = chunkRows, c < 1 {
            throw .invalidValue(key: "training.chunkRows", value: "\(c)", fix: "use at least 1 row, or 'auto'")
        }
        if !(huberDelta.isFinite && huberDelta > 0) {
            throw .invalidValue(key: "loss.delta", value: "\(huberDelta)", fix: "use a number > 0")
        }
        if let classes {
            guard loss == .softmax else {
                throw .invalidValue(key: "loss.classes", value: "\(classes)", fix: "classes apply to the softmax loss only")
            }
            guard (2...Self.maxClasses).contains(classes) else {
                throw .invalidValue(key: "loss.classes", value: "\(classes)", fix: "use 2 to \(Self.maxClasses) classes")
            }
        }
        if loss == .softmax && standardize {
            throw .invalidValue(key: "data.standardize", value: "true", fix: "the softmax loss trains on the features as they are; remove it")
        }
        if case let .normal(std) = model, !(std.isFinite && std >= 0) {
            throw .invalidValue(key: "model.std", value: "\(std)", fix: "use a standard deviation >= 0")
        }
        try schedule?.validate()
        if let classWeight {
            guard loss == .logistic else {
                throw .invalidValue(key: "loss.classWeight", value: classWeight.text, fix: "class weights apply to the logistic loss only")
            }
            try classWeight.validate()
        }
        try earlyStopping?.validate()
        if case let .split(split) = validation { try split.validate() }
        if case .plateau = schedule, scheduleInterval == .step {
            throw .invalidValue(
                key: "training.schedule.interval", value: "step", fix: "plateau steps once per epoch, on the epoch's loss; use epoch")
        }
    }
}
