// Make a synthetic dataset on disk as NumPy files, map it back and train on it: the path a user
// takes who needs large reproducible data (docs/library.md, the DocC "Datasets" article). Built and
// run by the tests (ExamplesCLITests). Run it: swift run -c release generate-then-train [DIR]
import Foundation
import LinearTraining
import SyntheticData

// 1. y = X·w + b + noise for 20 000 rows × 8 features: X.npy, y.npy and meta.json (the spec, the
//    true weights, each file's CRC-32). The bytes are the same for any thread count.
let dir = CommandLine.arguments.dropFirst().first
    ?? FileManager.default.temporaryDirectory.appendingPathComponent("generate-then-train-\(getpid())").path
let spec = DatasetSpec(rows: 20_000, features: 8, weights: .alternating, bias: 4.2, noise: 0.01, seed: 3)
let meta = try Dataset.generateNpy(spec, to: dir, threads: 2, overwrite: true)
print("wrote \(dir): X.npy \(meta.x.shape), crc32 \(String(meta.x.crc32, radix: 16))")

// 2. Map it back: no copy, the page cache is read directly; meta.json gives the true weights.
let data = try Dataset.loadNpy(directory: dir, threads: 2)

// 3. Minibatch SGD on 2 workers; report how far the learned weights are from the true ones.
var config = TrainingConfig(loss: .squared, optimizer: SGD(lr: 0.03), epochs: 3, batchSize: 64, seed: 1)
config.threads = 2
let report = try Trainer(config: config, data: .stored(data)).run()
print("loss \(report.finalLoss), largest |w - w_true| \(report.maxWeightError ?? .nan)")
precondition((report.maxWeightError ?? 1) < 0.01, "SGD recovers the true weights")
if CommandLine.arguments.count < 2 { try FileManager.default.removeItem(atPath: dir) }
