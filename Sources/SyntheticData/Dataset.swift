/// A regression dataset in memory: X (rows × features, row-major, contiguous; float32 or float16,
/// see `dtype`) and y (rows, float32).
///
/// Owns its memory: anonymous pages (huge pages where large) for generated and CSV data, or a
/// read-only mapping of .npy files (`loadNpy`), never copied. Immutable once made; shared
/// read-only by every worker of a training run.
public final class Dataset: @unchecked Sendable {
    /// Number of examples: rows of X and entries of y (at least 1).
    public let rows: Int
    /// Number of features, d: values in each row of X (at least 1).
    public let features: Int
    /// How X is stored: float32, or float16 (half the bytes; `xHalf`).
    public let dtype: DType
    /// X's bytes: rows × features values of `dtype`, row-major, contiguous; 2 MiB aligned when made
    /// in memory, item-aligned (64 for files numpy wrote) when mapped from a .npy file, whose pages
    /// are read-only.
    public let xBytes: UnsafeMutableRawPointer
    /// X as float32 values (`dtype == .float32` only; use `value(row:feature:)` for either).
    public var x: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "this dataset's X is float16: use xHalf or value(row:feature:)")
        return xBytes.assumingMemoryBound(to: Float.self)
    }
    /// X as float16 values (`dtype == .float16` only).
    public var xHalf: UnsafeMutablePointer<Float16> {
        precondition(dtype == .float16, "this dataset's X is float32: use x")
        return xBytes.assumingMemoryBound(to: Float16.self)
    }
    /// rows targets.
    public let y: UnsafeMutablePointer<Float>
    /// The weights and bias the data were made from, when known (synthetic data).
    public let trueWeights: [Float]?
    /// The bias the data were made from, when known (synthetic data); nil for loaded data and for
    /// softmax data, whose biases are `trueBiases`.
    public let trueBias: Float?
    /// Softmax data (`task: softmax`, when known): the k true biases b_c, one per class (k = the
    /// classes); `trueWeights` then holds the d × k weights feature-major (`[j * k + c]`). nil otherwise.
    public let trueBiases: [Float]?
    /// Where the data came from, for reports: "synthetic 1000 × 2 (seed 0)", "csv configs/data/line50.csv".
    public let source: String
    /// False when X or y is memory the dataset must not write: a read-only mapping of .npy files
    /// (writing through `x`, `xHalf`, `row(_:)` or `y` would crash the process) or memory given to
    /// `unsafeWrapping`. Use the read-only views (`xValues`, `yValues`, `values(ofRow:)`) to read.
    public let isWritable: Bool
    /// One weight per row (`w.npy`, a CSV's `weight` column, `weighted(by:)`): each row's loss and
    /// gradient are multiplied by it, as scikit-learn's `sample_weight` (the mean still divides by
    /// the rows of the batch). nil: every row weighs 1.
    public let sampleWeights: UnsafePointer<Float>?
    private let storage: [AnyObject]

    /// A zero-filled dataset of `rows × features` (X of `dtype`) to be written by a loader or generator.
    public init(
        rows: Int, features: Int, dtype: DType = .float32, trueWeights: [Float]? = nil, trueBias: Float? = nil,
        trueBiases: [Float]? = nil, source: String
    ) throws(DataError) {
        precondition(rows >= 1 && features >= 1, "rows \(rows), features \(features)")
        try MemoryCheck.requireRoom(rows: rows, floatsPerRow: (features * dtype.size + 3) / 4 + 1)
        let xm = try MappedMemory(byteCount: rows * features * dtype.size)
        let ym = try MappedMemory(byteCount: rows * 4)
        storage = [xm, ym]
        self.dtype = dtype
        xBytes = xm.base
        y = ym.base.bindMemory(to: Float.self, capacity: rows)
        self.rows = rows
        self.features = features
        self.trueWeights = trueWeights
        self.trueBias = trueBias
        self.trueBiases = trueBiases
        self.source = source
        isWritable = true
        sampleWeights = nil
    }

    /// A dataset over memory that `owners` keep alive.
    init(
        rows: Int, features: Int, dtype: DType = .float32, x: UnsafeMutableRawPointer, y: UnsafeMutablePointer<Float>,
        owners: [AnyObject], trueWeights: [Float]?, trueBias: Float?, trueBiases: [Float]? = nil, source: String,
        writable: Bool, sampleWeights: UnsafePointer<Float>? = nil
    ) {
        isWritable = writable
        self.sampleWeights = sampleWeights
        self.rows = rows
        self.features = features
        self.dtype = dtype
        xBytes = x
        self.y = y
        storage = owners
        self.trueWeights = trueWeights
        self.trueBias = trueBias
        self.trueBiases = trueBiases
        self.source = source
    }

    /// Bytes of X and y together.
    public var byteCount: Int { rows * (features * dtype.size + 4) }

    /// Row `i` of X (`dtype == .float32` only).
    @inlinable
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { x + i &* features }

    /// The same rows (sharing X and y, no copy) with one sample weight per row; `weights` must have
    /// `rows` values, each finite and ≥ 0, not all 0 (else `DataError.badSampleWeight`).
    public func weighted<W: Collection>(by weights: W) throws(DataError) -> Dataset where W.Element == Float {
        guard weights.count == rows else {
            throw .invalidSpec(field: "sample weights", value: "\(weights.count) values", fix: "give one weight per row (\(rows))")
        }
        let memory = try MappedMemory(byteCount: rows * 4)
        let w = memory.base.bindMemory(to: Float.self, capacity: rows)
        var total = 0.0
        for (i, v) in weights.enumerated() {
            guard v.isFinite && v >= 0 else { throw .badSampleWeight(source: source, row: i, value: v) }
            w[i] = v
            total += Double(v)
        }
        guard total > 0 else { throw .badSampleWeight(source: source, row: -1, value: 0) }
        return Dataset(
            rows: rows, features: features, dtype: dtype, x: xBytes, y: y, owners: [self, memory], trueWeights: trueWeights,
            trueBias: trueBias, trueBiases: trueBiases, source: source, writable: isWritable,
            sampleWeights: UnsafePointer(w))
    }

    /// The sample weights as a read-only buffer (nil without them).
    public var sampleWeightValues: UnsafeBufferPointer<Float>? {
        sampleWeights.map { UnsafeBufferPointer(start: $0, count: rows) }
    }

    /// X as read-only float32 values, rows × features row-major (`dtype == .float32` only; for
    /// either dtype read `value(row:feature:)` or `values(ofRow:)`). Bounds-checked when indexed in
    /// debug builds, and safe over read-only mapped files.
    public var xValues: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: UnsafePointer(x), count: rows &* features)
    }

    /// y as read-only values (`rows` targets).
    public var yValues: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: UnsafePointer(y), count: rows) }

    /// Row `i` of X as float32 values, a copy (either dtype); `i` must be in `0..<rows`.
    public func values(ofRow i: Int) -> [Float] {
        precondition(i >= 0 && i < rows, "row \(i) of a dataset of \(rows) rows")
        return (0..<features).map { value(row: i, feature: $0) }
    }

    /// X[row, feature] as float32, whatever the dtype (float16 → float32 is exact).
    @inlinable
    public func value(row: Int, feature: Int) -> Float {
        let i = row &* features &+ feature
        return dtype == .float32 ? xBytes.assumingMemoryBound(to: Float.self)[i] : Float(xHalf[i])
    }
}
