import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Checkpoints and --resume: a run killed anywhere (SIGKILL included) and resumed, on any thread
/// count, ends bit-for-bit where the uninterrupted run ends.
@Suite("Checkpoints and resume", .serialized) struct ResumeCLITests {
    typealias CLI = CLITests

    /// Momentum, shuffled epochs, a partial last batch: everything a resume must carry over. d = 50
    /// (four reduce blocks) and chunks of 16 rows (4 a step), so resuming on another thread count
    /// would show a thread-dependent reduce or row order.
    static let config = """
        data:
          synthetic: {rows: 200003, features: 50, weights: alternating, bias: 4.2, noise: 0.01, seed: 3}
        model: {init: normal, std: 0.01}
        loss: mse
        optimizer: {lr: 0.01, momentum: 0.9}
        training: {epochs: 3, batchSize: 64, shuffle: true, seed: 5, threads: 2, executor: span, chunkRows: 16}
        """

    static func setUp() throws -> (dir: String, config: String) {
        let dir = try CLI.tempDir().path
        try config.write(toFile: dir + "/job.yaml", atomically: true, encoding: .utf8)
        return (dir, dir + "/job.yaml")
    }

    /// The parts of a summary a resumed run must reproduce exactly (floats print shortest round-trip).
    static func result(_ path: String) throws -> String {
        let s = try CLI.json(URL(fileURLWithPath: path))
        return ["weights", "bias", "epochLosses", "finalLoss", "steps"].map { "\($0)=\(s[$0]!)" }.joined(separator: " ")
    }

    /// Starts `lockstep` and returns it running.
    static func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.currentDirectoryURL = CLI.root
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    @Test func killedAtRandomStepsAndResumedItEndsBitForBitTheSame() throws {
        let (dir, config) = try Self.setUp()
        let t0 = Date()
        let full = try CLI.run(["train", "--config", config, "--summary", dir + "/full.json", "--quiet"])
        #expect(full.status == 0, "\(full.stderr)")
        let duration = Date().timeIntervalSince(t0)
        let expected = try Self.result(dir + "/full.json")

        var generator = SystemRandomNumberGenerator()
        var killedMidRun = 0
        let trials: [(every: String, threads: String)] = [
            ("150", "1"), ("333", "3"), ("1000", "2"), ("2500", "5"), ("77", "1"), ("500", "2"),
        ]
        for (i, trial) in trials.enumerated() {
            let ck = dir + "/ck\(i)"
            let args = ["train", "--config", config, "--checkpoint-dir", ck, "--checkpoint-every", trial.every, "--quiet",
                        "--summary", dir + "/s\(i).json"]
            let p = try Self.start(args)
            // Kill at a random moment after the first checkpoint: timing alone missed the run when
            // other work slowed the machine (the data takes part of the run to make).
            let deadline = Date().addingTimeInterval(4 * duration + 5)
            while p.isRunning && !FileManager.default.fileExists(atPath: ck + "/checkpoint.json") && Date() < deadline { usleep(2000) }
            usleep(UInt32(Double.random(in: 0...0.4, using: &generator) * duration * 1e6))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            // Resume (on another thread count) until it finishes; a kill before the first
            // checkpoint starts afresh.
            let r = try CLI.run(args + ["--resume", "--threads", trial.threads])
            #expect(r.status == 0, "trial \(i): \(r.stderr)")
            if r.stderr.contains("continuing from epoch") && !r.stderr.contains("step 0 of") { killedMidRun += 1 }
            #expect(try Self.result(dir + "/s\(i).json") == expected, "trial \(i) (every \(trial.every), resumed on \(trial.threads) threads)")
        }
        // The test means something only if most kills landed inside the run.
        #expect(killedMidRun >= 4, "only \(killedMidRun) of \(trials.count) kills interrupted the run")
    }

