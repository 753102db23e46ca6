import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// The logistic and Huber losses keep the signature: the same bits for any thread count and
/// executor, stored or on the fly (several chunks per step, so the reduce order is exercised).
@Suite("Objective sweep", .serialized) struct ObjectiveSweepTests {
    static func configs() -> [(String, TrainingConfig)] {
        var logistic = DatasetSpec(rows: 3000, features: 64, weights: .alternating, bias: 0.5, seed: 8)
        logistic.task = .logistic
        var huber = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 1700, features: 20, weights: .alternating, noise: 2, seed: 9)),
            model: .zeros, loss: .huber, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 2, batchSize: 300, seed: 2,
            chunkRows: 32)
        huber.huberDelta = 0.5
        // Class 1 is rare (bias −2): balanced weights from the counted labels (stored or made on the fly).
        var rare = DatasetSpec(rows: 2100, features: 20, weights: .alternating, bias: -2, seed: 10)
        rare.task = .logistic
        var weighted = TrainingConfig(
            data: .synthetic(rare), model: .zeros, loss: .logistic, optimizer: SGD(lr: 0.3, momentum: 0.5), epochs: 2,
            batchSize: 250, seed: 4, chunkRows: 24)
        weighted.classWeight = .balanced
        return [
            ("logistic wide, balanced class weights, partial batch", weighted),
            ("logistic d64 shuffled", TrainingConfig(
                data: .synthetic(logistic), model: .zeros, loss: .logistic, optimizer: SGD(lr: 0.5), epochs: 2,
                batchSize: 512, seed: 3, chunkRows: 40)),
            ("huber wide, partial batch, momentum", huber),
            ("logistic d=2 full batch", TrainingConfig(
                data: .synthetic({ var s = DatasetSpec(rows: 999, features: 2, seed: 5); s.task = .logistic; return s }()),
                model: .zeros, loss: .logistic, optimizer: SGD(lr: 1), epochs: 10, batchSize: nil, shuffle: false,
                chunkRows: 100)),
        ]
    }

    @Test(arguments: 0..<4)
    func everyThreadCountGivesTheSameBits(_ k: Int) throws {
        let (name, config) = Self.configs()[k]
        let data = try config.data.load(threads: 2)
        let reference = try trainedBits(config, data, threads: 1, executor: .serial)
        for (t, e) in [(2, ExecutionMode.span), (3, .span), (2, .perStep), (3, .perStep)] {
            #expect(try trainedBits(config, data, threads: t, executor: e) == reference, "\(name): \(t) \(e)")
        }
        guard case let .synthetic(spec) = config.data else { return }
        let fly = try trainedBits(config, .generated(try SyntheticRows(spec)), threads: 2, executor: .span)
        #expect(fly == reference, "\(name): on the fly")
    }
}
