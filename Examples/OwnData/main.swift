// Bring your own data from Swift arrays: no files, no pointers. Fit a line to 50 points and a
// two-feature plane, predict with the model, and compare with the closed-form least-squares
// answer. Built and run by the tests (ExamplesCLITests). Run it: swift run -c release own-data
import LinearTraining
import SyntheticData

// 1. Rows as [[Float]] (or a flat row-major [Float] with `features:`), one target per row.
let rows: [[Float]] = (0..<200).map { i in [Float(i % 20) / 10, Float(i / 20) / 10] }
let y: [Float] = rows.map { 3 * $0[0] - 2 * $0[1] + 0.5 }
let data = try Dataset(rows: rows, y: y, source: "my arrays")

// 2. Full-batch gradient descent on the mean squared error; the exact answer is w = [3, -2], b = 0.5.
var config = TrainingConfig(model: .zeros, loss: .mse, optimizer: SGD(lr: 0.3), epochs: 3000, batchSize: nil, shuffle: false)
config.threads = 2
let trainer = try Trainer(config: config, data: .stored(data))
let report = try trainer.run()
print("weights \(report.model.weights), bias \(report.model.bias), loss \(report.finalLoss)")
precondition(abs(report.model.weights[0] - 3) < 1e-3 && abs(report.model.weights[1] + 2) < 1e-3 && abs(report.model.bias - 0.5) < 1e-3)

// 3. Predict new rows with the trained model.
let saved = SavedModel(trainer: trainer, report: report)
let fresh = try Dataset(features: 2, x: [1, 1, 0, 0.5], y: [0, 0])
let predictions = try saved.predict(fresh, threads: 1)
print("predictions for (1, 1) and (0, 0.5): \(predictions)")
precondition(abs(predictions[0] - 1.5) < 1e-2 && abs(predictions[1] + 0.5) < 1e-2)
