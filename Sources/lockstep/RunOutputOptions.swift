import ArgumentParser

/// `--plot`, `--run-dir` and `--force`, shared by `train` and `sweep`: where a run's plots and
/// files go.
struct RunOutputOptions: ParsableArguments {
    @Option(name: .long, help: "Draw the run's SVG plots into this directory, made if missing (train: fit.svg, loss.svg; sweep: sweep.svg).")
    var plot: String?

    @Option(
        name: .customLong("run-dir"),
        help: "Collect this run in DIR: run.json, config.json, metrics.jsonl, summary.json and model.json (train) or sweep.json (sweep), plots/, checkpoints/ (redraw with 'lockstep plot DIR').")
    var runDir: String?

    @Flag(name: .long, help: "With --run-dir: replace the run already in DIR (its checkpoints too).")
    var force = false

    func validate() throws {
        if force && runDir == nil { throw ValidationError("--force only applies with --run-dir DIR") }
    }

    /// The run directory for a new run of `kind` (or one being resumed), when asked for.
    func runDirectory(kind: RunDirectory.Kind, resume: Bool = false) throws(CLIError) -> RunDirectory? {
        guard let runDir else { return nil }
        return try RunDirectory.create(at: runDir, kind: kind, force: force, resume: resume)
    }

    /// True when the run must draw its plots (for --plot or the run directory).
    func wantsPlots(_ run: RunDirectory?) -> Bool { plot != nil || run != nil }

    /// Writes the drawings to --plot and into the run directory's plots/.
    func write(_ files: [(name: String, svg: String)], run: RunDirectory?) throws(CLIError) {
        if let plot { try PlotFiles.write(files, to: plot) }
        if let run { try PlotFiles.write(files, to: run.plots) }
    }
}
