import Foundation
import TestSupport
import Testing

/// Inputs while a run uses them (docs/reliability.md, "Inputs"): a signal while the config or data
/// are read ends the process at once, and a data file that changes under a run is reported, never
/// trained on or checkpointed.
@Suite("Inputs", .serialized) struct InputsCLITests {
    typealias CLI = CLITests

    /// Starts `lockstep args`, sends `signal` after `delay` seconds, and returns the exit status,
    /// stderr and how long the process took to end after the signal.
    static func signalled(_ args: [String], _ signal: Int32, after delay: Double) throws -> (status: Int32, stderr: String, seconds: Double) {
        try CLI.runInterfering(args, after: delay) { kill($0.processIdentifier, signal) }
    }

    /// 20 M × 4 synthetic rows take ~23 s to make in the debug build (before the fix the signal was
    /// only seen then); now the process ends within a second of the signal.
    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, Int32(143), "SIGTERM")])
    func aSignalWhileTheDataIsMadeEndsTheProcessAtOnce(_ c: (signal: Int32, status: Int32, name: String)) throws {
        let dir = try CLI.tempDir().path
        try "data: {synthetic: {rows: 20000000, features: 4}}\ntraining: {epochs: 1}\n"
            .write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let r = try Self.signalled(["train", "--config", dir + "/c.yaml", "--quiet", "--summary", dir + "/s.json"], c.signal, after: 0.7)
        #expect(r.status == c.status, "\(c.name): exit \(r.status), \(r.stderr)")
        #expect(r.seconds < 2, "\(c.name): ended \(r.seconds) s after the signal")
        #expect(r.stderr.contains("interrupted by \(c.name) while reading the config or data; nothing was written"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.json"))
    }

    /// X.npy truncated while a run trains on its mapping: touching a page past the new end raises
    /// SIGBUS, which killed the process with no word; now the handler says what happened and exits 74.
    @Test func aMappedDataFileTruncatedDuringTrainingIsReportedNotACrash() throws {
        let dir = try CLI.tempDir().path
        let gen = try CLI.run(["generate", "--rows", "200000", "--features", "8", "--out", dir + "/g", "--quiet"])
        #expect(gen.status == 0, "\(gen.stderr)")
        let (status, stderr, _) = try CLI.runInterfering(
            ["train", "--data", dir + "/g", "--epochs", "100000", "--quiet", "--summary", dir + "/s.json"], after: 1.5
        ) { _ in #expect(truncate(dir + "/g/X.npy", 4096) == 0) }
        #expect(status == 74, "exit \(status), \(stderr)")
        #expect(stderr.contains("the data file changed while being read (SIGBUS on mapped data"), "\(stderr)")
        #expect(stderr.contains("no checkpoint written"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.json"), "no summary of a run on changed data")
    }

    /// SIGTERM while `predict` writes: the `.OUT.tmp-PID` temporary was left behind; now it is
    /// removed and the exit is 143. 8 M rows take ~3.5 s to predict in the debug build.
    @Test func aSignalDuringPredictLeavesNoTemporaryFile() throws {
        let dir = try CLI.tempDir().path
        #expect(try CLI.run(["generate", "--rows", "8000000", "--features", "8", "--out", dir + "/g", "--quiet"]).status == 0)
        let small = try CLI.run(["generate", "--rows", "1000", "--features", "8", "--out", dir + "/s", "--quiet"])
        #expect(small.status == 0, "\(small.stderr)")
        let train = try CLI.run(["train", "--data", dir + "/s", "--epochs", "1", "--quiet", "--model", dir + "/m.json"])
        #expect(train.status == 0, "\(train.stderr)")
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        let r = try Self.signalled(["predict", "--model", dir + "/m.json", "--data", dir + "/g", "--output", dir + "/p.npy"], SIGTERM, after: 1.0)
        #expect(r.status == 143, "exit \(r.status), \(r.stderr)")
        #expect(r.stderr.contains("interrupted by SIGTERM"), "\(r.stderr)")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir)).subtracting(before)
        #expect(left.isEmpty, "left \(left)")
    }

    /// X.npy modified in place (same size, a new mtime: no SIGBUS) while a run with checkpoints
    /// trains on it: the next checkpoint is refused (exit 74) naming the file, and no summary is written.
    @Test func aMappedDataFileModifiedInPlaceStopsTheRunBeforeTheNextCheckpoint() throws {
        let dir = try CLI.tempDir().path
        #expect(try CLI.run(["generate", "--rows", "200000", "--features", "8", "--out", dir + "/g", "--quiet"]).status == 0)
        let (status, stderr, _) = try CLI.runInterfering(
            ["train", "--data", dir + "/g", "--epochs", "100000", "--quiet", "--checkpoint-dir", dir + "/ck", "--summary", dir + "/s.json"],
            after: 1.5
        ) { _ in try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: dir + "/g/X.npy") }
        #expect(status == 74, "exit \(status), \(stderr)")
        #expect(stderr.contains("X.npy was modified while the run used it; no checkpoint written"), "\(stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.json"))
    }
}
