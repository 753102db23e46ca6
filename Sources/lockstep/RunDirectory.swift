import Foundation
import LinearTraining
import SyntheticData

#if canImport(Glibc)
    import Glibc
#endif

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
/// files or none. `--force` replaces only a previous run's files, and only once the new run ends.
struct RunDirectory {
    enum Kind: String { case train, sweep }

    /// The run directory (`--run-dir`).
    let target: String
    /// Where this run writes its files: the run directory itself, or, when `--force` replaces a
    /// previous run, `DIR/.run-PID`, whose files replace the old run's only when this one ends
    /// (`commit`); a run that fails leaves the previous one as it was (`discard`).
    let path: String
    var plots: String { path + "/plots" }
    var checkpoints: String { path + "/checkpoints" }

    /// What a run directory holds at its top level.
    static let entries = ["run.json", "config.json", "metrics.jsonl", "summary.json", "model.json", "sweep.json", "fit-sample.json", "plots", "checkpoints"]
    /// The files Lockstep writes into `plots/` and `checkpoints/`: the only ones `--force` replaces there.
    static let plotFiles = ["fit.svg", "loss.svg", "sweep.svg"]
    static let checkpointFiles = [TrainingCheckpoint.fileName]

    /// Makes (or, with `force`, takes over) the directory for a new run and writes run.json; with
    /// `resume`, an existing run directory of the same kind is continued as it is. The directory is
    /// locked for the rest of the process (a second run on it is refused, exit 75).
    static func create(at target: String, kind: Kind, force: Bool, resume: Bool = false) throws(CLIError) -> RunDirectory {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target, isDirectory: &isDir), !isDir.boolValue {
            throw CLIError(message: "--run-dir \(target) is a file, not a directory; choose a directory path", status: .usage)
        }
        do {
            try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create run directory \(target): \(error.localizedDescription)", status: .ioError)
        }
        try DirectoryLock.acquire(DirectoryLock.file(inDirectory: target), for: "run directory \(target)")
        if resume && fm.fileExists(atPath: target + "/run.json") {
            let (run, existing) = try open(target)
            guard existing == kind else {
                throw CLIError(message: "run directory \(target) holds a \(existing.rawValue) run, not a \(kind.rawValue) run; it cannot be resumed as one", status: .usage)
            }
            return run
        }
        removeLeftovers(in: target)
        let existing = ((try? fm.contentsOfDirectory(atPath: target)) ?? []).filter { !$0.hasPrefix(".") }
        var path = target
        if !existing.isEmpty {
            guard force else {
                throw CLIError(
                    message: "run directory \(target) is not empty (it holds \(existing.sorted().prefix(4).joined(separator: ", "))"
                        + "\(existing.count > 4 ? ", …" : "")); choose a new --run-dir, or pass --force to replace its run",
                    status: .usage)
            }
            let foreign = existing.filter { !entries.contains($0) }
            guard foreign.isEmpty else {
                throw CLIError(
                    message: "run directory \(target) holds files that are not a run's (\(foreign.sorted().prefix(4).joined(separator: ", "))); "
                        + "--force only replaces a previous run; choose a new --run-dir",
                    status: .usage)
            }
            path = target + "/.run-\(getpid())"
        }
        do {
            try fm.createDirectory(atPath: path + "/plots", withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create run directory \(path): \(error.localizedDescription)", status: .ioError)
        }
        let run = RunDirectory(target: target, path: path)
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
        let run = RunDirectory(target: path, path: path)
        let doc = try run.readJSON("run.json")
        guard let k = doc["kind"] as? String, let kind = Kind(rawValue: k) else {
            throw CLIError(message: "\(path)/run.json has no valid \"kind\" (train or sweep); is this a lockstep run directory?", status: .badData)
        }
        return (run, kind)
    }

    /// Makes this run the directory's run. Replacing a previous one: each of Lockstep's files is
    /// renamed over the old one (one atomic rename each), the old run's files this run did not
    /// write are removed, and nothing else in the directory, `plots/` or `checkpoints/` is touched.
    func commit() throws(CLIError) {
        guard path != target else { return }
        let fm = FileManager.default
        func move(_ name: String, in sub: String) throws(CLIError) {
            let from = path + sub + "/" + name, to = target + sub + "/" + name
            if fm.fileExists(atPath: from) {
                if !sub.isEmpty { try? fm.createDirectory(atPath: target + sub, withIntermediateDirectories: true) }
                guard rename(from, to) == 0 else {
                    throw CLIError(message: "cannot move \(from) to \(to): \(String(cString: strerror(errno)))", status: .ioError)
                }
            } else if fm.fileExists(atPath: to) {
                try? fm.removeItem(atPath: to)
            }
        }
        for name in Self.entries where name != "plots" && name != "checkpoints" { try move(name, in: "") }
        for name in Self.plotFiles { try move(name, in: "/plots") }
        for name in Self.checkpointFiles { try move(name, in: "/checkpoints") }
        discard()
        let fd = Glibc.open(target, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// Drops this run's files when it replaced nothing yet (a failed run under `--force`).
    func discard() {
        guard path != target else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `.run-PID` directories of runs that were killed (their PID gone).
    static func removeLeftovers(in dir: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where entry.hasPrefix(".run-") {
            guard let pid = Int32(entry.dropFirst(5)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: dir + "/" + entry) }
        }
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
        case let .csv(p, target, dtype, header, weight):
            c.data = .csv(path: absolute(p), target: target, dtype: dtype, header: header, weight: weight)
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
