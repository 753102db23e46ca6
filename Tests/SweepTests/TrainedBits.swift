import DataParallel
import LinearTraining

/// The bits a run ends with: weights, bias, then every epoch loss (for the sweeps' equality checks).
func trainedBits(_ config: TrainingConfig, _ data: TrainingData, threads: Int, executor: ExecutionMode) throws -> [UInt64] {
    var c = config
    c.threads = threads
    c.executor = executor
    let r = try Trainer(config: c, data: data).run()
    return r.model.weights.map { UInt64($0.bitPattern) } + [UInt64(r.model.bias.bitPattern)] + r.epochLosses.map(\.bitPattern)
}
