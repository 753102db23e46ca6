import DataParallel
import ArgumentParser
import ConfigLoading
import Foundation
import LinearTraining
import SyntheticData

/// `--model`, the data a saved model is applied to (`--data` or `--config`) and `--threads`,
/// shared by `predict` and `evaluate`.
struct ModelDataOptions: ParsableArguments {
    @Option(name: .long, help: "The model file: model.json of a run directory, or what train --model wrote.")
    var model: String

    @Option(
        name: .long,
        help: "The data: a dataset directory (X.npy, and y.npy for evaluate, memory-mapped) or a CSV file (feature columns matched by the model's feature names, in any order).")
    var data: String?

    @Option(name: .long, help: "Take the data from this config's data block instead (synthetic data too, made on the fly in blocks).")
    var config: String?

    @Flag(name: .customLong("convert-float64"), help: "Accept float64 .npy files (converted to float32 in memory).")
    var convertFloat64 = false

    @Option(name: .long, parsing: .unconditional, help: "Workers: a number from 1 to 4096, or 'auto' for the physical cores (default).")
    var threads: String?

    func validate() throws {
        if (data == nil) == (config == nil) { throw ValidationError("give the data with exactly one of --data PATH or --config FILE") }
        if let t = threads, t != "auto", !(1...TrainCommand.maxThreads).contains(Int(t) ?? 0) {
            throw ValidationError("--threads must be a whole number from 1 to \(TrainCommand.maxThreads) or 'auto', got '\(t)'")
        }
    }

    /// The workers to use.
    var workers: Int {
        if let t = threads.flatMap(Int.init) { return t }
        return ExecutionPlan.processCores.cores
    }

    /// The model file.
    func loadModel() throws -> SavedModel {
        try SavedModel(path: model)
    }

    /// Which rows of a config's data to use (`evaluate --rows`).
    enum Rows: String, ExpressibleByArgument, CaseIterable {
        case validation, training, all
    }

    /// The data for `model`; with `labels`, y must be there (a dataset's y.npy, the CSV's target column).
    /// With `--config`, `rows` picks the config's validation rows (its held-out share or source), the
    /// rest, or all; nil takes the validation rows when the config has some, else all.
    func loadData(for model: SavedModel, labels: Bool, rows: Rows? = .all) throws -> TrainingData {
        if let config {
            let c = try ConfigFile.load(path: config)
            if case let .csv(path, target, _, header, weight) = c.data {
                try Self.checkColumns(
                    try Dataset.csvHeader(path: path, header: header).filter { $0 != target && $0 != weight }, model: model, path: path)
            }
            let all = try c.data.load(threads: workers)
            let choice = rows ?? (c.validation == nil ? .all : .validation)
            if choice == .all { return all }
            guard c.validation != nil else {
                throw CLIError(
                    message: "--rows \(choice.rawValue): \(config) has no data.validation block, so all its rows are training rows; use --rows all",
                    status: .usage)
            }
            let parts = try Trainer.trainingAndValidationRows(c, all)
            return choice == .training ? parts.training : (parts.validation ?? all)
        }
        let path = data!
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw DataError.fileNotFound(path: path) }
        if isDirectory.boolValue {
            return .stored(try Dataset.loadNpy(directory: path, convertFloat64: convertFloat64, threads: workers, labels: labels))
        }
        return .stored(try Dataset.loadCSV(path: path, target: labels ? model.target : nil, features: model.featureNames))
    }

    /// Refuses training-config CSV data whose feature columns are not the model's, by name and order.
    static func checkColumns(_ columns: [String], model: SavedModel, path: String) throws(CLIError) {
        guard columns != model.featureNames else { return }
        let missing = model.featureNames.filter { !columns.contains($0) }
        let what = missing.isEmpty ? "in another order" : "without \(Self.list(missing))"
        throw CLIError(
            message: "\(path) has the feature columns \(Self.list(columns)) \(what) than the model's \(Self.list(model.featureNames)); "
                + "give the CSV with --data to match columns by name", status: .badData)
    }

    /// At most 8 names, quoted, each at most 40 characters.
    static func list(_ names: [String]) -> String {
        let shown = names.prefix(8).map { "'\($0.count > 40 ? String($0.prefix(40)) + "…" : $0)'" }.joined(separator: ", ")
        return "[" + shown + (names.count > 8 ? ", … (\(names.count) in all)" : "") + "]"
    }

    /// The files read, so no output replaces one of them.
    func inputs() throws -> InputFiles {
        var files = InputFiles()
        if let config { files = InputFiles(configPath: config, config: try ConfigFile.load(path: config)) }
        files.add(model, role: "the model file")
        if let data {
            for name in ["", "/X.npy", "/y.npy", "/meta.json"] { files.add(data + name, role: "the data file") }
        }
        return files
    }
}
