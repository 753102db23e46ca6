import Foundation

/// Failures of a training run: bad configuration, a run that diverged, checkpoints that cannot be
/// written, read or resumed.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A configuration value out of range: `key` is its config path (`optimizer.lr`), `value` what was given, `fix`
    /// what is accepted.
    case invalidValue(key: String, value: String, fix: String)
    /// The config's feature count (`config`) differs from the data's (`data`); use data of that width or change the
    /// config.
    case featureMismatch(data: Int, config: Int)
    /// A label the loss cannot take (logistic: 0 or 1); `row` is 0-based.
    case badLabel(source: String, row: Int, value: Float, fix: String)
    /// `step`: steps done in the run when the non-finite value was found.
    case diverged(epoch: Int, step: Int, lastFiniteLoss: Double?, lr: Float)
    /// The checkpoint at `path` cannot be used: missing, damaged (checksum), of another format or version; `problem`
    /// says which.
    case badCheckpoint(path: String, problem: String)
    /// Writing a checkpoint failed; the string is the write's error message (path and reason). The previous checkpoint
    /// is kept.
    case checkpointWriteFailed(String)
    /// Resuming a checkpoint of another job: what differs, one item per difference.
    case checkpointMismatch(path: String, differences: [String])
    /// A model file (`SavedModel`) that cannot be used: damaged, foreign, or of another shape.
    case badModel(path: String, problem: String)

    public var description: String {
        switch self {
        case let .invalidValue(key, value, fix):
            return "invalid \(key): \(value); \(fix)"
        case let .featureMismatch(data, config):
            return "the data has \(data) feature(s) but the config expects \(config); make them agree"
        case let .diverged(epoch, step, last, lr):
            let suggestion = String(format: "%g", suggestedLearningRate ?? Double(lr) / 10)
            let lastText = last.map { "; the last finite epoch loss was \(String(format: "%.6g", $0))" } ?? ""
            return "training diverged in epoch \(epoch) (step \(step)): the loss or a weight is no longer finite\(lastText); "
                + "lower the learning rate (now \(String(format: "%g", Double(lr)))), e.g. to \(suggestion)"
        case let .badLabel(source, row, value, fix):
            return "\(source): row \(row) has the label \(value); \(fix)"
        case let .badCheckpoint(path, problem):
            return "checkpoint \(path) \(problem)"
        case let .badModel(path, problem):
            return "model \(path) \(problem)"
        case let .checkpointWriteFailed(reason):
            return "cannot save the checkpoint: \(reason)"
        case let .checkpointMismatch(path, differences):
            return "cannot resume from \(path): it was made by a different job (\(differences.joined(separator: "; "))); "
                + "run with the same config and data, or start afresh in another checkpoint directory"
        }
    }

    /// For a diverged run: a round learning rate to try, one significant digit of a tenth of the one
    /// that diverged (nil for other errors).
    public var suggestedLearningRate: Double? {
        guard case let .diverged(_, _, _, lr) = self else { return nil }
        let tenth = Double(lr) / 10
        let scale = tenth > 0 && tenth.isFinite ? Foundation.pow(10, (Foundation.log10(tenth)).rounded(.down)) : 1
        return (tenth / scale).rounded() * scale
    }
}
