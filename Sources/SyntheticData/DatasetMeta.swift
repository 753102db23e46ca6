import Foundation

/// `meta.json` of a dataset directory: what the data are and how to check them.
///
///     {"format": "lockstep dataset", "formatVersion": 1,
///      "generator": {"name": "...", "version": 2},
///      "spec": {"rows": N, "features": D, "weights": "alternating" | [...], "bias": b, "noise": s, "seed": n},
///      "trueWeights": [...], "trueBias": b,
///      "files": {"X.npy": {"shape": [N, D], "dtype": "<f4" | "<f2", "bytes": B, "crc32": c}, "y.npy": {...}}}
///
/// Softmax data (`task: softmax`) have `"task": "softmax", "classes": k` and, when given,
/// `"priors": [...]` in `spec`, D × k `trueWeights` (feature-major: `[j * k + c]`) and
/// `"trueBiases": [b_0, …, b_{k−1}]` in place of `trueBias`:
///
///     {..., "spec": {..., "weights": "normal", "noise": s, "seed": n, "task": "softmax", "classes": k, "priors": [...]},
///      "trueWeights": [...], "trueBiases": [...],
///      "files": {"X.npy": {"shape": [N, D], "dtype": "<f4" | "<f2", "bytes": B, "crc32": c}, "y.npy": {...}}}
///
/// `crc32` is of the whole file, as Python's `zlib.crc32(open(path, 'rb').read())` gives it.
/// `spec` and `generator` are absent for data saved from memory (`Dataset.saveNpy`).
public struct DatasetMeta: Sendable, Equatable {
    /// One data file's entry in `files`: what a reader checks before trusting X.npy or y.npy.
    public struct File: Sendable, Equatable {
        /// The array's shape: [rows, features] for X, [rows] for y.
        public var shape: [Int]
        /// The file's size in bytes, header included.
        public var bytes: Int
        /// CRC-32 (zlib's polynomial) of the whole file, header included.
        public var crc32: UInt32
        /// The values' type (X may be float16; y is always float32).
        public var dtype: DType = .float32

        /// An entry for a file of `shape`, `bytes` bytes and checksum `crc32`.
        public init(shape: [Int], bytes: Int, crc32: UInt32, dtype: DType = .float32) {
            self.shape = shape
            self.bytes = bytes
            self.crc32 = crc32
            self.dtype = dtype
        }
    }

    /// Number of rows of X and y.
    public var rows: Int
    /// Number of features of X.
    public var features: Int
    /// The spec the data were generated from; nil for data saved from memory.
    public var spec: DatasetSpec?
    /// The weights the data were made from, when known.
    public var trueWeights: [Float]?
    /// The bias the data were made from, when known (nil for softmax data: see `trueBiases`).
    public var trueBias: Float?
    /// Softmax data: the k biases the data were made from, one per class (`trueBiases` in
    /// meta.json); nil otherwise. k is `trueBiases.count`, also `spec?.classes`.
    public var trueBiases: [Float]? = nil
    /// X.npy's entry.
    public var x: File
    /// y.npy's entry.
    public var y: File

    /// The file's name in a dataset directory: `meta.json`.
    public static let fileName = "meta.json"

