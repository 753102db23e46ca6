import Foundation
import LinearTraining
import SyntheticData
import Testing

/// `penalty: {alpha, l1Ratio}` against scikit-learn's `ElasticNet`/`Lasso` optimum (the same
/// objective; Tests/Fixtures/penalty-sklearn.json, made once by scripts/penalty-sklearn.py on
/// scikit-learn's diabetes data and a `make_regression` with 5 of 20 features informative), and
/// the update rule on single steps.
@Suite("Elastic-net penalty") struct PenaltyTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/penalty-sklearn.json")

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var rows: Int, features: Int
        var alpha: Float, l1Ratio: Float
        var x: [Float], y: [Float]
        var weights: [Double], bias: Double, objective: Double
        var zero: [Bool]
        var description: String { name }
    }

    static let cases: [Case] = {
        let doc = try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as! [String: Any]
        func floats(_ v: Any?) -> [Float] { (v as! [String]).map { Float(bitPattern: UInt32($0, radix: 16)!) } }
        func number(_ v: Any?) -> Double { (v as! NSNumber).doubleValue }
        return (doc["cases"] as! [[String: Any]]).map { c in
            Case(
                name: c["name"] as! String, rows: Int(number(c["rows"])), features: Int(number(c["features"])),
                alpha: Float(number(c["alpha"])), l1Ratio: Float(number(c["l1Ratio"])), x: floats(c["X"]), y: floats(c["y"]),
                weights: (c["weights"] as! [NSNumber]).map(\.doubleValue), bias: number(c["bias"]), objective: number(c["objective"]),
                zero: (c["zero"] as! [NSNumber]).map(\.boolValue))
        }
    }()

    static func dataset(_ c: Case) throws -> Dataset {
        let data = try Dataset(rows: c.rows, features: c.features, source: c.name)
        for i in 0..<c.x.count { data.x[i] = c.x[i] }
        for i in 0..<c.rows { data.y[i] = c.y[i] }
        return data
    }

    /// The objective at (w, b) in float64: scikit-learn's 1/(2n)‖y − Xw − b‖² + penalty.
    static func objective(_ c: Case, weights w: [Double], bias b: Double) -> Double {
        var squares = 0.0
        for i in 0..<c.rows {
            var z = b
            for j in 0..<c.features { z += Double(c.x[i * c.features + j]) * w[j] }
            squares += (z - Double(c.y[i])) * (z - Double(c.y[i]))
        }
        let a = Double(c.alpha), r = Double(c.l1Ratio)
        return squares / Double(2 * c.rows) + a * r * w.reduce(0) { $0 + abs($1) } + a * (1 - r) / 2 * w.reduce(0) { $0 + $1 * $1 }
    }

    static func config(_ c: Case, threads: Int) -> TrainingConfig {
        var config = TrainingConfig(
            model: .zeros, loss: .squared, optimizer: SGD(lr: 0.2), epochs: 2000, batchSize: nil, shuffle: false,
            threads: threads, executor: threads > 1 ? .span : .serial, chunkRows: 64)
        config.penalty = Penalty(alpha: c.alpha, l1Ratio: c.l1Ratio)
        return config
    }

    /// Full-batch proximal gradient at a constant rate (ISTA) reaches scikit-learn's optimum: the
    /// same zero weights exactly, the others to 2e-5, the objective to 1e-7 relative; on 1–3 threads
    /// the same bits.
    @Test(arguments: cases) func fullBatchReachesScikitLearnsOptimumWithItsZeros(_ c: Case) throws {
        let data = try Self.dataset(c)
        let r = try Trainer(config: Self.config(c, threads: 1), dataset: data).run()
        let w = r.model.weights
        for j in 0..<c.features {
            #expect((w[j] == 0) == c.zero[j], "w[\(j)] = \(w[j]), scikit-learn \(c.weights[j])")
            #expect(abs(Double(w[j]) - c.weights[j]) < 2e-5, "w[\(j)] = \(w[j]), scikit-learn \(c.weights[j])")
        }
        #expect(abs(Double(r.model.bias) - c.bias) < 2e-5)
        let ours = Self.objective(c, weights: w.map(Double.init), bias: Double(r.model.bias))
        #expect(ours > c.objective * (1 - 1e-8), "scikit-learn's is the minimum, to its tolerance")
        #expect(ours - c.objective < 1e-7 * c.objective, "objective \(ours) vs scikit-learn \(c.objective)")
        // The same bits on 1–3 threads (a shorter run: the bits, not convergence, are compared).
        var short = Self.config(c, threads: 1)
        short.epochs = 100
        let one = try Trainer(config: short, dataset: data).run()
        for threads in [2, 3] {
            short.threads = threads
            short.executor = .span
            let other = try Trainer(config: short, dataset: data).run()
            #expect(other.model.weights.map(\.bitPattern) == one.model.weights.map(\.bitPattern) && other.model.bias == one.model.bias, "\(threads) threads")
        }
    }

    /// The fixture's cases are not trivial: the lasso ones zero some weights, and without the
    /// penalty the same run zeros none.
    @Test func withoutThePenaltyNoWeightIsZero() throws {
        let c = Self.cases[0]
        #expect(c.zero.contains(true))
        var config = Self.config(c, threads: 1)
        config.penalty = nil
        config.epochs = 2000
        let r = try Trainer(config: config, dataset: try Self.dataset(c)).run()
        #expect(!r.model.weights.contains(0))
    }

    /// One step by hand: the L2 part in the gradient (weights only, after weight decay, before
    /// momentum), then the soft threshold by lr·α·l1Ratio; the bias untouched by either.
    @Test func oneStepIsTheProximalGradientStep() {
        let penalty = Penalty(alpha: 0.5, l1Ratio: 0.4)
        let sgd = SGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01)
        var params: [Float] = [1, -0.01, 0.02, 2]  // three weights and the bias
        let grads: [Float] = [0.5, 0.1, 0.05, 0.3]
        var momentum = [Float](repeating: 0, count: 4)
        var expected = params
        for j in 0..<4 {
            var g = grads[j] + sgd.weightDecay * params[j]
            if j < 3 { g += penalty.l2 * params[j] }
            let p = params[j] - sgd.lr * g  // first step: the momentum buffer is g
            expected[j] = j < 3 ? Penalty.softThreshold(p, sgd.lr * penalty.l1) : p
        }
        params.withUnsafeMutableBufferPointer { p in
            grads.withUnsafeBufferPointer { g in
                momentum.withUnsafeMutableBufferPointer { m in
                    sgd.apply(
                        params: p.baseAddress!, grads: g.baseAddress!, momentumBuffer: m.baseAddress!, range: 0..<4, first: true,
                        penalty: penalty, penalized: 3)
                }
            }
        }
        #expect(params.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(params[1] == 0 && params[2] == 0, "small weights are thresholded to exactly zero: \(params)")
        #expect(Penalty.softThreshold(-0.5, 0.2) == -0.3 && Penalty.softThreshold(0.1, 0.2) == 0 && Penalty.softThreshold(0.2, 0.2) == 0)
    }

    @Test func outOfRangeValuesAreRefused() {
        #expect(throws: TrainingError.self) { try Penalty(alpha: -1).validate() }
        #expect(throws: TrainingError.self) { try Penalty(alpha: .nan).validate() }
        #expect(throws: TrainingError.self) { try Penalty(alpha: 1, l1Ratio: 1.5).validate() }
        #expect(throws: Never.self) { try Penalty(alpha: 0, l1Ratio: 1).validate() }
    }
}
