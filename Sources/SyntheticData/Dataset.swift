/// A regression dataset in memory: X (rows × features, Float32, row-major, contiguous) and y (rows).
///
/// Owns its memory: anonymous pages (huge pages where large) for generated and CSV data, or a
/// read-only mapping of .npy files (`loadNpy`), never copied. Immutable once made; shared
/// read-only by every worker of a training run.
public final class Dataset: @unchecked Sendable {
    public let rows: Int
    public let features: Int
    /// rows × features, row-major, contiguous; 2 MiB aligned when made in memory, 4-byte aligned
    /// (64 for files numpy wrote) when mapped from a .npy file, whose pages are read-only.
    public let x: UnsafeMutablePointer<Float>
    /// rows targets.
    public let y: UnsafeMutablePointer<Float>
    /// The weights and bias the data were made from, when known (synthetic data).
    public let trueWeights: [Float]?
    public let trueBias: Float?
    /// Where the data came from, for reports: "synthetic 1000 × 2 (seed 0)", "csv configs/data/line50.csv".
    public let source: String
    private let storage: [AnyObject]

    /// A zero-filled dataset of `rows × features` to be written by a loader or generator.
    public init(rows: Int, features: Int, trueWeights: [Float]? = nil, trueBias: Float? = nil, source: String)
        throws(DataError)
    {
        precondition(rows >= 1 && features >= 1, "rows \(rows), features \(features)")
        try MemoryCheck.requireRoom(rows: rows, floatsPerRow: features + 1)
        let xm = try MappedMemory(byteCount: rows * features * 4)
        let ym = try MappedMemory(byteCount: rows * 4)
        storage = [xm, ym]
        x = xm.base.bindMemory(to: Float.self, capacity: rows * features)
        y = ym.base.bindMemory(to: Float.self, capacity: rows)
        self.rows = rows
        self.features = features
        self.trueWeights = trueWeights
        self.trueBias = trueBias
        self.source = source
    }

    /// A dataset over memory that `owners` keep alive.
    init(
        rows: Int, features: Int, x: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>, owners: [AnyObject],
        trueWeights: [Float]?, trueBias: Float?, source: String
    ) {
        self.rows = rows
        self.features = features
        self.x = x
        self.y = y
        storage = owners
        self.trueWeights = trueWeights
        self.trueBias = trueBias
        self.source = source
    }

    /// Bytes of X and y together.
    public var byteCount: Int { rows * (features + 1) * 4 }

    /// Row `i` of X.
    @inlinable
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { x + i &* features }
}
