import Foundation
import TestSupport
import Testing

@testable import lockstep

/// What the CLI prints is true and readable: engineering units, a progress line that keeps the loss
/// at 80 columns, a resumed run's line about what this process did, a sweep that says when its
/// runs were serial, and a sweep's embedded config that is valid input again.
@Suite("Honest output", .serialized) struct HonestOutputCLITests {
    typealias CLI = CLITests

    @Test func numbersUseEngineeringUnits() {
        #expect(engineeringText(1.45e9) == "1.45 G")
        #expect(engineeringText(2.13e7) == "21.3 M")
        #expect(engineeringText(2e7) == "20.0 M")
        #expect(engineeringText(812_345) == "812 k")
        #expect(engineeringText(999_999) == "1.00 M")
        #expect(engineeringText(950) == "950")
        #expect(engineeringText(3.5) == "3.50")
        #expect(engineeringRate(1.04e9, unit: "samples") == "1.04 G samples/s")
        #expect(engineeringRate(.nan, unit: "samples") == "? samples/s")
    }

    @Test func theProgressLineKeepsTheLossAt80Columns() {
        for columns in [80, 72, 60, 50] {
            let bar = ProgressBar(
                label: "epoch 12/300", done: 61_000, total: 3_000_000, unit: "steps", elapsed: 65, doneAtStart: 0,
                extras: ["8.2M samples/s", "loss 0.000100185"], columns: columns)
            #expect(bar.text.count <= columns - 1, "\(columns): \(bar.text)")
            #expect(bar.text.hasSuffix("loss 0.000100185]"), "\(columns): \(bar.text)")
        }
        let wide = ProgressBar(
            label: "epoch 2/3", done: 6100, total: 10_000, unit: "steps", elapsed: 1.2, extras: ["8.2M samples/s", "loss 0.0102"],
            columns: 100)
        #expect(wide.text.contains("steps") && wide.text.contains("samples/s"), "\(wide.text)")
    }

    @Test func aResumedRunSaysWhatThisProcessTrained() throws {
        let dir = try CLI.tempDir().path
        let config = dir + "/c.yaml"
        try "data: {synthetic: {rows: 6400, features: 16, seed: 1}}\ntraining: {epochs: 4, batchSize: 64}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let base = ["train", "--config", config, "--checkpoint-dir", dir + "/ck"]
        #expect(try CLI.run(base + ["--epochs", "2"]).status == 0)
        let r = try CLI.run(base + ["--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("trained 200 step(s) from epoch 3, batch 1 to the end of epoch 4 (resumed)"), "\(r.stdout)")
        #expect(!r.stdout.contains("e+"), "\(r.stdout)")
    }

    @Test func aSerialSweepSaysSoAndItsConfigIsValidInput() throws {
        let dir = try CLI.tempDir().path
        let json = dir + "/sweep.json"
        let r = try CLI.run(["sweep", "--config", "configs/d2l-scratch.yaml", "--threads", "1,2", "--quiet", "--json", json])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("note: every run was serial (each step is one chunk of 10 rows"), "\(r.stdout)")
        #expect(!r.stdout.contains("e+"), "\(r.stdout)")
        let doc = try CLI.json(URL(fileURLWithPath: json))
        let config = try #require(doc["config"] as? [String: Any])
        #expect((config["training"] as? [String: Any])?["threads"] as? String == "auto")
        let results = try #require(doc["results"] as? [[String: Any]])
        #expect(results.allSatisfy { $0["ranSerially"] as? Bool == true })
        // Fed back as a config, it trains the same job.
        let again = dir + "/again.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: again))
        let t = try CLI.run(["train", "--config", again, "--quiet"])
        #expect(t.status == 0 && t.stdout.contains("b = 4.1991"), "\(t.stdout) \(t.stderr)")
        // A sweep whose runs were parallel has no such note.
        try "data: {synthetic: {rows: 65536, features: 64, seed: 1}}\ntraining: {epochs: 2, batchSize: 8192, chunkRows: 1024}\n"
            .write(toFile: dir + "/wide.yaml", atomically: true, encoding: .utf8)
        let span = try CLI.run(["sweep", "--config", dir + "/wide.yaml", "--threads", "1,2", "--quiet"])
        #expect(span.status == 0 && !span.stdout.contains("every run was serial"), "\(span.stdout)")
    }
}
