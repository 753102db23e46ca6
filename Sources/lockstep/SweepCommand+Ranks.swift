import DataParallel
import ArgumentParser
import Foundation
import LinearTraining
import SyntheticData

#if canImport(Glibc)
    import Glibc
#endif

/// `sweep --ranks`: the grid ranks × threads, each cell one `mpirun -np R lockstep train` whose
/// summary gives the epoch times, the weights and losses and (when the trainer reports it) the
/// summary's optional `distributed` block: communication per step and bytes sent per step per rank.
///
/// The sweep launches mpirun itself rather than running inside it: one job per cell, so a cell's
/// ranks, binding and threads are exactly what a user would run.
extension SweepCommand {
    /// One (R, T) cell's outcome, read from its summary.
    struct Cell {
        var ranks: Int
        var threads: Int
        var epochSeconds: [Double]
        var weights: [Double]
        var bias: Double
        var epochLosses: [Double]
        var finalLoss: Double
        var reduction: String?
        var bytesSentPerStepPerRank: Double?
        var communicationSecondsPerStep: Double?

        var workers: Int { ranks * threads }

        /// The same weights, bias and epoch losses: the summaries print floats in shortest
        /// round-trip form, so equal parsed values are equal bits.
        func sameOutcome(_ other: Cell) -> Bool {
            weights.map(\.bitPattern) == other.weights.map(\.bitPattern) && bias.bitPattern == other.bias.bitPattern
                && epochLosses.map(\.bitPattern) == other.epochLosses.map(\.bitPattern)
        }
    }

