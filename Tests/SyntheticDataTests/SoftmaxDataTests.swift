import Foundation
import SyntheticData
import Testing

/// Synthetic softmax (multinomial) data (issue 19): `task: softmax` with `classes: k`, W (d × k,
/// feature-major) and b_c = log π_c of the priors: labels are class indices, drawn by the rule
/// `SyntheticRows` documents, with the frequencies the priors ask for, the same bits for any
/// thread count, stored or on the fly, and a meta.json that restores the spec.
@Suite("Softmax synthetic data") struct SoftmaxDataTests {
    static func spec(rows: Int = 6000, features: Int = 7, classes: Int = 4, priors: [Float]? = [4, 3, 2, 1], seed: UInt64 = 5)
        -> DatasetSpec
    {
        DatasetSpec.softmax(rows: rows, features: features, classes: classes, priors: priors, seed: seed)
    }

    static func bits(_ d: Dataset) -> [UInt32] {
        Array(UnsafeBufferPointer(start: d.x, count: d.rows * d.features)).map(\.bitPattern)
            + Array(UnsafeBufferPointer(start: d.y, count: d.rows)).map(\.bitPattern)
    }

    static func temp() -> String { NSTemporaryDirectory() + "lockstep-softmax-\(UUID().uuidString)" }

    @Test func labelsAreClassIndicesDrawnFromTheSoftmaxOfEachRow() throws {
        let spec = Self.spec()
        let k = 4, d = spec.features
        let data = try Dataset.generate(spec, threads: 2)
        let w = spec.trueWeights, b = spec.trueBiases
        #expect(w.count == d * k && b.count == k && data.trueWeights == w && data.trueBiases == b && data.trueBias == nil)
        // The same rule by hand: z_c = Σ_j x_j·w[j·k + c] + b_c, u = Φ(ε) of the row's noise value.
        let noiseKey = NormalSampler.key(seed: spec.seed, stream: 2)
        var counts = [Int](repeating: 0, count: k), disagree = 0
        for r in 0..<data.rows {
            let label = data.y[r]
            #expect(label.rounded() == label && label >= 0 && label < Float(k), "row \(r): \(label)")
            counts[Int(label)] += 1
            let z = (0..<k).map { c in (0..<d).reduce(Double(b[c])) { $0 + Double(data.x[r * d + $1]) * Double(w[$1 * k + c]) } }
            let top = z.max()!, e = z.map { exp($0 - top) }, total = e.reduce(0, +)
            let u = 0.5 * erfc(-Double(NormalSampler.first(key: noiseKey, counter: UInt64(r))) / 2.0.squareRoot())
            var cumulative = 0.0, expected = k - 1
            for c in 0..<(k - 1) {
                cumulative += e[c] / total
                if u < cumulative {
                    expected = c
                    break
                }
            }
            if expected != Int(label) { disagree += 1 }
        }
        // Only a u within rounding of a class boundary could differ (summation order): none in practice.
        #expect(disagree <= 1, "\(disagree) rows disagree with the rule")
        #expect(counts.allSatisfy { $0 > 0 }, "every class occurs: \(counts)")
    }

    @Test func classFrequenciesFollowThePriorsWhenTheWeightsAreZero() throws {
        let n = 200_000, priors: [Float] = [5, 3, 1.5, 0.5]  // normalised: 0.5, 0.3, 0.15, 0.05
        var spec = Self.spec(rows: n, features: 3, priors: priors)
        spec.weights = .explicit([Float](repeating: 0, count: 12))
        let data = try Dataset.generate(spec, threads: 3)
        let pi = spec.normalizedPriors!
        #expect(zip(pi, [0.5, 0.3, 0.15, 0.05]).allSatisfy { abs($0 - $1) < 1e-7 })
        #expect(zip(spec.trueBiases, pi).allSatisfy { abs(Double($0) - log($1)) < 1e-6 })
        var counts = [Int](repeating: 0, count: 4)
        for r in 0..<n { counts[Int(data.y[r])] += 1 }
        for c in 0..<4 {
            // Binomial(n, π_c): within 5 standard deviations (a false alarm once in ~3.5 million runs).
            let bound = 5 * (Double(n) * pi[c] * (1 - pi[c])).squareRoot()
            #expect(abs(Double(counts[c]) - Double(n) * pi[c]) < bound, "class \(c): \(counts[c]) of \(n), π \(pi[c])")
        }
        // Without priors the classes are equally likely.
        spec.priors = nil
        #expect(spec.trueBiases == [0, 0, 0, 0])
        let even = try Dataset.generate(spec, threads: 2)
        var evenCounts = [Int](repeating: 0, count: 4)
        for r in 0..<n { evenCounts[Int(even.y[r])] += 1 }
        let bound = 5 * (Double(n) * 0.25 * 0.75).squareRoot()
        #expect(evenCounts.allSatisfy { abs(Double($0) - Double(n) / 4) < bound }, "\(evenCounts)")
    }

