import Foundation
import LinearTraining
import SyntheticData
import Testing

/// Saved models, predictions and metrics against oracles no one here wrote: numpy's float64 scores
/// and scikit-learn 1.9's `sklearn.metrics` (Tests/Fixtures/metrics-sklearn.json, made once by
/// scripts/metrics-sklearn.py), and bit-for-bit round trips.
@Suite("Saved models, predict and evaluate") struct SavedModelTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metrics-sklearn.json")

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var index: Int
        var description: String { name }
    }

    static func fixture() -> [[String: Any]] {
        let doc = try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as! [String: Any]
        return doc["cases"] as! [[String: Any]]
    }

    static func floats(_ hex: Any?) -> [Float] { (hex as! [String]).map { Float(bitPattern: UInt32($0, radix: 16)!) } }

    static var cases: [Case] {
        fixture().enumerated().map { Case(name: $0.element["name"] as! String, index: $0.offset) }
    }

    static func provenance() -> SavedModel.Provenance {
        .init(lockstepVersion: "test", configHash: "0", config: "{}", dataSource: "test", dataRows: 1, dataFingerprint: "0", epochs: 0, steps: 0, finalLoss: 0)
    }

    /// The case's data, as float32 (and as float16 when `half`), and its model.
    static func load(_ c: Case) throws -> (data: Dataset, model: SavedModel, expected: [String: Any]) {
        let d = fixture()[c.index]
        let rows = (d["rows"] as! NSNumber).intValue, features = (d["features"] as! NSNumber).intValue
        let x = floats(d["X"]), y = floats(d["y"])
        let data = try Dataset(rows: rows, features: features, source: c.name)
        for i in 0..<(rows * features) { data.x[i] = x[i] }
        for i in 0..<rows { data.y[i] = y[i] }
        let classification = (d["classification"] as! NSNumber).boolValue
        let model = SavedModel(
            model: LinearModel(weights: floats(d["weights"]), bias: floats([d["bias"] as! String])[0]),
            loss: classification ? .logistic : .squared, provenance: provenance())
        return (data, model, d["expected"] as! [String: Any])
    }

    static func ulps(_ a: Float, _ b: Float) -> Int {
        func ordered(_ x: Float) -> Int { let i = Int(Int32(bitPattern: x.bitPattern)); return i < 0 ? Int(Int32.min) - i : i }
        return abs(ordered(a) - ordered(b))
    }

    @Test(arguments: cases) func predictionsAreNumpysFloat64ScoresToOneUlp(_ c: Case) throws {
        let (data, model, expected) = try Self.load(c)
        let values = try model.predict(data, kind: .value, threads: 2)
        let numpy = Self.floats(expected["values"])
        let worst = zip(values, numpy).map { Self.ulps($0, $1) }.max()!
        #expect(worst <= 1, "\(c.name): \(worst) ulps")
        if let p = expected["probabilities"] {
            let mine = try model.predict(data, kind: .probability, threads: 3)
            let theirs = Self.floats(p)
            #expect(zip(mine, theirs).map { Self.ulps($0, $1) }.max()! <= 1)
            let labels = try model.predict(data, kind: .label, threads: 1)
            #expect(zip(labels, values).allSatisfy { $0 == ($1 >= 0 ? 1 : 0) })
        }
    }

    @Test(arguments: cases) func metricsAreScikitLearns(_ c: Case) throws {
        let (data, model, expected) = try Self.load(c)
        let e = try model.evaluate(.stored(data), threads: 2)
        // The fixture's float64 values as bit patterns (Foundation's JSON reader can be off in the last digit).
        func exact(_ key: String) -> [Double] { (expected[key + "Bits"] as! [String]).map { Double(bitPattern: UInt64($0, radix: 16)!) } }
        func close(_ a: Double, _ key: String, _ tolerance: Double) {
            let b = exact(key)[0]
            #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(c.name) \(key): \(a) vs scikit-learn's \(b)")
        }
        if let r = e.regression {
            close(r.mse, "mse", 1e-12)
            close(r.rmse, "rmse", 1e-12)
            close(r.mae, "mae", 1e-12)
            close(r.r2, "r2", 1e-12)
        } else {
            let m = try #require(e.classification)
            // Exact: counts and their ratios.
            #expect(m.accuracy == exact("accuracy")[0])
            #expect(m.confusion == (expected["confusion"] as! [[NSNumber]]).map { $0.map(\.intValue) })
            #expect(m.support == (expected["support"] as! [NSNumber]).map(\.intValue))
            for key in ["precision", "recall", "f1"] {
                let mine = key == "precision" ? m.precision : key == "recall" ? m.recall : m.f1
                #expect(mine.map(\.bitPattern) == exact(key).map(\.bitPattern), "\(key): \(mine) vs scikit-learn's \(exact(key))")
            }
            // scikit-learn computes log_loss of float32 probabilities in float32; Lockstep in float64.
            close(m.logLoss, "logLoss", 1e-6)
        }
    }

    @Test func predictionsAndMetricsAreTheSameBitsForAnyThreadCount() throws {
        let (data, model, _) = try Self.load(Self.cases[2])
        let one = try model.predict(data, threads: 1).map(\.bitPattern)
        let e1 = try model.evaluate(.stored(data), threads: 1)
        for t in [2, 3, 8] {
            #expect(try model.predict(data, threads: t).map(\.bitPattern) == one)
            #expect(try model.evaluate(.stored(data), threads: t) == e1)
        }
        // Several blocks are needed for the thread count to matter.
        #expect(data.rows > SavedModel.predictionBlockRows / 2)
    }

    @Test func onTheFlyDataPredictsAsStoredData() throws {
        let spec = DatasetSpec(rows: 9000, features: 6, weights: .explicit([1, 2, 3, 4, 5, 6]), seed: 5)
        let stored = try Dataset.generate(spec, threads: 2)
        let model = SavedModel(model: LinearModel(weights: [0.5, -1, 2, 0.25, -0.125, 3], bias: 0.5), loss: .squared, provenance: Self.provenance())
        let a = try model.predict(stored, threads: 2)
        var b = [Float](repeating: 0, count: 9000)
        try b.withUnsafeMutableBufferPointer { try model.predict(.generated(try SyntheticRows(spec)), rows: 0..<9000, kind: .value, into: $0, threads: 3) }
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(try model.evaluate(.stored(stored), threads: 1) == (try model.evaluate(.generated(try SyntheticRows(spec)), threads: 2)))
    }

    /// A softmax model predicts k values per row for probabilities and scores (row after row), the
    /// bits of `LinearModel.probabilities`/`scores` row by row, for any thread count and on the fly.
    @Test func aSoftmaxModelPredictsTheKProbabilitiesAndScoresOfEveryRow() throws {
        let spec = DatasetSpec(rows: 9000, features: 5, weights: .alternating, seed: 6)
        let stored = try Dataset.generate(spec, threads: 2)
        let k = 3
        let w = (0..<(5 * k)).map { Float($0 % 7) * 0.25 - 0.75 }
        let model = SavedModel(model: LinearModel(weights: w, biases: [0.5, -0.25, 0]), loss: .softmax, provenance: Self.provenance())
        #expect(model.valuesPerRow(.probability) == k && model.valuesPerRow(.value) == k && model.valuesPerRow(.label) == 1)
        let p = try model.predict(stored, kind: .probability, threads: 1)
        let z = try model.predict(stored, kind: .value, threads: 3)
        let labels = try model.predict(stored, threads: 2)
        #expect(p.count == 9000 * k && z.count == 9000 * k && labels.count == 9000)
        for i in stride(from: 0, to: 9000, by: 97) {
            let x = (0..<5).map { stored.xValues[i * 5 + $0] }
            #expect(Array(p[(i * k)..<((i + 1) * k)]).map(\.bitPattern) == model.model.probabilities(x).map(\.bitPattern), "row \(i)")
            #expect(Array(z[(i * k)..<((i + 1) * k)]).map(\.bitPattern) == model.model.scores(x).map(\.bitPattern), "row \(i)")
            #expect(Int(labels[i]) == model.model.predictClass(x), "row \(i)")
        }
        #expect(try model.predict(stored, kind: .probability, threads: 3).map(\.bitPattern) == p.map(\.bitPattern), "any thread count")
        var made = [Float](repeating: 0, count: 9000 * k)
        try made.withUnsafeMutableBufferPointer {
            try model.predict(.generated(try SyntheticRows(spec)), rows: 0..<9000, kind: .probability, into: $0, threads: 2)
        }
        #expect(made.map(\.bitPattern) == p.map(\.bitPattern), "on the fly as stored")
    }

    @Test func aSavedModelRoundTripsBitForBit() throws {
        let weights: [Float] = [-0.0, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1.2043, 1 / 3, 1e-38, 3.0897]
        let saved = SavedModel(
            model: LinearModel(weights: weights, bias: -.leastNormalMagnitude), loss: .huber, huberDelta: 0.5,
            featureNames: (0..<8).map { "f\($0) \"q\"" }, target: "price", provenance: Self.provenance())
        let back = try SavedModel(text: saved.text, path: "m.json")
        #expect(back == saved)
        #expect(back.model.weights.map(\.bitPattern) == weights.map(\.bitPattern))
        #expect(back.text == saved.text)
        #expect(back.huberDelta == 0.5 && back.task == .regression && back.classes == nil)
    }

    @Test func damagedOrForeignModelFilesAreRefusedWithTheReason() throws {
        let saved = SavedModel(model: LinearModel(weights: [1.5, -2], bias: 0.25), loss: .logistic, provenance: Self.provenance())
        let text = saved.text
        #expect(saved.classes == [0, 1] && saved.task == .binaryClassification && saved.featureNames == ["x0", "x1"])
        let edits: [(String, String, String)] = [
            ("1.5,", "1.25,", "differ from their bit patterns"),
            ("\"3fc00000\"", "\"3fc0000\"", "not 8 hex digits"),
            ("\"version\" : 1", "\"version\" : 7", "has version 7"),
            ("\"format\" : \"lockstep-model\"", "\"format\" : \"other\"", "is not a lockstep model"),
            ("\"x1\"", "\"x1\", \"x2\"", "3 feature names for 2 weights"),
            ("\"task\" : \"binary-classification\"", "\"task\" : \"regression\"", "task regression for the loss logistic"),
            ("\"bias\" : \"3e800000\"", "\"bias\" : \"7fc00000\"", "must be finite"),
            ("\"loss\" : \"logistic\"", "\"loss\" : \"hinge\"", "damaged at loss"),
            ("\"x1\"", "\"x0\"", "names feature \"x0\" twice (columns 0 and 1)"),
            ("\"target\" : \"y\"", "\"target\" : \"x1\"", "names \"x1\" as both the target and feature 1"),
            ("\"classes\" : [\n    0,\n    1\n  ]", "\"classes\" : [\n    1,\n    2\n  ]", "has classes [1, 2]"),
        ]
        for (from, to, reason) in edits {
            #expect(text.contains(from), "fixture: \(from)")
            #expect {
                try SavedModel(text: text.replacingOccurrences(of: from, with: to), path: "m.json")
            } throws: { error in
                "\(error)".contains("model m.json") && "\(error)".contains(reason)
            }
        }
        #expect(throws: TrainingError.self) { try SavedModel(text: "{", path: "m.json") }
        #expect(throws: TrainingError.self) { try SavedModel(path: "/nonexistent/model.json") }
    }

    @Test func aKindTheTaskCannotHaveAndAnotherWidthAreRefused() throws {
        let regression = SavedModel(model: LinearModel(weights: [1, 2], bias: 0), loss: .mse, provenance: Self.provenance())
        let data = try Dataset(rows: 3, features: 2, source: "t")
        #expect(throws: TrainingError.self) { try regression.predict(data, kind: .probability) }
        let wide = try Dataset(rows: 3, features: 3, source: "t")
        #expect(throws: TrainingError.featureMismatch(data: 3, config: 2)) { try regression.predict(wide) }
    }

    @Test func classificationEvaluationRefusesLabelsOtherThanZeroAndOne() throws {
        let model = SavedModel(model: LinearModel(weights: [1], bias: 0), loss: .logistic, provenance: Self.provenance())
        let data = try Dataset(rows: 4, features: 1, source: "t")
        for (i, v) in [0, 1, 2, 1].enumerated() { data.y[i] = Float(v) }
        #expect {
            try model.evaluate(.stored(data))
        } throws: { error in
            "\(error)".contains("row 2 has the label 2.0")
        }
    }

    @Test func r2FollowsScikitLearnForConstantTargets() throws {
        let data = try Dataset(rows: 3, features: 1, source: "t")
        for i in 0..<3 { data.x[i] = Float(i); data.y[i] = 2 }
        let exact = SavedModel(model: LinearModel(weights: [0], bias: 2), loss: .squared, provenance: Self.provenance())
        let off = SavedModel(model: LinearModel(weights: [1], bias: 2), loss: .squared, provenance: Self.provenance())
        #expect(try exact.evaluate(.stored(data)).regression?.r2 == 1)
        #expect(try off.evaluate(.stored(data)).regression?.r2 == 0)
        // Closed form: errors 0, 1, 2 → MSE 5/3, MAE 1.
        let r = try #require(try off.evaluate(.stored(data)).regression)
        #expect(r.mse == 5.0 / 3 && r.mae == 1 && r.rmse == (5.0 / 3).squareRoot())
    }
}
