import Foundation
import LinearTraining
import SyntheticData

/// One run's files in one directory, so it can be inspected, compared and redrawn later:
///
///     run.json        what ran: kind (train or sweep), the command line, when
///     config.json     the resolved config (data paths absolute): `lockstep train --config` reruns it
///     metrics.jsonl   train: one line per epoch (epoch, loss, seconds)
///     summary.json    train: the --summary JSON          sweep.json   sweep: the --json document
///     fit-sample.json train, single-feature data: the rows drawn in the fit plot
///     plots/          the SVGs (`lockstep plot RUN_DIR` redraws them from the files above)
///
/// Every file is written whole (temporary file, fsync, rename), so a killed run leaves complete
/// files or none.
struct RunDirectory {
    enum Kind: String { case train, sweep }

    let path: String
    var plots: String { path + "/plots" }

    /// What a run directory may hold; `--force` removes these (and nothing else) before a new run.
    static let entries = ["run.json", "config.json", "metrics.jsonl", "summary.json", "sweep.json", "fit-sample.json", "plots", "checkpoints"]

    /// Makes (or, with `force`, takes over) the directory for a new run and writes run.json; with
    /// `resume`, an existing run directory of the same kind is continued as it is.
    static func create(at path: String, kind: Kind, force: Bool, resume: Bool = false) throws(CLIError) -> RunDirectory {
        let fm = FileManager.default
        if resume && fm.fileExists(atPath: path + "/run.json") {
            let (run, existing) = try open(path)
            guard existing == kind else {
                throw CLIError(message: "run directory \(path) holds a \(existing.rawValue) run, not a \(kind.rawValue) run; it cannot be resumed as one", status: .usage)
            }
            return run
        }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw CLIError(message: "--run-dir \(path) is a file, not a directory; choose a directory path", status: .usage)
            }
            let existing = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
            if !existing.isEmpty {
                guard force else {
                    throw CLIError(
                        message: "run directory \(path) is not empty (it holds \(existing.sorted().prefix(4).joined(separator: ", "))"
                            + "\(existing.count > 4 ? ", …" : "")); choose a new --run-dir, or pass --force to replace its run",
                        status: .usage)
                }
                let foreign = existing.filter { !entries.contains($0) }
                guard foreign.isEmpty else {
                    throw CLIError(
                        message: "run directory \(path) holds files that are not a run's (\(foreign.sorted().prefix(4).joined(separator: ", "))); "
                            + "--force only replaces a previous run; choose a new --run-dir",
                        status: .usage)
                }
                for e in existing { try? fm.removeItem(atPath: path + "/" + e) }
            }
        }
        do {
            try fm.createDirectory(atPath: path + "/plots", withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create run directory \(path): \(error.localizedDescription)", status: .ioError)
        }
        let run = RunDirectory(path: path)
        let stamp = ISO8601DateFormatter().string(from: Date())
        try run.write(
            "run.json",
            JSONValue.object([
                ("kind", .string(kind.rawValue)), ("format", .int(1)),
                ("command", .array(CommandLine.arguments.map { .string($0) })),
                ("workingDirectory", .string(fm.currentDirectoryPath)), ("startedAt", .string(stamp)),
            ]).text(pretty: true) + "\n")
        return run
    }

    /// An existing run directory and the kind of run it holds.
    static func open(_ path: String) throws(CLIError) -> (RunDirectory, Kind) {
        let run = RunDirectory(path: path)
        let doc = try run.readJSON("run.json")
        guard let k = doc["kind"] as? String, let kind = Kind(rawValue: k) else {
            throw CLIError(message: "\(path)/run.json has no valid \"kind\" (train or sweep); is this a lockstep run directory?", status: .badData)
        }
        return (run, kind)
    }

    func write(_ name: String, _ text: String) throws(CLIError) {
        try OutputFile.write(text, to: path + "/" + name)
    }

    /// The resolved config with data paths made absolute, so the file works from any directory.
    func writeConfig(_ config: TrainingConfig, threads: Int) throws(CLIError) {
        var c = config
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: cwd).standardizedFileURL.path }
        switch c.data {
        case let .csv(p, target, dtype): c.data = .csv(path: absolute(p), target: target, dtype: dtype)
        case let .npy(dir, convert): c.data = .npy(dir: absolute(dir), convertFloat64: convert)
        case .synthetic, .onTheFly: break
        }
        try write("config.json", c.json(threads: threads).text(pretty: true) + "\n")
    }

    /// A JSON object file of the run directory.
    func readJSON(_ name: String) throws(CLIError) -> [String: Any] {
        let file = path + "/" + name
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw CLIError(
                message: exists
                    ? "\(file) is missing; is \(path) a lockstep run directory (made with --run-dir) of a finished run?"
                    : "run directory \(path) does not exist",
                status: .missingInput)
        }
        guard let doc = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CLIError(message: "\(file) is not a JSON object; it may have been edited or damaged", status: .badData)
        }
        return doc
    }
}
