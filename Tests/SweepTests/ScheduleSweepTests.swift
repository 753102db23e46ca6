import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// Schedules keep every guarantee: the same bits for any thread count and executor, and a run
/// stopped at any step (mid-epoch, mid-warm-up, mid-plateau) resumes to the uninterrupted run's
/// bits, rates included.
@Suite("Schedule sweep", .serialized) struct ScheduleSweepTests {
    typealias Sweep = ThreadSweepTests

    struct Outcome: Equatable {
        var weights: [UInt32]
        var bias: UInt32
        var losses: [UInt64]
        var lrs: [UInt64]
    }

    static func outcome(_ r: TrainingReport) -> Outcome {
        Outcome(
            weights: r.model.weights.map(\.bitPattern), bias: r.model.bias.bitPattern, losses: r.epochLosses.map(\.bitPattern),
            lrs: r.epochLRs.map(\.bitPattern))
    }

    static let minibatch = TrainingConfig(
        data: .synthetic(DatasetSpec(rows: 1530, features: 20, weights: .alternating, seed: 2)), model: .normal(std: 0.01),
        loss: .mse, optimizer: SGD(lr: 0.05, momentum: 0.5), epochs: 6, batchSize: 100, seed: 6, chunkRows: 16)
    static let fullBatch = TrainingConfig(
        data: .synthetic(DatasetSpec(rows: 999, features: 3, weights: .explicit([1, -2, 3]), seed: 3)), model: .uniform,
        loss: .mse, optimizer: SGD(lr: 0.05), epochs: 40, batchSize: nil, shuffle: false, chunkRows: 50)

    struct Workload: CustomStringConvertible, Sendable {
        var name: String
        var config: TrainingConfig
        var description: String { name }
    }

    static func with(_ base: TrainingConfig, _ s: LearningRateSchedule, _ interval: LearningRateSchedule.Interval) -> TrainingConfig {
        var c = base
        c.schedule = s
        c.scheduleInterval = interval
        c.lrAsWritten = 0.05  // as a config file gives it: the schedule starts from the Double 0.05
        return c
    }

    static let warmCosine = LearningRateSchedule.sequential(
        [.linear(startFactor: 0.1, endFactor: 1, totalIters: 20), .cosine(tMax: 60, etaMin: 0.001)], milestones: [20])
    static let workloads: [Workload] = [
        Workload(name: "minibatch, warm-up then cosine per step", config: with(minibatch, warmCosine, .step)),
        Workload(name: "minibatch, step per epoch", config: with(minibatch, .step(stepSize: 2, gamma: 0.5), .epoch)),
        Workload(name: "minibatch, plateau", config: with(minibatch, .plateau(.init(patience: 0, threshold: 0.5, cooldown: 1)), .epoch)),
        Workload(name: "full batch, exponential per epoch", config: with(fullBatch, .exponential(gamma: 0.95), .epoch)),
        Workload(name: "full batch, plateau", config: with(fullBatch, .plateau(.init(factor: 0.5, patience: 1, threshold: 0.01)), .epoch)),
        Workload(name: "full batch, invscaling per step", config: with(fullBatch, .invScaling(powerT: 0.5), .step)),
    ]

    static func trainer(_ c: TrainingConfig, threads: Int, executor: ExecutionMode, data: TrainingData) throws -> Trainer {
        var c = c
        c.threads = threads
        c.executor = executor
        return try Trainer(config: c, data: data)
    }

    @Test(arguments: workloads)
    func sameBitsForAnyThreadCountAndExecutor(_ w: Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let reference = Self.outcome(try Self.trainer(w.config, threads: 1, executor: .serial, data: data).run())
        #expect(reference.lrs.count == w.config.epochs)
        for threads in [2, 3] {
            for executor in [ExecutionMode.span, .perStep] {
                let got = Self.outcome(try Self.trainer(w.config, threads: threads, executor: executor, data: data).run())
                #expect(got == reference, "\(w): \(threads) threads, \(executor)")
            }
        }
    }

    @Test(arguments: workloads)
    func stoppedAnywhereAndResumedGivesTheSameBits(_ w: Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let reference = Self.outcome(try Self.trainer(w.config, threads: 2, executor: .span, data: data).run())
        let total = try Self.trainer(w.config, threads: 1, executor: .serial, data: data).totalSteps
        for stopAt in Set([1, 7, total / 2 + 3, total - 1]).sorted() where stopAt < total {
            let a = try Self.trainer(w.config, threads: 1, executor: .serial, data: data)
            var saved: TrainingCheckpoint?
            _ = try a.run(checkpoints: CheckpointPolicy(everySteps: stopAt, minSeconds: 1e9)) { _ in } onCheckpoint: { c in
                if saved == nil {
                    saved = c
                    a.progress.requestStop()
                }
            }
            let checkpoint = try #require(saved)
            let back = try TrainingCheckpoint(text: checkpoint.json.text(pretty: true), path: "test")
            #expect(back == checkpoint)
            #expect(back.schedulerWords != nil)
            let b = try Self.trainer(w.config, threads: 3, executor: .span, data: data)
            try b.resume(from: back, path: "test")
            #expect(Self.outcome(try b.run()) == reference, "\(w): stopped at step \(stopAt)")
        }
    }

    /// A schedule that keeps the rate (step with gamma 1) gives the bits of no schedule: the table
    /// path applies exactly `Float(lr)` as the plain update does.
    @Test(arguments: [minibatch, fullBatch])
    func aConstantScheduleGivesTheBitsOfNone(_ base: TrainingConfig) throws {
        let data = try base.data.load(threads: 2)
        var plain = Self.outcome(try Self.trainer(base, threads: 2, executor: .span, data: data).run())
        let c = Self.with(base, .step(stepSize: 1, gamma: 1), .step)
        let scheduled = Self.outcome(try Self.trainer(c, threads: 2, executor: .span, data: data).run())
        plain.lrs = scheduled.lrs
        #expect(scheduled == plain)
        #expect(scheduled.lrs.allSatisfy { Float(Double(bitPattern: $0)) == base.optimizer.lr })
        let warm = Self.outcome(try Self.trainer(Self.with(base, .linear(startFactor: 0.5, endFactor: 1, totalIters: 3), .epoch), threads: 2, executor: .span, data: data).run())
        #expect(warm.weights != plain.weights)
    }

    /// The epoch rates the trainer reports are PyTorch's sequence: per epoch, each epoch's; per
    /// step, each epoch's last step's. Here against the closed form of ExponentialLR's first
    /// steps (exact: γ = 0.5 is a power of two).
    @Test func reportedRatesFollowTheInterval() throws {
        let data = try Self.minibatch.data.load(threads: 2)
        let perEpoch = try Self.trainer(Self.with(Self.minibatch, .exponential(gamma: 0.5), .epoch), threads: 2, executor: .span, data: data).run()
        #expect(perEpoch.epochLRs == (0..<6).map { 0.05 * pow(0.5, Double($0)) })
        let batches = 16  // 1530 rows in batches of 100
        let perStep = try Self.trainer(Self.with(Self.minibatch, .exponential(gamma: 0.5), .step), threads: 2, executor: .span, data: data).run()
        #expect(perStep.epochLRs == (0..<6).map { 0.05 * pow(0.5, Double(($0 + 1) * batches - 1)) })
    }
}
