import Foundation
import Testing

/// float16 from the shell: `generate --dtype float16`, `data.synthetic.dtype`, `data.csv.dtype` and
/// float16 `.npy` files give one summary (the same for any thread count), and bad values are refused.
@Suite("CLI float16", .serialized) struct Float16CLITests {
    typealias CLI = CLITests

    static func config(_ dir: URL, _ name: String, data: String) throws -> URL {
        let url = dir.appendingPathComponent(name + ".yaml")
        try """
        data:
          \(data)
        model: {init: zeros}
        loss: mse
        optimizer: {lr: 0.05, momentum: 0.5}
        training: {epochs: 2, batchSize: 96, shuffle: true, seed: 9, executor: span, chunkRows: 16}
        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func generatedStoredAndOnTheFlyFloat16TrainToOneSummary() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data16").path
        let g = try CLI.run(["generate", "--rows", "2000", "--features", "20", "--seed", "4", "--dtype", "float16", "--out", data])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stdout.contains("X.npy  (2000, 20) float16"), "\(g.stdout)")
        let block = "synthetic: {rows: 2000, features: 20, seed: 4, dtype: float16"
        let memory = try Self.config(dir, "memory", data: block + "}")
        let fly = try Self.config(dir, "fly", data: block + ", materialize: false}")
        var outcomes = Set<String>()
        for (name, args) in [("memory", ["--config", memory.path]), ("fly", ["--config", fly.path]), ("files", ["--config", memory.path, "--data", data])] {
            for threads in ["1", "2", "3"] {
                let summary = dir.appendingPathComponent("\(name)-\(threads).json")
                let r = try CLI.run(["train"] + args + ["--threads", threads, "--summary", summary.path])
                #expect(r.status == 0, "\(name) \(threads): \(r.stderr)")
                outcomes.insert(try GenerateCLITests.outcome(summary).joined(separator: "|"))
                if name == "files" { #expect(r.stdout.contains("float16"), "the data line names the dtype: \(r.stdout)") }
            }
        }
        #expect(outcomes.count == 1, "\(outcomes)")
        // The float32 data of the same spec train differently: the rounding is real.
        let f32 = try Self.config(dir, "f32", data: "synthetic: {rows: 2000, features: 20, seed: 4}")
        let s32 = dir.appendingPathComponent("f32.json")
        #expect(try CLI.run(["train", "--config", f32.path, "--summary", s32.path]).status == 0)
        #expect(!outcomes.contains(try GenerateCLITests.outcome(s32).joined(separator: "|")))
    }

    @Test func aCSVConvertedToFloat16RefusesValuesOutsideItsRange() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("d.csv")
        try "a,b,y\n1,2,3\n4,70000,6\n".write(to: csv, atomically: true, encoding: .utf8)
        let bad = try Self.config(dir, "bad", data: "csv: {path: \(csv.path), target: y, dtype: float16}")
        let r = try CLI.run(["train", "--config", bad.path])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("row 1, column ") && r.stderr.contains("is 70000.0, outside float16's range"), "\(r.stderr)")
        let typo = try Self.config(dir, "typo", data: "synthetic: {rows: 10, features: 2, dtype: half}")
        let t = try CLI.run(["train", "--config", typo.path])
        #expect(t.status == 64 && t.stderr.contains("dtype") && t.stderr.contains("float16"), "\(t.stderr)")
    }
}
