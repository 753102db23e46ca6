import Foundation
import SyntheticData

/// A trained model as a file (`model.json`, `train --model PATH`): what `predict`, `evaluate` and
/// `train --init-from` read.
///
/// It holds the weights and bias (readable and as exact bit patterns, see `LinearModel`), the loss
/// it was trained with (which says what a prediction is: a value, or for `logistic` the
/// probability of class 1), the classes, the feature names the columns of new data are matched by
/// (a CSV header's names; `x0`, `x1`, … otherwise), the target column, and where it came from.
/// `Codable`; `text` is the file's JSON (keys sorted, pretty-printed), `init(text:path:)` reads it
/// back with every field checked.
public struct SavedModel: Sendable, Equatable, Codable {
    /// The `format` field every model file carries; a file with another is refused.
    public static let format = "lockstep-model"
    /// The file format version this build writes (`version`).
    public static let currentVersion = 1

    /// Always `SavedModel.format`.
    public var format: String = SavedModel.format
    /// The file format's version.
    public var version: Int = SavedModel.currentVersion
    /// `regression` or `binary-classification`.
    public var task: Task
    /// The loss trained with.
    public var loss: Loss
    /// Huber's δ (the `huber` loss only).
    public var huberDelta: Double?
    /// The class labels (`[0, 1]` for `logistic`); nil for regression.
    public var classes: [Int]?
    /// One name per weight, in the order of the weights.
    public var featureNames: [String]
    /// The name of the target column (a CSV's, or `y`).
    public var target: String
    /// The model in the data's own units: what predictions use.
    public var model: LinearModel
    /// A model trained with `data.standardize`: the features' means and standard deviations, and
    /// the weights of the scaled features as trained (`model` = `scaling.originalUnits(scaledModel)`
    /// bit for bit). nil for a model trained on the features as they are.
    public var scaling: FeatureScaling? = nil
    /// The weights of the scaled features of a standardised model (see `scaling`); nil otherwise.
    public var scaledModel: LinearModel? = nil
    /// Where the model came from: the version, config and data it was trained with, and how long.
    public var provenance: Provenance

    /// What a model predicts.
    public enum Task: String, Sendable, Codable {
        /// A value (`squared`, `mse` and `huber` models): the prediction is x·w + b.
        case regression
        /// Classes 0 and 1 (`logistic` models): the prediction is the probability σ(x·w + b) of class 1.
        case binaryClassification = "binary-classification"
        /// Classes 0…k−1 (`softmax` models): the prediction is the most likely class of softmax(x·W + b).
        case multiclassClassification = "multiclass-classification"

        /// The task a model of `loss` has.
        public static func of(_ loss: Loss) -> Task {
            switch loss {
            case .logistic: return .binaryClassification
            case .softmax: return .multiclassClassification
            case .squared, .mse, .huber: return .regression
            }
        }
    }

    /// Where a model came from.
    public struct Provenance: Sendable, Equatable, Codable {
        /// The `LockstepVersion.string` of the build that trained the model.
        public var lockstepVersion: String
        /// FNV-1a of the config's resume key (`TrainingCheckpoint.configHash`): the same for runs of the same job.
        public var configHash: String
        /// The config as resolved, as JSON text.
        public var config: String
        /// The training data, described (`TrainingData.source`, e.g. a file's path or the synthetic spec).
        public var dataSource: String
        /// Rows trained on (after any validation split took its share).
        public var dataRows: Int
        /// `TrainingData.fingerprint()`: FNV-1a over 4096 rows spread evenly over the data.
        public var dataFingerprint: String
        /// Epochs completed (including those before a resume; fewer than `training.epochs` after an early stop).
        public var epochs: Int
        /// SGD steps taken over the whole run.
        public var steps: Int
        /// The last epoch's training loss (`TrainingReport.finalLoss`; NaN if no epoch finished).
        public var finalLoss: Double
        /// When early stopping restored the best epoch's weights (`restoreBest`): that epoch
        /// (1-based), whose weights these are, while `epochs` and `finalLoss` describe the last
        /// epoch run. nil otherwise.
        public var weightsFromEpoch: Int? = nil

