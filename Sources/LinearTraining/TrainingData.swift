import SyntheticData

/// The rows a trainer reads: a dataset in memory (made, loaded or mapped), or a synthetic spec
/// whose rows are made as each step needs them (never stored; the same bits as the stored form).
public enum TrainingData: Sendable {
    /// Rows already in memory or mapped from .npy files; the trainer reads them, never writes or frees them.
    case stored(Dataset)
    /// Rows made from a synthetic spec as each step needs them: no memory for X or y, the same bits as the
    /// stored dataset of that spec, more arithmetic per step.
    case generated(SyntheticRows)

    /// Number of rows (examples).
    public var rows: Int {
        switch self {
        case let .stored(d): return d.rows
        case let .generated(g): return g.rows
        }
    }

    /// Number of features, d.
    public var features: Int {
        switch self {
        case let .stored(d): return d.features
        case let .generated(g): return g.features
        }
    }

    /// The weights the data were made from, when known (synthetic data), for `TrainingReport.maxWeightError`.
    public var trueWeights: [Float]? {
        switch self {
        case let .stored(d): return d.trueWeights
        case let .generated(g): return g.spec.trueWeights
        }
    }

    /// The bias the data were made from, when known (synthetic data).
    public var trueBias: Float? {
        switch self {
        case let .stored(d): return d.trueBias
        case let .generated(g): return g.spec.task == .softmax ? nil : g.spec.bias
        }
    }

    /// "synthetic 1000 × 2 (seed 0)", "npy data/w3 (synthetic 4194304 × 64 (seed 0))", …
    public var source: String {
        switch self {
        case let .stored(d): return d.source
        case let .generated(g): return g.spec.summary + ", made on the fly"
        }
    }

    /// How X is (or, made on the fly, would be) stored.
    public var dtype: DType {
        switch self {
        case let .stored(d): return d.dtype
        case let .generated(g): return g.spec.dtype
        }
    }

    /// Bytes of X and y (for on-the-fly data, the bytes it would take).
    public var byteCount: Int { rows * (features * dtype.size + 4) }

    /// The first label that is neither 0 nor 1 (row, value), if any. Made on the fly: only a
    /// regression task's rows can have one, and row 0 is checked.
    public func firstNonBinaryLabel() -> (row: Int, value: Float)? {
        switch self {
        case let .stored(d):
            for i in 0..<d.rows where d.y[i] != 0 && d.y[i] != 1 { return (i, d.y[i]) }
            return nil
        case let .generated(g):
            guard g.spec.task == .regression else { return nil }
            let x = UnsafeMutablePointer<Float>.allocate(capacity: g.features)
            defer { x.deallocate() }
            var y: Float = 0
            g.fill(row: 0, x: x, y: &y)
            return y != 0 && y != 1 ? (0, y) : nil
        }
    }

    /// The stored dataset, when there is one.
    public var dataset: Dataset? {
        if case let .stored(d) = self { return d }
        return nil
    }

    /// Up to `limit` rows spread evenly over the data (every k-th row, in order): their first
    /// feature and target, for drawing the data of a single-feature fit.
    public func sample(limit: Int) -> (x: [Float], y: [Float]) {
        let step = max(1, (rows + limit - 1) / max(1, limit))
        let picked = Array(stride(from: 0, to: rows, by: step))
        switch self {
        case let .stored(d):
            return (picked.map { d.value(row: $0, feature: 0) }, picked.map { d.y[$0] })
        case let .generated(g):
            var xs: [Float] = [], ys: [Float] = []
            let row = UnsafeMutablePointer<Float>.allocate(capacity: g.features)
            defer { row.deallocate() }
            var target: Float = 0
            for r in picked {
                g.fill(row: r, x: row, y: &target)
                xs.append(g.spec.dtype == .float16 ? Float(Float16(row[0])) : row[0])
                ys.append(target)
            }
            return (xs, ys)
        }
    }
}
