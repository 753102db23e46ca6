/// A regression dataset in memory: X (rows × features, row-major, contiguous; float32 or float16,
/// see `dtype`) and y (rows, float32).
///
/// Owns its memory: anonymous pages (huge pages where large) for generated and CSV data, or a
/// read-only mapping of .npy files (`loadNpy`), never copied. Immutable once made; shared
/// read-only by every worker of a training run.
///
/// Make one from your own values with ``init(features:x:y:source:)`` or ``init(rows:y:source:)``
/// (a checked copy), or over memory you own with ``unsafeWrapping(rows:features:dtype:x:y:owner:source:)``
/// (no copy). Read it through ``xValues``, ``yValues``, ``value(row:feature:)`` and
/// ``values(ofRow:)``: read-only, bounds-checked views, never a pointer.
public final class Dataset: @unchecked Sendable {
    /// Number of examples: rows of X and entries of y (at least 1).
    public let rows: Int
    /// Number of features, d: values in each row of X (at least 1).
    public let features: Int
    /// How X is stored: float32, or float16 (half the bytes).
    public let dtype: DType
    /// X's bytes: rows × features values of `dtype`, row-major, contiguous; 2 MiB aligned when made
    /// in memory, item-aligned (64 for files numpy wrote) when mapped from a .npy file, whose pages
    /// are read-only.
    @usableFromInline package let xBytes: UnsafeMutableRawPointer
    /// X as float32 values (`dtype == .float32` only; use `value(row:feature:)` for either).
    @usableFromInline package var x: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "this dataset's X is float16: use xHalf or value(row:feature:)")
        return xBytes.assumingMemoryBound(to: Float.self)
    }
    /// X as float16 values (`dtype == .float16` only).
    @usableFromInline package var xHalf: UnsafeMutablePointer<Float16> {
        precondition(dtype == .float16, "this dataset's X is float32: use x")
        return xBytes.assumingMemoryBound(to: Float16.self)
    }
    /// rows targets.
    package let y: UnsafeMutablePointer<Float>
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
    /// `unsafeWrapping`. Package-only, as the pointers are: clients read through `xValues`, `yValues`,
    /// `values(ofRow:)` and `value(row:feature:)`.
    package let isWritable: Bool
    /// One weight per row (`w.npy`, a CSV's `weight` column, `weighted(by:)`): each row's loss and
    /// gradient are multiplied by it, as scikit-learn's `sample_weight` (the mean still divides by
    /// the rows of the batch). nil: every row weighs 1.
    package let sampleWeights: UnsafePointer<Float>?
    private let storage: [AnyObject]

    /// A zero-filled dataset of `rows × features` (X of `dtype`) to be written by a loader or generator.
    package init(
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
    package func row(_ i: Int) -> UnsafeMutablePointer<Float> { x + i &* features }

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

    /// The sample weights (one per row) as a read-only view, no copy; nil without them.
    public var sampleWeightValues: Values? {
        sampleWeights.map { Values(base: $0, count: rows, owner: self) }
    }

    /// X as read-only float32 values, rows × features row-major, no copy (`dtype == .float32` only;
    /// for either dtype read `value(row:feature:)` or `values(ofRow:)`). Always bounds-checked, and
    /// safe over read-only mapped files.
    public var xValues: Values {
        Values(base: UnsafePointer(x), count: rows &* features, owner: self)
    }

    /// y as read-only values (`rows` targets), no copy.
    public var yValues: Values { Values(base: UnsafePointer(y), count: rows, owner: self) }

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

extension Dataset {
    /// A read-only, bounds-checked view of a dataset's float32 values (X, y or the sample weights),
    /// without a copy: index it, iterate it, or copy it with `Array(view)`. It keeps its dataset
    /// alive, and it is safe over read-only mapped `.npy` files.
    public struct Values: RandomAccessCollection, @unchecked Sendable {
        @usableFromInline let base: UnsafePointer<Float>
        /// The dataset whose memory `base` points into (kept alive with the view).
        @usableFromInline let owner: Dataset

        /// The number of values.
        public let count: Int

        init(base: UnsafePointer<Float>, count: Int, owner: Dataset) {
            self.base = base
            self.count = count
            self.owner = owner
        }

        /// The first index: 0.
        public var startIndex: Int { 0 }
        /// One past the last index: `count`.
        public var endIndex: Int { count }

        /// The value at `i`, which must be in `0..<count` (checked in every build).
        @inlinable
        public subscript(i: Int) -> Float {
            precondition(i >= 0 && i < count, "index \(i) of \(count) values")
            return base[i]
        }

        /// Calls `body` with the values as a buffer, without a copy (to hand them to a C or BLAS
        /// routine). Unsafe: the buffer is valid only inside `body`, and it must not be written
        /// (mapped `.npy` data are read-only pages; writing them crashes the process).
        public func withUnsafeBufferPointer<R, E: Error>(
            _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
        ) throws(E) -> R {
            try withExtendedLifetime(owner) { () throws(E) -> R in
                try body(UnsafeBufferPointer(start: base, count: count))
            }
        }
    }
}
