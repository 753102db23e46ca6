import ArgumentParser
import ConfigLoading
import DataParallel
import LinearTraining

/// The options `train` and `sweep` share: the config file and the flags that override it.
struct TrainingOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML (or JSON) training config, e.g. configs/d2l-scratch.yaml (default: the built-in d2l lesson).")
    var config: String?

    // Numbers are parsed unconditionally, so a negative one reaches the range check ("--lr must be
    // > 0, got -1") instead of being taken for a flag ("Missing value for '--lr'").
    @Option(name: .long, parsing: .unconditional, help: "Epochs (overrides training.epochs).")
    var epochs: Int?

    @Option(name: .long, parsing: .unconditional, help: "Learning rate (overrides optimizer.lr).")
    var lr: String?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Rows per minibatch, or 'full' (overrides training.batchSize).")
    var batchSize: String?

    @Option(name: .long, parsing: .unconditional, help: "Seed of the initialisation and the epoch orders, a whole number >= 0 (overrides training.seed).")
    var seed: String?

    @Option(name: .long, help: "auto, span, per-step or serial (overrides training.executor).")
    var executor: String?

    @Option(name: .long, help: "Train on DIR/X.npy and DIR/y.npy, memory-mapped (overrides data; see lockstep generate).")
    var data: String?

    @Flag(name: .customLong("convert-float64"), help: "With --data: convert float64 .npy files into memory instead of refusing them.")
    var convertFloat64 = false

    func validate() throws {
        if let e = epochs, e < 1 { throw ValidationError("--epochs must be at least 1, got \(e)") }
        if let lr, !((Float(lr)?.isFinite ?? false) && Float(lr)! > 0 && Double(lr) != nil) {
            throw ValidationError("--lr must be a finite number > 0, got \(Float(lr).map { "\($0)" } ?? "'\(lr)'")")
        }
        if let b = batchSize, b != "full", (Int(b) ?? 0) < 1 {
            throw ValidationError("--batch-size must be a whole number >= 1 or 'full', got '\(b)'")
        }
        if let s = seed, UInt64(s) == nil {
            throw ValidationError("--seed must be a whole number >= 0, got '\(s)'")
        }
        if convertFloat64 && data == nil { throw ValidationError("--convert-float64 only applies with --data DIR") }
        if let e = executor, ExecutionMode(rawValue: e) == nil {
            throw ValidationError("--executor must be one of \(ExecutionMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(e)'")
        }
    }

    /// The config file with the flags applied.
    func resolved() throws -> TrainingConfig {
        var c = try config.map { path throws in try ConfigFile.load(path: path) } ?? TrainingConfig()
        if let epochs { c.epochs = epochs }
        if let lr {
            c.optimizer.lr = Float(lr)!
            c.lrAsWritten = Double(lr)  // a schedule starts from the Double, as PyTorch's does
        }
        if let batchSize { c.batchSize = batchSize == "full" ? nil : Int(batchSize) }
        if let seed { c.seed = UInt64(seed)! }
        if let executor { c.executor = ExecutionMode(rawValue: executor)! }
        if let data { c.data = .npy(dir: data, convertFloat64: convertFloat64) }
        return c
    }
}
