import Foundation
import TestSupport
import Testing

/// Issue #18 §1: Lockstep writes what it was asked to, replaces only its own files, and refuses the
/// rest (docs/reliability.md, "Outputs, locks and --force"). Each case failed before the fix.
@Suite("CLI output safety", .serialized) struct OutputSafetyCLITests {
    typealias CLI = CLITests
    static let quick = ["--config", "configs/d2l-scratch.yaml", "--quiet"]

    static func bash(_ script: String, in dir: URL) throws -> ProcessResult {
        try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", script], in: dir, environment: ["LOCKSTEP": CLI.binary.path])
    }

    static func kind(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }

    @Test func outputsThatAreNotRegularFilesAreWrittenThroughNeverReplaced() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = CLI.root.appendingPathComponent("configs/d2l-scratch.yaml").path
        // /dev/null stays the device; /dev/stdout and `-` reach the pipe (and /dev/stdout stays a link).
        let null = try CLI.run(["train"] + Self.quick + ["--summary", "/dev/null", "--metrics", "/dev/null"])
        #expect(null.status == 0, "\(null.stderr)")
        #expect(Self.kind("/dev/null") == .typeCharacterSpecial)
        for path in ["-", "/dev/stdout"] {
            let r = try CLI.run(["train"] + Self.quick + ["--summary", path])
            #expect(r.status == 0 && r.stdout.contains("\"weights\"") && r.stdout.contains("trained 3 epoch"), "\(path): \(r.stdout)")
        }
        #expect(Self.kind("/dev/stdout") == .typeSymbolicLink, "the system's /dev/stdout link was replaced")
        // A FIFO's reader gets the lines and the FIFO stays a FIFO; process substitution (/dev/fd/N) works.
        let r = try Self.bash(
            """
            mkfifo f && (cat f > got.txt &) && "$LOCKSTEP" train --config \(config) --quiet --metrics f >/dev/null || exit 1
            "$LOCKSTEP" train --config \(config) --quiet --summary >(wc -c > fd.txt) >/dev/null || exit 2
            sleep 0.5; echo "$(wc -l < got.txt) $(stat -c %F f) $(cat fd.txt)"
            """, in: dir)
        let fields = r.stdout.split(separator: " ").map(String.init)
        #expect(r.status == 0 && fields.count >= 3, "\(r.stdout) \(r.stderr)")
        #expect(fields.first == "3" && r.stdout.contains("fifo"), "\(r.stdout)")
        #expect((Int(fields.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0) > 100, "\(r.stdout)")
        // A symbolic link is followed: its target replaced, the link kept; a dangling one makes its target.
        let real = dir.appendingPathComponent("real.json").path, link = dir.appendingPathComponent("link.json").path
        try "old".write(toFile: real, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.json")
        let dangling = dir.appendingPathComponent("dangling.json").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "made.json")
        #expect(try CLI.run(["train"] + Self.quick + ["--summary", link, "--metrics", dangling]).status == 0)
        let realText = try String(contentsOfFile: real, encoding: .utf8)
        #expect(Self.kind(link) == .typeSymbolicLink && realText.contains("\"weights\""))
        #expect(Self.kind(dangling) == .typeSymbolicLink && FileManager.default.fileExists(atPath: dir.appendingPathComponent("made.json").path))
        // A directory is refused, untouched.
        let d = try CLI.run(["train"] + Self.quick + ["--summary", dir.path])
        #expect(d.status == 74 && d.stderr.contains("is a directory"), "\(d.stderr)")
    }

    @Test func anOutputThatIsTheRunsOwnInputIsRefused() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("c.yaml").path
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("configs/line50.yaml").path, toPath: config)
        try (try String(contentsOfFile: config, encoding: .utf8)).replacingOccurrences(
            of: "path: data/line50.csv", with: "path: " + CLI.root.appendingPathComponent("configs/data/line50.csv").path
        ).replacingOccurrences(of: "epochs: 50000", with: "epochs: 10").write(toFile: config, atomically: true, encoding: .utf8)
        let hard = dir.appendingPathComponent("hard.yaml").path
        try FileManager.default.linkItem(atPath: config, toPath: hard)
        let csv = CLI.root.appendingPathComponent("configs/data/line50.csv").path
        let before = try Data(contentsOf: URL(fileURLWithPath: csv))
        let data = dir.appendingPathComponent("data").path
        #expect(try CLI.run(["generate", "--rows", "100", "--features", "3", "--out", data]).status == 0)
        for (args, fragment) in [
            (["--config", config, "--summary", config], "is the config file"),
            (["--config", config, "--summary", hard], "is the config file"),
            (["--config", config, "--metrics", csv], "is the CSV being trained on"),
            (["--config", config, "--data", data, "--summary", data + "/X.npy"], "is the data file"),
            (["--config", config, "--summary", dir.appendingPathComponent("s.json").path, "--metrics", dir.appendingPathComponent("s.json").path], "name the same file"),
        ] {
            let r = try CLI.run(["train", "--quiet"] + args)
            #expect(r.status == 64 && r.stderr.contains(fragment), "\(args): \(r.status) \(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: csv)) == before, "the CSV was not touched")
        let configText = try String(contentsOfFile: config, encoding: .utf8)
        #expect(configText.contains("csv"), "the config was not touched")
        // The checkpoint being resumed.
        let ck = dir.appendingPathComponent("ck").path
        #expect(try CLI.run(["train", "--config", config, "--quiet", "--checkpoint-dir", ck]).status == 0)
        let r = try CLI.run(["train", "--config", config, "--quiet", "--checkpoint-dir", ck, "--resume", "--summary", ck + "/checkpoint.json"])
        #expect(r.status == 64 && r.stderr.contains("the checkpoint being resumed"), "\(r.stderr)")
        let s = try CLI.run(["sweep", "--config", config, "--threads", "1", "--epochs", "1", "--quiet", "--json", config])
        #expect(s.status == 64 && s.stderr.contains("is the config file"), "\(s.stderr)")
    }

    @Test func generateForceReplacesOnlyAPreviousDataset() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let work = dir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try "keep me".write(to: work.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["generate", "--rows", "10", "--features", "2", "--out", work.path, "--force"])
        #expect(r.status == 64 && r.stderr.contains("is not a lockstep dataset (it holds notes.txt)"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path) == ["notes.txt"])
        let file = dir.appendingPathComponent("file").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let f = try CLI.run(["generate", "--rows", "10", "--features", "2", "--out", file])
        #expect(f.status == 64 && f.stderr.contains("is a file"), "\(f.stderr)")
        let data = dir.appendingPathComponent("data").path
        #expect(try CLI.run(["generate", "--rows", "10", "--features", "2", "--out", data]).status == 0)
        #expect(try CLI.run(["generate", "--rows", "20", "--features", "2", "--out", data, "--force"]).status == 0, "a dataset is replaced")
    }

    @Test func runDirectoryForceKeepsUserFilesAndThePreviousRunUntilTheNewOneSucceeds() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("R").path
        #expect(try CLI.run(["train"] + Self.quick + ["--run-dir", run]).status == 0)
        try "mine".write(toFile: run + "/plots/mine.svg", atomically: true, encoding: .utf8)
        try "mine".write(toFile: run + "/checkpoints/notes.txt", atomically: true, encoding: .utf8)
        let summary = try Data(contentsOf: URL(fileURLWithPath: run + "/summary.json"))
        // A rerun that diverges leaves the previous run whole.
        let bad = try CLI.run(["train"] + Self.quick + ["--run-dir", run, "--force", "--lr", "100"])
        #expect(bad.status == 3, "\(bad.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/summary.json")) == summary)
        let kept = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        #expect(kept.contains("\"lr\": 0.03"))
        #expect(FileManager.default.fileExists(atPath: run + "/plots/fit.svg") && FileManager.default.fileExists(atPath: run + "/checkpoints/checkpoint.json"))
        // One that succeeds replaces Lockstep's files and nothing else.
        let good = try CLI.run(["train"] + Self.quick + ["--run-dir", run, "--force", "--lr", "0.02"])
        #expect(good.status == 0, "\(good.stderr)")
        let replaced = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        #expect(replaced.contains("\"lr\": 0.02"))
        #expect(try String(contentsOfFile: run + "/plots/mine.svg", encoding: .utf8) == "mine")
        #expect(try String(contentsOfFile: run + "/checkpoints/notes.txt", encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasPrefix(".run-") }.isEmpty)
    }

    /// A second run on a directory in use is refused at once with the holder's PID (exit 75): a
    /// checkpoint directory held by a running training, a run directory and a dataset target held
    /// by another process's flock.
    @Test func aSecondRunOnALockedDirectoryIsRefusedWithTheHoldersPID() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ck = dir.appendingPathComponent("ck").path
        let config = dir.appendingPathComponent("long.yaml")
        try """
            data: {synthetic: {rows: 200000, features: 16}}
            training: {epochs: 1000, batchSize: 64}
            """.write(to: config, atomically: true, encoding: .utf8)
        let first = Process()
        first.executableURL = CLI.binary
        first.arguments = ["train", "--config", config.path, "--quiet", "--checkpoint-dir", ck]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer {
            first.terminate()
            first.waitUntilExit()
        }
        // Wait (bounded) until the first run holds its lock.
        let lock = ck + "/.lockstep.lock"
        for _ in 0..<200 where (try? String(contentsOfFile: lock, encoding: .utf8))?.contains("\(first.processIdentifier)") != true {
            usleep(20_000)
        }
        let second = try CLI.run(["train", "--config", config.path, "--quiet", "--checkpoint-dir", ck, "--lr", "0.5"])
        #expect(second.status == 75 && second.stderr.contains("in use by another lockstep run (PID \(first.processIdentifier))"), "\(second.stderr)")
        #expect(first.isRunning, "the first run goes on")
        // Held by another process (python's flock): a run directory and a dataset's target.
        let run = dir.appendingPathComponent("R").path
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let holder = try Self.bash(
            """
            python3 -c '
            import fcntl, os, subprocess, sys
            locks = []
            for p in ["\(run)/.lockstep.lock", "\(dir.path)/.data.lock"]:
                f = open(p, "w"); fcntl.flock(f, fcntl.LOCK_EX); f.write("4242\\n"); f.flush(); locks.append(f)
            a = subprocess.run([os.environ["LOCKSTEP"], "train", "--config", "\(CLI.root.path)/configs/d2l-scratch.yaml", "--quiet", "--run-dir", "\(run)"], capture_output=True, text=True)
            b = subprocess.run([os.environ["LOCKSTEP"], "generate", "--rows", "10", "--features", "2", "--out", "\(dir.path)/data"], capture_output=True, text=True)
            print(a.returncode, b.returncode, "PID 4242" in a.stderr, "PID 4242" in b.stderr)
            '
            """, in: dir)
        #expect(holder.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "75 75 True True", "\(holder.stdout) \(holder.stderr)")
    }
}
