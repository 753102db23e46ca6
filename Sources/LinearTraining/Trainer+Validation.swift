import SyntheticData

extension Trainer {
    /// (training data, validation data) for `config.validation`.
    static func splitValidation(_ config: TrainingConfig, _ data: TrainingData, _ given: TrainingData?) throws(TrainingError)
        -> (TrainingData, TrainingData?)
    {
        var heldOut = given
        switch config.validation {
        case nil:
            if given != nil {
                throw .invalidValue(key: "data.validation", value: "validation data given", fix: "set config.validation = .source(…) as well")
            }
            return (data, nil)
        case let .split(split)?:
            guard given == nil else {
                throw .invalidValue(key: "data.validation", value: "fraction \(split.fraction) and validation data", fix: "give one of them")
            }
            guard case let .stored(dataset) = data else {
                throw .invalidValue(
                    key: "data.validation.fraction", value: "\(split.fraction)",
                    fix: "data made on the fly (materialize: false) is not stored, so its rows cannot be held out; "
                        + "give data.validation its own source (e.g. a synthetic block with another seed)")
            }
            let parts = try split.split(dataset, key: split.seed ?? config.seed)
            return (.stored(parts.train), .stored(parts.validation))
        case let .source(source)?:
            if heldOut == nil {
                do { heldOut = try source.load(threads: 1) } catch {
                    throw .invalidValue(key: "data.validation", value: source.summary, fix: error.description)
                }
            }
            guard let heldOut else { return (data, nil) }
            guard heldOut.features == data.features else {
                throw .invalidValue(
                    key: "data.validation", value: "\(heldOut.features) feature(s)",
                    fix: "the training data has \(data.features); give validation data of the same columns")
            }
            if config.loss.needsBinaryLabels, let (row, value) = heldOut.firstNonBinaryLabel() {
                throw .badLabel(source: heldOut.source, row: row, value: value, fix: "the logistic loss takes labels 0 and 1")
            }
            return (data, heldOut)
        }
    }

    /// The training and validation rows a run of `config` on `data` uses (the same split, by the
    /// same seed, as training makes); validation nil when the config holds no validation block.
    /// `evaluate --config` scores the validation rows with it, not the rows the model learned.
    public static func trainingAndValidationRows(_ config: TrainingConfig, _ data: TrainingData) throws(TrainingError)
        -> (training: TrainingData, validation: TrainingData?)
    {
        try splitValidation(config, data, nil)
    }

    /// After an epoch (`epochsDone` counts it): the validation pass, then early stopping's
    /// decision on the validation loss (or `trainLoss` without a validation set).
    func scoreEpoch(trainLoss: Double) -> (loss: Double, metric: Double)? {
        let params = state.scaling.map { $0.originalUnits(UnsafePointer(state.params), worker: workers) } ?? UnsafePointer(state.params)
        let scores = validation.map { $0.score(params, threads: workers) }
        if let scores {
            validationLossesSoFar.append(scores.loss)
            validationMetricsSoFar.append(scores.metric)
        }
        stopper?.observe(scores?.loss ?? trainLoss, epoch: epochsDone, params: state.params, count: state.paramCount)
        return scores
    }

    /// At the end of a run: for one stopped early, the best epoch's weights when asked
    /// (`restoreBest`, as Keras restores them only when it stops), and the report of the stop.
    func finishEarlyStop() -> EarlyStopReport? {
        guard let s = stopper, s.stopped else { return nil }
        let restore = s.rule.restoreBest && s.bestParams.count == state.paramCount
        if restore { for j in 0..<state.paramCount { state.params[j] = s.bestParams[j] } }
        return EarlyStopReport(
            stoppedAfterEpoch: epochsDone, bestEpoch: s.bestEpoch, bestLoss: s.best,
            monitored: validation == nil ? "training loss" : "validation loss", patience: s.rule.patience,
            minDelta: s.rule.minDelta, restoredBest: restore)
    }

    /// `r2` or `accuracy`: the validation metric (nil without a validation set).
    public var validationMetricName: String? { validation?.metricName }

    /// The validation rows (nil without a validation set).
    public var validationData: TrainingData? { validation?.data }

    /// The validation loss and metric of each finished epoch.
    public var finishedValidation: [(loss: Double, metric: Double)] {
        zip(validationLossesSoFar, validationMetricsSoFar).map { ($0, $1) }
    }
}
