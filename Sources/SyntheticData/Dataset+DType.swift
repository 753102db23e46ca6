extension Dataset {
    /// This dataset with X stored as `dtype` (a copy; the same dataset when it already is).
    ///
    /// float32 → float16 rounds each value to nearest-even and refuses (`.outOfRange`, naming the
    /// row — 0-based, as numpy indexes — and the feature) a value float16 cannot hold, rather than
    /// saturate it to infinity. float16 → float32 is exact. `columns` names the features in messages
    /// (indices when nil).
    public func converted(to dtype: DType, columns: [String]? = nil) throws(DataError) -> Dataset {
        guard dtype != self.dtype else { return self }
        let out = try Dataset(
            rows: rows, features: features, dtype: dtype, trueWeights: trueWeights, trueBias: trueBias,
            trueBiases: trueBiases, source: source + " as \(dtype.rawValue)")
        out.y.update(from: y, count: rows)
        let count = rows * features
        switch dtype {
        case .float16:
            if let bad = HalfConversion.firstOutOfRange(x, count: count) {
                let j = bad % features
                throw .outOfRange(
                    path: source, row: bad / features, column: columns.map { $0[j] } ?? "\(j)", value: x[bad], dtype: .float16)
            }
            HalfConversion.narrow(x, count: count, into: out.xHalf)
        case .float32:
            for i in 0..<count { out.x[i] = Float(xHalf[i]) }
        }
        if let w = sampleWeightValues { return try out.weighted(by: w) }
        return out
    }
}
