import Foundation

/// `training.earlyStopping`: stop when the monitored loss stops improving (Keras' `EarlyStopping`
/// semantics; scikit-learn's `n_iter_no_change`/`tol` with `minDelta` as `tol`).
///
/// The monitored loss is the validation loss when the run has a validation set, else the epoch's
/// training loss (as scikit-learn does without `early_stopping=True`). An epoch improves when its
/// loss is below `best − minDelta`; then it becomes the best and the count of epochs without
/// improvement restarts; otherwise the count grows, and the run stops after the epoch where it
/// reaches `patience`. With `restoreBest`, a run that stops early ends with the weights after its
/// best epoch (as Keras: a run that trains all its epochs keeps its last weights).
public struct EarlyStopping: Sendable, Equatable {
    /// Epochs in a row without improvement after which the run stops (at least 1; `validate()` checks).
    public var patience: Int
    /// How much lower than the best loss an epoch's loss must be to count as an improvement, in the loss's
    /// own units (mean loss per row; at least 0; 0 means any decrease).
    public var minDelta: Double
    /// A run that stops early ends with the weights after its best epoch instead of its last.
    public var restoreBest: Bool

    /// The settings; nothing is checked until `validate()` (the trainer calls it when it is built).
    public init(patience: Int = 5, minDelta: Double = 0, restoreBest: Bool = false) {
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBest = restoreBest
    }

    /// Throws `TrainingError.invalidValue` naming `training.earlyStopping.patience` (below 1) or
    /// `training.earlyStopping.minDelta` (negative or not finite).
    public func validate() throws(TrainingError) {
        if patience < 1 {
            throw .invalidValue(key: "training.earlyStopping.patience", value: "\(patience)", fix: "use at least 1 epoch")
        }
        if !(minDelta.isFinite && minDelta >= 0) {
            throw .invalidValue(key: "training.earlyStopping.minDelta", value: "\(minDelta)", fix: "use a number >= 0")
        }
    }
}

/// The state of early stopping during a run (saved in checkpoints, so a resumed run stops where
/// the uninterrupted one does).
struct EarlyStopper: Sendable, Equatable {
    let rule: EarlyStopping
    var best = Double.infinity
    /// 1-based; 0 before the first epoch.
    var bestEpoch = 0
    var epochsWithoutImprovement = 0
    var stopped = false
    /// The parameters at the best epoch (with `restoreBest`).
    var bestParams: [Float] = []

    init(rule: EarlyStopping) { self.rule = rule }

    /// Takes epoch `epoch`'s monitored loss; `params` are the weights and bias after it.
    mutating func observe(_ loss: Double, epoch: Int, params: UnsafePointer<Float>, count: Int) {
        if loss < best - rule.minDelta {
            best = loss
            bestEpoch = epoch
            epochsWithoutImprovement = 0
            if rule.restoreBest {
                if bestParams.count != count { bestParams = [Float](repeating: 0, count: count) }
                for j in 0..<count { bestParams[j] = params[j] }
            }
        } else {
            epochsWithoutImprovement += 1
            if epochsWithoutImprovement >= rule.patience { stopped = true }
        }
    }

    /// As checkpoint words: best (Double bits), best epoch, epochs without improvement, stopped.
    var words: [UInt64] { [best.bitPattern, UInt64(bestEpoch), UInt64(epochsWithoutImprovement), stopped ? 1 : 0] }

    init?(rule: EarlyStopping, words: [UInt64], bestParams: [Float]) {
        guard words.count == 4, words[3] <= 1, words[1] < 1 << 62, words[2] < 1 << 62 else { return nil }
        self.rule = rule
        best = Double(bitPattern: words[0])
        bestEpoch = Int(words[1])
        epochsWithoutImprovement = Int(words[2])
        stopped = words[3] == 1
        self.bestParams = bestParams
    }
}

/// How a run that stopped early ended (`TrainingReport.earlyStop`).
public struct EarlyStopReport: Sendable, Equatable, Codable {
    /// The last epoch trained.
    public var stoppedAfterEpoch: Int
    /// The epoch (1-based) with the lowest monitored loss.
    public var bestEpoch: Int
    /// That lowest monitored loss (mean per row).
    public var bestLoss: Double
    /// `validation loss` or `training loss`.
    public var monitored: String
    /// The `patience` the run used.
    public var patience: Int
    /// The `minDelta` the run used.
    public var minDelta: Double
    /// The final weights are the best epoch's.
    public var restoredBest: Bool

    /// One sentence: why the run stopped and what the weights are.
    public var sentence: String {
        "early stopping after epoch \(stoppedAfterEpoch): the \(monitored) did not improve by more than \(String(format: "%g", minDelta)) "
            + "for \(patience) epoch(s); best epoch \(bestEpoch) (\(monitored) \(String(format: "%.6g", bestLoss)))"
            + (restoredBest ? "; its weights are the result" : "")
    }
}
