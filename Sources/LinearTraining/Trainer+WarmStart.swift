extension Trainer {
    /// Starts from a saved model's weights and bias instead of `config.model`'s initialisation
    /// (warm start, fine-tuning; `train --init-from`). Only before the first step; the momentum
    /// buffer stays zero, as in a new PyTorch optimizer over loaded parameters.
    public func start(from model: LinearModel) throws(TrainingError) {
        guard model.weights.count == data.features else {
            throw .invalidValue(
                key: "initial model", value: "\(model.weights.count) weight(s)",
                fix: "the data has \(data.features) feature(s); start from a model of the same width")
        }
        guard stepsTaken == 0 else {
            throw .invalidValue(key: "initial model", value: "given after \(stepsTaken) step(s)", fix: "set it before training starts")
        }
        state.load(model)
    }
}