    /// The first executable `mpirun` on PATH.
    static func findMPIRun(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for dir in (path ?? "").split(separator: ":") {
            let candidate = String(dir) + "/mpirun"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func runRanks(_ rankList: [Int]) throws {
        try runReportingErrors {
            guard let mpirun = Self.findMPIRun() else {
                throw CLIError(
                    message: "sweep --ranks needs Open MPI's mpirun on PATH and found none; install openmpi-bin (make deps) or add its directory to PATH",
                    status: .unavailable)
            }
            let configPath = options.config!
            let config = try options.resolved()  // a bad config is refused here, once, not by every cell
            let cores = ExecutionPlan.processCores.cores
            let threadList = try threads.map(Self.parseThreads) ?? [1]
            let inputs = InputFiles(configPath: configPath, config: config)
            if let json { try inputs.refuse(output: json, flag: "--json") }
            if let plot = output.plot { try inputs.refuse(directory: plot, files: RunDirectory.plotFiles, flag: "--plot") }
            if let dir = output.runDir { try inputs.refuse(directory: dir, files: RunDirectory.entries, flag: "--run-dir") }
            let run = try output.runDirectory(kind: .sweep)
            do {
                try sweepRanks(rankList, threadList, mpirun: mpirun, configPath: configPath, config: config, cores: cores, run: run)
            } catch {
                run?.discard()
                throw error
            }
            try run?.commit()
        }
    }

    /// The cells of `sweep --ranks`, each `mpirun -np R lockstep train --threads T`, then the table,
    /// the JSON and the plot (also into the run directory, when there is one).
    func sweepRanks(
        _ rankList: [Int], _ threadList: [Int], mpirun: String, configPath: String, config: TrainingConfig, cores: Int, run: RunDirectory?
    ) throws {
        do {
            try run?.writeConfig(config, threads: cores)
            let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-sweep-\(getpid())-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: tmp) }
            let extra = (mpirunArgs ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            var cells: [String: Cell] = [:]
            func cell(_ r: Int, _ t: Int) throws -> Cell {
                if let c = cells["\(r)x\(t)"] { return c }
                if !quiet { printError("sweep: \(r) rank(s) × \(t) thread(s) …") }
                let summary = tmp.appendingPathComponent("r\(r)t\(t).json").path
                var args = extra
                if r > cores && !extra.contains("--oversubscribe") { args.append("--oversubscribe") }
                if !extra.contains("--bind-to") { args += ["--bind-to", "none"] }
                args += ["-np", "\(r)", exe, "train", "--config", configPath, "--threads", "\(t)", "--quiet", "--summary", summary]
                args += forwardedTrainingFlags()
                let c = try Self.runCell(mpirun: mpirun, args: args, summary: summary, ranks: r, threads: t)
                cells["\(r)x\(t)"] = c
                return c
            }
            var ordered: [Cell] = []
            for r in rankList {
                for t in threadList { ordered.append(try cell(r, t)) }
            }
            let base = try cell(1, 1)
            let baseMedian = median(base.epochSeconds)
            func dash(_ v: Double?, _ format: (Double) -> String) -> String { v.map(format) ?? "–" }
            print("ranks  threads  workers  median epoch  speedup  efficiency  comm/step  bytes/step/rank  bitwise=1×1")
            var results: [JSONValue] = []
            for c in ordered {
                let m = median(c.epochSeconds)
                let speedup = baseMedian / m
                let efficiency = speedup / Double(c.workers)
                let same = c.sameOutcome(base)
                let comm = dash(c.communicationSecondsPerStep) { seconds($0) }
                let bytes = dash(c.bytesSentPerStepPerRank) { byteCountText(Int($0)) }
                print(
                    String(format: "%5d  %7d  %7d  %12@  %7.2f  %10.2f  %9@  %15@  %@", c.ranks, c.threads, c.workers,
                           seconds(m).leftPadded(to: 12) as NSString, speedup, efficiency, comm.leftPadded(to: 9) as NSString,
                           bytes.leftPadded(to: 15) as NSString, (same ? "yes" : "NO") as NSString))
                results.append(.object([
                    ("ranks", .int(c.ranks)),
                    ("threads", .int(c.threads)),
                    ("workers", .int(c.workers)),
                    ("epochSeconds", .doubles(c.epochSeconds)),
                    ("medianEpochSeconds", .double(m)),
                    ("speedup", .double(speedup)),
                    ("efficiency", .double(efficiency)),
                    ("reduction", c.reduction.map { .string($0) } ?? .null),
                    ("communicationSecondsPerStep", c.communicationSecondsPerStep.map { .double($0) } ?? .null),
                    ("bytesSentPerStepPerRank", c.bytesSentPerStepPerRank.map { .double($0) } ?? .null),
                    ("bitwiseEqualToOneByOne", .bool(same)),
                    ("bitwiseEqualToOneThread", .bool(same)),
                    ("finalLoss", .double(c.finalLoss)),
                    ("epochLosses", .doubles(c.epochLosses)),
                    ("weights", .doubles(c.weights)),
                    ("bias", .double(c.bias)),
                ]))
            }
            let doc = JSONValue.object([
                ("config", .string(configPath)),
                ("cores", .int(cores)),
                ("mpirun", .string(mpirun)),
                ("mpirunArgs", .array(extra.map { .string($0) })),
                ("ranks", .array(rankList.map { .int($0) })),
                ("threads", .array(threadList.map { .int($0) })),
                ("results", .array(results)),
            ]).text(pretty: true) + "\n"
            if let json { try OutputFile.write(doc, to: json) }
            try run?.write("sweep.json", doc)
            guard output.wantsPlots(run) else { return }
            try output.write([try PlotFiles.sweep(PlotFiles.object(doc))], run: run)
        }
    }

    /// The sweep's training overrides, passed on to every cell's `lockstep train`.
    func forwardedTrainingFlags() -> [String] {
        var flags: [String] = []
        if let e = options.epochs { flags += ["--epochs", "\(e)"] }
        if let lr = options.lr { flags += ["--lr", lr] }
        if let b = options.batchSize { flags += ["--batch-size", b] }
        if let s = options.seed { flags += ["--seed", s] }
        if let e = options.executor { flags += ["--executor", e] }
        if let d = options.data { flags += ["--data", d] }
        if options.convertFloat64 { flags.append("--convert-float64") }
        return flags
    }

    /// Runs one cell's mpirun and reads its summary; a failed cell stops the sweep with its stderr.
    static func runCell(mpirun: String, args: [String], summary: String, ranks: Int, threads: Int) throws -> Cell {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: mpirun)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        if getuid() == 0 {
            env["OMPI_ALLOW_RUN_AS_ROOT"] = env["OMPI_ALLOW_RUN_AS_ROOT"] ?? "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] ?? "1"
        }
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch {
            throw CLIError(message: "cannot start \(mpirun): \(error.localizedDescription)", status: .unavailable)
        }
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let cellName = "\(ranks) rank(s) × \(threads) thread(s)"
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            let tail = stderr.split(separator: "\n").prefix(6).joined(separator: "\n  ")
            throw CLIError(
                message: "the \(cellName) run failed (mpirun \(args.joined(separator: " ")); exit \(p.terminationStatus)):\n  \(tail)",
                status: .ioError)
        }
        guard let data = FileManager.default.contents(atPath: summary),
            let j = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            throw CLIError(message: "the \(cellName) run wrote no readable summary at \(summary)", status: .ioError)
        }
        func doubles(_ v: Any?) -> [Double] { (v as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? [] }
        let dist = j["distributed"] as? [String: Any]
        return Cell(
            ranks: ranks, threads: threads, epochSeconds: doubles(j["epochSeconds"]), weights: doubles(j["weights"]),
            bias: (j["bias"] as? NSNumber)?.doubleValue ?? .nan, epochLosses: doubles(j["epochLosses"]),
            finalLoss: (j["finalLoss"] as? NSNumber)?.doubleValue ?? .nan, reduction: dist?["reduction"] as? String,
            bytesSentPerStepPerRank: (dist?["bytesSentPerStepPerRank"] as? NSNumber)?.doubleValue,
            communicationSecondsPerStep: (dist?["communicationSecondsPerStep"] as? NSNumber)?.doubleValue)
    }
}
