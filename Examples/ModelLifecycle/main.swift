// A model's life through the library, as docs/library.md shows it: synthetic data, a held-out
// share with early stopping, a learning-rate schedule, training on every core, saving the model,
// reading it back, predicting and evaluating. Built and run by the tests (ExamplesCLITests), so it
// stays true. Run it: swift run -c release model-lifecycle
import Foundation
import LinearTraining
import SyntheticData

// 1. Data: 40 000 rows × 16 features, y = x·w + b + noise, the same bits for any thread count.
let spec = DatasetSpec(rows: 40_000, features: 16, weights: .alternating, bias: 4.2, noise: 0.5, seed: 7)
let dataset = try Dataset.generate(spec, threads: 2)

// 2. The job: minibatch SGD with momentum, 10 % held out, early stopping, a cosine schedule.
var config = TrainingConfig(loss: .mse, optimizer: SGD(lr: 0.01, momentum: 0.9), epochs: 30, batchSize: 256, seed: 1)
config.validation = .split(ValidationSplit(fraction: 0.1))
config.earlyStopping = EarlyStopping(patience: 3, minDelta: 1e-5, restoreBest: true)
config.schedule = .cosine(tMax: 30, etaMin: 0.001)

// 3. Train on 2 workers (threads: nil means the physical cores available).
config.threads = 2
let trainer = try Trainer(config: config, data: .stored(dataset))
let report = try trainer.run { epoch in
    if let v = epoch.validationLoss { print("epoch \(epoch.epoch): loss \(epoch.loss), validation \(v), lr \(epoch.lr)") }
}
if let stop = report.earlyStop { print(stop.sentence) }

// 4. Save the model (exact bits, feature names, provenance) and read it back.
let saved = SavedModel(trainer: trainer, report: report)
let path = FileManager.default.temporaryDirectory.appendingPathComponent("model-lifecycle-\(getpid()).json").path
try AtomicFile.write(saved.text, to: path)
let model = try SavedModel(path: path)
try? FileManager.default.removeItem(atPath: path)
precondition(model == saved, "a saved model reads back bit for bit")

// 5. Predict new rows and evaluate on fresh data from the same distribution.
var fresh = spec
fresh.rows = 10_000
fresh.seed = 8
let test = try Dataset.generate(fresh, threads: 2)
let predictions = try model.predict(test, threads: 2)
let metrics = try model.evaluate(.stored(test), threads: 2)
let r = metrics.regression!
print("first prediction \(predictions[0]) for y = \(test.yValues[0])")
print("test MSE \(r.mse), RMSE \(r.rmse), MAE \(r.mae), R² \(r.r2)")
precondition(r.r2 > 0.95, "the model generalises")
