import ArgumentParser
import Foundation

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Redraw the SVG plots of a finished run from its run directory.",
        discussion: """
            RUN_DIR is a directory made with 'lockstep train --run-dir' or 'lockstep sweep --run-dir'. \
            A training run gets fit.svg (single-feature data: the data and the fitted line with the loss, \
            weight and bias; more features: learned against true weights) and loss.svg (per epoch, or per \
            step for full-batch runs; log scale when the loss spans decades). A sweep gets sweep.svg \
            (speedup against the ideal line, parallel efficiency, GB/s against the read bandwidth). \
            The plots are redrawn from the JSON files alone, so the data need not exist any more.

            Example: lockstep plot runs/line50 --out /tmp/plots
            """)

    @Argument(help: "The run directory (made with --run-dir).")
    var runDir: String

    @Option(name: .long, help: "Write the SVGs here instead of RUN_DIR/plots.")
    var out: String?

    func run() throws {
        try runReportingErrors {
            let (run, kind) = try RunDirectory.open(runDir)
            let files: [(name: String, svg: String)]
            switch kind {
            case .train:
                let sample = FileManager.default.fileExists(atPath: runDir + "/fit-sample.json") ? try run.readJSON("fit-sample.json") : nil
                files = try PlotFiles.train(summary: try run.readJSON("summary.json"), sample: sample)
            case .sweep:
                files = [try PlotFiles.sweep(try run.readJSON("sweep.json"))]
            }
            let dir = out ?? run.plots
            try PlotFiles.write(files, to: dir)
            for f in files { print("wrote \(dir)/\(f.name)") }
        }
    }
}
