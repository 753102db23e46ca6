import Foundation
import TestSupport
import Testing

/// Real Open MPI: `mpirun -np R lockstep generate` writes the bytes of one process (X.npy, y.npy and
/// meta.json, for float32 and float16, with rows that R does not divide), only rank 0 prints, the
/// no-clobber rules hold, and a rank killed with SIGKILL leaves no dataset.
@Suite("CLI mpirun generate", .serialized) struct MPIGenerateCLITests {
    typealias CLI = CLITests
    static let mpirun = MPICLITests.mpirun

    static func mpi(_ ranks: Int, _ args: [String]) throws -> ProcessResult {
        try runProcess(
            URL(fileURLWithPath: mpirun!), ["--oversubscribe", "--bind-to", "none", "-np", "\(ranks)", CLI.binary.path] + args,
            in: CLI.root, environment: MPICLITests.environment, timeout: 60)
    }

    static func same(_ a: URL, _ b: URL) throws -> Bool {
        try ["X.npy", "y.npy", "meta.json"].allSatisfy { name in
            try runProcess(URL(fileURLWithPath: "/usr/bin/cmp"), [a.appendingPathComponent(name).path, b.appendingPathComponent(name).path])
                .status == 0
        }
    }

    /// 20603 rows × 64: six pieces of 4096 rows and a partial one (so every rank of 3 writes some), and
    /// 20603 is divisible by neither 2 nor 3.
    static let dataset = ["--rows", "20603", "--features", "64", "--seed", "7", "--noise", "0.5"]

    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun (make deps installs openmpi-bin)"), arguments: ["float32", "float16"])
    func everyRankCountWritesTheBytesOfOneProcess(_ dtype: String) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one")
        let s = try CLI.run(["generate"] + Self.dataset + ["--dtype", dtype, "--threads", "1", "--quiet", "--out", one.path])
        #expect(s.status == 0, "\(s.stderr)")
        for ranks in 1...3 {
            let out = dir.appendingPathComponent("r\(ranks)")
            let r = try Self.mpi(ranks, ["generate"] + Self.dataset + ["--dtype", dtype, "--threads", "2", "--out", out.path])
            #expect(r.status == 0, "\(dtype) \(ranks) rank(s): \(r.stderr)")
            #expect(try Self.same(one, out), "\(dtype): \(ranks) rank(s) wrote other bytes than one process")
            #expect(r.stdout.components(separatedBy: "wrote ").count == 2, "only rank 0 prints: \(r.stdout)")
            #expect(ranks == 1 || r.stdout.contains("\(ranks) ranks × 2 thread(s)"), "\(r.stdout)")
        }
    }

    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func theNoClobberRulesHoldUnderMPI() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("data")
        #expect(try Self.mpi(2, ["generate"] + Self.dataset + ["--quiet", "--out", out.path]).status == 0)
        let before = try Data(contentsOf: out.appendingPathComponent("meta.json"))
        let again = try Self.mpi(2, ["generate", "--rows", "5000", "--features", "64", "--quiet", "--out", out.path])
        #expect(again.status == 64, "an existing dataset is refused without --force: \(again.status) \(again.stderr)")
        #expect(again.stderr.components(separatedBy: "exists and is not empty").count == 2, "one rank says so: \(again.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("meta.json")) == before, "and left as it was")
        let foreign = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try "keep".write(to: foreign.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let forced = try Self.mpi(2, ["generate"] + Self.dataset + ["--force", "--quiet", "--out", foreign.path])
        #expect(forced.status == 64, "--force does not replace what is not a dataset: \(forced.status) \(forced.stderr)")
        #expect(try String(contentsOf: foreign.appendingPathComponent("notes.txt"), encoding: .utf8) == "keep")
        let replaced = try Self.mpi(3, ["generate", "--rows", "5000", "--features", "64", "--force", "--quiet", "--out", out.path])
        #expect(replaced.status == 0, "--force replaces a previous dataset: \(replaced.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("meta.json")) != before)
    }

    /// The kill is placed by construction: the test waits for rank 0's staging directory (named after
    /// its PID), stops rank 0 so nothing can be renamed into place, SIGKILLs the other rank, then lets
    /// rank 0 go on. The job must end (bounded wait), leave no output directory, and the next run for
    /// the same target removes the dead run's staging directory.
    @Test(.enabled(if: mpirun != nil, "needs Open MPI's mpirun"))
    func aRankKilledWithSIGKILLLeavesNoDataset() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("data")
        let job = Process()
        job.executableURL = URL(fileURLWithPath: Self.mpirun!)
        job.arguments = [
            "--oversubscribe", "--bind-to", "none", "-np", "2", CLI.binary.path, "generate", "--rows", "400000", "--features",
            "64", "--threads", "1", "--quiet", "--out", out.path,
        ]
        job.environment = ProcessInfo.processInfo.environment.merging(MPICLITests.environment) { $1 }
        job.standardOutput = FileHandle.nullDevice
        job.standardError = FileHandle.nullDevice
        try job.run()
        var lead: Int32?
        for _ in 0..<4000 where lead == nil && job.isRunning {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            lead = entries.lazy.compactMap { $0.hasPrefix(".data.partial-") ? Int32($0.dropFirst(".data.partial-".count)) : nil }.first
            if lead == nil { usleep(2_000) }
        }
        if let lead { kill(lead, SIGSTOP) }
        let children = try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-P", "\(job.processIdentifier)", "-f", "lockstep"])
        let ranks = children.stdout.split(separator: "\n").compactMap { Int32($0) }
        let victim = ranks.first { $0 != lead }
        #expect(lead != nil && victim != nil, "rank 0 made its staging directory and a second rank runs: \(ranks)")
        if let victim { kill(victim, SIGKILL) }
        if let lead { kill(lead, SIGCONT) }
        let ended = MPICLITests.ended(job, ranks: ranks, within: 20)
        #expect(ended, "the job ended within 20 s of a rank's SIGKILL")
        #expect(job.terminationStatus != 0)
        #expect(!FileManager.default.fileExists(atPath: out.path), "no dataset after a rank was killed")
        // The dead run's staging directory is never renamed; once its ranks are gone (mpirun may end
        // before its children are reaped), the next run for the target removes it.
        for r in ranks {
            for _ in 0..<200 where kill(r, 0) == 0 { usleep(50_000) }
        }
        let next = try Self.mpi(2, ["generate", "--rows", "3000", "--features", "8", "--quiet", "--out", out.path])
        #expect(next.status == 0, "\(next.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".data.") }
        #expect(left.isEmpty, "leftovers: \(left)")
    }
}
