import SyntheticData

extension TrainingData {
    /// Identifies the data's values: FNV-1a (64-bit) over the shape and up to 4096 rows spread
    /// evenly over the data (X and y bits). Cheap for any size; catches a different file, a
    /// different seed or a different shape.
    public func fingerprint() -> String {
        var h = FNV1a()
        h.add(word: UInt64(rows))
        h.add(word: UInt64(features))
        let step = max(1, rows / 4096)
        let row = UnsafeMutablePointer<Float>.allocate(capacity: features)
        defer { row.deallocate() }
        var y: Float = 0
        for r in stride(from: 0, to: rows, by: step) {
            switch self {
            case let .stored(d):
                for j in 0..<features { row[j] = d.value(row: r, feature: j) }
                y = d.y[r]
            case let .generated(g):
                g.fill(row: r, x: row, y: &y)
                if g.spec.dtype == .float16 { HalfConversion.roundThroughHalf(row, count: features) }
            }
            for j in 0..<features { h.add(word: UInt64(row[j].bitPattern)) }
            h.add(word: UInt64(y.bitPattern))
        }
        // Sample weights change the result: the same rows' weights too (only when there are some, so
        // unweighted data keeps its fingerprint).
        if case let .stored(d) = self, let s = d.sampleWeights {
            h.add(word: 0x7765_6967_6874)  // "weight"
            for r in stride(from: 0, to: rows, by: step) { h.add(word: UInt64(s[r].bitPattern)) }
        }
        return h.hex
    }
}
