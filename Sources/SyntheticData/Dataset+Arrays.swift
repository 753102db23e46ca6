extension Dataset {
    /// A float32 dataset copied from your own values: `x` holds the rows one after another
    /// (row-major, `features` values per row) and `y` one target per row.
    ///
    /// ```swift
    /// let data = try Dataset(features: 2, x: [1, 2,  3, 4,  5, 6], y: [0.5, 1.5, 2.5])
    /// ```
    ///
    /// Any `Collection` of `Float` will do (an array, a slice, a lazy map). The values are checked:
    /// the counts must match (`x.count == y.count × features`, at least one row) and every value
    /// must be finite; a problem throws a ``DataError`` naming it. `source` names the data in reports.
    public convenience init<X: Collection, Y: Collection>(
        features: Int, x: X, y: Y, source: String = "arrays"
    ) throws(DataError) where X.Element == Float, Y.Element == Float {
        let rows = y.count
        guard features >= 1 else {
            throw .invalidSpec(field: "features", value: "\(features)", fix: "a dataset needs at least one feature")
        }
        guard rows >= 1 else { throw .invalidSpec(field: "y", value: "(empty)", fix: "a dataset needs at least one row") }
        guard x.count == rows * features else {
            throw .invalidSpec(
                field: "x", value: "(\(x.count) values)",
                fix: "\(rows) targets × \(features) features need \(rows * features) values in x, row after row")
        }
        try self.init(rows: rows, features: features, source: source)
        let out = xBytes.assumingMemoryBound(to: Float.self)
        var i = 0
        for v in x {
            guard v.isFinite else { throw .nonFinite(path: source, row: i / features, column: "\(i % features)") }
            out[i] = v
            i += 1
        }
        i = 0
        for v in y {
            guard v.isFinite else { throw .nonFinite(path: source, row: i, column: "y") }
            self.y[i] = v
            i += 1
        }
    }

    /// A float32 dataset copied from rows of equal length and one target per row.
    ///
    /// ```swift
    /// let data = try Dataset(rows: [[1, 2], [3, 4], [5, 6]], y: [0.5, 1.5, 2.5])
    /// ```
    public convenience init(rows: [[Float]], y: [Float], source: String = "arrays") throws(DataError) {
        let d = rows.first?.count ?? 0
        if let (i, row) = rows.enumerated().first(where: { $0.element.count != d }) {
            throw .invalidSpec(field: "row \(i)", value: "(\(row.count) values)", fix: "every row needs \(d) values, as row 0 has")
        }
        guard rows.count == y.count else {
            throw .invalidSpec(field: "y", value: "(\(y.count) values)", fix: "one target per row: \(rows.count) rows")
        }
        try self.init(features: d, x: rows.joined(), y: y, source: source)
    }

    /// A dataset over memory you own, without a copy: `x` points at `rows × features` values of
    /// `dtype` (row-major, contiguous, aligned to the value size) and `y` at `rows` float32 targets.
    ///
    /// Unsafe: the memory must stay valid and unchanged while the dataset (or a trainer or model
    /// using it) exists; `owner`, when given, is kept alive with the dataset (for example the object
    /// that frees the memory). Nothing is checked or copied, so NaN or infinity in the data reach
    /// training as they are. Training only reads X and y.
    public static func unsafeWrapping(
        rows: Int, features: Int, dtype: DType = .float32, x: UnsafeRawPointer, y: UnsafePointer<Float>,
        owner: AnyObject? = nil, source: String = "memory"
    ) -> Dataset {
        precondition(rows >= 1 && features >= 1, "a dataset needs at least one row and one feature")
        precondition(Int(bitPattern: x) % dtype.size == 0, "x is not aligned to its \(dtype.size)-byte values")
        return Dataset(
            rows: rows, features: features, dtype: dtype, x: UnsafeMutableRawPointer(mutating: x),
            y: UnsafeMutablePointer(mutating: y), owners: owner.map { [$0] } ?? [], trueWeights: nil, trueBias: nil,
            source: source, writable: false)
    }
}