    /// The signal is sent once the run's first checkpoint (every 500 steps) is on disk, so it lands
    /// inside the run by construction, not by timing; where it stopped is read back from the
    /// checkpoint it saved, and the resumed run must give every epoch loss of the uninterrupted one.
    @Test func sigintAndSigtermSaveACheckpointAndSayHowToResume() throws {
        let (dir, config) = try Self.setUp()
        let full = try CLI.run(["train", "--config", config, "--summary", dir + "/full.json", "--quiet", "--epochs", "6"])
        #expect(full.status == 0)
        let totalSteps = try CLI.json(URL(fileURLWithPath: dir + "/full.json"))["steps"] as? Int ?? 0
        for (sig, code) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let ck = dir + "/ck\(sig)"
            let args = [
                "train", "--config", config, "--checkpoint-dir", ck, "--checkpoint-every", "500", "--quiet",
                "--summary", dir + "/s\(sig).json", "--epochs", "6",
            ]
            let (status, stderr, _) = try CLI.runInterfering(args, after: 0) { p in
                let deadline = Date().addingTimeInterval(60)
                while p.isRunning && !FileManager.default.fileExists(atPath: ck + "/checkpoint.json") && Date() < deadline { usleep(1000) }
                kill(p.processIdentifier, sig)
            }
            #expect(status == code, "\(stderr)")
            #expect(stderr.contains("checkpoint saved in \(ck)") && stderr.contains("continue with: ") && stderr.contains("--resume"), "\(stderr)")
            let saved = try CLI.json(URL(fileURLWithPath: ck + "/checkpoint.json"))
            let stoppedAt = saved["steps"] as? Int ?? -1
            #expect(stoppedAt >= 500 && stoppedAt < totalSteps, "stopped at step \(stoppedAt) of \(totalSteps)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/s\(sig).json"), "no summary for an unfinished run")
            let r = try CLI.run(args + ["--resume"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("continuing from epoch"), "\(r.stderr)")
            #expect(try Self.result(dir + "/s\(sig).json") == Self.result(dir + "/full.json"))
        }
    }

    @Test func aCheckpointOfAnotherJobIsRefusedNamingTheDifference() throws {
        let (dir, config) = try Self.setUp()
        let ck = dir + "/ck"
        let base = ["train", "--config", config, "--checkpoint-dir", ck, "--quiet", "--epochs", "1"]
        #expect(try CLI.run(base).status == 0)
        let again = try CLI.run(base)
        #expect(again.status == 64 && again.stderr.contains("pass --resume to continue it"), "\(again.stderr)")
        let lr = try CLI.run(base + ["--resume", "--lr", "0.02"])
        #expect(lr.status == 64 && lr.stderr.contains("optimizer.lr: 0.01 in the checkpoint, 0.02 now"), "\(lr.stderr)")
        let batch = try CLI.run(base + ["--resume", "--batch-size", "32"])
        #expect(batch.status == 64 && batch.stderr.contains("training.batchSize: 64 in the checkpoint, 32 now"), "\(batch.stderr)")
        try Self.config.replacingOccurrences(of: "seed: 3", with: "seed: 4").write(toFile: dir + "/other.yaml", atomically: true, encoding: .utf8)
        let data = try CLI.run(["train", "--config", dir + "/other.yaml", "--checkpoint-dir", ck, "--quiet", "--epochs", "1", "--resume"])
        #expect(data.status == 64 && data.stderr.contains("data: same shape but different values"), "\(data.stderr)")
        // More epochs continue the same run; threads and executor may change freely.
        let more = try CLI.run(base + ["--resume", "--epochs", "2", "--threads", "1", "--executor", "serial"])
        #expect(more.status == 0 && more.stderr.contains("continuing from epoch 2, batch 1"), "\(more.stderr)")
        // A damaged checkpoint is reported, never trusted.
        let file = ck + "/checkpoint.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try String(text.prefix(text.count / 2)).write(toFile: file, atomically: true, encoding: .utf8)
        let damaged = try CLI.run(base + ["--resume", "--epochs", "3"])
        #expect(damaged.status == 65 && damaged.stderr.contains("is not a JSON object"), "\(damaged.stderr)")
        let needsDir = try CLI.run(["train", "--config", config, "--resume"])
        #expect(needsDir.status == 64 && needsDir.stderr.contains("--checkpoint-dir DIR or --run-dir DIR"), "\(needsDir.stderr)")
    }

    @Test func aRunDirectoryKeepsItsCheckpointsAndResumes() throws {
        let (dir, config) = try Self.setUp()
        let run = dir + "/run"
        let args = ["train", "--config", config, "--run-dir", run, "--quiet", "--epochs", "1"]
        #expect(try CLI.run(args).status == 0)
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/checkpoint.json"))
        let resumed = try CLI.run(args + ["--resume", "--epochs", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let summary = try CLI.json(URL(fileURLWithPath: run + "/summary.json"))
        #expect((summary["epochLosses"] as? [Any])?.count == 2)
        #expect(try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").count == 2)
    }
}
