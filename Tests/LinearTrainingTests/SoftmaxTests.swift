import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import TestSupport
import Testing

/// `loss: softmax`: the kernels against their reference, the same bits for any thread count and
/// executor, PyTorch's CrossEntropyLoss + optim.SGD step by step (Tests/Fixtures/softmax-torch.json,
/// scripts/softmax-torch.py) and scikit-learn's multinomial optimum (softmax-sklearn.json).
@Suite("Softmax") struct SoftmaxTests {
    /// A seeded dataset of `rows` × `d` with labels 0..<k (labels drawn from a softmax of the data).
    static func data(rows: Int, d: Int, k: Int, seed: UInt64 = 7) throws -> Dataset {
        try Dataset.generate(.softmax(rows: rows, features: d, classes: k, seed: seed), threads: 2)
    }

    /// The tuned kernel and the plain reference agree to float rounding, on both copies, for one
    /// and several blocks of classes, d with and without a tail, contiguous and gathered rows; the
    /// padding lanes of the sums are exactly zero.
    @Test(arguments: [(3, 5), (10, 64), (16, 64), (17, 20), (33, 70)])
    func tunedKernelAgreesWithTheReference(_ shape: (Int, Int)) throws {
        let (k, d) = shape
        let rows = 300
        let data = try Self.data(rows: rows, d: d, k: k)
        let lanes = GradientKernels.Objective.softmax(classes: k).lanes
        let width = (d + 1) * lanes + 1
        var w = [Float](repeating: 0, count: width)
        var rng = SystemRandomNumberGenerator()
        for j in 0..<(d + 1) { for c in 0..<k { w[j * lanes + c] = Float.random(in: -0.5...0.5, using: &rng) } }
        let order: [UInt32] = (0..<UInt32(rows)).map { ($0 * 37) % UInt32(rows) }
        for target in GradientKernels.Target.runnable {
            for gathered in [false, true] {
                func sums(_ kind: GradientKernels.Kind) -> [Float] {
                    var out = [Float](repeating: .nan, count: width)
                    order.withUnsafeBufferPointer { idx in
                        GradientKernels.accumulate(
                            kind, target: target, x: UnsafePointer(data.x), y: UnsafePointer(data.y), d: d, first: 0, count: rows,
                            indices: gathered ? idx.baseAddress : nil, available: rows, w: w, b: 0, out: &out, objective: .softmax(classes: k))
                    }
                    return out
                }
                let tuned = sums(.wide), reference = sums(.reference)
                for j in 0..<(d + 1) {
                    for c in 0..<lanes {
                        let i = j * lanes + c
                        if c >= k {
                            #expect(tuned[i] == 0 && reference[i] == 0, "padding lane \(c) of row \(j): \(tuned[i]), \(reference[i])")
                        } else {
                            #expect(abs(tuned[i] - reference[i]) <= 2e-5 * max(1, abs(reference[i])), "\(target) [\(j), \(c)]: \(tuned[i]) vs \(reference[i])")
                        }
                    }
                }
                let loss = width - 1
                #expect(abs(tuned[loss] - reference[loss]) <= 1e-5 * abs(reference[loss]), "loss \(tuned[loss]) vs \(reference[loss])")
                #expect(reference[loss] > 0)
            }
        }
    }

    /// Scores of ±1e4 (weights that large) give a finite loss and gradient: the stable log-sum-exp.
    @Test func hugeScoresStayFinite() throws {
        let data = try Dataset(rows: 2, features: 1, source: "huge")
        data.x[0] = 1; data.x[1] = -1
        data.y[0] = 0; data.y[1] = 2
        let lanes = 16
        var w = [Float](repeating: 0, count: 2 * lanes + 1)
        w[0] = 1e4; w[1] = -1e4; w[2] = 5e3
        for kind in [GradientKernels.Kind.wide, .reference] {
            var out = [Float](repeating: .nan, count: 2 * lanes + 1)
            GradientKernels.accumulate(
                kind, target: .best, x: UnsafePointer(data.x), y: UnsafePointer(data.y), d: 1, first: 0, count: 2, indices: nil,
                available: 2, w: w, b: 0, out: &out, objective: .softmax(classes: 3))
            #expect(out.allSatisfy { $0.isFinite }, "\(kind): \(out)")
            // Row 0 is class 0 at z = (1e4, −1e4, 5e3): loss 0; row 1 class 2 at (−1e4, 1e4, −5e3): loss 1.5e4.
            #expect(abs(out[2 * lanes] - 15_000) <= 1, "\(kind): loss \(out[2 * lanes])")
        }
    }