        /// A provenance from its fields, as listed above.
        public init(
            lockstepVersion: String, configHash: String, config: String, dataSource: String, dataRows: Int,
            dataFingerprint: String, epochs: Int, steps: Int, finalLoss: Double
        ) {
            self.lockstepVersion = lockstepVersion
            self.configHash = configHash
            self.config = config
            self.dataSource = dataSource
            self.dataRows = dataRows
            self.dataFingerprint = dataFingerprint
            self.epochs = epochs
            self.steps = steps
            self.finalLoss = finalLoss
        }
    }

    /// A model file for `model` trained with `loss`. `task` and `classes` follow from the loss; `huberDelta`
    /// is kept for `huber` only (default 1); `featureNames` default to `x0`, `x1`, …, `target` to `y`.
    public init(
        model: LinearModel, loss: Loss, huberDelta: Double? = nil, featureNames: [String]? = nil, target: String = "y",
        provenance: Provenance
    ) {
        self.model = model
        self.loss = loss
        self.huberDelta = loss == .huber ? (huberDelta ?? 1) : nil
        task = .of(loss)
        classes = loss == .logistic ? [0, 1] : loss == .softmax ? Array(0..<model.outputs) : nil
        self.featureNames = featureNames ?? Self.indexNames(model.features)
        self.target = target
        self.provenance = provenance
    }

    /// `x0`, `x1`, … for data whose columns have no names.
    public static func indexNames(_ d: Int) -> [String] { (0..<d).map { "x\($0)" } }

    /// The model a trainer has now, with what it was trained on.
    public init(trainer: Trainer, report: TrainingReport, featureNames: [String]? = nil, target: String = "y") {
        let checkpointHash = TrainingCheckpoint.hash(trainer.config.resumeKey.keys.sorted().map { "\($0)=\(trainer.config.resumeKey[$0]!)\n" }.joined())
        self.init(
            model: report.model, loss: trainer.config.loss, huberDelta: Double(trainer.config.huberDelta),
            featureNames: featureNames, target: target,
            provenance: Provenance(
                lockstepVersion: LockstepVersion.string, configHash: checkpointHash,
                config: trainer.config.json(threads: nil).text(), dataSource: trainer.data.source, dataRows: trainer.data.rows,
                dataFingerprint: trainer.data.fingerprint(), epochs: report.epochLosses.count, steps: report.steps,
                finalLoss: report.finalLoss))
        if let stop = report.earlyStop, stop.restoredBest { provenance.weightsFromEpoch = stop.bestEpoch }
        scaling = report.scaling
        scaledModel = report.scaledModel
    }

