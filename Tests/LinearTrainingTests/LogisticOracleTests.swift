import Foundation
import LinearTraining
import SyntheticData
import Testing

/// `loss: logistic` (+ `penalty`) against scikit-learn's `LogisticRegression` optimum on the same
/// objective: C·Σ logloss + r(w) divided by C·n is mean logloss + penalty with α = 1/(C·n)
/// (Tests/Fixtures/logistic-sklearn.json, made once by scripts/logistic-sklearn.py on scikit-learn's
/// breast-cancer data, standardised, and a `make_classification` with 15 % of labels flipped; l2,
/// elastic net and no penalty).
@Suite("Logistic vs scikit-learn") struct LogisticOracleTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/logistic-sklearn.json")

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

    /// The objective at (w, b) in float64: mean [softplus(z) − y·z] + penalty, with the penalty's
    /// α and ρ as Lockstep holds them (float32).
    static func objective(_ c: Case, weights w: [Double], bias b: Double) -> Double {
        var sum = 0.0
        for i in 0..<c.rows {
            var z = b
            for j in 0..<c.features { z += Double(c.x[i * c.features + j]) * w[j] }
            sum += max(z, 0) + log1p(exp(-abs(z))) - Double(c.y[i]) * z
        }
        let a = Double(c.alpha), r = Double(c.l1Ratio)
        return sum / Double(c.rows) + a * r * w.reduce(0) { $0 + abs($1) } + a * (1 - r) / 2 * w.reduce(0) { $0 + $1 * $1 }
    }

    /// Full batch from zeros at a constant rate: gradient descent (ISTA with an L1 part). The rate
    /// is below 1/L (L ≤ λmax(XᵀX/n)/4 + α ≈ 3.4 for the breast-cancer data); 3 chunks per step and
    /// more on 1 thread too, so the bits do not depend on the thread count.
    static func config(_ c: Case, threads: Int, epochs: Int = 6000) -> TrainingConfig {
        var config = TrainingConfig(
            model: .zeros, loss: .logistic, optimizer: SGD(lr: 0.25), epochs: epochs, batchSize: nil, shuffle: false,
            threads: threads, executor: threads > 1 ? .span : .serial, chunkRows: 64)
        config.penalty = c.alpha > 0 ? Penalty(alpha: c.alpha, l1Ratio: c.l1Ratio) : nil
        return config
    }

    /// Reaches scikit-learn's optimum: the same zero weights exactly, the others and the bias to
    /// 2e-5, the objective to 1e-7 relative (and never below scikit-learn's by more than its
    /// tolerance).
    @Test(arguments: cases) func fullBatchReachesScikitLearnsOptimum(_ c: Case) throws {
        let r = try Trainer(config: Self.config(c, threads: 1), dataset: try Self.dataset(c)).run()
        let w = r.model.weights
        var largest = abs(Double(r.model.bias) - c.bias)
        for j in 0..<c.features {
            #expect((w[j] == 0) == c.zero[j], "w[\(j)] = \(w[j]), scikit-learn \(c.weights[j])")
            #expect(abs(Double(w[j]) - c.weights[j]) < 2e-5, "w[\(j)] = \(w[j]), scikit-learn \(c.weights[j])")
            largest = max(largest, abs(Double(w[j]) - c.weights[j]))
        }
        #expect(abs(Double(r.model.bias) - c.bias) < 2e-5, "bias \(r.model.bias), scikit-learn \(c.bias)")
        let ours = Self.objective(c, weights: w.map(Double.init), bias: Double(r.model.bias))
        let sklearn = Self.objective(c, weights: c.weights, bias: c.bias)
        #expect(abs(sklearn - c.objective) < 1e-7 * c.objective, "the fixture's objective at Lockstep's α")
        #expect(ours > sklearn * (1 - 1e-9), "scikit-learn's is the minimum, to its tolerance")
        #expect(ours - sklearn < 1e-7 * sklearn, "objective \(ours) vs scikit-learn \(sklearn)")
        print("\(c.name): max |Δw| \(largest), objective gap \((ours - sklearn) / sklearn)")
    }

    /// The same bits on 1, 2 and 3 threads (span executor, 9 or 8 chunks per step; a shorter run:
    /// the bits, not convergence, are compared).
    @Test(arguments: cases) func sameBitsOnOneToThreeThreads(_ c: Case) throws {
        let data = try Self.dataset(c)
        let one = try Trainer(config: Self.config(c, threads: 1, epochs: 50), dataset: data).run()
        for threads in [2, 3] {
            let other = try Trainer(config: Self.config(c, threads: threads, epochs: 50), dataset: data).run()
            #expect(
                other.model.weights.map(\.bitPattern) == one.model.weights.map(\.bitPattern)
                    && other.model.bias.bitPattern == one.model.bias.bitPattern, "\(threads) threads")
        }
    }

    /// The fixture is not trivial: the elastic-net cases zero some weights, and their l2-only
    /// counterparts (same α) zero none.
    @Test func elasticNetCasesZeroWeightsTheL2RunsDoNot() throws {
        let elastic = Self.cases.filter { $0.l1Ratio > 0 }
        #expect(elastic.count == 2 && elastic.allSatisfy { $0.zero.contains(true) && $0.zero.contains(false) })
        var c = elastic[0]
        c.l1Ratio = 0
        let r = try Trainer(config: Self.config(c, threads: 1, epochs: 300), dataset: try Self.dataset(c)).run()
        #expect(!r.model.weights.contains(0))
    }
}
