import Foundation
import LinearTraining
import SyntheticData
import Testing

/// `loss.classWeight` against scikit-learn's `LogisticRegression(class_weight=…)` optimum (the same
/// objective; Tests/Fixtures/classweight-sklearn.json, made once by scripts/classweight-sklearn.py
/// on the breast-cancer data and an imbalanced `make_classification`): the balanced weights as it
/// resolves them, and its weights and objective reached by full-batch training.
@Suite("Class weights") struct ClassWeightTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/classweight-sklearn.json")

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var rows: Int, features: Int
        var alpha: Float
        var classWeight: ClassWeight
        var resolved: [Double]
        var x: [Float], y: [Float]
        var weights: [Double], bias: Double, objective: Double
        var description: String { name }
    }

    static let cases: [Case] = {
        let doc = try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as! [String: Any]
        func floats(_ v: Any?) -> [Float] { (v as! [String]).map { Float(bitPattern: UInt32($0, radix: 16)!) } }
        func number(_ v: Any?) -> Double { (v as! NSNumber).doubleValue }
        return (doc["cases"] as! [[String: Any]]).map { c in
            let given = c["classWeight"]
            let weight: ClassWeight = given as? String == "balanced"
                ? .balanced : .weights(Float(number((given as! [Any])[0])), Float(number((given as! [Any])[1])))
            return Case(
                name: c["name"] as! String, rows: Int(number(c["rows"])), features: Int(number(c["features"])),
                alpha: Float(number(c["alpha"])), classWeight: weight, resolved: (c["resolved"] as! [NSNumber]).map(\.doubleValue),
                x: floats(c["X"]), y: floats(c["y"]), weights: (c["weights"] as! [NSNumber]).map(\.doubleValue),
                bias: number(c["bias"]), objective: number(c["objective"]))
        }
    }()

    static func dataset(_ c: Case) throws -> Dataset {
        try Dataset(features: c.features, x: c.x, y: c.y, source: c.name)
    }

    /// mean(c_y · BCEWithLogits) + α/2‖w‖² in float64, with scikit-learn's class weights.
    static func objective(_ c: Case, weights w: [Double], bias b: Double) -> Double {
        var s = 0.0
        for i in 0..<c.rows {
            var z = b
            for j in 0..<c.features { z += Double(c.x[i * c.features + j]) * w[j] }
            let y = Double(c.y[i])
            s += c.resolved[Int(y)] * (max(z, 0) - y * z + log1p(exp(-abs(z))))
        }
        return s / Double(c.rows) + Double(c.alpha) / 2 * w.reduce(0) { $0 + $1 * $1 }
    }

    static func config(_ c: Case, epochs: Int, threads: Int = 1) -> TrainingConfig {
        var config = TrainingConfig(
            model: .zeros, loss: .logistic, optimizer: SGD(lr: 0.1, momentum: 0.9), epochs: epochs, batchSize: nil, shuffle: false,
            threads: threads, executor: threads > 1 ? .span : .serial, chunkRows: 64)
        config.penalty = Penalty(alpha: c.alpha, l1Ratio: 0)
        config.classWeight = c.classWeight
        return config
    }

    @Test(arguments: cases) func fullBatchReachesScikitLearnsOptimum(_ c: Case) throws {
        let data = try Self.dataset(c)
        let trainer = try Trainer(config: Self.config(c, epochs: 3000), dataset: data)
        let (w0, w1) = try #require(trainer.classWeights)
        #expect(w0 == Float(c.resolved[0]) && w1 == Float(c.resolved[1]), "class weights \(w0), \(w1) vs scikit-learn \(c.resolved)")
        let r = try trainer.run()
        let w = r.model.weights.map(Double.init)
        for j in 0..<c.features { #expect(abs(w[j] - c.weights[j]) < 5e-5, "w[\(j)] = \(w[j]), scikit-learn \(c.weights[j])") }
        #expect(abs(Double(r.model.bias) - c.bias) < 5e-5, "b = \(r.model.bias), scikit-learn \(c.bias)")
        let ours = Self.objective(c, weights: w, bias: Double(r.model.bias))
        #expect(ours - c.objective < 1e-8 * c.objective, "objective \(ours) vs scikit-learn \(c.objective)")
        // The last epoch's reported loss is the weighted loss (the penalty not included).
        let unpenalized = ours - Double(c.alpha) / 2 * w.reduce(0) { $0 + $1 * $1 }
        #expect(abs(r.finalLoss - unpenalized) < 1e-4 * unpenalized, "loss \(r.finalLoss) vs \(unpenalized)")
        // Unweighted, the same run lands elsewhere: the weights matter.
        var plain = Self.config(c, epochs: 3000)
        plain.classWeight = nil
        let other = try Trainer(config: plain, dataset: data).run()
        #expect(abs(Double(other.model.bias) - c.bias) > 1e-2, "without class weights b = \(other.model.bias)")
        // The same bits on 1–3 threads.
        let one = try Trainer(config: Self.config(c, epochs: 50), dataset: data).run()
        for t in [2, 3] {
            let got = try Trainer(config: Self.config(c, epochs: 50, threads: t), dataset: data).run()
            #expect(got.model == one.model && got.epochLosses == one.epochLosses, "\(t) threads")
        }
    }

    @Test func balancedNeedsBothClassesAndWeightsApplyToLogisticOnly() throws {
        let data = try Dataset(rows: [[1], [2], [3]], y: [1, 1, 1])
        var config = TrainingConfig(loss: .logistic, batchSize: nil)
        config.classWeight = .balanced
        let e = #expect(throws: TrainingError.self) { _ = try Trainer(config: config, dataset: data) }
        #expect(e?.description.contains("only class 1") == true, "\(String(describing: e))")
        config.loss = .squared
        let f = #expect(throws: TrainingError.self) { _ = try Trainer(config: config, dataset: data) }
        #expect(f?.description.contains("logistic loss only") == true, "\(String(describing: f))")
        config.loss = .logistic
        config.classWeight = .weights(1, -2)
        let g = #expect(throws: TrainingError.self) { _ = try Trainer(config: config, dataset: data) }
        #expect(g?.description.contains("finite numbers > 0") == true, "\(String(describing: g))")
    }
}
