import Foundation
import LinearTraining
import SyntheticData
import Testing

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The two lessons Lockstep started from, reproduced exactly.
@Suite("Seed lessons") struct SeedResultTests {
    static func line50(threads: Int = 1) -> TrainingConfig {
        TrainingConfig(
            data: .csv(path: packageRoot.appendingPathComponent("configs/data/line50.csv").path, target: "y"),
            model: .uniform, loss: .mse, optimizer: SGD(lr: 0.01), epochs: 50_000, batchSize: nil, shuffle: false,
            threads: threads)
    }

    @Test func theLineLessonEndsAtTheTutorialsNumbers() throws {
        let config = Self.line50()
        let trainer = try Trainer(config: config, data: try config.data.load(threads: 1))
        let r = try trainer.run()
        #expect(String(format: "%.4f", Double(r.model.weights[0])) == "1.2043")
        #expect(String(format: "%.4f", Double(r.model.bias)) == "3.0897")
        #expect(String(format: "%.4f", r.finalLoss) == "0.0035")
        #expect(r.steps == 50_000 && r.epochLosses.count == 50_000)
        // and it sits on the exact least-squares fit of ../shared/data/README.md
        #expect(abs(r.model.weights[0] - 1.204266) < 2e-5 && abs(r.model.bias - 3.089730) < 2e-5)
    }

    @Test(arguments: [Loss.squared, .mse])
    func theD2LLessonRecoversTheTrueParameters(loss: Loss) throws {
        let config = TrainingConfig(loss: loss)  // the defaults are the d2l lesson's
        let data = try config.data.load(threads: 1)
        let r = try Trainer(config: config, data: data).run()
        #expect(r.steps == 300 && r.epochLosses.count == 3)
        for (j, e) in zip(r.model.weights, [Float(2), -3.4]).map({ abs($0 - $1) }).enumerated() {
            #expect(e < 5e-3, "|w[\(j)] − w*| = \(e)")
        }
        #expect(abs(r.model.bias - 4.2) < 5e-3)
        #expect(r.finalLoss < 2e-4 && r.epochLosses[0] > r.finalLoss)
    }
}
