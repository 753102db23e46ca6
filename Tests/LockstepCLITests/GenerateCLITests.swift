import Foundation
import Testing

/// `lockstep generate`, training from its files (`--data`), and on-the-fly data, end to end.
@Suite("CLI generate", .serialized) struct GenerateCLITests {
    typealias CLI = CLITests

    /// d = 50 (four reduce blocks, the last short), batches of 128 in chunks of 16: the three data paths agreeing on 1, 2
    /// and 3 threads is evidence only when a thread-dependent reduce or row order could change the bits.
    static func config(_ dir: URL, materialize: Bool) throws -> URL {
        let url = dir.appendingPathComponent("otf-\(materialize).yaml")
        try """
        data:
          synthetic: {rows: 3000, features: 50, weights: alternating, bias: 1.5, noise: 0.05, seed: 3, materialize: \(materialize)}
        model: {init: zeros}
        loss: mse
        optimizer: {lr: 0.05, momentum: 0.5}
        training: {epochs: 3, batchSize: 128, shuffle: true, seed: 9, executor: span, chunkRows: 16}
        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func outcome(_ summary: URL) throws -> [String] {
        let j = try CLI.json(summary)
        return ["\(j["weights"]!)", "\(j["bias"]!)", "\(j["epochLosses"]!)"]
    }

    @Test func fileBackedOnTheFlyAndInMemoryTrainingGiveTheSameSummary() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data").path
        let g = try CLI.run([
            "generate", "--rows", "3000", "--features", "50", "--bias", "1.5", "--noise", "0.05", "--seed", "3", "--threads",
            "3", "--out", data,
        ])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stdout.contains("wrote \(data): synthetic 3000 × 50 (seed 3)") && g.stdout.contains("crc32"))
        #expect(g.stderr.isEmpty, "no progress line when stderr is not a terminal: \(g.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: data).sorted()
        #expect(files == ["X.npy", "meta.json", "y.npy"])
        var outcomes: [[String]] = []
        for (name, args) in [
            ("memory", ["--config", try Self.config(dir, materialize: true).path]),
            ("on the fly", ["--config", try Self.config(dir, materialize: false).path]),
            ("files", ["--config", try Self.config(dir, materialize: true).path, "--data", data]),
        ] {
            for threads in ["1", "2", "3"] {
                let summary = dir.appendingPathComponent("\(name)-\(threads).json")
                let r = try CLI.run(["train"] + args + ["--threads", threads, "--summary", summary.path])
                #expect(r.status == 0, "\(name): \(r.stderr)")
                outcomes.append(try Self.outcome(summary))
                CLI.expectParallel(try CLI.json(summary), threads: Int(threads)!)
            }
        }
        #expect(Set(outcomes.map { $0.joined(separator: "|") }).count == 1, "\(outcomes)")
        let files2 = try CLI.json(dir.appendingPathComponent("files-2.json"))
        #expect(((files2["config"] as? [String: Any])?["data"] as? [String: Any])?["npy"] != nil)
    }

    @Test func theSameBlockFromAConfigGivesTheSameBytes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        #expect(try CLI.run(["generate", "--config", try Self.config(dir, materialize: false).path, "--out", a, "--quiet"]).status == 0)
        let r = try CLI.run([
            "generate", "--rows", "3000", "--features", "50", "--bias", "1.5", "--noise", "0.05", "--seed", "3", "--out", b,
            "--threads", "1",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        for f in ["X.npy", "y.npy", "meta.json"] {
            #expect(FileManager.default.contents(atPath: a + "/" + f) == FileManager.default.contents(atPath: b + "/" + f), "\(f)")
        }
    }

    @Test func softmaxDataFromFlagsAndFromAConfigAreTheSameBytes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a").path, b = dir.appendingPathComponent("b").path
        let r = try CLI.run([
            "generate", "--rows", "2000", "--features", "5", "--task", "softmax", "--classes", "3", "--priors", "0.5,0.3,0.2",
            "--seed", "4", "--threads", "3", "--out", a,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote \(a): synthetic 2000 × 5, softmax 3 classes, priors 0.5/0.3/0.2 (seed 4); "), "\(r.stdout)")
        let meta = try CLI.json(URL(fileURLWithPath: a + "/meta.json"))
        let spec = meta["spec"] as? [String: Any]
        #expect(spec?["task"] as? String == "softmax" && spec?["classes"] as? Int == 3 && spec?["weights"] as? String == "normal")
        #expect((spec?["priors"] as? [Double]) == [0.5, 0.3, 0.2])
        #expect((meta["trueWeights"] as? [Double])?.count == 15 && (meta["trueBiases"] as? [Double])?.count == 3)
        #expect(meta["trueBias"] == nil)
        let config = dir.appendingPathComponent("softmax.yaml")
        try """
        data:
          synthetic: {rows: 2000, features: 5, task: softmax, classes: 3, priors: [0.5, 0.3, 0.2], seed: 4}
        """.write(to: config, atomically: true, encoding: .utf8)
        let c = try CLI.run(["generate", "--config", config.path, "--threads", "1", "--out", b, "--quiet"])
        #expect(c.status == 0, "\(c.stderr)")
        for f in ["X.npy", "y.npy", "meta.json"] {
            #expect(FileManager.default.contents(atPath: a + "/" + f) == FileManager.default.contents(atPath: b + "/" + f), "\(f)")
        }
        // The labels: class indices 0, 1, 2 (y.npy float32 after its header), each class present.
        let y = try #require(FileManager.default.contents(atPath: a + "/y.npy"))
        let labels = y.suffix(2000 * 4).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(labels.count == 2000 && Set(labels) == [0, 1, 2], "\(Set(labels))")
    }

    @Test func anExistingDatasetIsKeptUnlessForced() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("d").path
        #expect(try CLI.run(["generate", "--rows", "100", "--features", "2", "--out", out]).status == 0)
        let before = FileManager.default.contents(atPath: out + "/X.npy")
        let r = try CLI.run(["generate", "--rows", "100", "--features", "2", "--seed", "1", "--out", out])
        #expect(r.status == 64 && r.stderr.contains("exists and is not empty") && r.stderr.contains("--force"))
        #expect(FileManager.default.contents(atPath: out + "/X.npy") == before)
        #expect(try CLI.run(["generate", "--rows", "100", "--features", "2", "--seed", "1", "--out", out, "--force"]).status == 0)
        #expect(FileManager.default.contents(atPath: out + "/X.npy") != before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["d"], "no temporaries left beside it")
    }

    @Test(arguments: [
        (["--rows", "0", "--features", "2"], "--rows must be at least 1"),
        (["--rows", "10", "--features", "3", "--weights", "1,2"], "give exactly 3 weights"),
        (["--rows", "10", "--weights", "1,x"], "'x' is not a finite number"),
        (["--rows", "10", "--features", "2", "--noise", "-1"], "--noise must be a standard deviation >= 0"),
        (["--features", "2"], "give --rows and --features"),
        (["--rows", "10", "--features", "3", "--task", "softmax"], "task softmax needs classes: k"),
        (["--rows", "10", "--features", "3", "--task", "multinomial"], "use one of: regression, logistic, softmax"),
        (["--rows", "10", "--features", "3", "--classes", "3"], "classes apply to task softmax only"),
        (["--rows", "10", "--features", "3", "--task", "softmax", "--classes", "1"], "use 2 to 65536 classes"),
        (["--rows", "10", "--features", "3", "--task", "softmax", "--classes", "3", "--priors", "1,0,1"], "priors must be positive"),
        (["--rows", "10", "--features", "3", "--task", "softmax", "--classes", "3", "--priors", "1,2"], "give exactly 3 priors"),
        (["--rows", "10", "--features", "3", "--task", "softmax", "--classes", "3", "--priors", "1,x,1"], "'x' is not a finite number"),
        (["--rows", "10", "--features", "3", "--task", "softmax", "--classes", "3", "--bias", "1"], "task softmax takes no bias"),
        (["--rows", "10", "--features", "3", "--task", "softmax", "--classes", "3", "--weights", "1,2,3"], "give exactly 9 weights"),
        (["--config", "configs/nope.yaml"], "does not exist"),
    ])
    func badFlagsAreUsageErrors(args: [String], message: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("d").path
        let r = try CLI.run(["generate"] + args + ["--out", out])
        #expect(r.status == (args.contains("--config") ? 66 : 64) && r.stderr.contains(message), "\(r.status) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func trainingFromBadDataDirectoriesExplainsTheFix() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try CLI.run(["train", "--config", "configs/d2l-scratch.yaml", "--data", dir.path + "/none"])
        #expect(missing.status == 66 && missing.stderr.contains("does not exist"))
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("X.npy"))
        try Data().write(to: dir.appendingPathComponent("y.npy"))
        let bad = try CLI.run(["train", "--config", "configs/d2l-scratch.yaml", "--data", dir.path])
        #expect(bad.status == 65 && bad.stderr.contains("X.npy is not a .npy file"), "\(bad.stderr)")
        let flag = try CLI.run(["train", "--config", "configs/d2l-scratch.yaml", "--convert-float64"])
        #expect(flag.status == 64 && flag.stderr.contains("only applies with --data"))
    }

    @Test func anInterruptedGenerateLeavesNothingBehind() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("big").path
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["generate", "--rows", "16777216", "--features", "64", "--out", out]  // 4 GiB: seconds to write
        p.standardOutput = Pipe()
        let err = Pipe()
        p.standardError = err
        try p.run()
        // Interrupt once the temporary directory exists, i.e. mid-write.
        var waited = 0
        while waited < 200, (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty ?? true {
            usleep(10_000)
            waited += 1
        }
        usleep(100_000)
        p.interrupt()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 130 && message.contains("interrupted: nothing was written"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func generationRunsInBoundedMemory() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 256 MiB of data; the writer holds one ~1 MiB piece per thread.
        let r = try CLI.run(["generate", "--rows", "1048576", "--features", "64", "--out", dir.path + "/d"])
        #expect(r.status == 0, "\(r.stderr)")
        // On a line of its own, after the files (not glued to meta.json's line).
        #expect(r.stdout.contains("  meta.json\npeak memory "), "\(r.stdout)")
        let words = r.stdout.split(separator: "\npeak memory ").last?.split(separator: " ") ?? []
        let peak = words.count >= 2 && words[1].hasPrefix("MiB") ? Double(words[0]) : nil
        #expect(peak != nil && peak! < 64, "peak memory for 256 MiB of data: \(r.stdout)")
    }
}
