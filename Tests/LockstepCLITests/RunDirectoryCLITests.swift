import Foundation
import TestSupport
import Testing

/// `--run-dir`, `--plot` and `lockstep plot`: what a run leaves behind, and redrawing it later.
@Suite("Run directories and plots", .serialized) struct RunDirectoryCLITests {
    typealias CLI = CLITests

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func aTrainingRunDirectoryHoldsTheWholeRunAndRedrawsIdentically() throws {
        let dir = try CLI.tempDir().path, run = dir + "/line50"
        let r = try CLI.run(["train", "--config", "configs/line50.yaml", "--run-dir", run])
        #expect(r.status == 0, "\(r.stderr)")
        let kind = try CLI.json(URL(fileURLWithPath: run + "/run.json"))
        #expect(kind["kind"] as? String == "train")
        #expect(try Self.text(run + "/metrics.jsonl").split(separator: "\n").count == 50_000)
        let summary = try CLI.json(URL(fileURLWithPath: run + "/summary.json"))
        #expect(summary["rows"] as? Int == 50 && summary["features"] as? Int == 1)
        let sample = try CLI.json(URL(fileURLWithPath: run + "/fit-sample.json"))
        #expect((sample["x"] as? [Double])?.count == 50)

        // The lesson's figure, as librsvg draws it: the fitted line across the plot, the values on it.
        let fit = try Self.text(run + "/plots/fit.svg")
        #expect(fit.contains("weight 1.2043") && fit.contains("bias 3.0897") && fit.contains("loss (mse) 0.0035"))
        let image = try render(run + "/plots/fit.svg", counting: ["#d62728"])
        #expect((image.colors["#d62728"]?.count ?? 0) > 300)
        let loss = try Self.text(run + "/plots/loss.svg")
        #expect(loss.contains("step (full batch") && loss.contains("final loss 0.00354"))

        // Redrawn from the files alone: the same bytes.
        let redraw = try CLI.run(["plot", run, "--out", dir + "/redraw"])
        #expect(redraw.status == 0, "\(redraw.stderr)")
        for name in ["fit.svg", "loss.svg"] {
            #expect(try Self.text(dir + "/redraw/" + name) == Self.text(run + "/plots/" + name), "\(name)")
        }

        // config.json reruns the same training from another directory (data paths are absolute).
        let again = try runProcess(CLI.binary, ["train", "--config", run + "/config.json", "--summary", dir + "/again.json"], in: URL(fileURLWithPath: dir))
        #expect(again.status == 0, "\(again.stderr)")
        let s2 = try CLI.json(URL(fileURLWithPath: dir + "/again.json"))
        #expect("\(s2["weights"]!)" == "\(summary["weights"]!)" && "\(s2["bias"]!)" == "\(summary["bias"]!)")
    }

    @Test func aRunDirectoryIsNeverOverwrittenUnlessAsked() throws {
        let dir = try CLI.tempDir().path, run = dir + "/d2l"
        let args = ["train", "--config", "configs/d2l-scratch.yaml", "--run-dir", run]
        #expect(try CLI.run(args).status == 0)
        let before = try Self.text(run + "/summary.json")
        let again = try CLI.run(args + ["--seed", "7"])
        #expect(again.status == 64)
        #expect(again.stderr.contains("is not empty") && again.stderr.contains("--force"), "\(again.stderr)")
        #expect(try Self.text(run + "/summary.json") == before)

        let forced = try CLI.run(args + ["--seed", "7", "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.text(run + "/summary.json") != before)
        #expect(try Self.text(run + "/plots/fit.svg").contains("Learned vs true weights (d = 2)"))

        // --force replaces a run, never other files.
        try "keep me".write(toFile: run + "/notes.txt", atomically: true, encoding: .utf8)
        let foreign = try CLI.run(args + ["--force"])
        #expect(foreign.status == 64 && foreign.stderr.contains("notes.txt"), "\(foreign.stderr)")
        #expect(try Self.text(run + "/notes.txt") == "keep me")
    }

    @Test func aSweepRunDirectoryDrawsTheScalingChart() throws {
        let dir = try CLI.tempDir().path, run = dir + "/sweep"
        let r = try CLI.run([
            "sweep", "--config", CLI.threadsConfig, "--threads", "1,2,3", "--epochs", "2", "--executor", "span", "--run-dir", run,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try CLI.json(URL(fileURLWithPath: run + "/sweep.json"))
        #expect((doc["results"] as? [Any])?.count == 3 && doc["cores"] as? Int != nil)
        // "bitwise equal on every run" is evidence only from runs that were not serial.
        for case let res as [String: Any] in doc["results"] as? [Any] ?? [] {
            #expect((res["ranSerially"] as? Bool) == (res["threads"] as? Int == 1), "\(res)")
        }
        let svg = try Self.text(run + "/plots/sweep.svg")
        #expect(svg.contains("Speedup over 1 thread") && svg.contains("bitwise equal to 1 thread on every run"))
        let image = try render(run + "/plots/sweep.svg", counting: ["#1f77b4", "#2ca02c", "#9467bd"])
        #expect(image.colors.values.allSatisfy { $0.count > 50 }, "\(image.colors.mapValues(\.count))")
        let redraw = try CLI.run(["plot", run, "--out", dir + "/redraw"])
        #expect(redraw.status == 0)
        #expect(try Self.text(dir + "/redraw/sweep.svg") == svg)
        // Its config.json is a valid training config.
        let rerun = try CLI.run(["train", "--config", run + "/config.json", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        // --plot alone writes the same chart (the timings differ, so only its presence is compared).
        let plotOnly = try CLI.run(["sweep", "--config", "configs/line50.yaml", "--threads", "1,2", "--epochs", "50", "--plot", dir + "/p"])
        #expect(plotOnly.status == 0 && FileManager.default.fileExists(atPath: dir + "/p/sweep.svg"), "\(plotOnly.stderr)")
    }

    @Test func plotExplainsWhatIsWrongWithARunDirectory() throws {
        let dir = try CLI.tempDir().path
        let missing = try CLI.run(["plot", dir + "/nope"])
        #expect(missing.status == 66 && missing.stderr.contains("does not exist"), "\(missing.stderr)")
        let notARun = try CLI.run(["plot", dir])
        #expect(notARun.status == 66 && notARun.stderr.contains("run.json is missing"), "\(notARun.stderr)")
        try "{\"kind\": \"bake\"}".write(toFile: dir + "/run.json", atomically: true, encoding: .utf8)
        let badKind = try CLI.run(["plot", dir])
        #expect(badKind.status == 65 && badKind.stderr.contains("kind"), "\(badKind.stderr)")
        try "{\"kind\": \"train\"}".write(toFile: dir + "/run.json", atomically: true, encoding: .utf8)
        let noSummary = try CLI.run(["plot", dir])
        #expect(noSummary.status == 66 && noSummary.stderr.contains("summary.json is missing"), "\(noSummary.stderr)")
        try "[1, 2".write(toFile: dir + "/summary.json", atomically: true, encoding: .utf8)
        let broken = try CLI.run(["plot", dir])
        #expect(broken.status == 65 && broken.stderr.contains("not a JSON object"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/plots/fit.svg"))
    }
}
