import Foundation
import TestSupport
import Testing

/// End-to-end: runs the built `lockstep` executable and checks its output, files and exit codes.
@Suite("CLI", .serialized) struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("lockstep")
    }

    /// Runs the built `lockstep` from the project root.
    @discardableResult
    static func run(_ args: [String], timeout: Double? = nil) throws -> ProcessResult {
        try runProcess(binary, args, in: root, timeout: timeout)
    }

    /// Starts `lockstep args` from the project root, runs `meanwhile` after `delay` seconds (a
    /// signal, a change to a file it reads), and waits for it to end: its exit status (128 + the
    /// signal when one ended it), stderr, and the seconds from `meanwhile` to the end.
    static func runInterfering(
        _ args: [String], after delay: Double, meanwhile: (Process) throws -> Void
    ) throws -> (status: Int32, stderr: String, seconds: Double) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = root
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        usleep(UInt32(delay * 1e6))
        let start = Date()
        try meanwhile(p)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let status = p.terminationReason == .exit ? p.terminationStatus : 128 + p.terminationStatus
        return (status, stderr, Date().timeIntervalSince(start))
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    @Test func line50PrintsTheLessonsResult() throws {
        let r = try Self.run(["train", "--config", "configs/line50.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("weight 1.2043, bias 3.0897, loss 0.0035"))
        let epochLines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        #expect(epochLines.count <= 21 && epochLines.last == "epoch 50000, loss 0.003544")
    }

    /// LOCKSTEP_KERNELS=portable runs the portable copy of the kernels (the summary says which ran)
    /// to the same bits as the default; an unknown value is refused before anything runs.
    @Test func theKernelCopyCanBeChosenAndABadChoiceIsRefused() throws {
        let dir = try Self.tempDir()
        var runs: [[String: Any]] = []
        for value in ["auto", "portable"] {
            let path = dir.appendingPathComponent("\(value).json")
            let r = try runProcess(
                Self.binary, ["train", "--config", "configs/d2l-scratch.yaml", "--summary", path.path], in: Self.root,
                environment: ["LOCKSTEP_KERNELS": value])
            #expect(r.status == 0, "\(r.stderr)")
            runs.append(try Self.json(path))
        }
        #expect(runs[1]["kernelTarget"] as? String == "portable")
        #expect(["avx512", "portable"].contains(runs[0]["kernelTarget"] as? String ?? ""))
        for key in ["weights", "bias", "epochLosses"] {
            #expect((runs[0][key] as? NSObject) == (runs[1][key] as? NSObject), "\(key)")
        }
        let bad = try runProcess(
            Self.binary, ["train", "--config", "configs/d2l-scratch.yaml", "--summary", dir.appendingPathComponent("bad.json").path],
            in: Self.root, environment: ["LOCKSTEP_KERNELS": "avx2"])
        #expect(bad.status == 64 && bad.stderr.contains("invalid LOCKSTEP_KERNELS: avx2; use portable, avx512 or auto"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.json").path))
    }

    @Test func d2lPrintsLessonStyleEpochsAndErrors() throws {
        let r = try Self.run(["train", "--config", "configs/d2l-scratch.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("epoch 1, loss ") && r.stdout.contains("epoch 3, loss "))
        #expect(r.stdout.contains("error in estimating w: [") && r.stdout.contains("error in estimating b: "))
    }

    /// The workload of the thread-count checks: several chunks a step and four reduce blocks, so a
    /// thread-dependent reduce or row order changes the bits (d2l's batches of 10 are one chunk).
    static let threadsConfig = "Tests/Fixtures/threads-d50.yaml"

    /// A summary's evidence that equal bits meant something: several chunks a step, and the executor
    /// asked for (`span` on up to the cores, per-step past them or when a span fell back).
    static func expectParallel(_ s: [String: Any], threads t: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let chunk = s["chunkRows"] as? Int ?? 0, batch = s["batchRows"] as? Int ?? 0
        #expect(chunk > 0 && batch > chunk, "\(t) threads: chunkRows \(chunk), batchRows \(batch)", sourceLocation: sourceLocation)
        let fellBack = (s["spanFallbacks"] as? Int ?? 0) > 0
        let expected = t == 1 ? "serial" : t <= ProcessInfo.processInfo.activeProcessorCount && !fellBack ? "span" : "per-step"
        #expect(s["executor"] as? String == expected, "\(t) threads ran \(s["executor"] ?? "?")", sourceLocation: sourceLocation)
    }

    @Test func summaryHasTheContractsKeysAndIsTheSameForEveryThreadCount() throws {
        let dir = try Self.tempDir()
        var first: [String: Any]?
        for t in [1, 2, 3, 5, 8] {
            let path = dir.appendingPathComponent("s\(t).json")
            let r = try Self.run(["train", "--config", Self.threadsConfig, "--threads", "\(t)", "--executor", "span",
                                  "--summary", path.path, "--metrics", dir.appendingPathComponent("m\(t).jsonl").path])
            #expect(r.status == 0, "\(r.stderr)")
            let s = try Self.json(path)
            for key in ["weights", "bias", "finalLoss", "epochLosses", "steps", "threads", "trainSeconds", "samplesPerSecond", "config"] {
                #expect(s[key] != nil, "summary key \(key)")
            }
            #expect(s["threads"] as? Int == t)
            Self.expectParallel(s, threads: t)
            let metrics = try String(contentsOf: dir.appendingPathComponent("m\(t).jsonl"), encoding: .utf8)
            #expect(metrics.split(separator: "\n").count == 2)
            if let f = first {
                for key in ["weights", "bias", "epochLosses", "finalLoss"] {
                    #expect("\(s[key]!)" == "\(f[key]!)", "\(key) with \(t) threads")
                }
            } else {
                first = s
            }
        }
    }

    /// Issue 4's memory bound: beyond what the runtime itself takes (a 1000-row run), a shuffled run
    /// holds the data, its labels and its 4-byte-a-row order, within 10 % of the data's bytes.
    @Test func peakMemoryIsTheDataPlusAtMostTenPercent() throws {
        let dir = try Self.tempDir()
        func peak(rows: Int) throws -> Double {
            let config = dir.appendingPathComponent("m\(rows).yaml")
            try """
                data:
                  synthetic: {rows: \(rows), features: 32, weights: alternating, bias: 1, noise: 0.01, seed: 3}
                loss: mse
                optimizer: {lr: 0.05}
                training: {epochs: 1, batchSize: 4096, shuffle: true, seed: 0, threads: 2}
                """.write(to: config, atomically: true, encoding: .utf8)
            let summary = dir.appendingPathComponent("m\(rows).json")
            let r = try Self.run(["train", "--config", config.path, "--quiet", "--summary", summary.path])
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(Self.json(summary)["peakResidentBytes"] as? Double)
        }
        let rows = 500_000
        let dataBytes = Double(rows * 32 * 4 + rows * 4)
        let extra = try peak(rows: rows) - peak(rows: 1000)
        #expect(extra >= 0.9 * dataBytes, "the data must be resident: \(extra) bytes over the baseline")
        #expect(extra <= 1.1 * dataBytes, "\(extra) bytes over the baseline for \(dataBytes) bytes of data")
    }

    @Test func flagsOverrideTheConfig() throws {
        let dir = try Self.tempDir()
        let path = dir.appendingPathComponent("s.json").path
        let r = try Self.run(["train", "--config", "configs/d2l-concise.yaml", "--epochs", "2", "--lr", "0.01",
                              "--batch-size", "20", "--seed", "4", "--threads", "1", "--quiet", "--summary", path])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try Self.json(URL(fileURLWithPath: path))
        let training = (s["config"] as! [String: Any])["training"] as! [String: Any]
        #expect(training["epochs"] as? Int == 2 && training["batchSize"] as? Int == 20 && training["seed"] as? Int == 4)
        #expect(s["steps"] as? Int == 100)
    }

    @Test func sweepHonoursTheJSONContract() throws {
        let dir = try Self.tempDir()
        let path = dir.appendingPathComponent("sweep.json")
        let r = try Self.run(["sweep", "--config", Self.threadsConfig, "--threads", "1,2,3", "--epochs", "2",
                              "--executor", "span", "--json", path.path])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try Self.json(path)
        let results = doc["results"] as! [[String: Any]]
        #expect(results.map { $0["threads"] as? Int } == [1, 2, 3])
        let bandwidth = doc["readBandwidthGBps"] as? Double ?? 0
        #expect(bandwidth > 0.5 && bandwidth < 10_000, "read bandwidth \(bandwidth) GB/s")
        for res in results {
            let epochs = res["epochSeconds"] as? [Double] ?? []
            #expect(epochs.count == 2)
            #expect(res["speedup"] is Double && res["efficiency"] is Double)
            #expect(res["bitwiseEqualToOneThread"] as? Bool == true, "threads \(res["threads"]!)")
            // Equal bits are evidence only from a run that was not serial.
            let t = res["threads"] as? Int ?? 0
            #expect((res["ranSerially"] as? Bool) == (t == 1) && (res["executor"] as? String == "serial") == (t == 1), "\(res)")
            let gbps = res["xGBPerSecond"] as? Double ?? 0, fraction = res["fractionOfReadBandwidth"] as? Double ?? -1
            #expect(abs(fraction - gbps / bandwidth) < 1e-9 * max(1, fraction))
            // The split adds up to the spans' wall time: most of the epoch time, never more.
            let split = res["timeSplitPerEpoch"] as? [String: Double] ?? [:]
            let total = (split["computeSeconds"] ?? -1) + (split["reduceUpdateSeconds"] ?? -1) + (split["waitSeconds"] ?? -1)
            let mean = epochs.reduce(0, +) / Double(max(1, epochs.count))
            #expect(split.count == 3 && split.values.allSatisfy { $0 >= 0 } && total <= 1.02 * mean + 1e-6 && total >= 0.5 * mean, "\(split) vs \(mean)")
        }
        #expect(r.stdout.contains("compute/reduce/wait") && r.stdout.contains("read bandwidth of this machine"))
    }

    @Test func topologyPrintsATreeAndJSON() throws {
        let tree = try Self.run(["topology"])
        #expect(tree.status == 0 && tree.stdout.contains("Core 0:"))
        let json = try Self.run(["topology", "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        #expect((obj["physicalCores"] as? Int ?? 0) >= 1)
    }

    @Test func badCSVExits65WithTheLine() throws {
        let dir = try Self.tempDir()
        let csv = dir.appendingPathComponent("d.csv")
        try "x,y\n1,2\n3,four\n".write(to: csv, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("c.yaml")
        try "data: {csv: {path: \(csv.path)}}\ntraining: {batchSize: full}\n".write(to: config, atomically: true, encoding: .utf8)
        let r = try Self.run(["train", "--config", config.path])
        #expect(r.status == 65 && r.stderr.contains("d.csv:3: 'four' in column 'y' is not a number"), "\(r.stderr)")
    }

    @Test func divergenceStopsWithItsOwnExitCode() throws {
        let r = try Self.run(["train", "--config", "configs/line50.yaml", "--lr", "5", "--epochs", "2000"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("diverged") && r.stderr.contains("lower the learning rate"))
    }

    @Test func unwritableSummaryIsAnIOError() throws {
        let r = try Self.run(["train", "--config", "configs/d2l-scratch.yaml", "--summary", "/nonexistent-dir/s.json"])
        #expect(r.status == 74 && r.stderr.contains("does not exist"), "\(r.stderr)")
    }
}
