import Foundation
import TestSupport
import Testing

/// Issue #18 §3–4 (part): what the CLI says and how it exits, each case failing before its fix.
@Suite("CLI says the truth", .serialized) struct TruthCLITests {
    typealias CLI = CLITests

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var args: [String]
        var file: [UInt8]? = nil
        var status: Int32
        var message: String
        var description: String { name }
    }

    static let cases = [
        Case(name: "negative lr reaches the range check", args: ["train", "--lr", "-1"], status: 64, message: "--lr must be a finite number > 0, got -1"),
        Case(name: "negative seed", args: ["train", "--seed", "-5"], status: 64, message: "--seed must be a whole number >= 0, got '-5'"),
        Case(name: "negative epochs", args: ["train", "--epochs", "-2"], status: 64, message: "--epochs must be at least 1, got -2"),
        Case(name: "zero-byte config", args: ["train", "--config", "$F"], file: [], status: 64, message: "write {} for the built-in defaults"),
        Case(name: "comment-only config", args: ["train", "--config", "$F"], file: Array("# nothing\n\n".utf8), status: 64, message: "is empty"),
        Case(name: "non-UTF-8 config", args: ["train", "--config", "$F"], file: [0xff, 0xfe, 0x00], status: 64, message: "is not UTF-8 text"),
        Case(name: "too many threads", args: ["train", "--threads", "5000"], status: 64, message: "use at most 4096"),
        Case(name: "a seed above Int.max is a seed", args: ["train", "--config", "$F", "--quiet"],
             file: Array("data: {synthetic: {seed: 18446744073709551615}}\ntraining: {seed: 9223372036854775808}\n".utf8), status: 0, message: ""),
        Case(name: "a seed above 2^64 - 1 names the range", args: ["train", "--config", "$F"],
             file: Array("training: {seed: 18446744073709551616}\n".utf8), status: 64, message: "use a whole number from 0 to 18446744073709551615"),
        Case(name: "generate takes any 64-bit seed", args: ["generate", "--rows", "4", "--seed", "-1", "--out", "$F"], status: 64,
             message: "--seed must be a whole number from 0 to 18446744073709551615"),
        Case(name: "divergence says round numbers and nothing unknown", args: ["train", "--lr", "100", "--quiet"], status: 3,
             message: "lower the learning rate (now 100), e.g. to 10 (--lr 10)"),
    ]

    @Test func aResumeOnChangedDataNamesTheFieldThatDiffers() throws {
        let dir = try CLI.tempDir().path
        try "data: {synthetic: {rows: 2000, features: 4, noise: 0.01}}\ntraining: {epochs: 2}\n".write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "data: {synthetic: {rows: 2000, features: 4, noise: 0.5}}\ntraining: {epochs: 3}\n".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["train", "--config", dir + "/a.yaml", "--checkpoint-dir", dir + "/ck", "--quiet"]).status == 0)
        let r = try CLI.run(["train", "--config", dir + "/b.yaml", "--checkpoint-dir", dir + "/ck", "--resume", "--quiet"])
        #expect(r.status == 64 && r.stderr.contains("data.synthetic.noise 0.01 in the checkpoint, 0.5 now"), "\(r.stderr)")
    }

    @Test(arguments: cases)
    func exitCodeAndMessage(_ c: Case) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.yaml").path
        if let bytes = c.file { try Data(bytes).write(to: URL(fileURLWithPath: file)) }
        let r = try CLI.run(c.args.map { $0 == "$F" ? file : $0 })
        #expect(r.status == c.status && (c.message.isEmpty || r.stderr.contains(c.message)), "\(c): \(r.status) \(r.stderr)")
        #expect(!r.stderr.contains("none") && !r.stderr.contains("Missing value"), "\(c): \(r.stderr)")
    }

    @Test func trainWithoutAConfigRunsTheD2LLessonAndVersionIsOneString() throws {
        let r = try CLI.run(["train", "--quiet"])
        #expect(r.status == 0 && r.stdout.contains("w = [1.9995, -3.3997], b = 4.1991"), "\(r.stdout) \(r.stderr)")
        let v = try CLI.run(["--version"])
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = dir.appendingPathComponent("s.json")
        #expect(try CLI.run(["train", "--quiet", "--summary", s.path]).status == 0)
        let version = try CLI.json(s)["lockstepVersion"] as? String
        #expect(v.status == 0 && version == v.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let w = try CLI.run(["train", "--quiet", "--threads", "\(ProcessInfo.processInfo.activeProcessorCount + 1)"])
        #expect(w.status == 0 && w.stderr.contains("warning:") && w.stderr.contains("physical core"), "\(w.stderr)")
    }

    @Test func aFullStandardOutputIsExit74() throws {
        let r = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", "'\(CLI.binary.path)' train --quiet > /dev/full"], in: CLI.root)
        #expect(r.status == 74 && r.stderr.contains("cannot write standard output"), "\(r.status) \(r.stderr)")
    }

    /// A closed terminal (SIGHUP) stops like SIGTERM: a checkpoint, the command that continues, 129.
    @Test func sighupSavesACheckpointAndExits129() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("long.yaml")
        try """
            data: {synthetic: {rows: 100000, features: 16}}
            training: {epochs: 100000, batchSize: 64}
            """.write(to: config, atomically: true, encoding: .utf8)
        let ck = dir.appendingPathComponent("ck").path
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["train", "--config", config.path, "--quiet", "--checkpoint-dir", ck, "--checkpoint-every", "50"]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        // Stop once a checkpoint exists (by construction, not a sleep).
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: ck + "/checkpoint.json") { usleep(20_000) }
        kill(p.processIdentifier, SIGHUP)
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 129, "\(p.terminationStatus) \(text)")
        #expect(text.contains("interrupted by SIGHUP") && text.contains("checkpoint saved in") && text.contains("--resume"), "\(text)")
    }
}
