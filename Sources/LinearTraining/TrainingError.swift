/// Failures of a training run: bad configuration, or a run that diverged.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidValue(key: String, value: String, fix: String)
    case featureMismatch(data: Int, config: Int)
    case diverged(epoch: Int, lastFiniteLoss: Double?, lr: Float)

    public var description: String {
        switch self {
        case let .invalidValue(key, value, fix):
            return "invalid \(key): \(value); \(fix)"
        case let .featureMismatch(data, config):
            return "the data has \(data) feature(s) but the config expects \(config); make them agree"
        case let .diverged(epoch, last, lr):
            let lastText = last.map { "\($0)" } ?? "none"
            return "training diverged in epoch \(epoch): the loss is no longer finite (last finite loss \(lastText)); "
                + "lower the learning rate (now \(lr))"
        }
    }
}
