// Lockstep's guarantee, checked the way a test of one's own would: the same job on 1, 2, 3 and 4
// workers gives the same bits (weights, bias, every epoch's loss), whatever the cores. Built and
// run by the tests (ExamplesCLITests). Run it: swift run -c release thread-sweep
import LinearTraining
import SyntheticData

let data = try Dataset.generate(DatasetSpec(rows: 30_000, features: 32, weights: .alternating, bias: 1, noise: 0.1, seed: 5))

// Several chunks per step (batch 1024 in 128-row chunks), so the workers really share each step,
// and the span executor (the workers stay in one parallel region for many steps).
func train(threads: Int) throws -> TrainingReport {
    var config = TrainingConfig(
        loss: .mse, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 2, batchSize: 1024, seed: 9,
        executor: .span, chunkRows: 128)
    config.threads = threads
    return try Trainer(config: config, data: .stored(data)).run()
}

// Bit patterns, not values: -0 and 0 differ, NaN equals itself.
func bits(_ r: TrainingReport) -> [UInt64] {
    r.model.weights.map { UInt64($0.bitPattern) } + [UInt64(r.model.bias.bitPattern)] + r.epochLosses.map(\.bitPattern)
}

let one = try train(threads: 1)
for threads in [1, 2, 3, 4] {
    let r = try train(threads: threads)
    let same = bits(r) == bits(one)
    print("\(threads) worker(s): \(r.executor) executor, \(r.batchRows / r.chunkRows) chunks per step, loss \(r.finalLoss), bitwise equal to 1 worker: \(same)")
    precondition(same, "the result must not depend on the thread count")
}
