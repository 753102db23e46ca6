import Foundation
import TestSupport
import Testing

/// Paths inside a config are taken from the config file's directory (as docker-compose and Cargo
/// do), so the shipped configs work from any working directory; `--data` stays relative to the
/// working directory.
@Suite("Config-relative paths", .serialized) struct ConfigPathsCLITests {
    typealias CLI = CLITests

    @Test func theLineLessonRunsFromAnotherDirectory() throws {
        let elsewhere = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let config = CLI.root.appendingPathComponent("configs/line50.yaml").path
        let r = try runProcess(CLI.binary, ["train", "--config", config, "--epochs", "10"], in: elsewhere)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("configs/data/line50.csv"), "\(r.stdout)")
    }

    @Test func aRelativePathIsTheConfigsNotTheWorkingDirectorys() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The same relative name in the working directory (2 rows) and beside the config (3 rows).
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("jobs"), withIntermediateDirectories: true)
        try "x,y\n1,2\n2,3\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        try "x,y\n1,2\n2,3\n3,4\n".write(to: dir.appendingPathComponent("jobs/d.csv"), atomically: true, encoding: .utf8)
        try "data: {csv: {path: d.csv}}\ntraining: {batchSize: full, epochs: 1}\n"
            .write(to: dir.appendingPathComponent("jobs/c.yaml"), atomically: true, encoding: .utf8)
        let summary = dir.appendingPathComponent("s.json").path
        let r = try runProcess(CLI.binary, ["train", "--config", "jobs/c.yaml", "--quiet", "--summary", summary], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let s = try CLI.json(URL(fileURLWithPath: summary))
        #expect(s["rows"] as? Int == 3, "\(s)")
        // A path missing beside the config is named as resolved there.
        try "data: {csv: {path: nothere.csv}}\n".write(to: dir.appendingPathComponent("jobs/m.yaml"), atomically: true, encoding: .utf8)
        let missing = try runProcess(CLI.binary, ["train", "--config", "jobs/m.yaml"], in: dir)
        #expect(missing.status == 66 && missing.stderr.contains("jobs/nothere.csv"), "\(missing.stderr)")
    }
}