    static func config(k: Int?, threads: Int, executor: ExecutionMode, epochs: Int = 2) -> TrainingConfig {
        var c = TrainingConfig(
            model: .normal(std: 0.01), loss: .softmax, optimizer: SGD(lr: 0.3, momentum: 0.5), epochs: epochs, batchSize: 200,
            shuffle: true, threads: threads, executor: executor, chunkRows: 32)
        c.classes = k
        c.penalty = Penalty(alpha: 1e-3, l1Ratio: 0.5)
        return c
    }

    /// The same bits for 1, 2, 3 and 5 workers and every executor (7 chunks per step, several
    /// reduce blocks: (d + 1)·16 + 1 = 337 floats), stored and made on the fly, float32 and float16.
    @Test func sameBitsForAnyThreadCount() throws {
        let spec = DatasetSpec.softmax(rows: 1400, features: 20, classes: 10, seed: 11)
        for dtype in [DType.float32, .float16] {
            var s = spec
            s.dtype = dtype
            let stored = try Dataset.generate(s, threads: 2)
            var base: TrainingReport?
            for (threads, executor) in [(1, ExecutionMode.serial), (2, .span), (3, .perStep), (5, .span)] {
                for data in [TrainingData.stored(stored), .generated(try SyntheticRows(s))] {
                    let t = try Trainer(config: Self.config(k: nil, threads: threads, executor: executor), data: data)
                    #expect(t.plan.chunkCount(rows: 200) > 1)
                    let r = try t.run()
                    #expect(r.executor != .serial || threads == 1)
                    if let base {
                        #expect(r.model.weights.map(\.bitPattern) == base.model.weights.map(\.bitPattern), "\(dtype) \(threads) \(executor)")
                        #expect(r.model.biases.map(\.bitPattern) == base.model.biases.map(\.bitPattern))
                        #expect(r.epochLosses == base.epochLosses)
                    } else {
                        base = r
                        #expect(r.model.outputs == 10 && r.model.weights.count == 200)
                        #expect(r.epochLosses[1] < r.epochLosses[0] && r.epochLosses[0] < log(10.0))
                    }
                }
            }
        }
    }

    /// Resume from the step-7 checkpoint (mid-epoch 2): the same bits as the run without a stop.
    @Test func resumeIsBitExact() throws {
        let data = try Self.data(rows: 1000, d: 17, k: 4)
        let config = Self.config(k: 4, threads: 2, executor: .span, epochs: 3)
        let whole = try Trainer(config: config, dataset: data).run()
        var saved: TrainingCheckpoint?
        let first = try Trainer(config: config, dataset: data)
        _ = try first.run(checkpoints: CheckpointPolicy(everySteps: 7), onCheckpoint: { if saved == nil { saved = $0 } })
        let checkpoint = try #require(saved)
        #expect(checkpoint.steps == 7 && checkpoint.params.count == 18 * 16)
        let second = try Trainer(config: config, dataset: data)
        try second.resume(from: checkpoint, path: "memory")
        let r = try second.run()
        #expect(r.model.weights.map(\.bitPattern) == whole.model.weights.map(\.bitPattern))
        #expect(r.model.biases.map(\.bitPattern) == whole.model.biases.map(\.bitPattern))
        #expect(r.epochLosses == whole.epochLosses)
    }

