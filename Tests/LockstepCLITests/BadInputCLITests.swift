import Foundation
import TestSupport
import Testing

/// Every kind of bad input, table-driven: each gets its documented exit code and a message that
/// names the problem, never a crash, and leaves no file behind (no summary, no temporary file).
@Suite("Bad input", .serialized) struct BadInputCLITests {
    typealias CLI = CLITests

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        /// Files made in the case's directory first (path relative to it → bytes).
        var files: [String: [UInt8]] = [:]
        /// FIFOs (named pipes) made in the case's directory (paths relative to it), with no writer.
        var fifos: [String] = []
        /// The command; "$D" is the case's directory. `train` also gets `--summary $D/summary.json`.
        var args: [String]
        var status: Int32
        var message: String
        var description: String { name }
    }

    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// A .npy file: magic, version, a header dict padded to 64 bytes, the payload.
    static func npy(
        _ descr: String = "<f4", shape: String, fortran: Bool = false, payload: [UInt8], magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    ) -> [UInt8] {
        var dict = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        let n = dict.utf8.count
        return magic + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(dict.utf8) + payload
    }

    static func floats(_ v: [Float]) -> [UInt8] { v.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian, Array.init) } }
    static func doubles(_ v: [Double]) -> [UInt8] { v.flatMap { d in withUnsafeBytes(of: d.bitPattern.littleEndian, Array.init) } }

    static let goodX = npy(shape: "(4, 2)", payload: floats([1, 2, 3, 4, 5, 6, 7, 8]))
    static let goodY = npy(shape: "(4,)", payload: floats([1, 2, 3, 4]))
    static let config = "data: {synthetic: {rows: 1000, features: 2}}\n"

    /// `train --config $D/c.yaml` with `yaml` as the config.
    static func config(_ name: String, _ yaml: String, _ status: Int32, _ message: String) -> Case {
        Case(name: name, files: ["c.yaml": text(yaml)], args: ["train", "--config", "$D/c.yaml"], status: status, message: message)
    }

    /// `train --config $D/c.yaml` plus `flags`.
    static func flags(_ name: String, _ flags: [String], _ status: Int32, _ message: String) -> Case {
        Case(name: name, files: ["c.yaml": text(config)], args: ["train", "--config", "$D/c.yaml"] + flags, status: status, message: message)
    }

    /// `train --data $D/n` with these X.npy and y.npy.
    static func npyData(_ name: String, x: [UInt8], y: [UInt8] = goodY, _ message: String) -> Case {
        Case(
            name: name, files: ["c.yaml": text(config), "n/X.npy": x, "n/y.npy": y],
            args: ["train", "--config", "$D/c.yaml", "--data", "$D/n"], status: 65, message: message)
    }

    /// `train` on a CSV file with this content.
    static func csv(_ name: String, _ content: String, _ message: String) -> Case {
        Case(
            name: name, files: ["c.yaml": text("data: {csv: {path: $D/d.csv}}\ntraining: {batchSize: full}\n"), "d.csv": text(content)],
            args: ["train", "--config", "$D/c.yaml"], status: 65, message: message)
    }

    /// YAML's "billion laughs": 9 levels of anchors, each a list of 9 aliases of the one before
    /// (9⁹ ≈ 387 M strings from ~400 bytes; it ran 68 s to 5.9 GB before the limit).
    static let billionLaughs: String = {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for i in 1...8 { yaml += "a\(i): &a\(i) [\(Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", "))]\n" }
        return yaml
    }()

    static let cases: [Case] = [
        // Config: keys, types, ranges, syntax.
        config("unknown root key", "trainig: {epochs: 3}\n", 64, "unknown key 'trainig' (did you mean 'training'?)"),
        config("unknown nested key", "optimizer: {lr: 0.1, momentun: 0.9}\n", 64, "unknown key 'optimizer.momentun'"),
        config("wrong type", "training: {epochs: many}\n", 64, "'training.epochs' must be a whole number"),
        config("negative lr", "optimizer: {lr: -1}\n", 64, "optimizer.lr"),
        config("zero lr", "optimizer: {lr: 0}\n", 64, "optimizer.lr"),
        config("NaN lr", "optimizer: {lr: .nan}\n", 64, "optimizer.lr"),
        config("zero batch", "training: {batchSize: 0}\n", 64, "'training.batchSize'"),
        config("zero epochs", "training: {epochs: 0}\n", 64, "training.epochs"),
        config("zero threads", "training: {threads: 0}\n", 64, "training.threads"),
        config("zero chunk rows", "training: {chunkRows: 0}\n", 64, "training.chunkRows"),
        config("negative noise", "data: {synthetic: {noise: -1}}\n", 64, "noise"),
        config("zero rows", "data: {synthetic: {rows: 0}}\n", 64, "use at least 1 row"),
        config("bad loss", "loss: hinge\n", 64, "use one of: squared, mse"),
        config("negative std", "model: {init: normal, std: -1}\n", 64, "model.std"),
        config("negative momentum", "optimizer: {momentum: -0.5}\n", 64, "optimizer.momentum"),
        config("bad executor", "training: {executor: turbo}\n", 64, "training.executor"),
        config("bad reduction", "distributed: {reduction: approximate}\n", 64, "'distributed.reduction' is 'approximate'; use one of: exact, fast"),
        config("unknown distributed key", "distributed: {reduce: fast}\n", 64, "unknown key 'distributed.reduce'"),
        config("weights count", "data: {synthetic: {features: 3, weights: [1, 2]}}\n", 64, "give exactly 3 weights"),
        config("kernel for another d", "training: {kernel: d64}\n", 64, "d64 needs 64 features"),
        config("yaml syntax", "training: {epochs: 3\n", 64, "not valid YAML or JSON"),
        config("a list as a key (crashed Yams)", "data: {[1]: 2}\n", 64, "keys must be plain names"),
        config("not a mapping", "- 1\n- 2\n", 64, "the config must be a mapping of keys to values, got a list"),
        config("two data sources", "data: {csv: {path: a.csv}, synthetic: {rows: 10}}\n", 64, "'data' has 'synthetic' and 'csv'; keep one"),
        config("billion laughs (nested aliases)", billionLaughs, 64, "expands to more than 100000 values (the limit)"),
        config("config over 1 MiB", "training: {epochs: 3}\n" + String(repeating: "# a comment line of some length\n", count: 33_000), 64,
               "larger than the limit of 1048576 bytes (1 MiB)"),
        config("a 1 MB plain key (a syntax error) is cut", String(repeating: "k", count: 1_000_000) + ": 1\n", 64,
               "not valid YAML or JSON"),
        config("a 1 MB key is quoted in 80 characters", "? " + String(repeating: "k", count: 1_000_000) + "\n: 1\n", 64,
               "unknown key '\(String(repeating: "k", count: 80))…' (1000000 bytes)"),
        config("a 1 MB value is quoted in 80 characters", "loss: " + String(repeating: "v", count: 1_000_000) + "\n", 64,
               "'loss' is '\(String(repeating: "v", count: 80))…' (1000000 bytes)"),
        // Flags.
        flags("zero --threads", ["--threads", "0"], 64, "--threads must be"),
        flags("negative --lr", ["--lr=-0.5"], 64, "--lr must be"),
        flags("zero --epochs", ["--epochs", "0"], 64, "--epochs must be at least 1"),
        flags("zero --batch-size", ["--batch-size", "0"], 64, "--batch-size must be"),
        flags("bad --executor", ["--executor", "turbo"], 64, "--executor must be one of"),
        flags("unknown flag", ["--learning-rate", "0.1"], 64, "Unknown option '--learning-rate'"),
        flags("--convert-float64 alone", ["--convert-float64"], 64, "--convert-float64 only applies with --data"),
        flags("zero --checkpoint-every", ["--checkpoint-every", "0", "--checkpoint-dir", "$D/ck"], 64, "--checkpoint-every must be at least 1"),
        flags("--resume without a place", ["--resume"], 64, "--checkpoint-dir DIR or --run-dir DIR"),
        flags("--force without --run-dir", ["--force"], 64, "--force only applies with --run-dir"),
        // Missing and malformed files.
        Case(name: "missing config", args: ["train", "--config", "$D/none.yaml"], status: 66, message: "none.yaml does not exist"),
        config("missing csv", "data: {csv: {path: /nonexistent/data.csv}}\n", 66, "/nonexistent/data.csv does not exist"),
        csv("csv text in a number", "x,y\n1,2\n3,four\n", "d.csv:3: 'four' in column 'y' is not a number"),
        csv("csv ragged row", "x,y\n1,2\n3\n", "d.csv:3: 1 fields, but the header has 2"),
        csv("csv NaN", "x,y\n1,2\nnan,3\n", "d.csv: row 2, column 'x' is NaN or infinite"),
        csv("csv without rows", "x,y\n", "d.csv:1: a header but no data rows"),
        Case(name: "missing --data dir", files: ["c.yaml": text(config)], args: ["train", "--config", "$D/c.yaml", "--data", "$D/none"],
             status: 66, message: "none does not exist"),
        npyData("npy bad magic", x: npy(shape: "(4, 2)", payload: floats([1, 2, 3, 4, 5, 6, 7, 8]), magic: Array("NOTNPY".utf8)), "is not a .npy file"),
        npyData("npy truncated", x: Array(goodX.dropLast(5)), "X.npy"),
        npyData("npy trailing bytes", x: goodX + [0, 0, 0, 0], "X.npy"),
        npyData("npy empty file", x: [], "X.npy is empty"),
        npyData("npy float64", x: npy("<f8", shape: "(4, 2)", payload: doubles([1, 2, 3, 4, 5, 6, 7, 8])), "astype"),
        npyData("npy big-endian", x: npy(">f4", shape: "(4, 2)", payload: floats([1, 2, 3, 4, 5, 6, 7, 8])), "X.npy"),
        npyData("npy int32", x: npy("<i4", shape: "(4, 2)", payload: floats([1, 2, 3, 4, 5, 6, 7, 8])), "has dtype '<i4'"),
        npyData("npy Fortran order", x: npy(shape: "(4, 2)", fortran: true, payload: floats([1, 2, 3, 4, 5, 6, 7, 8])), "Fortran (column-major) order"),
        npyData("npy 3-D X", x: npy(shape: "(2, 2, 2)", payload: floats([1, 2, 3, 4, 5, 6, 7, 8])), "X must be 2-D"),
        npyData("npy y rows differ", x: goodX, y: npy(shape: "(3,)", payload: floats([1, 2, 3])), "y.npy"),
        npyData("npy NaN in X", x: npy(shape: "(4, 2)", payload: floats([1, 2, 3, .nan, 5, 6, 7, 8])), "row 1, column 1 (0-based"),
        npyData("npy long dtype is quoted in 80 characters", x: npy("<" + String(repeating: "q", count: 3000), shape: "(4, 2)", payload: floats([1, 2, 3, 4, 5, 6, 7, 8])),
                "'<\(String(repeating: "q", count: 79))…' (3001 bytes)"),
        Case(name: "npy float64 1e39 converted", files: ["c.yaml": text(config), "n/y.npy": goodY,
                 "n/X.npy": npy("<f8", shape: "(4, 2)", payload: doubles([1, 2, 3, 4, 5, 1e39, 7, 8]))],
             args: ["train", "--config", "$D/c.yaml", "--data", "$D/n", "--convert-float64"], status: 65,
             message: "row 2, column 1 (0-based, as numpy's x[2, 1]) is 1e+39, out of float32 range"),
        npyData("npy garbage header", x: npy(shape: "(4, 2", payload: floats([1, 2, 3, 4, 5, 6, 7, 8])), "X.npy"),
        // Inputs that are not regular files: a FIFO would wait for a writer for ever.
        Case(name: "FIFO as --config", fifos: ["c.yaml"], args: ["train", "--config", "$D/c.yaml"], status: 66,
             message: "c.yaml is a FIFO (named pipe), not a regular file"),
        Case(name: "directory as --config", files: ["c/keep": text("x")], args: ["train", "--config", "$D/c"], status: 66,
             message: "is a directory, not a regular file"),
        Case(name: "device as --config", args: ["train", "--config", "/dev/zero"], status: 66, message: "/dev/zero is a character device"),
        Case(name: "FIFO as X.npy", files: ["c.yaml": text(config), "n/y.npy": goodY], fifos: ["n/X.npy"],
             args: ["train", "--config", "$D/c.yaml", "--data", "$D/n"], status: 66, message: "X.npy is a FIFO (named pipe)"),
        Case(name: "FIFO as y.npy", files: ["c.yaml": text(config), "n/X.npy": goodX], fifos: ["n/y.npy"],
             args: ["train", "--config", "$D/c.yaml", "--data", "$D/n"], status: 66, message: "y.npy is a FIFO (named pipe)"),
        Case(name: "FIFO as meta.json", files: ["c.yaml": text(config), "n/X.npy": goodX, "n/y.npy": goodY], fifos: ["n/meta.json"],
             args: ["train", "--config", "$D/c.yaml", "--data", "$D/n"], status: 66, message: "meta.json is a FIFO (named pipe)"),
        Case(name: "FIFO as data.npy.dir's X.npy", files: ["c.yaml": text("data: {npy: {dir: $D/n}}\n"), "n/y.npy": goodY], fifos: ["n/X.npy"],
             args: ["train", "--config", "$D/c.yaml"], status: 66, message: "X.npy is a FIFO (named pipe)"),
        Case(name: "FIFO as predict --model", files: ["n/X.npy": goodX, "n/y.npy": goodY], fifos: ["m.json"],
             args: ["predict", "--model", "$D/m.json", "--data", "$D/n", "--output", "-"], status: 66, message: "m.json is a FIFO (named pipe)"),
        Case(name: "FIFO as the CSV data", files: ["c.yaml": text("data: {csv: {path: $D/d.csv}}\n")], fifos: ["d.csv"],
             args: ["train", "--config", "$D/c.yaml"], status: 66, message: "d.csv is a FIFO (named pipe)"),
        // Resources and outputs.
        config("dataset larger than memory", "data: {synthetic: {rows: 100000000000, features: 64}}\n", 74, "available"),
        config("dataset larger than addressable", "data: {synthetic: {rows: 4000000000000000000, features: 64}}\n", 64, "too large"),
        Case(name: "summary into a missing directory", files: ["c.yaml": text(config)],
             args: ["train", "--config", "$D/c.yaml", "--summary", "$D/none/s.json"], status: 74, message: "does not exist"),
        Case(name: "summary onto a directory", files: ["c.yaml": text(config), "sdir/keep": text("x")],
             args: ["train", "--config", "$D/c.yaml", "--summary", "$D/sdir"], status: 74, message: "sdir: it is a directory"),
        Case(name: "generate 2^62 features (aborted allocating)", args: ["generate", "--rows", "10", "--features", "4611686018427387904", "--out", "$D/g"],
             status: 64, message: "use at most 1048576 features (the limit"),
        Case(name: "generate 1e8 features (400 MB a row)", args: ["generate", "--rows", "10", "--features", "100000000", "--out", "$D/g"],
             status: 64, message: "use at most 1048576 features (the limit"),
        config("2^62 features on the fly (hung)", "data: {synthetic: {rows: 10, features: 4611686018427387904, materialize: false}}\n", 64,
               "use at most 1048576 features (the limit"),
        Case(name: "generate zero rows", args: ["generate", "--rows", "0", "--features", "2", "--out", "$D/g"], status: 64, message: "--rows must be at least 1"),
        Case(name: "generate over a dataset", files: ["g/keep": text("x")], args: ["generate", "--rows", "10", "--features", "2", "--out", "$D/g"],
             status: 64, message: "--force"),
        Case(name: "plot without a run", args: ["plot", "$D/none"], status: 66, message: "does not exist"),
        // Divergence.
        Case(name: "divergence", args: ["train", "--config", "configs/line50.yaml", "--lr", "5", "--epochs", "2000"], status: 3,
             message: "lower the learning rate"),
    ]

    static func files(under dir: String) -> Set<String> {
        var out: Set<String> = []
        guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
        while let p = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + p, isDirectory: &isDir), !isDir.boolValue { out.insert(p) }
        }
        return out
    }

    @Test func thereAreAtLeastThirtyCases() { #expect(Self.cases.count >= 30) }

    @Test(arguments: cases)
    func badInputGetsItsExitCodeAClearMessageAndNoPartialFile(_ c: Case) throws {
        let dir = try CLI.tempDir().path
        for (path, bytes) in c.files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // Text files may name the case's directory as $D; binary ones are written as they are.
            let content = String(bytes: bytes, encoding: .utf8).map { Array($0.replacingOccurrences(of: "$D", with: dir).utf8) } ?? bytes
            try Data(content).write(to: URL(fileURLWithPath: full))
        }
        for path in c.fifos { #expect(mkfifo(dir + "/" + path, 0o644) == 0, "\(c): mkfifo \(path)") }
        let before = Self.files(under: dir)
        var args = c.args.map { $0.replacingOccurrences(of: "$D", with: dir) }
        if args.first == "train" && !args.contains("--summary") { args += ["--summary", dir + "/summary.json"] }
        let r = try CLI.run(args, timeout: 120)
        #expect(r.status == c.status, "\(c): exit \(r.status), stderr \(r.stderr)")
        #expect(r.stderr.contains(c.message), "\(c): \(r.stderr.prefix(2000))")
        #expect(r.stderr.utf8.count < 2000, "\(c): a message of \(r.stderr.utf8.count) bytes")
        for crash in ["Fatal error", "Stack dump", "Segmentation", "Illegal instruction", "Aborted"] {
            #expect(!r.stderr.contains(crash), "\(c) crashed: \(r.stderr)")
        }
        let left = Self.files(under: dir).subtracting(before)
        #expect(left.isEmpty, "\(c): left \(left)")
    }
}
