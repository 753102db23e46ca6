import Foundation
import TestSupport
import Testing

/// CSV files as spreadsheets, R and Python write them, from the shell: CRLF line endings and quoted
/// names train like plain LF files; headerless files with `header: false`; duplicate names refused.
@Suite("CLI CSV files", .serialized) struct CSVCLITests {
    typealias CLI = CLITests

    /// 60 rows of y = 2·x1 − x2 + 1 (exact in float32), with `names` quoted or not and `ending`.
    static func csv(_ path: String, names: String = "x1,x2,y", ending: String = "\n", bom: Bool = false) throws {
        var text = (bom ? "\u{FEFF}" : "") + names + ending
        for i in 0..<60 {
            let x1 = Double(i % 7) / 4, x2 = Double(i % 5) / 2
            text += "\(x1),\(x2),\(2 * x1 - x2 + 1)" + ending
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func config(_ dir: String, _ name: String, data: String) throws -> String {
        let path = dir + "/" + name + ".yaml"
        try "data: {csv: {\(data)}}\noptimizer: {lr: 0.1}\ntraining: {epochs: 40, batchSize: 8, seed: 3}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Trains `config`, returning the summary and the saved model.
    static func train(_ config: String, _ dir: String, _ name: String) throws -> (ProcessResult, [String: Any], [String: Any]) {
        let r = try CLI.run([
            "train", "--config", config, "--summary", dir + "/\(name).json", "--model", dir + "/\(name).model.json", "--threads", "2",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        return (
            r, try CLI.json(URL(fileURLWithPath: dir + "/\(name).json")), try CLI.json(URL(fileURLWithPath: dir + "/\(name).model.json"))
        )
    }

    @Test func aCRLFFileWithQuotedNamesTrainsToTheBitsOfTheLFFile() throws {
        let dir = try CLI.tempDir().path
        try Self.csv(dir + "/lf.csv")
        try Self.csv(dir + "/crlf.csv", names: "\"x1\",\"x2\",\"y\"", ending: "\r\n", bom: true)
        let (lfRun, lf, lfModel) = try Self.train(try Self.config(dir, "lf", data: "path: lf.csv"), dir, "lf")
        let (crlfRun, crlf, crlfModel) = try Self.train(try Self.config(dir, "crlf", data: "path: crlf.csv"), dir, "crlf")
        for key in ["weights", "bias", "epochLosses"] {
            #expect((lf[key] as? NSObject) == (crlf[key] as? NSObject), "\(key)")
        }
        #expect((lfModel["model"] as? NSObject) == (crlfModel["model"] as? NSObject))
        #expect(crlfModel["featureNames"] as? [String] == ["x1", "x2"] && crlfModel["target"] as? String == "y")
        #expect(crlf["featureNames"] as? [String] == ["x1", "x2"] && crlf["target"] as? String == "y")
        #expect(lfRun.stdout.contains("data: csv \(dir)/lf.csv: 60 rows × 2 features (x1, x2), target y"), "\(lfRun.stdout)")
        #expect(crlfRun.stdout.contains("data: csv \(dir)/crlf.csv: 60 rows × 2 features (x1, x2), target y"), "\(crlfRun.stdout)")

        // predict reads the CRLF file as the LF one.
        var outputs: [String] = []
        for name in ["lf", "crlf"] {
            let p = try CLI.run(["predict", "--model", dir + "/lf.model.json", "--data", dir + "/\(name).csv", "--output", "-"])
            #expect(p.status == 0, "\(p.stderr)")
            outputs.append(p.stdout)
        }
        #expect(outputs[0] == outputs[1] && outputs[0].split(separator: "\n").count == 61)
    }

    @Test func aHeaderlessFileTrainsWithHeaderFalseAndIndexNames() throws {
        let dir = try CLI.tempDir().path
        try Self.csv(dir + "/named.csv")
        let text = try String(contentsOfFile: dir + "/named.csv", encoding: .utf8)
        try String(text.drop { $0 != "\n" }.dropFirst()).write(toFile: dir + "/bare.csv", atomically: true, encoding: .utf8)
        let (_, named, _) = try Self.train(try Self.config(dir, "named", data: "path: named.csv"), dir, "named")
        let (run, bare, model) = try Self.train(try Self.config(dir, "bare", data: "path: bare.csv, header: false, target: 2"), dir, "bare")
        for key in ["weights", "bias", "epochLosses"] {
            #expect((named[key] as? NSObject) == (bare[key] as? NSObject), "\(key)")
        }
        #expect(model["featureNames"] as? [String] == ["0", "1"] && model["target"] as? String == "2")
        #expect(run.stdout.contains("60 rows × 2 features (0, 1), target 2"), "\(run.stdout)")

        // Without header: false, the first row is not silently taken for names.
        let r = try CLI.run(["train", "--config", try Self.config(dir, "guess", data: "path: bare.csv")])
        #expect(r.status == 65 && r.stderr.contains("bare.csv:1: ") && r.stderr.contains("the first line looks like data; set header: false"), "\(r.stderr)")
    }

    @Test func aDuplicateColumnNameIsRefused() throws {
        let dir = try CLI.tempDir().path
        try Self.csv(dir + "/dup.csv", names: "x1,y,y")
        let r = try CLI.run(["train", "--config", try Self.config(dir, "dup", data: "path: dup.csv")])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("dup.csv:1: the header names two columns 'y', columns 2 and 3 (counting from 1); rename one of them"), "\(r.stderr)")
    }
}