    /// The document above, in a fixed key order (so equal data give byte-equal files).
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("format", .string("lockstep dataset")), ("formatVersion", .int(1))]
        if let spec {
            pairs.append(
                ("generator", .object([("name", .string(SyntheticRows.name)), ("version", .int(SyntheticRows.version))])))
            pairs.append(("spec", .object(spec.jsonPairs)))
        }
        if let trueWeights { pairs.append(("trueWeights", .floats(trueWeights))) }
        if let trueBias { pairs.append(("trueBias", .float(trueBias))) }
        if let trueBiases { pairs.append(("trueBiases", .floats(trueBiases))) }
        func file(_ f: File) -> JSONValue {
            .object([
                ("shape", .array(f.shape.map(JSONValue.int))), ("dtype", .string(f.dtype.npyDescr)), ("bytes", .int(f.bytes)),
                ("crc32", .number("\(f.crc32)")),
            ])
        }
        pairs.append(("files", .object([("X.npy", file(x)), ("y.npy", file(y))])))
        return .object(pairs)
    }

    /// `dir/meta.json`, read and checked: nil when the directory has none, `DataError.npy` naming
    /// what is wrong when it is malformed. `spec` restores the generating spec (task, classes,
    /// priors and all), so `spec?.classes`, `trueWeights` and `trueBiases` give softmax data's truth.
    public static func read(directory dir: String) throws(DataError) -> DatasetMeta? {
        try readIfPresent(directory: dir)
    }

    /// Reads `dir/meta.json` when it exists; a malformed one is an error naming what is wrong.
    static func readIfPresent(directory dir: String) throws(DataError) -> DatasetMeta? {
        let path = dir + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        try InputFile.requireRegular(path)
        func bad(_ what: String) -> DataError {
            .npy(path: path, problem: "is not a valid lockstep meta.json (\(what)); regenerate it or remove it")
        }
        guard let data = FileManager.default.contents(atPath: path),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw bad("not a JSON object") }
        guard let files = root["files"] as? [String: Any],
            let xf = files["X.npy"] as? [String: Any], let yf = files["y.npy"] as? [String: Any]
        else { throw bad("no files.X.npy and files.y.npy") }
        func file(_ f: [String: Any], _ name: String) throws(DataError) -> File {
            guard let shape = f["shape"] as? [Int], let bytes = f["bytes"] as? Int, let crc = f["crc32"] as? Int,
                crc >= 0, crc <= Int(UInt32.max)
            else { throw bad("files.\(name) needs shape, bytes and crc32") }
            let dtype = (f["dtype"] as? String).map { DType(name: $0) } ?? .float32
            guard let dtype else { throw bad("files.\(name).dtype is not '<f4' or '<f2'") }
            return File(shape: shape, bytes: bytes, crc32: UInt32(crc), dtype: dtype)
        }
        let x = try file(xf, "X.npy"), y = try file(yf, "y.npy")
        guard x.shape.count == 2 else { throw bad("files.X.npy.shape is not (rows, features)") }
        var meta = DatasetMeta(
            rows: x.shape[0], features: x.shape[1], spec: nil, trueWeights: nil, trueBias: nil, x: x, y: y)
        let s = root["spec"] as? [String: Any]
        let softmax = s?["task"] as? String == SyntheticTask.softmax.rawValue
        var classes: Int?
        if softmax {
            guard let k = s?["classes"] as? Int, k >= 2 else { throw bad("spec.classes of task softmax is not a whole number >= 2") }
            classes = k
        } else if s == nil, let b = root["trueBiases"] as? [NSNumber], b.count >= 2 {
            classes = b.count  // softmax data saved from memory: no spec, k from the biases
        }
        let weightCount = meta.features * (classes ?? 1)
        if let w = root["trueWeights"] {
            guard let list = w as? [NSNumber], list.count == weightCount else {
                throw bad("trueWeights is not a list of \(weightCount) numbers")
            }
            meta.trueWeights = list.map(\.floatValue)
        }
        if let b = root["trueBiases"] {
            guard let k = classes, let list = b as? [NSNumber], list.count == k else {
                throw bad("trueBiases is not a list of one number per class of task softmax")
            }
            meta.trueBiases = list.map(\.floatValue)
        }
        if let b = root["trueBias"] {
            guard let n = b as? NSNumber else { throw bad("trueBias is not a number") }
            meta.trueBias = n.floatValue
        }
        if let s, let seed = s["seed"] as? NSNumber {
            var spec = DatasetSpec.reference(rows: meta.rows, features: meta.features, seed: seed.uint64Value)
            if let w = meta.trueWeights { spec.weights = .explicit(w) }
            if let b = meta.trueBias { spec.bias = b }
            if let n = s["noise"] as? NSNumber { spec.noise = n.floatValue }
            if let t = s["task"] as? String, let task = SyntheticTask(rawValue: t) { spec.task = task }
            if softmax {
                spec.classes = classes
                if let p = s["priors"] {
                    guard let list = p as? [NSNumber], list.count == classes else { throw bad("spec.priors is not one number per class") }
                    spec.priors = list.map(\.floatValue)
                }
                spec.bias = 0
                if s["weights"] as? String == "normal" { spec.weights = .normal }
            }
            if let m = s["informative"] as? NSNumber { spec.informative = m.intValue }
            if let c = s["correlation"] as? [String: Any], let rho = c["rho"] as? NSNumber {
                spec.correlation = rho.floatValue
                spec.factors = (c["factors"] as? NSNumber)?.intValue ?? 1
            }
            if let o = s["outliers"] as? [String: Any], let f = o["fraction"] as? NSNumber {
                spec.outlierFraction = f.floatValue
                spec.outlierScale = (o["scale"] as? NSNumber)?.floatValue ?? 10
            }
            spec.dtype = x.dtype
            meta.spec = spec
        }
        return meta
    }
}