    /// The file's text: JSON, keys sorted, two-space indents, a final newline.
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding cannot fail: every number is finite (checked when made and when read).
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads a model file's text; `path` names it in errors.
    public init(text: String, path: String) throws(TrainingError) {
        func bad(_ problem: String) -> TrainingError {
            .badModel(path: path, problem: problem)
        }
        let decoded: SavedModel
        do {
            decoded = try JSONDecoder().decode(SavedModel.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw bad(Self.describe(error))
        } catch {
            throw bad("is not a model file (\(error.localizedDescription))")
        }
        guard decoded.format == Self.format else { throw bad("is not a lockstep model (format \"\(decoded.format.prefix(40))\")") }
        guard decoded.version == Self.currentVersion else {
            throw bad("has version \(decoded.version); this lockstep reads version \(Self.currentVersion)")
        }
        guard decoded.featureNames.count == decoded.model.features else {
            throw bad("has \(decoded.featureNames.count) feature names for \(decoded.model.features) \(decoded.model.outputs == 1 ? "weights" : "features")")
        }
        guard decoded.task == .of(decoded.loss), (decoded.model.outputs > 1) == (decoded.loss == .softmax) else {
            throw bad("says task \(decoded.task.rawValue) for the loss \(decoded.loss.rawValue)"
                + (decoded.model.outputs == 1 ? "" : " with \(decoded.model.outputs) outputs"))
        }
        let expectedClasses: [Int]? = decoded.task == .binaryClassification ? [0, 1]
            : decoded.task == .multiclassClassification ? Array(0..<decoded.model.outputs) : nil
        guard decoded.classes == expectedClasses else {
            throw bad("has classes \(decoded.classes.map { "\($0)" } ?? "none") for the task \(decoded.task.rawValue)"
                + " (expected \(expectedClasses.map { "\($0)" } ?? "none"))")
        }
        var seen: [String: Int] = [:]
        for (j, name) in decoded.featureNames.enumerated() {
            if let first = seen[name] {
                throw bad("names feature \(Self.quoted(name)) twice (columns \(first) and \(j)): columns of new data are matched by name")
            }
            seen[name] = j
        }
        if let j = seen[decoded.target] {
            throw bad("names \(Self.quoted(decoded.target)) as both the target and feature \(j)")
        }
        guard decoded.huberDelta == nil || decoded.loss == .huber else {
            throw bad("has a huberDelta for the loss \(decoded.loss.rawValue)")
        }
        if decoded.loss == .huber, !(decoded.huberDelta.map { $0.isFinite && $0 > 0 } ?? false) {
            throw bad("lacks a finite huberDelta > 0 for the huber loss")
        }
        try Self.checkScaling(decoded, bad)
        self = decoded
    }

    /// A scaling and scaled weights come together, fit the width, and give `model` bit for bit.
    static func checkScaling(_ m: SavedModel, _ bad: (String) -> TrainingError) throws(TrainingError) {
        switch (m.scaling, m.scaledModel) {
        case (nil, nil): return
        case let (scaling?, scaled?):
            let d = m.model.weights.count
            guard scaling.mean.count == d, scaling.scale.count == d, scaled.weights.count == d else {
                throw bad("has a scaling or scaled weights of another width than its \(d) weight(s)")
            }
            guard scaling.mean.allSatisfy(\.isFinite), scaling.scale.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw bad("has a scaling with a non-finite mean or a scale that is not a finite number > 0")
            }
            guard scaling.originalUnits(scaled) == m.model else {
                throw bad("has weights that are not its scaled weights in the data's units (one was edited without the other)")
            }
        default:
            throw bad("has \(m.scaling == nil ? "scaled weights without a scaling" : "a scaling without scaled weights")")
        }
    }

    /// A name in a message: quoted, cut to 60 characters.
    static func quoted(_ name: String) -> String {
        name.count <= 60 ? "\"\(name)\"" : "\"\(name.prefix(59))…\""
    }

    /// Reads a model file.
    public init(path: String) throws(TrainingError) {
        do {
            try InputFile.requireRegular(path)
        } catch {
            if case let .notRegularFile(_, kind) = error {
                throw .badModel(path: path, problem: "is \(kind), not a regular file; give the model file lockstep train --model wrote")
            }
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            guard FileManager.default.fileExists(atPath: path) else { throw .badModel(path: path, problem: "does not exist") }
            throw .badModel(path: path, problem: "cannot be read as UTF-8 text")
        }
        try self.init(text: text, path: path)
    }

    /// A decoding error in a sentence: the key path and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context): return "lacks \"\(key.stringValue)\" (in \(path(context.codingPath)))"
        case let .typeMismatch(_, context): return "has the wrong type at \(path(context.codingPath))"
        case let .valueNotFound(_, context): return "has no value at \(path(context.codingPath))"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty
                ? "is not JSON" : "is damaged at \(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "cannot be read"
        }
    }

    /// What a prediction of this model is, by default: the value (regression) or the probability of class 1.
    public var defaultOutput: PredictionKind {
        switch task {
        case .regression: return .value
        case .binaryClassification: return .probability
        case .multiclassClassification: return .label
        }
    }
}
