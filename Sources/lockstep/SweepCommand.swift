import ArgumentParser
import DataParallel
import Foundation
import HardwareTopology
import LinearTraining
import SyntheticData

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train the same job at several thread counts and report speedup, efficiency and bitwise equality.",
        discussion: """
            The data is made once; every thread count trains from the same initial model for the same \
            epochs. epochSeconds covers each epoch's shuffle and steps (not the loss evaluation, which runs \
            once at the end). bitwiseEqualToOneThread compares the final weights, bias and loss with a \
            1-thread run (made as well when 1 is not in the list). Before the runs it measures the machine's \
            read bandwidth (a STREAM-like pass on every core over X itself when X is at least 256 MiB, else over a 256 MiB buffer, so a sweep needs no memory beyond the data's) and shows each run's GB/s of X as a \
            fraction of it; each run's epoch time is split into computing (gradients, shuffle), reducing + \
            updating, and waiting (barriers, fan-out), averaged over the workers.

            With --ranks 1,2,4 the sweep is a grid of ranks × threads: for each (R, T) it runs `mpirun -np R \
            lockstep train --config FILE --threads T` (mpirun from PATH, exit 69 without it; --oversubscribe when \
            R is more than the cores, --bind-to none unless --mpirun-args binds, the allow-run-as-root variables \
            as root) and reports the epoch time, speedup and efficiency over the R×T workers against 1 × 1, \
            communication seconds and bytes sent per step per rank (from the summary's distributed block; – \
            when absent), and bitwise equality of weights, bias and epoch losses to the 1 × 1 run.

            Example: lockstep sweep --config configs/w3-minibatch.yaml --threads 1,2,3,4 --epochs 3 --json sweep.json
            Example: lockstep sweep --config configs/w3-minibatch.yaml --ranks 1,2,4 --threads 1,2 --mpirun-args "--hostfile hosts"
            """)

    @OptionGroup var options: TrainingOptions

    @Option(name: .long, help: "Thread counts, comma or space separated (default: 1…cores, then 2×cores).")
    var threads: String?

    @Option(name: .long, help: "Rank counts, comma or space separated: run the grid ranks × --threads under mpirun (found on PATH; needs --config).")
    var ranks: String?

    @Option(name: .customLong("mpirun-args"), parsing: .unconditional, help: "With --ranks: options for mpirun, split at spaces (a hostfile, --map-by, --bind-to, --mca …).")
    var mpirunArgs: String?

    @Option(name: .long, help: "Write the sweep's JSON here.")
    var json: String?

    @OptionGroup var output: RunOutputOptions

    @Flag(name: .long, help: "No progress on stderr (bar on a terminal, one line per run otherwise).")
    var quiet = false

    func validate() throws {
        if let t = threads { _ = try Self.parseThreads(t) }
        if let r = ranks {
            guard (try? Self.parseThreads(r)) != nil else { throw ValidationError("--ranks must list whole numbers >= 1, like 1,2,4; got '\(r)'") }
            guard options.config != nil else { throw ValidationError("--ranks runs lockstep train --config FILE under mpirun: give --config") }
        } else if mpirunArgs != nil {
            throw ValidationError("--mpirun-args needs --ranks")
        }
    }

    static func parseThreads(_ text: String) throws -> [Int] {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " })
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads must list whole numbers >= 1, like 1,2,4; got '\(text)'")
        }
        return values
    }

    func run() throws {
        if let ranks { return try runRanks(try Self.parseThreads(ranks)) }
        try runReportingErrors {
            let config = try options.resolved()
            let topology = try? Topology.current()
            let cores = topology?.physicalCores ?? 1
            let list = try threads.map(Self.parseThreads) ?? (Array(1...cores) + [2 * cores])
            let line = ProgressLine(quiet: quiet)
            // Without a terminal, progress is one line per stage (it stays readable in logs).
            let log = { (text: String) in if !quiet && !line.enabled { printError(text) } }
            log("sweep: making the data (\(config.data.summary))")
            let data = try config.data.load(threads: cores)
            let inputs = InputFiles(configPath: options.config, config: config)
            if let json { try inputs.refuse(output: json, flag: "--json") }
            if let plot = output.plot { try inputs.refuse(directory: plot, files: RunDirectory.plotFiles, flag: "--plot") }
            if let dir = output.runDir { try inputs.refuse(directory: dir, files: RunDirectory.entries, flag: "--run-dir") }
            let run = try output.runDirectory(kind: .sweep)
            do {
                try sweep(config: config, data: data, topology: topology, cores: cores, list: list, line: line, log: log, run: run)
            } catch {
                run?.discard()
                throw error
            }
            try run?.commit()
        }
    }

    func sweep(
        config: TrainingConfig, data: TrainingData, topology: Topology?, cores: Int, list: [Int], line: ProgressLine,
        log: (String) -> Void, run: RunDirectory?
    ) throws {
        do {
            try run?.writeConfig(config, threads: cores)  // a valid config: train reruns it on every core
            let runCount = Set(list + [1]).count
            let bandwidth = measureBandwidth(data: data, cores: cores, line: line, log: log)
            var ticker: ProgressTicker?, started = 0
            defer { ticker?.stop() }
            let sweep = try ThreadSweep.run(config: config, data: data, topology: topology, threads: list) { t, trainer in
                ticker?.stop()
                started += 1
                log("sweep: \(t) thread(s), \(config.epochs) epoch(s) …")
                ticker = trainingTicker(trainer, line: line, label: "sweep \(t) thread\(t == 1 ? "" : "s") (\(started)/\(runCount))")
            }
            ticker?.stop()
            ticker = nil
            var results: [JSONValue] = []
            print(String(format: "read bandwidth of this machine: %.1f GB/s (%d threads)", bandwidth, cores))
            print(
                "threads  executor  median epoch   samples/s   GB/s of X  of BW  speedup  efficiency  "
                    + "compute/reduce/wait  bitwise=1T")
            for cell in sweep.cells {
                let r = cell.report, m = cell.medianEpochSeconds, gbps = cell.xBytesPerSecond / 1e9
                let splitText = cell.phaseSecondsPerEpoch.map { p -> String in
                    let total = max(p.compute + p.reduceUpdate + p.wait, 1e-12)
                    return String(format: "%3.0f%% / %3.0f%% / %3.0f%%", 100 * p.compute / total, 100 * p.reduceUpdate / total, 100 * p.wait / total)
                } ?? "-"
                print(
                    String(format: "%7d  %@  %12@  %10@  %10.2f  %4.0f%%  %7.2f  %10.2f  %19@  %@", cell.threads,
                           r.executor.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) as NSString,
                           seconds(m).leftPadded(to: 12) as NSString, engineeringText(cell.samplesPerSecond).leftPadded(to: 10) as NSString,
                           gbps, 100 * gbps / bandwidth, cell.speedup, cell.efficiency, splitText as NSString,
                           (cell.bitwiseEqualToOneThread ? "yes" : "NO") as NSString))
                results.append(.object([
                    ("threads", .int(cell.threads)),
                    ("executor", .string(r.executor.rawValue)),
                    ("epochSeconds", .doubles(r.epochSeconds)),
                    ("medianEpochSeconds", .double(m)),
                    ("samplesPerSecond", .double(cell.samplesPerSecond)),
                    ("xGBPerSecond", .double(gbps)),
                    ("fractionOfReadBandwidth", .double(gbps / bandwidth)),
                    ("timeSplitPerEpoch", cell.phaseSecondsPerEpoch?.json ?? .null),
                    ("speedup", .double(cell.speedup)),
                    ("efficiency", .double(cell.efficiency)),
                    ("beatsBestOneThread", .bool(cell.beatsBestOneThread)),
                    ("bitwiseEqualToOneThread", .bool(cell.bitwiseEqualToOneThread)),
                    ("ranSerially", .bool(cell.ranSerially)),
                    ("finalLoss", .double(r.finalLoss)),
                    ("weights", .floats(r.model.weights)),
                    ("bias", .float(r.model.bias)),
                ]))
            }
            if let why = sweep.serialReason {
                print(
                    "note: every run was serial (\(why)): the speedups and efficiencies compare serial runs, and the "
                        + "bitwise column is equal by construction. For a scaling study use a larger batch or --executor span.")
            }
            let cost = sweep.cost
            let doc = JSONValue.object([
                ("config", config.json(threads: nil)),
                ("data", .string(data.source)),
                ("rows", .int(data.rows)), ("features", .int(data.features)),
                ("cores", .int(cores)),
                ("cost", cost.map { .int($0) } ?? .null),
                ("readBandwidthGBps", .double(bandwidth)),
                ("results", .array(results)),
            ]).text(pretty: true) + "\n"
            if let json { try OutputFile.write(doc, to: json) }
            try run?.write("sweep.json", doc)
            guard output.wantsPlots(run) else { return }
            try output.write([try PlotFiles.sweep(PlotFiles.object(doc))], run: run)
        }
    }
}

extension SweepCommand {
    /// The machine's read bandwidth, over the dataset's own X when it is large enough to leave the
    /// caches (no memory beyond the data's), else over a `MemoryBandwidth.smallestRegion` buffer.
    func measureBandwidth(data: TrainingData, cores: Int, line: ProgressLine, log: (String) -> Void) -> Double {
        var region: (UnsafeRawPointer, Int)?
        if case let .stored(d) = data, d.rows * d.features * d.dtype.size >= MemoryBandwidth.smallestRegion {
            region = (UnsafeRawPointer(d.xBytes), d.rows * d.features * d.dtype.size)
        }
        let what = region == nil ? "a \(MemoryBandwidth.smallestRegion >> 20) MiB buffer" : "the data's X"
        let text = "sweep: measuring read bandwidth (\(cores) thread(s), \(what), best of 5) …"
        log(text)
        line.update(text, force: true)
        guard let (start, bytes) = region else { return MemoryBandwidth.measureRead(threads: cores) }
        return MemoryBandwidth.measureRead(over: start, bytes: bytes, threads: cores)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

func median(_ xs: [Double]) -> Double { ThreadSweep.median(xs) }
