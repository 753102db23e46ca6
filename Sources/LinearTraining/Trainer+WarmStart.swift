extension Trainer {
    /// Starts from a saved model's weights and bias instead of `config.model`'s initialisation
    /// (warm start, fine-tuning; `train --init-from`). Only before the first step; the momentum
    /// buffer stays zero, as in a new PyTorch optimizer over loaded parameters. `model` is in the
    /// data's own units; a standardised run starts from the equal model of its scaled features
    /// (`FeatureScaling.scaledUnits`, exact up to rounding).
    public func start(from model: LinearModel) throws(TrainingError) {
        try start(parameters: model)
        if let scaling { state.load(scaling.scaledUnits(model)) }
    }

    /// Starts from a saved model: as `start(from: saved.model)`, but a standardised run whose scaling
    /// is the saved model's own (the same training rows) takes its scaled weights bit for bit.
    public func start(from saved: SavedModel) throws(TrainingError) {
        if let scaling, saved.scaling == scaling, let scaled = saved.scaledModel {
            try start(parameters: scaled)
        } else {
            try start(from: saved.model)
        }
    }

    private func start(parameters model: LinearModel) throws(TrainingError) {
        guard model.features == data.features, model.outputs == classes, model.weights.count == data.features * classes else {
            throw .invalidValue(
                key: "initial model", value: "\(model.weights.count) weight(s) for \(model.outputs) output(s)",
                fix: "the data has \(data.features) feature(s) and the run \(classes) output(s); start from a model of the same shape")
        }
        guard stepsTaken == 0 else {
            throw .invalidValue(key: "initial model", value: "given after \(stepsTaken) step(s)", fix: "set it before training starts")
        }
        state.load(model)
    }
}
