import Foundation
import LinearTraining
import SyntheticData
import Testing

/// What the harder synthetic data is for: Huber shrugs off the gross outliers that pull least
/// squares away from the truth, and an L1 penalty finds the informative features exactly.
@Suite("Training on harder synthetic data") struct HarderDataTrainingTests {
    @Test func huberIsRobustToOutliersWhereLeastSquaresIsNot() throws {
        var spec = DatasetSpec(rows: 4000, features: 8, weights: .alternating, bias: 2, noise: 0.1, seed: 12)
        spec.outlierFraction = 0.1
        spec.outlierScale = 50
        let data = try Dataset.generate(spec, threads: 2)
        func error(_ loss: Loss) throws -> Float {
            var c = TrainingConfig(model: .zeros, loss: loss, optimizer: SGD(lr: 0.05), epochs: 20, batchSize: 50, seed: 1, threads: 1)
            c.huberDelta = 0.5
            return try #require(try Trainer(config: c, dataset: data).run().maxWeightError)
        }
        let squared = try error(.squared), huber = try error(.huber)
        #expect(huber < 0.05 && squared > 3 * huber, "max |w − w*|: huber \(huber), squared \(squared)")
    }

    @Test func theLassoZerosExactlyTheUninformativeFeatures() throws {
        var spec = DatasetSpec(rows: 3000, features: 12, weights: .alternating, bias: 0, noise: 0.1, seed: 13)
        spec.informative = 5
        spec.correlation = 0.3
        let data = try Dataset.generate(spec, threads: 2)
        var c = TrainingConfig(
            model: .zeros, loss: .squared, optimizer: SGD(lr: 0.2), epochs: 400, batchSize: nil, shuffle: false, threads: 1)
        c.penalty = Penalty(alpha: 0.05, l1Ratio: 1)
        let w = try Trainer(config: c, dataset: data).run().model.weights
        #expect(w.map { $0 != 0 } == spec.trueWeights.map { $0 != 0 }, "non-zero pattern \(w) vs truth \(spec.trueWeights)")
    }
}
