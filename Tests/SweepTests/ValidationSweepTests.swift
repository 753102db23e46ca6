import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// Validation and early stopping keep every guarantee: the same bits (weights, every training and
/// validation loss and metric, where it stops) for any thread count and executor, stopped and
/// resumed anywhere (mid-patience too); the stop follows Keras' rule exactly; the validation loss is
/// the loss over the held-out rows.
@Suite("Validation and early stopping sweep", .serialized) struct ValidationSweepTests {
    struct Workload: CustomStringConvertible, Sendable {
        var name: String
        var config: TrainingConfig
        var description: String { name }
    }

    /// Each has several chunks per step (chunkRows well below the batch) and stops early.
    static let workloads: [Workload] = {
        var a = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 6000, features: 20, weights: .alternating, noise: 0.5, seed: 2)), model: .zeros,
            loss: .squared, optimizer: SGD(lr: 0.02, momentum: 0.9), epochs: 40, batchSize: 128, seed: 3, chunkRows: 16)
        a.validation = .split(ValidationSplit(fraction: 0.2))
        a.earlyStopping = EarlyStopping(patience: 2, minDelta: 1e-4, restoreBest: true)
        var b = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 3000, features: 16, weights: .alternating, noise: 0.3, seed: 4)), model: .zeros,
            loss: .mse, optimizer: SGD(lr: 0.05), epochs: 300, batchSize: nil, shuffle: false, chunkRows: 64)
        b.validation = .source(.synthetic(DatasetSpec(rows: 900, features: 16, weights: .alternating, noise: 0.3, seed: 5)))
        b.earlyStopping = EarlyStopping(patience: 3, minDelta: 1e-6, restoreBest: false)
        var labels = DatasetSpec(rows: 5000, features: 24, weights: .alternating, seed: 6)
        labels.task = .logistic
        var c = TrainingConfig(
            data: .synthetic(labels), model: .zeros,
            loss: .logistic, optimizer: SGD(lr: 0.5), epochs: 30, batchSize: 100, seed: 1, chunkRows: 20)
        c.validation = .split(ValidationSplit(fraction: 0.3, seed: 11))
        c.earlyStopping = EarlyStopping(patience: 2, minDelta: 1e-3, restoreBest: true)
        return [
            Workload(name: "minibatch squared, split, restore best", config: a),
            Workload(name: "full batch mse, separate source", config: b),
            Workload(name: "logistic, split with its own seed", config: c),
        ]
    }()

    struct Outcome: Equatable {
        var weights: [UInt32], bias: UInt32, losses: [UInt64], validationLosses: [UInt64], validationMetrics: [UInt64]
        var earlyStop: EarlyStopReport?
        init(_ r: TrainingReport) {
            weights = r.model.weights.map(\.bitPattern)
            bias = r.model.bias.bitPattern
            losses = r.epochLosses.map(\.bitPattern)
            validationLosses = r.validationLosses.map(\.bitPattern)
            validationMetrics = r.validationMetrics.map(\.bitPattern)
            earlyStop = r.earlyStop
        }
    }

    static func trainer(_ c: TrainingConfig, threads: Int, executor: ExecutionMode, data: TrainingData) throws -> Trainer {
        var c = c
        c.threads = threads
        c.executor = executor
        return try Trainer(config: c, data: data)
    }

    @Test(arguments: workloads) func theSameBitsForAnyThreadCountAndExecutor(_ w: Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let one = try Self.trainer(w.config, threads: 1, executor: .serial, data: data).run()
        #expect(one.earlyStop != nil && one.earlyStop!.stoppedAfterEpoch < w.config.epochs, "\(w): the workload must stop early")
        #expect(one.chunkRows < one.batchRows && one.validationLosses.count == one.epochLosses.count)
        for (t, e) in [(2, ExecutionMode.span), (3, .perStep), (5, .span)] {
            let r = try Self.trainer(w.config, threads: t, executor: e, data: data).run()
            #expect(r.executor != .serial && r.threads == t)
            #expect(Outcome(r) == Outcome(one), "\(w) on \(t) threads, \(e)")
        }
    }

    @Test(arguments: workloads) func stoppedAndResumedAnywhereItEndsTheSame(_ w: Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let reference = try Self.trainer(w.config, threads: 1, executor: .serial, data: data)
        let whole = Outcome(try reference.run())
        let total = reference.stepsTaken
        var generator = SystemRandomNumberGenerator()
        for (first, second) in [((2, ExecutionMode.span), (1, ExecutionMode.serial)), ((1, .serial), (3, .perStep))] {
            let stopAt = Int.random(in: 1...max(1, total - 1), using: &generator)
            let a = try Self.trainer(w.config, threads: first.0, executor: first.1, data: data)
            var saved: TrainingCheckpoint?
            _ = try a.run(checkpoints: CheckpointPolicy(everySteps: stopAt, minSeconds: 1e9)) { _ in
            } onCheckpoint: { checkpoint in
                if saved == nil {
                    saved = checkpoint
                    a.progress.requestStop()
                }
            }
            let checkpoint = try #require(saved)
            #expect(checkpoint.steps == stopAt)
            // Through the file's text, as a real resume reads it.
            let reread = try TrainingCheckpoint(text: checkpoint.json.text(pretty: true), path: "test")
            let b = try Self.trainer(w.config, threads: second.0, executor: second.1, data: data)
            try b.resume(from: reread, path: "test")
            #expect(Outcome(try b.run()) == whole, "\(w): stopped at step \(stopAt) on \(first), resumed on \(second)")
        }
    }

    @Test(arguments: workloads) func theStopFollowsKerasRuleAndRestoresTheBestEpoch(_ w: Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let rule = try #require(w.config.earlyStopping)
        var free = w.config
        free.earlyStopping = nil
        let all = try Self.trainer(free, threads: 2, executor: .span, data: data).run()
        // Keras: an epoch improves when below best − minDelta; stop when `patience` epochs in a row did not.
        var best = Double.infinity, bestEpoch = 0, wait = 0, stopEpoch: Int?
        for (i, v) in all.validationLosses.enumerated() {
            if v < best - rule.minDelta {
                (best, bestEpoch, wait) = (v, i + 1, 0)
            } else {
                wait += 1
                if wait >= rule.patience {
                    stopEpoch = i + 1
                    break
                }
            }
        }
        let stopped = try Self.trainer(w.config, threads: 2, executor: .span, data: data).run()
        let stop = try #require(stopped.earlyStop)
        #expect(stop.stoppedAfterEpoch == stopEpoch && stop.bestEpoch == bestEpoch && stop.bestLoss == best)
        #expect(stopped.validationLosses.map(\.bitPattern) == Array(all.validationLosses.prefix(stopEpoch ?? 0)).map(\.bitPattern))
        // The weights: those after the best epoch (restoreBest) or after the last epoch trained.
        var upTo = free
        upTo.epochs = rule.restoreBest ? bestEpoch : stop.stoppedAfterEpoch
        let expected = try Self.trainer(upTo, threads: 1, executor: .serial, data: data).run()
        #expect(stopped.model.weights.map(\.bitPattern) == expected.model.weights.map(\.bitPattern) && stop.restoredBest == rule.restoreBest)
    }

    @Test func theValidationLossAndR2AreTheLossOverTheHeldOutRows() throws {
        var c = Self.workloads[0].config
        c.earlyStopping = nil
        c.epochs = 2
        let trainer = try Trainer(config: c, data: try c.data.load(threads: 2))
        let report = try trainer.run()
        let held = try #require(trainer.validationData?.dataset)
        #expect(trainer.data.rows + held.rows == 6000 && held.rows > 1000 && held.rows < 1400)
        let w = report.model.weights.map(Double.init), b = Double(report.model.bias)
        var loss = 0.0, sse = 0.0, mean = 0.0
        for i in 0..<held.rows { mean += Double(held.y[i]) }
        mean /= Double(held.rows)
        var sst = 0.0
        for i in 0..<held.rows {
            var z = b
            for j in 0..<held.features { z += Double(held.value(row: i, feature: j)) * w[j] }
            let e = z - Double(held.y[i])
            loss += 0.5 * e * e
            sse += e * e
            sst += (Double(held.y[i]) - mean) * (Double(held.y[i]) - mean)
        }
        let v = try #require(report.validationLosses.last), r2 = try #require(report.validationMetrics.last)
        #expect(abs(v - loss / Double(held.rows)) < 1e-12 * v)
        #expect(abs(r2 - (1 - sse / sst)) < 1e-12)
        #expect(report.validationMetricName == "r2")
    }

    @Test func refusals() throws {
        var onTheFly = Self.workloads[0].config
        onTheFly.data = .onTheFly(DatasetSpec(rows: 1000, features: 20, weights: .alternating, seed: 1))
        #expect(throws: TrainingError.self) { try Trainer(config: onTheFly, data: try onTheFly.data.load(threads: 1)) }
        var narrow = Self.workloads[1].config
        narrow.validation = .source(.synthetic(DatasetSpec(rows: 100, features: 3, weights: .alternating, seed: 1)))
        #expect {
            try Trainer(config: narrow, data: try narrow.data.load(threads: 1))
        } throws: { "\($0)".contains("3 feature(s)") }
        var patience = Self.workloads[0].config
        patience.earlyStopping = EarlyStopping(patience: 0)
        #expect { try Trainer(config: patience, data: try patience.data.load(threads: 1)) } throws: { "\($0)".contains("patience") }
    }
}
