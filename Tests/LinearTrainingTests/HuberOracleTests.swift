import Foundation
import LinearTraining
import SyntheticData
import Testing

/// `loss: {kind: huber, delta}` against scikit-learn's `HuberRegressor(alpha=0, epsilon=1.35)`:
/// at its joint optimum over (w, b, σ), (w, b) minimise the mean PyTorch Huber loss with
/// δ = ε·σ (σ·H_ε(r/σ)·σ/2 = Huber_δ(r) row by row, checked in the script), so Lockstep with
/// huberDelta = ε·scale_ must reach its coef_/intercept_ (Tests/Fixtures/huber-sklearn.json, made
/// once by scripts/huber-sklearn.py on scikit-learn's diabetes data, standardised, and a
/// `make_regression` with 5 % of y replaced by gross outliers). scikit-learn's L-BFGS-B stops with
/// a gradient of ~1e-6 left, so the fixture's optimum is coef_ polished by Newton steps at that δ
/// (exact for a piecewise quadratic); coef_ itself is kept and compared to its own distance.
@Suite("Huber vs scikit-learn") struct HuberOracleTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/huber-sklearn.json")

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var rows: Int, features: Int
        var delta: Float
        var x: [Float], y: [Float]
        var weights: [Double], bias: Double, objective: Double
        var sklearnWeights: [Double], sklearnBias: Double
        var description: String { name }
    }

    static let cases: [Case] = {
        let doc = try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as! [String: Any]
        func floats(_ v: Any?) -> [Float] { (v as! [String]).map { Float(bitPattern: UInt32($0, radix: 16)!) } }
        func number(_ v: Any?) -> Double { (v as! NSNumber).doubleValue }
        return (doc["cases"] as! [[String: Any]]).map { c in
            Case(
                name: c["name"] as! String, rows: Int(number(c["rows"])), features: Int(number(c["features"])),
                delta: Float(number(c["delta"])), x: floats(c["X"]), y: floats(c["y"]),
                weights: (c["weights"] as! [NSNumber]).map(\.doubleValue), bias: number(c["bias"]), objective: number(c["objective"]),
                sklearnWeights: (c["sklearnWeights"] as! [NSNumber]).map(\.doubleValue), sklearnBias: number(c["sklearnBias"]))
        }
    }()

    static func dataset(_ c: Case) throws -> Dataset {
        let data = try Dataset(rows: c.rows, features: c.features, source: c.name)
        for i in 0..<c.x.count { data.x[i] = c.x[i] }
        for i in 0..<c.rows { data.y[i] = c.y[i] }
        return data
    }

    /// The mean Huber_δ loss at (w, b) in float64.
    static func objective(_ c: Case, weights w: [Double], bias b: Double) -> Double {
        let delta = Double(c.delta)
        var sum = 0.0
        for i in 0..<c.rows {
            var z = b
            for j in 0..<c.features { z += Double(c.x[i * c.features + j]) * w[j] }
            let e = abs(z - Double(c.y[i]))
            sum += e <= delta ? e * e / 2 : delta * (e - delta / 2)
        }
        return sum / Double(c.rows)
    }

    /// Full batch from zeros at a constant rate below 2/λmax(XᵀX/n) (4.0 for diabetes, 1.15 for
    /// make_regression). Diabetes is ill-conditioned (the smallest eigenvalue of the inliers'
    /// XᵀX/n is 0.005), so it takes many more epochs.
    static func config(_ c: Case, threads: Int, epochs: Int? = nil) -> TrainingConfig {
        let diabetes = c.name == "diabetes"
        var config = TrainingConfig(
            model: .zeros, loss: .huber, optimizer: SGD(lr: diabetes ? 0.4 : 0.5), epochs: epochs ?? (diabetes ? 12_000 : 1000),
            batchSize: nil, shuffle: false, threads: threads, executor: threads > 1 ? .span : .serial, chunkRows: 64)
        config.huberDelta = c.delta
        return config
    }

    /// Reaches the optimum: weights and bias to 2e-5, the objective to 1e-7 relative (never below
    /// it by more than rounding); and scikit-learn's own coef_ within its distance from the optimum
    /// plus that.
    @Test(arguments: cases) func fullBatchReachesScikitLearnsOptimum(_ c: Case) throws {
        let r = try Trainer(config: Self.config(c, threads: 1), dataset: try Self.dataset(c)).run()
        let w = r.model.weights.map(Double.init) + [Double(r.model.bias)]
        let best = c.weights + [c.bias], sklearn = c.sklearnWeights + [c.sklearnBias]
        let sklearnDistance = zip(best, sklearn).map { abs($0 - $1) }.max()!
        var largest = 0.0, largestToSklearn = 0.0
        for j in 0...c.features {
            #expect(abs(w[j] - best[j]) < 2e-5, "parameter \(j) = \(w[j]), optimum \(best[j])")
            largest = max(largest, abs(w[j] - best[j]))
            largestToSklearn = max(largestToSklearn, abs(w[j] - sklearn[j]))
        }
        #expect(largestToSklearn < sklearnDistance + 2e-5, "coef_/intercept_")
        let ours = Self.objective(c, weights: Array(w.prefix(c.features)), bias: w[c.features])
        let optimum = Self.objective(c, weights: c.weights, bias: c.bias)
        #expect(abs(optimum - c.objective) < 1e-12 * c.objective)
        #expect(ours > optimum * (1 - 1e-12))
        #expect(ours - optimum < 1e-7 * optimum, "objective \(ours) vs \(optimum)")
        print("\(c.name): max |Δw| \(largest) (to coef_ \(largestToSklearn), coef_ to the optimum \(sklearnDistance)), objective gap \((ours - optimum) / optimum)")
    }

    /// The same bits on 1, 2 and 3 threads (span executor, 7 or 6 chunks per step; a short run).
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
}
