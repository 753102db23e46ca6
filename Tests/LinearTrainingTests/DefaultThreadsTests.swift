import Foundation
import HardwareTopology
import LinearTraining
import SyntheticData
import Testing

/// `threads: nil` means the physical cores available, resolved by the library itself (a trainer
/// made without a topology used to run one worker).
@Suite("default threads") struct DefaultThreadsTests {
    @Test func nilThreadsWithoutATopologyRunsOneWorkerPerPhysicalCore() throws {
        let cores = try Topology.current().physicalCores
        let data = try Dataset.generate(DatasetSpec(rows: 4096, features: 16, weights: .alternating, seed: 1))
        var config = TrainingConfig(loss: .mse, epochs: 1, batchSize: 1024, executor: .perStep, chunkRows: 128)
        #expect(config.threads == nil)
        let report = try Trainer(config: config, data: .stored(data)).run()
        #expect(report.threads == cores, "\(report.threads) worker(s) on \(cores) core(s)")
        config.threads = 1
        let one = try Trainer(config: config, data: .stored(data)).run()
        #expect(one.threads == 1 && one.model == report.model, "the same bits on one worker")
    }
}

/// A `TrainingReport` is `Codable`: JSON there and back gives the same report, bit for bit.
@Suite("report as JSON") struct ReportCodableTests {
    @Test func aReportRoundTripsThroughJSONExactly() throws {
        let data = try Dataset.generate(DatasetSpec(rows: 2000, features: 4, weights: .alternating, seed: 3))
        var config = TrainingConfig(loss: .mse, epochs: 3, batchSize: 100, threads: 1)
        config.validation = .split(ValidationSplit(fraction: 0.2))
        config.earlyStopping = EarlyStopping(patience: 1, minDelta: 10, restoreBest: true)
        let report = try Trainer(config: config, data: .stored(data)).run()
        #expect(report.earlyStop != nil && !report.validationLosses.isEmpty)
        let text = try JSONEncoder().encode(report)
        let back = try JSONDecoder().decode(TrainingReport.self, from: text)
        #expect(back == report)
        #expect(back.model.weights.map(\.bitPattern) == report.model.weights.map(\.bitPattern))
    }
}
