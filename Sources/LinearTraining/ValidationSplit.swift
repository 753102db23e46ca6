import SyntheticData

/// A held-out share of the rows (`data.validation: {fraction, seed}`), chosen row by row by a keyed
/// hash of the row index, so the same rows are held out whatever the threads, ranks or storage.
///
/// Row i is held out when `mix(UInt64(i) &+ mix(key)) >> 11 < fraction · 2⁵³`, with `mix` the
/// SplitMix64 finaliser (x ^= x >> 30; x &*= 0xbf58476d1ce4e5b9; x ^= x >> 27;
/// x &*= 0x94d049bb133111eb; x ^= x >> 31) and key the split's seed (default `training.seed`).
/// About `fraction` of the rows, not exactly `ceil(fraction · n)` as scikit-learn's
/// `train_test_split`: a per-row rule needs no shuffle of all rows and no count to agree on.
/// numpy reproduces it in a few lines (the tests do).
public struct ValidationSplit: Sendable, Equatable {
    /// The share of rows held out, strictly between 0 and 1 (about this share: see above).
    public var fraction: Double
    /// The hash key; nil: `training.seed`.
    public var seed: UInt64?

    /// A split of `fraction` keyed by `seed` (nil: the run's `training.seed`); nothing is checked until `validate()`.
    public init(fraction: Double, seed: UInt64? = nil) {
        self.fraction = fraction
        self.seed = seed
    }

    /// Throws `TrainingError.invalidValue` naming `data.validation.fraction` when it is not strictly between 0 and 1.
    public func validate() throws(TrainingError) {
        if !(fraction > 0 && fraction < 1) {
            throw .invalidValue(key: "data.validation.fraction", value: "\(fraction)", fix: "use a number between 0 and 1, e.g. 0.1")
        }
    }

    @inline(__always)
    static func mix(_ v: UInt64) -> UInt64 {
        var x = v
        x ^= x >> 30
        x = x &* 0xbf58_476d_1ce4_e5b9
        x ^= x >> 27
        x = x &* 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return x
    }

    /// Whether row `row` is held out, with `key` the split's seed.
    @inline(__always)
    public func holdsOut(row: Int, key: UInt64) -> Bool {
        Double(Self.mix(UInt64(row) &+ Self.mix(key)) >> 11) < fraction * 9_007_199_254_740_992.0
    }

    /// `dataset` cut in two, rows in their order: (train, validation), each a copy in memory.
    /// Refused when either part would be empty.
    public func split(_ dataset: Dataset, key: UInt64) throws(TrainingError) -> (train: Dataset, validation: Dataset) {
        var held = 0
        for i in 0..<dataset.rows where holdsOut(row: i, key: key) { held += 1 }
        guard held > 0 && held < dataset.rows else {
            throw .invalidValue(
                key: "data.validation.fraction", value: "\(fraction)",
                fix: "it holds out \(held) of the \(dataset.rows) rows; choose a fraction that leaves rows on both sides")
        }
        let rowBytes = dataset.features * dataset.dtype.size
        func part(_ rows: Int, _ name: String) throws(TrainingError) -> Dataset {
            do {
                return try Dataset(
                    rows: rows, features: dataset.features, dtype: dataset.dtype, trueWeights: dataset.trueWeights,
                    trueBias: dataset.trueBias, source: dataset.source + ", \(name) rows")
            } catch {
                throw .invalidValue(key: "data.validation", value: "fraction \(fraction)", fix: "the split copies the data: \(error.description)")
            }
        }
        let train = try part(dataset.rows - held, "train"), validation = try part(held, "validation")
        var t = 0, v = 0
        for i in 0..<dataset.rows {
            let into: Dataset, at: Int
            if holdsOut(row: i, key: key) { (into, at) = (validation, v); v += 1 } else { (into, at) = (train, t); t += 1 }
            (into.xBytes + at * rowBytes).copyMemory(from: dataset.xBytes + i * rowBytes, byteCount: rowBytes)
            into.y[at] = dataset.y[i]
        }
        guard let s = dataset.sampleWeights else { return (train, validation) }
        // The weights go with their rows (in the same order as the rows are copied).
        var ws: (train: [Float], validation: [Float]) = ([], [])
        for i in 0..<dataset.rows {
            if holdsOut(row: i, key: key) { ws.validation.append(s[i]) } else { ws.train.append(s[i]) }
        }
        do {
            return (try train.weighted(by: ws.train), try validation.weighted(by: ws.validation))
        } catch {
            throw .invalidValue(key: "data.validation", value: "fraction \(fraction)", fix: "a part's sample weights: \(error.description)")
        }
    }
}
