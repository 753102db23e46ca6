import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// Training on float16 X gives exactly the bits of training on the float32 values it holds, for
/// any thread count and executor, stored or made on the fly: the kernels convert in registers and
/// compute in float32, so the float16 path changes the data, never the arithmetic.
@Suite("float16 sweep", .serialized) struct Float16SweepTests {
    static let workloads: [(String, TrainingConfig)] = [
        ("d64 shuffled, momentum", TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 2000, features: 64, weights: .alternating, seed: 1, dtype: .float16)),
            model: .zeros, loss: .mse, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 2, batchSize: 256, seed: 5,
            chunkRows: 24)),
        ("wide d=40, partial batch", TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 1530, features: 40, weights: .alternating, seed: 2, dtype: .float16)),
            model: .normal(std: 0.01), loss: .squared, optimizer: SGD(lr: 0.02), epochs: 2, batchSize: 100, seed: 6,
            chunkRows: 16)),
        ("d=2 full batch", TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 999, features: 2, seed: 3, dtype: .float16)), model: .zeros,
            loss: .squared, optimizer: SGD(lr: 0.1), epochs: 20, batchSize: nil, shuffle: false, chunkRows: 50)),
    ]

    @Test(arguments: 0..<3)
    func float16TrainsToTheBitsOfItsFloat32ValuesOnAnyThreadCount(_ k: Int) throws {
        let (name, config) = Self.workloads[k]
        guard case let .synthetic(spec) = config.data else { return }
        let half = try Dataset.generate(spec, threads: 2)
        // The float32 dataset holding exactly the float16 values.
        let wide = try half.converted(to: .float32)
        let reference = try trainedBits(config, .stored(wide), threads: 1, executor: .serial)
        for (t, e) in [(1, ExecutionMode.serial), (2, .span), (3, .span), (2, .perStep), (3, .perStep)] {
            #expect(try trainedBits(config, .stored(half), threads: t, executor: e) == reference, "\(name): \(t) \(e)")
        }
        for t in [1, 2] {
            let fly = try trainedBits(config, .generated(try SyntheticRows(spec)), threads: t, executor: t == 1 ? .serial : .span)
            #expect(fly == reference, "\(name): on the fly, \(t) thread(s)")
        }
        // And it is not the float32 run: the data really are rounded.
        var f32 = spec
        f32.dtype = .float32
        var c32 = config
        c32.data = .synthetic(f32)
        let unrounded = try trainedBits(c32, try c32.data.load(threads: 2), threads: 1, executor: .serial)
        #expect(unrounded != reference, "\(name): float16 data trained like float32 data")
    }
}