    @Test(arguments: [(6, 3), (7, 2), (9, 10)])
    func theSameBitsForAnyThreadCountStoredAndOnTheFly(features: Int, classes: Int) throws {
        var spec = Self.spec(rows: 5000, features: features, classes: classes, priors: nil, seed: UInt64(features))
        spec.informative = features - 1
        spec.correlation = 0.5
        spec.factors = 2
        let one = try Dataset.generate(spec, threads: 1)
        for t in [2, 3] { #expect(Self.bits(try Dataset.generate(spec, threads: t)) == Self.bits(one), "\(t) threads") }
        // On the fly: pieces of rows and single rows.
        let rows = try SyntheticRows(spec)
        let d = features
        for range in [0..<1, 17..<400, 4321..<5000] {
            var x = [Float](repeating: 0, count: range.count * d), y = [Float](repeating: 0, count: range.count)
            x.withUnsafeMutableBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in rows.fill(rows: range, x: xb.baseAddress!, y: yb.baseAddress!) }
            }
            #expect(x == Array(UnsafeBufferPointer(start: one.x + range.lowerBound * d, count: range.count * d)), "\(range)")
            #expect(y == Array(UnsafeBufferPointer(start: one.y + range.lowerBound, count: range.count)), "\(range)")
        }
        var x = [Float](repeating: 0, count: d), y: Float = 0
        for r in [0, 1, 2500, 4999] {
            x.withUnsafeMutableBufferPointer { rows.fill(row: r, x: $0.baseAddress!, y: &y) }
            #expect(x == Array(UnsafeBufferPointer(start: one.x + r * d, count: d)) && y == one.y[r], "row \(r)")
        }
        // Stored (.npy, written on 1, 2 and 3 threads) and read back.
        for t in [1, 2, 3] {
            let dir = Self.temp()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            _ = try Dataset.generateNpy(spec, to: dir, threads: t)
            let stored = try Dataset.loadNpy(directory: dir)
            #expect(Self.bits(stored) == Self.bits(one), "stored on \(t) threads")
            #expect(stored.trueWeights == spec.trueWeights && stored.trueBiases == spec.trueBiases && stored.trueBias == nil)
        }
        // The only informative feature rows of W are the first d − 1.
        #expect(spec.trueWeights.suffix(classes).allSatisfy { $0 == 0 } && spec.trueWeights.prefix(classes).allSatisfy { $0 != 0 })
    }

    @Test func normalWeightsComeFromTheSeed() throws {
        let a = Self.spec(features: 50, classes: 20, seed: 1).trueWeights
        #expect(a == Self.spec(features: 50, classes: 20, seed: 1).trueWeights)
        #expect(a != Self.spec(features: 50, classes: 20, seed: 2).trueWeights)
        let mean = a.reduce(0.0) { $0 + Double($1) } / 1000, variance = a.reduce(0.0) { $0 + Double($1) * Double($1) } / 1000
        #expect(abs(mean) < 0.15 && abs(variance - 1) < 0.15, "N(0, 1) per entry: mean \(mean), variance \(variance)")
        // One stream: the weights of a smaller W are the first values of a larger one's.
        #expect(Array(a.prefix(7)) == WeightPattern.normal.weights(count: 7, seed: 1))
    }

    @Test func metaJSONRecordsTheTaskAndRestoresTheSpec() throws {
        let explicit: DatasetSpec = {
            var s = Self.spec(rows: 300, features: 2, classes: 3, priors: [0.2, 0.2, 0.6])
            s.weights = .explicit([1, -1, 0.5, 2, 0, -2])
            return s
        }()
        for spec in [Self.spec(rows: 1000), Self.spec(rows: 500, features: 3, classes: 2, priors: nil), explicit] {
            let dir = Self.temp()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let written = try Dataset.generateNpy(spec, to: dir, threads: 2)
            let read = try #require(try DatasetMeta.read(directory: dir))
            #expect(read == written)
            #expect(read.spec == spec, "\(String(describing: read.spec)) vs \(spec)")
            #expect(read.trueWeights == spec.trueWeights && read.trueBiases == spec.trueBiases && read.trueBias == nil)
            let root = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: dir + "/meta.json")))
                as! [String: Any]
            let s = root["spec"] as! [String: Any]
            #expect(s["task"] as? String == "softmax" && s["classes"] as? Int == spec.classes && s["bias"] == nil)
            #expect((s["priors"] as? [Double])?.map(Float.init) == spec.priors)
            #expect((root["generator"] as? [String: Any])?["version"] as? Int == SyntheticRows.version)
            #expect((root["trueWeights"] as? [Double])?.count == spec.features * spec.classes! && root["trueBias"] == nil)
            #expect((root["trueBiases"] as? [Double])?.count == spec.classes)
            // Regenerating from the restored spec gives the same bits.
            #expect(Self.bits(try Dataset.generate(read.spec!)) == Self.bits(try Dataset.loadNpy(directory: dir)))
            #expect(try Dataset.loadNpy(directory: dir).source.contains("softmax \(spec.classes!) classes"))
        }
        #expect(Self.spec().summary == "synthetic 6000 × 7, softmax 4 classes, priors 4.0/3.0/2.0/1.0 (seed 5)")
        #expect(DatasetSpec.reference(rows: 10, features: 3).summary == "synthetic 10 × 3 (seed 0)", "other tasks' summaries as ever")
    }

    @Test func softmaxDataSavedFromMemoryKeepTheirTruthAndFloat16KeepsTheLabels() throws {
        let spec = Self.spec(rows: 800)
        let data = try Dataset.generate(spec, threads: 2)
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let meta = try data.saveNpy(to: dir)
        #expect(meta.spec == nil && meta.trueBiases == spec.trueBiases && meta.trueBias == nil)
        #expect(try DatasetMeta.read(directory: dir) == meta)
        let back = try Dataset.loadNpy(directory: dir)
        #expect(Self.bits(back) == Self.bits(data) && back.trueWeights == spec.trueWeights && back.trueBiases == spec.trueBiases)
        // float16 X: the labels come from the float32 values, as y always does.
        var half = spec
        half.dtype = .float16
        let h = try Dataset.generate(half, threads: 3)
        #expect(Array(h.yValues) == Array(data.yValues) && h.trueBiases == spec.trueBiases)
        #expect(try h.converted(to: .float32).trueBiases == spec.trueBiases)
    }

    @Test func aMetaJSONWithTheWrongNumberOfWeightsIsRefused() throws {
        let dir = Self.temp()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Dataset.generateNpy(Self.spec(rows: 100), to: dir)
        let path = dir + "/meta.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"classes\": 4", with: "\"classes\": 5").write(toFile: path, atomically: true, encoding: .utf8)
        let e = #expect(throws: DataError.self) { try DatasetMeta.read(directory: dir) }
        #expect("\(e.map { "\($0)" } ?? "")".contains("trueWeights is not a list of 35 numbers"), "\(String(describing: e))")
    }

    @Test(arguments: [
        ("no classes", "task softmax needs classes: k"),
        ("1 class", "use 2 to 65536 classes"),
        ("classes for logistic", "classes apply to task softmax only"),
        ("priors for regression", "priors apply to task softmax only"),
        ("3 priors for 4 classes", "give exactly 4 priors (one per class)"),
        ("a zero prior", "priors must be positive finite numbers"),
        ("a negative prior", "priors must be positive finite numbers"),
        ("5 weights", "give exactly 28 weights (features × classes"),
        ("alternating", "task softmax takes 'normal' (the default)"),
        ("outliers", "outliers in y apply to regression data only"),
        ("a bias", "task softmax takes no bias; its biases are log(priors)"),
    ])
    func badSpecsAreRefusedWithTheFix(what: String, message: String) {
        var s = Self.spec()
        switch what {
        case "no classes": s.classes = nil
        case "1 class": s.classes = 1
        case "classes for logistic":
            s = DatasetSpec(features: 2)
            s.task = .logistic
            s.classes = 3
        case "priors for regression":
            s = DatasetSpec(features: 2)
            s.priors = [1, 1]
        case "3 priors for 4 classes": s.priors = [1, 1, 1]
        case "a zero prior": s.priors = [1, 0, 1, 1]
        case "a negative prior": s.priors = [1, 1, -1, 1]
        case "5 weights": s.weights = .explicit([1, 2, 3, 4, 5])
        case "alternating": s.weights = .alternating
        case "a bias": s.bias = 4.2
        default: s.outlierFraction = 0.1
        }
        let e = #expect(throws: DataError.self) { try s.validate() }
        #expect("\(e.map { "\($0)" } ?? "")".contains(message), "\(what): \(String(describing: e))")
        #expect(throws: DataError.self) { try SyntheticRows(s) }
    }
}
