import Foundation
import TestSupport
import Testing

/// Real Open MPI: `mpirun -np R lockstep train` for R = 1…4 × T = 1, 2 gives the single process's
/// summary (weights, bias, every epoch loss equal as text); a rank killed with SIGKILL ends the
/// job; a checkpoint made on one R × T resumes on another, bit for bit; ranks that were given
/// different jobs stop together with exit 64.
@Suite("CLI mpirun", .serialized) struct MPICLITests {
    typealias CLI = CLITests
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let environment = [
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        // One host: shared memory and loopback only, no probing of other interfaces.
        "OMPI_MCA_btl": "self,vader", "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    ]

    static func mpi(_ ranks: Int, _ args: [String]) throws -> ProcessResult {
        try runProcess(
            URL(fileURLWithPath: mpirun!), ["--oversubscribe", "--bind-to", "none", "-np", "\(ranks)", CLI.binary.path] + args,
            in: CLI.root, environment: environment)
    }

    /// Whether `job` ends on its own within `seconds`; if not, it and its `ranks` are killed. Waits for its exit either way.
    static func ended(_ job: Process, ranks: [Int32], within seconds: Double) -> Bool {
        let start = Date()
        while job.isRunning && Date().timeIntervalSince(start) < seconds { usleep(50_000) }
        let ended = !job.isRunning
        if !ended {
            job.terminate()
            for r in ranks { kill(r, SIGKILL) }
        }
        job.waitUntilExit()
        return ended
    }

    static func config(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name + ".yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func outcome(_ path: String) throws -> String {
        let j = try CLI.json(URL(fileURLWithPath: path))
        return ["weights", "bias", "epochLosses"].map { "\(j[$0]!)" }.joined(separator: "|")
    }

    /// Several chunks per step in each (so every rank owns some): d64 shuffled with momentum, wide
    /// with a partial last batch and nesterov, full batch.
    static let workloads = [
        ("d64", """
            data: {synthetic: {rows: 3000, features: 64, weights: alternating, seed: 1}}
            model: {init: zeros}
            loss: mse
            optimizer: {lr: 0.05, momentum: 0.9}
            training: {epochs: 2, batchSize: 512, seed: 5, chunkRows: 24}
            """),
        ("wide", """
            data: {synthetic: {rows: 1530, features: 40, weights: alternating, seed: 2}}
            loss: squared
            optimizer: {lr: 0.02, momentum: 0.5, nesterov: true, weightDecay: 0.001}
            training: {epochs: 2, batchSize: 200, seed: 6, chunkRows: 16}
            """),
        ("full", """
            data: {synthetic: {rows: 999, features: 3, weights: [1, -2, 3], seed: 3}}
            model: {init: uniform}
            loss: mse
            optimizer: {lr: 0.05}
            training: {epochs: 15, batchSize: full, shuffle: false, chunkRows: 50}
            """),
    ]

    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun (make deps installs openmpi-bin)"), arguments: 0..<3)
    func everyRankAndThreadCountGivesTheSingleProcesssSummary(_ k: Int) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (name, text) = Self.workloads[k]
        let config = try Self.config(dir, name, text)
        let single = dir.appendingPathComponent("single.json").path
        let s = try CLI.run(["train", "--config", config, "--threads", "1", "--quiet", "--summary", single])
        #expect(s.status == 0, "\(s.stderr)")
        let chunks = try CLI.json(URL(fileURLWithPath: single))
        let perStep = (chunks["batchRows"] as? Int ?? 0) / max(1, chunks["chunkRows"] as? Int ?? 1)
        #expect(perStep >= 4, "\(name): several chunks per step (\(perStep)), so every rank owns some")
        let reference = try Self.outcome(single)
        for ranks in 1...4 {
            for threads in [1, 2] {
                let out = dir.appendingPathComponent("r\(ranks)t\(threads).json").path
                let r = try Self.mpi(ranks, ["train", "--config", config, "--threads", "\(threads)", "--quiet", "--summary", out])
                #expect(r.status == 0, "\(name) \(ranks)×\(threads): \(r.stderr)")
                #expect(try Self.outcome(out) == reference, "\(name): \(ranks) rank(s) × \(threads) thread(s)")
                #expect(r.stdout.components(separatedBy: "trained ").count == 2, "only rank 0 prints: \(r.stdout)")
            }
        }
    }

    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func aCheckpointMadeOnOneRankCountResumesOnAnotherBitForBit() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.config(dir, "d64", Self.workloads[0].1.replacingOccurrences(of: "epochs: 2", with: "epochs: 4"))
        let whole = dir.appendingPathComponent("whole.json").path
        #expect(try CLI.run(["train", "--config", config, "--quiet", "--summary", whole]).status == 0)
        let ck = dir.appendingPathComponent("ck").path
        let first = try Self.mpi(2, ["train", "--config", config, "--epochs", "2", "--quiet", "--checkpoint-dir", ck])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = dir.appendingPathComponent("resumed.json").path
        let second = try Self.mpi(
            3, ["train", "--config", config, "--threads", "2", "--quiet", "--checkpoint-dir", ck, "--resume", "--summary", resumed])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.outcome(resumed) == Self.outcome(whole), "2 ranks × 1 then 3 × 2 equals one uninterrupted process")
    }

    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func aRankKilledWithSIGKILLEndsTheJobWithoutAHang() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.config(dir, "long", """
            data: {synthetic: {rows: 20000, features: 16}}
            training: {epochs: 100000, batchSize: 256, chunkRows: 32}
            """)
        let job = Process()
        job.executableURL = URL(fileURLWithPath: Self.mpirun!)
        job.arguments = ["--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary.path, "train", "--config", config, "--quiet"]
        job.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        try job.run()
        // The ranks are mpirun's children; wait (bounded) until both run, then SIGKILL one.
        var ranks: [Int32] = []
        for _ in 0..<200 {
            let p = try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-P", "\(job.processIdentifier)", "-f", "lockstep"])
            ranks = p.stdout.split(separator: "\n").compactMap { Int32($0) }
            if ranks.count == 2 { break }
            usleep(50_000)
        }
        #expect(ranks.count == 2, "two ranks started")
        usleep(300_000)
        if let victim = ranks.last { kill(victim, SIGKILL) }
        let start = Date()
        let ended = MPICLITests.ended(job, ranks: ranks, within: 20)
        #expect(ended, "the job ended within 20 s of a rank's SIGKILL")
        #expect(job.terminationStatus != 0)
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func ranksGivenDifferentJobsStopTogetherWithExit64() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.config(dir, "a", Self.workloads[2].1)
        let b = try Self.config(dir, "b", Self.workloads[2].1.replacingOccurrences(of: "lr: 0.05", with: "lr: 0.04"))
        let r = try runProcess(
            URL(fileURLWithPath: Self.mpirun!),
            ["--oversubscribe", "--bind-to", "none", "-np", "1", CLI.binary.path, "train", "--config", a, ":", "-np", "1",
             CLI.binary.path, "train", "--config", b],
            in: CLI.root, environment: Self.environment)
        #expect(r.status == 64, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("do not run the same config and data"), "\(r.stderr)")
    }

    /// Under mpirun the summary has the `distributed` block (the names `lockstep sweep --ranks`
    /// reads) and rank 0 prints one line of it; without mpirun neither.
    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func theSummaryHasTheCommunicationFiguresUnderMpirunOnly() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.config(dir, "d64", Self.workloads[0].1)
        let out = dir.appendingPathComponent("r2.json").path
        let r = try Self.mpi(2, ["train", "--config", config, "--threads", "1", "--summary", out])
        #expect(r.status == 0, "\(r.stderr)")
        let block = try CLI.json(URL(fileURLWithPath: out))["distributed"] as? [String: Any]
        #expect(block?["ranks"] as? Int == 2)
        #expect(block?["threadsPerRank"] as? Int == 1)
        #expect(block?["reduction"] as? String == "exact")
        // 6 steps per epoch: 5 of 22 chunks (rank 0 computes 11, rank 1 11) and a last of 19
        // (rank 0: 10): rank 0 sends the most, (5·11 + 10)/6 chunks × 66 floats × 4 bytes = 2860.
        #expect(block?["bytesSentPerStepPerRank"] as? Int == 2860, "\(block ?? [:])")
        let seconds = block?["communicationSecondsPerStep"] as? Double ?? -1
        #expect(seconds > 0 && seconds < 1, "\(seconds)")
        #expect(r.stdout.contains("distributed: 2 ranks × 1 thread, exact reduction, 2.8 KiB sent per step per rank, "), "\(r.stdout)")
        #expect(r.stdout.components(separatedBy: "distributed: ").count == 2, "rank 0 alone prints it")
        let single = dir.appendingPathComponent("single.json").path
        let s = try CLI.run(["train", "--config", config, "--threads", "1", "--summary", single])
        #expect(s.status == 0)
        #expect(try CLI.json(URL(fileURLWithPath: single))["distributed"] == nil, "no block without mpirun")
        #expect(!s.stdout.contains("distributed:"))
    }

    /// `distributed.reduction: fast` under mpirun: R = 2 runs, says so, sends d + 2 floats per step,
    /// gives the same bits twice, and lands within 1e-5 of exact mode's weights.
    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func fastReductionRunsOnTwoRanksReproduciblyAndCloseToExact() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let exactConfig = try Self.config(dir, "exact", Self.workloads[0].1)
        let fastConfig = try Self.config(dir, "fast", Self.workloads[0].1 + "\ndistributed: {reduction: fast}\n")
        var outcomes: [String] = []
        var weights: [[Double]] = []
        for (i, config) in [fastConfig, fastConfig, exactConfig].enumerated() {
            let out = dir.appendingPathComponent("run\(i).json").path
            let r = try Self.mpi(2, ["train", "--config", config, "--threads", "1", "--quiet", "--summary", out])
            #expect(r.status == 0, "\(r.stderr)")
            let j = try CLI.json(URL(fileURLWithPath: out))
            let block = j["distributed"] as? [String: Any]
            #expect(block?["reduction"] as? String == (i < 2 ? "fast" : "exact"))
            if i < 2 {
                #expect(block?["bytesSentPerStepPerRank"] as? Int == 66 * 4, "d + 2 floats per step: \(block ?? [:])")
                #expect((j["config"] as? [String: Any])?["distributed"] as? [String: String] == ["reduction": "fast"])
            }
            outcomes.append(try Self.outcome(out))
            weights.append(j["weights"] as? [Double] ?? [])
        }
        #expect(outcomes[0] == outcomes[1], "fast at R = 2, twice: the same bits")
        #expect(weights[0].count == 64 && weights[2].count == 64)
        let dw = zip(weights[0], weights[2]).map { abs($0 - $1) }.max() ?? 1
        #expect(dw <= 1e-5, "fast vs exact: max |Δw| \(dw)")
    }

    /// MPI is opened with dlopen under mpirun only: the `make` builds record no libmpi (a plain run
    /// maps none of Open MPI), and a rank whose library cannot be opened exits 69 naming it, with
    /// dlerror()'s reason, before it trains or writes anything.
    @Test func aPlainRunMapsNoMPIAndAMissingLibraryIsExit69() throws {
        for binary in [CLI.binary, KernelAssemblyTests.release] where FileManager.default.fileExists(atPath: binary.path) {
            let needed = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["readelf", "-d", binary.path]).stdout
            #expect(needed.contains("libhwloc"), "readelf lists the binary's libraries: \(needed.prefix(400))")
            #expect(!needed.contains("libmpi"), "\(binary.path) records libmpi: \(needed)")
        }
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("s.json").path
        let r = try runProcess(
            CLI.binary, ["train", "--config", "configs/d2l-scratch.yaml", "--summary", out], in: CLI.root,
            environment: ["OMPI_COMM_WORLD_SIZE": "1", "LOCKSTEP_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(r.status == 69, "\(r.stderr)")
        #expect(r.stderr.contains("cannot load Open MPI (/nonexistent/libmpi.so.40)") && r.stderr.contains("No such file"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
    }
}
