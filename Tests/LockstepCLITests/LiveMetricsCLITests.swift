import Foundation
import TestSupport
import Testing

/// metrics.jsonl is written as epochs finish, so `tail -f` follows a run, and at the end it holds
/// exactly the summary's epochs.
@Suite("Live metrics", .serialized) struct LiveMetricsCLITests {
    typealias CLI = CLITests

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func metricsArriveWhileTheRunGoesOn() throws {
        let dir = try CLI.tempDir().path
        let config = dir + "/c.yaml"
        // ~2 s of 1-thread training in the debug build the tests run (20 epochs of ~0.1 s; 1M rows
        // here took 3 minutes), so lines are flushed (every 0.5 s) while it runs.
        try "data: {synthetic: {rows: 100000, features: 16, seed: 1}}\ntraining: {epochs: 20, batchSize: 64, threads: 1}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let metrics = dir + "/m.jsonl", summary = dir + "/s.json"
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["train", "--config", config, "--quiet", "--metrics", metrics, "--summary", summary]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        var seenWhileRunning = 0
        while p.isRunning {
            let n = Self.lines(metrics).count
            if n > 0 && n < 20 && p.isRunning { seenWhileRunning = max(seenWhileRunning, n) }
            usleep(20_000)
        }
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(seenWhileRunning > 0, "no metrics line appeared before the run ended")
        let all = Self.lines(metrics)
        #expect(all.count == 20)
        let losses = try #require(try CLI.json(URL(fileURLWithPath: summary))["epochLosses"] as? [Double])
        for (i, line) in all.enumerated() {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(o["epoch"] as? Int == i + 1 && (o["loss"] as? Double)?.bitPattern == losses[i].bitPattern, "\(line)")
        }
    }

    @Test func aResumedRunsMetricsHoldEveryEpoch() throws {
        let dir = try CLI.tempDir().path
        let config = dir + "/c.yaml"
        try "data: {synthetic: {rows: 6400, features: 16, seed: 1}}\ntraining: {epochs: 5, batchSize: 64}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let run = dir + "/run"
        #expect(try CLI.run(["train", "--config", config, "--run-dir", run, "--epochs", "2", "--quiet"]).status == 0)
        #expect(Self.lines(run + "/metrics.jsonl").count == 2)
        let r = try CLI.run(["train", "--config", config, "--run-dir", run, "--resume", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.lines(run + "/metrics.jsonl").enumerated().allSatisfy { $0.element.hasPrefix("{\"epoch\":\($0.offset + 1),") })
        #expect(Self.lines(run + "/metrics.jsonl").count == 5)
        // A directory given as --metrics is refused before training.
        let bad = try CLI.run(["train", "--config", config, "--metrics", dir, "--quiet"])
        #expect(bad.status != 0 && bad.stderr.contains("is a directory"), "\(bad.stderr)")
    }
}
