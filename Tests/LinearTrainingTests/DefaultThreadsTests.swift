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
