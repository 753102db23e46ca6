import Plotting
import ArgumentParser
import Foundation
import LinearTraining
import SyntheticData

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a saved model on labelled data: MSE, RMSE, MAE, R², or accuracy, log-loss, precision/recall/F1 and the confusion matrix.",
        discussion: """
            The metrics are scikit-learn's (sklearn.metrics: mean_squared_error, mean_absolute_error, r2_score, \
            accuracy_score, log_loss, precision_recall_fscore_support, confusion_matrix) on the model's \
            float32 predictions, computed in float64 with sums in a fixed order: the same bits for any --threads. \
            Labels come from the dataset's y.npy or the CSV's target column (the model's target name).

            Example: lockstep evaluate --model run/model.json --data test.csv --json metrics.json
            """)

    @OptionGroup var options: ModelDataOptions

    @Option(
        name: .long,
        help: "With --config: score its validation rows (the held-out share, split as training splits it, or data.validation's source), its training rows, or all (default: validation when the config has a data.validation block, else all).")
    var rows: ModelDataOptions.Rows?

    @Option(name: .long, help: "Also write the metrics as JSON here (- for standard output, then the table is not printed).")
    var json: String?

    @Option(
        name: .customLong("confusion-svg"),
        help: "Also draw the confusion matrix (rows the true class, columns the predicted one) as SVG here; classification models only.")
    var confusionSVG: String?

    func run() throws {
        try runReportingErrors {
            let model = try options.loadModel()
            if let json { try options.inputs().refuse(output: json, flag: "--json") }
            if let confusionSVG {
                try options.inputs().refuse(output: confusionSVG, flag: "--confusion-svg")
                guard model.task != .regression else {
                    throw CLIError(message: "--confusion-svg draws a classifier's confusion matrix; \(options.model) is a regression model", status: .usage)
                }
            }
            if rows != nil && options.config == nil { throw CLIError(message: "--rows picks rows of a config's data; give --config", status: .usage) }
            let data = try options.loadData(for: model, labels: true, rows: rows)
            let result = try model.evaluate(data, threads: options.workers)
            if json != "-" { print(Self.table(result, model: model, source: data.source)) }
            if let json {
                var doc = result.json
                if case var .object(pairs) = doc {
                    pairs.insert(("model", .string(options.model)), at: 0)
                    pairs.insert(("data", .string(data.source)), at: 1)
                    pairs.insert(("task", .string(model.task.rawValue)), at: 2)
                    doc = .object(pairs)
                }
                try OutputFile.write(doc.text(pretty: true) + "\n", to: json)
            }
            if let confusionSVG, let c = result.classification {
                try OutputFile.write(
                    RunPlots.confusionMatrix(counts: c.confusion, title: "Confusion matrix: \(model.loss.rawValue) on \(data.source)"), to: confusionSVG)
            }
        }
    }

    /// The printed report.
    static func table(_ e: Evaluation, model: SavedModel, source: String) -> String {
        var lines = ["\(model.task.rawValue) model (loss \(model.loss.rawValue)) on \(source): \(e.rows) rows"]
        func g(_ v: Double) -> String { cFormat("%.6g", v) }
        if let r = e.regression {
            lines += ["  MSE   \(g(r.mse))", "  RMSE  \(g(r.rmse))", "  MAE   \(g(r.mae))", "  R²    \(g(r.r2))"]
        }
        if let c = e.classification {
            lines += ["  accuracy  \(g(c.accuracy))", "  log-loss  \(g(c.logLoss))", "", "  class  precision     recall         F1    support"]
            for (k, label) in c.classes.enumerated() {
                lines.append(
                    "  \(pad("\(label)", 5))  \(pad(g(c.precision[k]), 9))  \(pad(g(c.recall[k]), 9))  \(pad(g(c.f1[k]), 9))  \(pad("\(c.support[k])", 9))")
            }
            lines += ["", "  confusion matrix (rows: true class, columns: predicted)"]
            let width = max(5, c.confusion.flatMap { $0 }.map { "\($0)".count }.max() ?? 1)
            lines.append("  " + pad("", 5) + c.classes.map { "  " + pad("\($0)", width) }.joined())
            for (k, row) in c.confusion.enumerated() {
                lines.append("  " + pad("\(c.classes[k])", 5) + row.map { "  " + pad("\($0)", width) }.joined())
            }
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
