import SyntheticData

/// The rows a trainer reads: a dataset in memory (made, loaded or mapped), or a synthetic spec
/// whose rows are made as each step needs them (never stored; the same bits as the stored form).
public enum TrainingData: Sendable {
    case stored(Dataset)
    case generated(SyntheticRows)

    public var rows: Int {
        switch self {
        case let .stored(d): return d.rows
        case let .generated(g): return g.rows
        }
    }

    public var features: Int {
        switch self {
        case let .stored(d): return d.features
        case let .generated(g): return g.features
        }
    }

    public var trueWeights: [Float]? {
        switch self {
        case let .stored(d): return d.trueWeights
        case let .generated(g): return g.spec.trueWeights
        }
    }

    public var trueBias: Float? {
        switch self {
        case let .stored(d): return d.trueBias
        case let .generated(g): return g.spec.bias
        }
    }

    /// "synthetic 1000 × 2 (seed 0)", "npy data/w3 (synthetic 4194304 × 64 (seed 0))", …
    public var source: String {
        switch self {
        case let .stored(d): return d.source
        case let .generated(g): return g.spec.summary + ", made on the fly"
        }
    }

    /// Bytes of X and y (for on-the-fly data, the bytes it would take).
    public var byteCount: Int { rows * (features + 1) * 4 }

    /// The stored dataset, when there is one.
    public var dataset: Dataset? {
        if case let .stored(d) = self { return d }
        return nil
    }
}
