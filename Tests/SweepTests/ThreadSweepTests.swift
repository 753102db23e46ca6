import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// The signature guarantee: weights, bias and every epoch loss are the same bits for every thread
/// count and executor. Thread counts 1, 2, 3, cores, cores + 1 and 8 (more than the cores).
@Suite("Thread sweep", .serialized) struct ThreadSweepTests {
    static let cores = ProcessInfo.processInfo.activeProcessorCount
    static let threadCounts = Array(Set([1, 2, 3, cores, cores + 1, 8])).sorted()

    struct Workload: CustomStringConvertible, Sendable {
        var name: String
        var config: TrainingConfig
        var description: String { name }
    }

    static let workloads: [Workload] = [
        Workload(
            name: "d64 shuffled minibatch, momentum",
            config: TrainingConfig(
                data: .synthetic(DatasetSpec(rows: 2000, features: 64, weights: .alternating, seed: 1)), model: .zeros,
                loss: .mse, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 3, batchSize: 256, seed: 5, chunkRows: 24)),
        Workload(
            name: "wide d=20, partial last batch, nesterov + weight decay",
            config: TrainingConfig(
                data: .synthetic(DatasetSpec(rows: 1530, features: 20, weights: .alternating, seed: 2)),
                model: .normal(std: 0.01), loss: .squared,
                optimizer: SGD(lr: 0.05, momentum: 0.5, nesterov: true, weightDecay: 0.001), epochs: 2, batchSize: 100,
                seed: 6, chunkRows: 16)),
        Workload(
            name: "small d=3, full batch",
            config: TrainingConfig(
                data: .synthetic(DatasetSpec(rows: 999, features: 3, weights: .explicit([1, -2, 3]), seed: 3)),
                model: .uniform, loss: .mse, optimizer: SGD(lr: 0.05), epochs: 30, batchSize: nil, shuffle: false,
                chunkRows: 50)),
        Workload(
            name: "storage order minibatch",
            config: TrainingConfig(
                data: .synthetic(DatasetSpec(rows: 700, features: 5, weights: .alternating, seed: 4)), model: .zeros,
                loss: .mse, optimizer: SGD(lr: 0.02), epochs: 2, batchSize: 64, shuffle: false, chunkRows: 8)),
        Workload(
            name: "d=40 full batch, storage order, three reduce blocks",
            config: TrainingConfig(
                data: .synthetic(DatasetSpec(rows: 333, features: 40, weights: .alternating, seed: 9)), model: .zeros,
                loss: .squared, optimizer: SGD(lr: 0.1, momentum: 0.9, dampening: 0.3), epochs: 6, batchSize: nil,
                shuffle: false, chunkRows: 32)),
        Workload(name: "elastic net on a sparse truth, momentum", config: penalized),
        Workload(name: "standardized d=40, shuffled, momentum (Σ g summed again by the workers without it)", config: standardized),
    ]

    /// `data.standardize` on the wide kernel: d + 2 = 42 coordinates are three reduce blocks, so two
    /// of three workers take Σ g from the partials rather than from their own slice.
    static var standardized: TrainingConfig {
        var c = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 1100, features: 40, weights: .alternating, seed: 11)), model: .normal(std: 0.01),
            loss: .squared, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 2, batchSize: 256, seed: 12, chunkRows: 16)
        c.standardize = true
        c.penalty = Penalty(alpha: 0.01, l1Ratio: 0.5)
        return c
    }

    /// The L1 part's soft threshold and the L2 part with momentum and a short last batch.
    static var penalized: TrainingConfig {
        var c = TrainingConfig(
            data: .synthetic(
                DatasetSpec(
                    rows: 1250, features: 18, weights: .explicit([1, 0, -2, 0, 0, 0.5, 0, 0, 3, 0, 0, -1, 0, 0, 2, 0, 0, 0]), seed: 7)),
            model: .zeros, loss: .squared, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 3, batchSize: 128, seed: 8, chunkRows: 16)
        c.penalty = Penalty(alpha: 0.05, l1Ratio: 0.7)
        return c
    }

    struct Outcome: Equatable {
        var weights: [UInt32]
        var bias: UInt32
        var losses: [UInt64]
    }

    static func train(_ w: Workload, threads: Int, executor: ExecutionMode, data: TrainingData) throws -> Outcome {
        var c = w.config
        c.threads = threads
        c.executor = executor
        let r = try Trainer(config: c, data: data).run()
        // What the equality is evidence of: several chunks a step, and the executor asked for (a
        // span wider than Dispatch's pool, or one whose workers did not all check in, runs per-step).
        #expect(r.batchRows > r.chunkRows, "\(w): one chunk a step cannot differ by thread count")
        let expected: ExecutionMode = executor == .serial || threads == 1 ? .serial
            : executor == .span && threads <= ExecutionPlan.processCores.hardwareThreads && r.spanFallbacks == 0 ? .span : .perStep
        #expect(r.executor == expected, "\(w): \(threads) thread(s), asked \(executor.rawValue), ran \(r.executor)")
        return Outcome(
            weights: r.model.weights.map(\.bitPattern), bias: r.model.bias.bitPattern, losses: r.epochLosses.map(\.bitPattern))
    }

    @Test(arguments: workloads)
    func everyThreadCountAndExecutorGivesTheSameBits(_ w: Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let reference = try Self.train(w, threads: 1, executor: .serial, data: data)
        #expect(reference.losses.count == w.config.epochs)
        for executor in [ExecutionMode.span, .perStep] {
            for t in Self.threadCounts {
                let got = try Self.train(w, threads: t, executor: executor, data: data)
                #expect(got == reference, "\(w): \(t) thread(s), executor \(executor.rawValue)")
            }
        }
        // The same spec made on the fly, row by row into each worker's scratch: the same bits.
        if case let .synthetic(spec) = w.config.data {
            let generated = TrainingData.generated(try SyntheticRows(spec))
            for t in [1, 2, 3] {
                let got = try Self.train(w, threads: t, executor: t == 1 ? .serial : .span, data: generated)
                #expect(got == reference, "\(w): on the fly, \(t) thread(s)")
            }
        }
    }

    @Test func theReferenceKernelIsAlsoThreadCountIndependent() throws {
        var w = Self.workloads[0]
        w.config.kernel = .reference
        let data = try w.config.data.load(threads: 1)
        let one = try Self.train(w, threads: 1, executor: .serial, data: data)
        for t in [2, 3] { #expect(try Self.train(w, threads: t, executor: .span, data: data) == one, "\(t) threads") }
    }
}
