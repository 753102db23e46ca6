import ArgumentParser
import Distributed
import Foundation
import HardwareTopology
import LinearTraining
import SyntheticData

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a linear model from a config file, printing the epochs and the result.",
        discussion: """
            Prints the topology used, one 'epoch N, loss L' line per epoch (at most ~20: every k-th epoch \
            for long runs, always the last; with a training.schedule also ', lr R', the rate in force), then the weights, bias, their distance to the true values \
            when the data is synthetic, the final loss, time and throughput. The final weights, bias and \
            every loss are bit-for-bit identical for any --threads.

            Example: lockstep train --config configs/d2l-scratch.yaml --threads 2 --summary run.json
            """)

    @OptionGroup var options: TrainingOptions

    @OptionGroup var checkpointing: CheckpointOptions

    @Option(name: .long, parsing: .unconditional, help: "Workers: a number from 1 to 4096, or 'auto' for the physical cores (overrides training.threads).")
    var threads: String?

    @Option(name: .long, help: "Write the run's JSON summary (weights, bias, losses, timings, resolved config) here.")
    var summary: String?

    @Option(name: .long, help: "Write one JSON line per epoch (epoch, loss, seconds), lr with a schedule) here, as the epochs finish (tail -f follows it; - is stdout).")
    var metrics: String?

    @Option(
        name: .customLong("model"),
        help: "Save the trained model here (weights as exact bits, loss, feature names, provenance): the file predict, evaluate and --init-from read.")
    var modelPath: String?

    @Option(name: .customLong("init-from"), help: "Start from this saved model's weights and bias instead of model.init (warm start; the data must have its width).")
    var initFrom: String?

    @Option(name: .customLong("print-every"), help: "Print every k-th epoch (default: about 20 lines in all).")
    var printEvery: Int?

    @OptionGroup var output: RunOutputOptions

    @Flag(name: .long, help: "Print only the result lines, and no progress bar.")
    var quiet = false

    /// The most workers a run may ask for (each is a thread and a slot of every step's buffers).
    static let maxThreads = 4096

    func validate() throws {
        if let t = threads, t != "auto", (Int(t) ?? 0) < 1 {
            throw ValidationError("--threads must be a whole number >= 1 or 'auto', got '\(t)'")
        }
        if let t = threads.flatMap(Int.init), t > Self.maxThreads {
            throw ValidationError("--threads \(t) is more than \(Self.maxThreads) workers; use at most \(Self.maxThreads) (more than the cores only slows a run)")
        }
        if let k = printEvery, k < 1 { throw ValidationError("--print-every must be at least 1, got \(k)") }
    }

    /// Under mpirun, a rank other than 0: it trains its share of every step but prints and writes
    /// nothing (it reads the checkpoint when resuming).
    var follower = false

    func run() throws {
        // Started by mpirun: this process is one rank of the job (docs/distributed.md).
        var world: MPIWorld?
        try runReportingErrors { world = try MPIWorld.startIfLaunched() }
        if let world, world.rank != 0 {
            var me = self
            me.follower = true
            me.quiet = true
            me.summary = nil
            me.metrics = nil
            me.modelPath = nil
            me.output.plot = nil
            me.output.force = false
            return try me.train(world: world)
        }
        try train(world: world)
    }

    func train(world: MPIWorld?) throws {
        try runReportingErrors {
            // Under mpirun, SIGINT/SIGTERM keep their default action on every rank: a rank that stopped
            // on its own would leave the others waiting in a step's exchange (the last checkpoint
            // stays intact: checkpoints are written atomically).
            if world == nil {
                Interruption.watch()
                Interruption.exitAtOnce(true)
            }
            var config = try options.resolved()
            if let threads { config.threads = threads == "auto" ? nil : Int(threads) }
            let topology = try? Topology.current()
            let mapped = MappedInputs(config.data)  // before mapping: a change while loading counts too
            let data = try loadData(config, threads: topology?.physicalCores ?? 1, world: world)
            if !follower, let cores = topology?.physicalCores, let t = config.threads, t > cores {
                printError("warning: \(t) workers on \(cores) physical core(s): the workers take turns on the cores, so the run is slower, not faster (the result is the same)")
            }
            var validation: TrainingData?
            if case let .source(source) = config.validation { validation = try source.load(threads: topology?.physicalCores ?? 1) }
            Interruption.exitAtOnce(false)  // from here a signal stops the run cleanly (checkpoint, run directory)
            let trainer = try Trainer(config: config, data: data, validation: validation, topology: topology, combine: world?.combine())
            if let world {
                // Every rank must run the same job on the same data: agree on their hashes, or stop
                // together (a collective every rank reaches, so none is left waiting).
                let hash = FNV1a.of(config.json(threads: nil).text() + data.fingerprint())
                guard world.allAgree(hash) else {
                    if world.rank == 0 {
                        printError("error: the ranks of this job do not run the same config and data (rank 0: \(data.source)); give every rank the same --config and data files")
                    }
                    world.finish()
                    throw ExitCode(ExitStatus.usage.rawValue)
                }
            }
            defer { world?.finish() }
            if follower {
                if checkpointing.resume, let dir = checkpointing.checkpointDir ?? output.runDir.map({ $0 + "/checkpoints" }) {
                    _ = try checkpointing.resumeIfAsked(trainer, dir: dir)
                }
                try startFromModel(trainer)
                _ = try trainer.run()
                _ = DistributedFigures.gather(world!, trainer)
                return
            }
            try checkOutputs(config: config)
            let run = try output.runDirectory(kind: .train, resume: checkpointing.resume)
            do {
                try train(config: config, trainer: trainer, topology: topology, run: run, mapped: mapped, world: world)
            } catch {
                // A failed run under --force leaves the previous run as it was; an interrupted one
                // (its checkpoint saved) takes its place, so --resume finds it.
                if case let e as ExitCode = error, e.rawValue == Interruption.exitCode { try run?.commit() } else { run?.discard() }
                throw error
            }
            try run?.commit()
        }
    }

    /// The run's data; on a terminal, a line says it is being made or read when that takes a while
    /// (more than 16 M values), so a large job does not look hung before its first epoch.
    ///
    /// Under mpirun, a `data.synthetic` dataset is made once per machine, in memory its ranks share
    /// (each rank makes a share of the rows): per-node memory does not grow with the ranks on it.
    func loadData(_ config: TrainingConfig, threads: Int, world: MPIWorld? = nil) throws -> TrainingData {
        if let world, case let .synthetic(spec) = config.data {
            let node = world.nodeGroup()
            defer { node.free() }
            let made = try Dataset.generate(spec, threads: threads, sharedBy: node)
            if node.ranks > 1 && !made.shared && world.rank == 0 {
                printError("warning: could not share the synthetic data through /dev/shm: each of the \(node.ranks) ranks on this machine holds its own copy")
            }
            return .stored(made.dataset)
        }
        let stage: String?
        switch config.data {
        case let .synthetic(spec):
            stage = spec.rows.multipliedReportingOverflow(by: spec.features).partialValue > 16 << 20 ? "making the data" : nil
        case .csv: stage = "reading the data"
        case .npy, .onTheFly: stage = nil  // mapped or made as needed: nothing to wait for
        }
        guard let stage, !quiet, !follower else { return try config.data.load(threads: threads) }
        let line = ProgressLine(quiet: false)
        line.update("\(stage): \(config.data.summary) …", force: true)
        defer { line.finish() }
        return try config.data.load(threads: threads)
    }

    /// Refuses outputs that would overwrite this run's own inputs, or each other.
    func checkOutputs(config: TrainingConfig) throws(CLIError) {
        var inputs = InputFiles(configPath: options.config, config: config)
        if checkpointing.resume, let dir = checkpointing.checkpointDir {
            inputs.add(dir + "/" + TrainingCheckpoint.fileName, role: "the checkpoint being resumed")
        }
        if let initFrom { inputs.add(initFrom, role: "the model it starts from") }
        try InputFiles.refuseDuplicates([("--summary", summary), ("--metrics", metrics), ("--model", modelPath)])
        if let summary { try inputs.refuse(output: summary, flag: "--summary") }
        if let modelPath { try inputs.refuse(output: modelPath, flag: "--model") }
        if let metrics { try inputs.refuse(output: metrics, flag: "--metrics") }
        if let plot = output.plot { try inputs.refuse(directory: plot, files: RunDirectory.plotFiles, flag: "--plot") }
        if let dir = output.runDir {
            try inputs.refuse(directory: dir, files: RunDirectory.entries, flag: "--run-dir")
            try inputs.refuse(directory: dir + "/plots", files: RunDirectory.plotFiles, flag: "--run-dir")
        }
    }

    func train(
        config: TrainingConfig, trainer: Trainer, topology: Topology?, run: RunDirectory?, mapped: MappedInputs, world: MPIWorld?
    ) throws {
        let checkpointDir = try checkpointing.directory(runDir: run)
        let resumeNote = try checkpointDir.flatMap { try checkpointing.resumeIfAsked(trainer, dir: $0) }
        try startFromModel(trainer)
        let stepsBefore = trainer.stepsTaken
        try run?.writeConfig(config, threads: trainer.workers)
        if !quiet { printHeader(trainer, topology: topology) }
        if let resumeNote { printError(resumeNote) }
        let every = printEvery ?? max(1, (config.epochs + 19) / 20)
        // Plain locals: reading @Option properties costs generic-metadata lookups, once per epoch.
        let quiet = self.quiet, epochs = config.epochs
        let line = ProgressLine(quiet: quiet)
        Interruption.stopOnSignal(trainer.progress)
        defer { Interruption.stopOnSignal(nil) }
        let ticker = trainingTicker(trainer, line: line)
        let epochLines = EpochLines(line: line, showsLR: config.schedule != nil, validationMetric: trainer.validationMetricName)
        var untilPrint = every - (trainer.epochsDone % every)
        var checkpointsSaved = 0
        let report: TrainingReport
        let metricsPaths = [metrics, run.map { $0.path + "/metrics.jsonl" }].compactMap { $0 }
        let metricsLog = metricsPaths.isEmpty ? nil : try MetricsLog(paths: metricsPaths, trainer: trainer)
        do {
            report = try trainer.run(
                checkpoints: checkpointDir == nil ? nil : checkpointing.policy,
                onEpoch: { record in
                    // A countdown, not `epoch % every`: a division per epoch is ~5 % of a line50 step.
                    metricsLog?.add(record)
                    untilPrint -= 1
                    if untilPrint == 0 || record.epoch == epochs {
                        untilPrint = every
                        if !quiet { epochLines.add(record) }
                    }
                },
                onCheckpoint: { checkpoint throws(TrainingError) in
                    try mapped.check()
                    try checkpoint.write(toDirectory: checkpointDir!)
                    checkpointsSaved += 1
                })
        } catch {
            try? metricsLog?.finish()
            epochLines.flush()
            ticker.stop()
            if case TrainingError.diverged = error, let checkpointDir {
                printError("note: the last good checkpoint (if any was made) is kept in \(checkpointDir)")
            }
            throw error
        }
        // Every rank reaches this right after training (the followers too): a collective.
        let figures = world.map { DistributedFigures.gather($0, trainer) }
        try metricsLog?.finish()
        epochLines.flush()
        ticker.stop()
        if report.stoppedEarly {
            let at = "after epoch \(trainer.epochsDone) and \(trainer.batchInEpoch) batch(es) of the next (step \(report.steps) of \(trainer.totalSteps))"
            if let checkpointDir, checkpointsSaved == 0 {
                printError("interrupted by \(Interruption.signalName) \(at), before a checkpoint was made: nothing was saved in \(checkpointDir); run the same command again to start over")
            } else if let checkpointDir {
                let shown = run.map { checkpointDir == $0.checkpoints ? $0.target + "/checkpoints" : checkpointDir } ?? checkpointDir
                printError("interrupted by \(Interruption.signalName) \(at); checkpoint saved in \(shown)")
                printError("continue with: \(CheckpointOptions.resumeCommand)")
            } else {
                printError("interrupted by \(Interruption.signalName) \(at); nothing saved (add --checkpoint-dir DIR or --run-dir DIR to be able to resume)")
            }
            throw ExitCode(Interruption.exitCode)
        }
        if let stop = report.earlyStop { print(stop.sentence) }
        printResult(report, stepsBefore: stepsBefore, penalty: trainer.config.penalty)
        if let figures, !quiet { print(figures.line) }
        try mapped.check()
        try writeOutputs(report, trainer: trainer, run: run, distributed: figures)
    }

    /// --summary, --plot and the run directory's files (metrics.jsonl is written as the run goes: `MetricsLog`).
    func writeOutputs(_ report: TrainingReport, trainer: Trainer, run: RunDirectory?, distributed: DistributedFigures?) throws {
        // Built only when written: for the line lesson's 50 000 epochs the two texts are ~1 G
        // instructions, several times the training itself.
        if modelPath != nil || run != nil {
            let names = try featureNames(trainer.config)
            let modelText = SavedModel(trainer: trainer, report: report, featureNames: names.features, target: names.target).text
            if let modelPath { try OutputFile.write(modelText, to: modelPath) }
            try run?.write("model.json", modelText)
        }
        let plots = output.wantsPlots(run)
        guard summary != nil || plots else { return }
        var summaryJSON = report.json(config: trainer.config.json(threads: trainer.workers))
        if case .object(var fields) = summaryJSON {
            if let peak = peakResidentBytes() { fields.append(("peakResidentBytes", .int(peak))) }
            fields.append(("lockstepVersion", .string(LockstepVersion.string)))
            let names = try featureNames(trainer.config)
            let features = names.features ?? SavedModel.indexNames(trainer.data.features)
            fields.append(("featureNames", .array(features.map { .string($0) })))
            fields.append(("target", .string(names.target)))
            // Under mpirun only (absent otherwise).
            if let distributed { fields.append(("distributed", distributed.json)) }
            summaryJSON = .object(fields)
        }
        let summaryText = summaryJSON.text(pretty: true) + "\n"
        if let summary { try OutputFile.write(summaryText, to: summary) }
        guard plots else { return }
        // The plots are drawn from the same JSON a run directory keeps, so `lockstep plot` redraws them identically.
        var sampleText: String?
        if trainer.data.features == 1 {
            let s = trainer.data.sample(limit: 1000)
            sampleText = JSONValue.object([("rows", .int(trainer.data.rows)), ("x", .floats(s.x)), ("y", .floats(s.y))]).text() + "\n"
        }
        let files = try PlotFiles.train(summary: PlotFiles.object(summaryText), sample: sampleText.map(PlotFiles.object))
        if let run {
            try run.write("summary.json", summaryText)
            if let sampleText { try run.write("fit-sample.json", sampleText) }
        }
        try output.write(files, run: run)
    }

    /// The feature and target names a saved model keeps: a CSV's header names; `x0`, `x1`, … and
    /// `y` for other data.
    func featureNames(_ config: TrainingConfig) throws -> (features: [String]?, target: String) {
        guard case let .csv(path, target, _, header, weight) = config.data else { return (nil, "y") }
        return (try Dataset.csvHeader(path: path, header: header).filter { $0 != target && $0 != weight }, target)
    }

    /// `--init-from`: a new run (not a resumed one: its checkpoint holds the state) starts from the
    /// saved model, which must have the data's width and, for named columns, the same names.
    func startFromModel(_ trainer: Trainer) throws {
        guard let initFrom, trainer.stepsTaken == 0 else { return }
        let saved = try SavedModel(path: initFrom)
        guard saved.model.features == trainer.data.features, saved.model.outputs == trainer.classes else {
            throw CLIError(
                message: "--init-from \(initFrom) has \(saved.model.weights.count) weight(s)\(saved.model.outputs > 1 ? " for \(saved.model.outputs) classes" : ""), but the data has \(trainer.data.features) feature(s)\(trainer.classes > 1 ? " and \(trainer.classes) classes" : ""); start from a model trained on data of the same width",
                status: .badData)
        }
        let task = SavedModel.Task.of(trainer.config.loss)
        guard saved.task == task else {
            throw CLIError(
                message: "--init-from \(initFrom) is a \(saved.task.rawValue) model (loss \(saved.loss.rawValue)), but this run trains \(task.rawValue) (loss \(trainer.config.loss.rawValue)); its weights mean something else here",
                status: .badData)
        }
        if let names = try featureNames(trainer.config).features, names != saved.featureNames,
            saved.featureNames != SavedModel.indexNames(names.count)
        {
            throw CLIError(
                message: "--init-from \(initFrom) was trained on the columns \(ModelDataOptions.list(saved.featureNames)), but the data has \(ModelDataOptions.list(names)); the weights would apply to other features",
                status: .badData)
        }
        try trainer.start(from: saved)
    }

    func printHeader(_ trainer: Trainer, topology: Topology?) {
        let d = trainer.data
        if let topology {
            let l3 = topology.cacheSize(level: 3).map { ", L3 \(byteCountText($0))" } ?? ""
            print("topology: \(topology.packages) package(s), \(topology.physicalCores) physical core(s), \(topology.processingUnits) PU(s)\(l3)")
        }
        let plan = trainer.execution
        var how = plan.summary
        if case .belowParallelThreshold = plan.reason, let why = plan.why, (trainer.config.threads ?? plan.cores) > 1 {
            how = "\(plan.workers) worker(s), executor \(plan.mode.rawValue) (\(why); force with --executor span)"
        }
        print("workers: \(how)")
        let batch = trainer.isFullBatch ? "full batch" : "batch \(trainer.batchRows)"
        print(
            "data: \(dataText(trainer)), \(byteCountText(d.byteCount)); \(batch), \(trainer.batchesPerEpoch) step(s)/epoch, "
                + "chunks of \(trainer.plan.chunkRows) rows, kernel \(trainer.kernel.rawValue) "
                + "(\(trainer.kernelTarget.rawValue))")
    }

    /// The data source of the header line; for a CSV its shape and columns: "csv d.csv: 1000 rows ×
    /// 3 features (x1, x2, x3), target y" (at most 8 names shown).
    func dataText(_ trainer: Trainer) -> String {
        let d = trainer.data
        guard case let .csv(_, target, _, _, _) = trainer.config.data, let names = try? featureNames(trainer.config).features else {
            return d.source
        }
        let shown = names.prefix(8).map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 }.joined(separator: ", ")
        let more = names.count > 8 ? ", … \(names.count - 8) more" : ""
        return "\(d.source): \(d.rows) rows × \(d.features) feature\(d.features == 1 ? "" : "s") (\(shown)\(more)), target \(target)"
    }

    /// The result lines; `stepsBefore` are the steps of the checkpoint this run resumed from.
    func printResult(_ r: TrainingReport, stepsBefore: Int, penalty: Penalty?) {
        let w = r.model.weights
        if r.model.outputs > 1 {
            let m = r.model
            let shown = m.biases.prefix(8).map(f4).joined(separator: ", ") + (m.outputs > 8 ? ", …" : "")
            print("softmax over \(m.outputs) classes: W is \(m.features) × \(m.outputs), b = [\(shown)], loss \(cFormat("%f", r.finalLoss))")
        } else if w.count == 1 {
            print("weight \(f4(w[0])), bias \(f4(r.model.bias)), loss \(f4(r.finalLoss))")
        } else {
            let shown = w.prefix(8).map(f4).joined(separator: ", ") + (w.count > 8 ? ", … (\(w.count) in all)" : "")
            print("w = [\(shown)], b = \(f4(r.model.bias)), loss \(cFormat("%f", r.finalLoss))")
        }
        if let scaled = r.scaledModel {
            let shown = scaled.weights.prefix(8).map(f4).joined(separator: ", ") + (w.count > 8 ? ", …" : "")
            print("standardized features: w′ = [\(shown)], b′ = \(f4(scaled.bias)) (the weights above are in the data's units)")
        }
        if let p = penalty, p.alpha > 0 {
            // The penalty is on the weights trained: the scaled features' when standardized.
            let penalized = r.scaledModel?.weights ?? w
            print("penalty α \(cFormat("%g", Double(p.alpha))), l1Ratio \(cFormat("%g", Double(p.l1Ratio))): "
                + "\(w.count { $0 != 0 }) of \(w.count) weight(s) non-zero, penalty term \(cFormat("%.6g", p.value(weights: penalized)))")
        }
        if let t = r.trueWeights, t.count == w.count, let tb = r.trueBias {
            if w.count <= 8 {
                print("error in estimating w: [\(zip(t, w).map { f4($0 - $1) }.joined(separator: ", "))]")
            } else {
                print("max |w - w*|: \(cFormat("%.3g", Double(r.maxWeightError ?? 0)))")
            }
            print("error in estimating b: \(f4(tb - r.model.bias))")
        }
        // What this process did: a resumed run names the part it trained and where it began.
        let steps = r.steps - stepsBefore, epochs = r.epochLosses.count
        let what = r.resumedFrom.map { from in
            "trained \(steps) step(s) from epoch \(from[0] + 1), batch \(from[1] + 1) to the end of epoch \(epochs) (resumed)"
        } ?? "trained \(epochs) epoch(s), \(steps) step(s)"
        print(
            "\(what) on \(r.threads) worker(s) (\(r.executor.rawValue)) in \(seconds(r.trainSeconds)): "
                + engineeringRate(r.samplesPerSecond, unit: "samples"))
        if let peak = peakResidentBytes() { print("peak memory \(byteCountText(peak))") }
    }
}

// Through `cFormat` (C's vsnprintf, the same text): the run's first `String(format:)` cost ~0.1 ms
// of start-up, setting up Foundation's formatter.
func f4(_ x: Float) -> String { cFormat("%.4f", Double(x)) }
func f4(_ x: Double) -> String { cFormat("%.4f", x) }

func seconds(_ s: Double) -> String {
    if s < 1e-3 { return cFormat("%.1f µs", s * 1e6) }
    if s < 1 { return cFormat("%.1f ms", s * 1e3) }
    return cFormat("%.2f s", s)
}