    /// Labels that are not class indices are refused, naming the row (0-based).
    @Test(arguments: [(Float(1.5), "1.5"), (-1, "-1.0"), (3, "3.0")])
    func badLabelsAreRefused(_ bad: (Float, String)) throws {
        let data = try Dataset(rows: 4, features: 2, source: "labels")
        for i in 0..<4 { data.y[i] = Float(i % 3) }
        data.y[2] = bad.0
        var config = Self.config(k: 3, threads: 1, executor: .serial)
        config.penalty = nil
        #expect {
            _ = try Trainer(config: config, dataset: data)
        } throws: { error in
            "\(error)".contains("row 2 has the label \(bad.1)") && "\(error)".contains("labels 0 to 2")
        }
    }

    /// Step by step from the same start in storage order, PyTorch's CrossEntropyLoss (mean) with
    /// optim.SGD (momentum; weight decay on W only as the L2 penalty): every parameter after every
    /// step within 4 ulps of the larger of its magnitude and 1.
    @Test func matchesPyTorchStepByStep() throws {
        let doc = try fixture("softmax-torch.json")
        for c in doc["cases"] as! [[String: Any]] {
            let name = c["name"] as! String
            let n = Int(number(c["rows"])), d = Int(number(c["features"])), k = Int(number(c["classes"]))
            let data = try Dataset(rows: n, features: d, source: name)
            let x = hexFloats(c["X"])
            for i in 0..<(n * d) { data.x[i] = x[i] }
            for (i, label) in (c["y"] as! [NSNumber]).enumerated() { data.y[i] = label.floatValue }
            var config = TrainingConfig(
                model: .zeros, loss: .softmax,
                optimizer: SGD(lr: Float(number(c["lr"])), momentum: Float(number(c["momentum"]))),
                epochs: Int(number(c["epochs"])), batchSize: Int(number(c["batchSize"])), shuffle: false, threads: 2,
                executor: .span, chunkRows: 8)
            config.classes = k
            let alpha = Float(number(c["alpha"]))
            if alpha > 0 { config.penalty = Penalty(alpha: alpha, l1Ratio: 0) }
            let trainer = try Trainer(config: config, dataset: data)
            let start = c["start"] as! [String: Any]
            try trainer.start(from: LinearModel(weights: hexFloats(start["weights"]), biases: hexFloats(start["biases"])))
            var params: [[Float]] = []
            _ = try trainer.run(checkpoints: CheckpointPolicy(everySteps: 1), onCheckpoint: { params.append($0.params) })
            let steps = c["steps"] as! [[String: Any]]
            #expect(params.count == steps.count, "\(name)")
            var worst: Float = 0
            for (s, step) in zip(params, steps) {
                let w = hexFloats(step["weights"]), b = hexFloats(step["biases"])
                for j in 0..<d {
                    for cl in 0..<k { worst = max(worst, abs(s[j * 16 + cl] - w[j * k + cl]) / max(1, abs(w[j * k + cl]))) }
                }
                for cl in 0..<k { worst = max(worst, abs(s[d * 16 + cl] - b[cl]) / max(1, abs(b[cl]))) }
            }
            #expect(worst <= 4 * Float.ulpOfOne, "\(name): worst relative difference \(worst)")
        }
    }

    /// Full batch from zeros with the L2 penalty reaches scikit-learn's multinomial optimum
    /// (LogisticRegression, C = 1/(n·α), the same objective): W and the centred biases to 5e-5,
    /// the objective to 1e-6 relative.
    @Test func reachesScikitLearnsOptimum() throws {
        let doc = try fixture("softmax-sklearn.json")
        for c in doc["cases"] as! [[String: Any]] where number(c["alpha"]) > 0 {
            let name = c["name"] as! String
            let n = Int(number(c["rows"])), d = Int(number(c["features"])), k = Int(number(c["classes"]))
            let data = try Dataset(rows: n, features: d, source: name)
            let x = hexFloats(c["X"])
            for i in 0..<(n * d) { data.x[i] = x[i] }
            for (i, label) in (c["y"] as! [NSNumber]).enumerated() { data.y[i] = label.floatValue }
            var config = TrainingConfig(
                model: .zeros, loss: .softmax, optimizer: SGD(lr: 1, momentum: 0.9), epochs: 4000, batchSize: nil, shuffle: false,
                threads: 1, executor: .serial, chunkRows: 64)
            config.penalty = Penalty(alpha: Float(number(c["alpha"])), l1Ratio: 0)
            let r = try Trainer(config: config, dataset: data).run()
            let w = (c["weights"] as! [NSNumber]).map(\.doubleValue), b = (c["biases"] as! [NSNumber]).map(\.doubleValue)
            let mean = r.model.biases.reduce(0.0) { $0 + Double($1) } / Double(k)
            var worst = 0.0
            for i in 0..<(d * k) { worst = max(worst, abs(Double(r.model.weights[i]) - w[i])) }
            for cl in 0..<k { worst = max(worst, abs(Double(r.model.biases[cl]) - mean - b[cl])) }
            #expect(worst < 5e-5, "\(name): max |Δ| \(worst)")
        }
    }
}
