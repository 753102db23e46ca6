import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Yams

/// Reads a training config (YAML, or JSON, which YAML includes) into a `TrainingConfig`.
///
/// Shape (every key optional; defaults are the d2l lesson's):
///
///     data:
///       synthetic: {rows: 1000, features: 2, weights: [2, -3.4], bias: 4.2, noise: 0.01, seed: 0}
///       #    (materialize: false makes each minibatch's rows as they are needed, never storing the data)
///       # or  csv: {path: data/line50.csv, target: y}   (relative to this file; header: false for a
///       #          headerless file, whose columns are named 0, 1, …: target: 2)
///       # or  npy: {dir: data/w3, convertFloat64: false}   (X.npy, y.npy as `lockstep generate` writes)
///     model: {init: normal, std: 0.01}          # or zeros / uniform
///     loss: squared                             # or mse
///     optimizer: {lr: 0.03, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0}
///     penalty: {alpha: 0.001, l1Ratio: 0.15}     # elastic net on the weights (none by default)
///     training: {epochs: 3, batchSize: 10, shuffle: true, seed: 0, threads: auto,
///                executor: auto, chunkRows: auto, kernel: auto, bind: true,
///                schedule: {kind: cosine, tMax: 100}}   (see ConfigFile+Schedule.swift)
///     distributed: {reduction: exact}           # or fast (under mpirun; docs/distributed.md)
public enum ConfigFile {
    /// Reads and parses the config file at `path`; relative data paths in it are taken from the
    /// file's directory.
    ///
    /// - Throws: `ConfigError`: a missing, non-regular, unreadable, over-large (`maxBytes`), empty or
    ///   non-UTF-8 file, or any problem `parse(_:file:)` finds.
    public static func load(path: String) throws(ConfigError) -> TrainingConfig {
        try parse(try read(path: path), file: path)
    }

    /// The largest config file read: 1 MiB (checked by `stat` before reading).
    public static let maxBytes = 1 << 20

    static func read(path: String) throws(ConfigError) -> String {
        let size: Int
        do {
            size = try InputFile.requireRegular(path)
        } catch {
            switch error {
            case .fileNotFound:
                throw ConfigError(kind: .missingFile, message: "config file \(path) does not exist; see configs/ for examples")
            case let .notRegularFile(_, kind):
                throw ConfigError(
                    kind: .notRegularFile,
                    message: "config file \(path) is \(kind), not a regular file; lockstep reads its config only from a regular file "
                        + "(a pipe or device could keep it waiting for ever): save the config to a file and give that path")
            default:
                throw ConfigError(kind: .unreadable, message: "cannot read config file \(path): \(error)")
            }
        }
        // A config is a few hundred bytes; a huge one is a mistake (or an attack) that Yams would
        // take minutes and gigabytes over.
        guard size <= maxBytes else {
            throw ConfigError(
                kind: .invalidValue,
                message: "config file \(path) is \(size) bytes, larger than the limit of \(maxBytes) bytes (1 MiB); is it the right file?")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(kind: .unreadable, message: "cannot read config file \(path)")
        }
        // Not UTF-8 text, or nothing in it: a usage problem (64), not an I/O error.
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(kind: .invalidValue, message: "config file \(path) is not UTF-8 text; is it the right file?")
        }
        let meaningful = text.split(separator: "\n", omittingEmptySubsequences: true).contains {
            let line = $0.trimmingCharacters(in: .whitespaces)
            return !line.isEmpty && !line.hasPrefix("#")
        }
        guard meaningful else {
            throw ConfigError(
                kind: .invalidValue,
                message: "config file \(path) is empty (nothing but blank lines or comments), probably a mistake; "
                    + "write {} for the built-in defaults (the d2l lesson), or leave out --config")
        }
        return text
    }

    /// The values of config `text`, as `Yams.load` gives them (mappings as `[AnyHashable: Any]`,
    /// lists as `[Any]`, scalars as `Int`, `Double`, `Bool`, `NSNull`, `String`, …), after the key
    /// and size checks of `requireNameKeys`.
    ///
    /// Plain scalars are typed by `ScalarTyping` (Yams's `Resolver.default` rules without its
    /// regular expressions, whose first use cost ~1 ms of start-up): the tree is composed with
    /// `Resolver.basic`, checked, typed, then built by Yams's `Constructor` as before. The only
    /// place the resolver acts while composing is the duplicate-key check, which with no rules sees
    /// `1` and `"1"` as the same key; a document it refuses is composed again with
    /// `Resolver.default`, so it is accepted or refused exactly as before.
    static func values(_ text: String, file: String) throws(ConfigError) -> Any? {
        let constructor = Constructor.default
        // `Parser.Encoding.default` builds ProcessInfo's whole environment dictionary to look for
        // YAMS_DEFAULT_ENCODING; without that variable it is UTF-8 for a native String.
        let encoding: Parser.Encoding = getenv("YAMS_DEFAULT_ENCODING") == nil ? .utf8 : .default
        let tree: Node?
        do {
            do {
                // Merge keys (`<<`) are not yet merged on the typed tree (ScalarTypingTests): a
                // document with `<<` anywhere takes Yams's own resolver, as before.
                tree = try Yams.compose(yaml: text, text.utf8.contains(0x3C) && text.contains("<<") ? .default : .basic, constructor, encoding)
            } catch YamlError.duplicatedKeysInMapping {
                tree = try Yams.compose(yaml: text, .default, constructor, encoding)
            }
        } catch {
            throw syntaxError(error, file: file)
        }
        guard let tree else { return nil }
        var nodes = 0
        try requireNameKeys(tree, file: file, nodes: &nodes)
        return ScalarTyping.typed(tree, constructor: constructor).any
    }

    static func syntaxError(_ error: Error, file: String) -> ConfigError {
        // Yams quotes the offending line, which may be megabytes long: each line cut to 160 characters.
        let detail = "\(error)".split(separator: "\n").prefix(3).map { $0.count > 160 ? $0.prefix(160) + "…" : $0 }
            .joined(separator: " ")
        return ConfigError(kind: .syntax, message: "\(file): not valid YAML or JSON: \(detail)")
    }

    /// The most values a config may expand to, aliases counted as copies: 100 000.
    public static let maxNodes = 100_000

    /// Parses config `text` strictly (unknown keys, wrong types and invalid values are errors);
    /// `file` names the source in messages and is the base of relative data paths.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> TrainingConfig {
        guard text.utf8.count <= maxBytes else {
            throw ConfigError(
                kind: .invalidValue,
                message: "\(file): the config is \(text.utf8.count) bytes, larger than the limit of \(maxBytes) bytes (1 MiB); is it the right file?")
        }
        let root = try ConfigNode(file: file, path: "", value: try values(text, file: file))
        try root.allow(["data", "model", "loss", "optimizer", "penalty", "training", "distributed"])
        var config = TrainingConfig()
        if let data = try root.child("data") {
            config.data = try dataSource(data, configFile: file)
            if let v = try data.child("validation") { config.validation = try validation(v, configFile: file) }
            config.standardize = try data.bool("standardize") ?? false
        }
        if let model = try root.child("model") { config.model = try modelInit(model) }
        if root.values["loss"] is [String: Any] {
            // loss: {kind: huber, delta: 1.5}
            let node = try root.child("loss")!
            try node.allow(["kind", "delta", "classWeight", "classes"])
            guard let kind = try node.choice("kind", Loss.allCases.map(\.rawValue)) else {
                throw ConfigError(
                    kind: .invalidValue,
                    message: "\(node.file): 'loss.kind' is missing; use one of: \(Loss.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.loss = Loss(rawValue: kind)!
            if let delta = try node.float("delta") {
                guard config.loss == .huber else {
                    throw ConfigError(kind: .invalidValue, message: "\(node.file): 'loss.delta' only applies to kind: huber; remove it")
                }
                guard delta.isFinite && delta > 0 else { throw node.invalid("delta", "use a number > 0") }
                config.huberDelta = delta
            }
            if node.has("classWeight") { config.classWeight = try classWeight(node, loss: config.loss) }
            if let k = try node.int("classes") {
                guard config.loss == .softmax else {
                    throw ConfigError(kind: .invalidValue, message: "\(node.file): 'loss.classes' only applies to kind: softmax; remove it")
                }
                guard (2...TrainingConfig.maxClasses).contains(k) else {
                    throw node.invalid("classes", "use 2 to \(TrainingConfig.maxClasses) classes")
                }
                config.classes = k
            }
        } else if let loss = try root.choice("loss", Loss.allCases.map(\.rawValue)) {
            config.loss = Loss(rawValue: loss)!
        }
        if let opt = try root.child("optimizer") {
            config.optimizer = try optimizer(opt)
            config.lrAsWritten = try opt.double("lr")
        }
        if let node = try root.child("penalty") { config.penalty = try penalty(node) }
        if let training = try root.child("training") { try applyTraining(training, to: &config) }
        if let node = try root.child("distributed") {
            try node.allow(["reduction"])
            if let r = try node.choice("reduction", CrossProcessReduction.allCases.map(\.rawValue)) {
                config.reduction = CrossProcessReduction(rawValue: r)!
            }
        }
        return config
    }

    /// `loss.classWeight`: `balanced` or `{0: w0, 1: w1}` (the logistic loss only).
    static func classWeight(_ node: ConfigNode, loss: Loss) throws(ConfigError) -> ClassWeight {
        guard loss == .logistic else {
            throw ConfigError(kind: .invalidValue, message: "\(node.file): 'loss.classWeight' only applies to kind: logistic; remove it")
        }
        if node.values["classWeight"] is [String: Any], let weights = try node.child("classWeight") {
            try weights.allow(["0", "1"])
            guard let w0 = try weights.float("0"), let w1 = try weights.float("1") else {
                throw ConfigError(kind: .invalidValue, message: "\(node.file): 'loss.classWeight' needs both classes' weights, e.g. {0: 1, 1: 5}")
            }
            let weight = ClassWeight.weights(w0, w1)
            do { try weight.validate() } catch { throw ConfigError(kind: .invalidValue, message: "\(node.file): \(error.description)") }
            return weight
        }
        guard try node.choice("classWeight", ["balanced"]) != nil else {
            throw ConfigError(kind: .invalidValue, message: "\(node.file): 'loss.classWeight' is balanced or {0: w0, 1: w1}")
        }
        return .balanced
    }

    /// `penalty: {alpha, l1Ratio}` (scikit-learn's names: `alpha`, `l1_ratio`).
    static func penalty(_ node: ConfigNode) throws(ConfigError) -> Penalty {
        try node.allow(["alpha", "l1Ratio"])
        guard let alpha = try node.float("alpha") else {
            throw ConfigError(kind: .invalidValue, message: "\(node.file): 'penalty.alpha' is missing; e.g. penalty: {alpha: 0.0001, l1Ratio: 0.15}")
        }
        let penalty = Penalty(alpha: alpha, l1Ratio: try node.float("l1Ratio") ?? 0.15)
        do { try penalty.validate() } catch { throw ConfigError(kind: .invalidValue, message: "\(node.file): \(error.description)") }
        return penalty
    }

    /// Every mapping key must be a scalar (a name). Checked before Yams turns the tree into values:
    /// its constructor force-unwraps a key that is a mapping or a list (`{[a]: 1}`), which would
    /// crash the program (found by `make fuzz`).
    ///
    /// The walk also counts the nodes as the values will have them, aliases expanded, and refuses
    /// more than `maxNodes`: YAML's "billion laughs" (anchors of lists of aliases of anchors …) is
    /// a few hundred bytes that expand to billions of nodes (a 432-byte one ran 68 s to 5.9 GB).
    /// Yams shares an alias's node with its anchor, so the tree itself stays small; only a walk
    /// (this one, or the conversion to values after it) expands it.
    static func requireNameKeys(_ node: Node, file: String, nodes: inout Int) throws(ConfigError) {
        nodes += 1
        guard nodes <= maxNodes else {
            throw ConfigError(
                kind: .invalidValue,
                message: "\(file): the config expands to more than \(maxNodes) values (the limit), counting each alias "
                    + "(*name) as a copy of its anchor; a config is a few dozen values: remove the nested aliases")
        }
        switch node {
        case let .mapping(m):
            for (key, value) in m {
                guard case .scalar = key else {
                    throw ConfigError(
                        kind: .syntax,
                        message: "\(file): a key is a \(key.mapping != nil ? "mapping" : key.sequence != nil ? "list" : "reference"), "
                            + "not a name (line \(key.mark?.line ?? 0)); keys must be plain names like 'training'")
                }
                try requireNameKeys(value, file: file, nodes: &nodes)
            }
        case let .sequence(items):
            for item in items { try requireNameKeys(item, file: file, nodes: &nodes) }
        case .scalar, .alias:
            break
        }
    }

    static func dataSource(_ node: ConfigNode, configFile: String) throws(ConfigError) -> DataSource {
        let kinds = ["synthetic", "csv", "npy"]
        try node.allow(kinds + (node.path == "data" ? ["validation", "standardize"] : []))
        let given = kinds.filter(node.has)
        if given.count > 1 {
            throw ConfigError(
                kind: .invalidValue,
                message: "\(node.file): 'data' has \(given.map { "'\($0)'" }.joined(separator: " and ")); keep one")
        }
        if let npy = try node.child("npy") {
            try npy.allow(["dir", "convertFloat64"])
            guard let dir = try npy.string("dir") else {
                throw ConfigError(
                    kind: .invalidValue,
                    message: "\(node.file): 'data.npy.dir' is missing; give the directory holding X.npy and y.npy")
            }
            return .npy(dir: resolve(dir, configFile: configFile), convertFloat64: try npy.bool("convertFloat64") ?? false)
        }
        if let csv = try node.child("csv") {
            try csv.allow(["path", "target", "dtype", "header", "weight"])
            guard let path = try csv.string("path") else {
                throw ConfigError(kind: .invalidValue, message: "\(node.file): 'data.csv.path' is missing; give the CSV file's path")
            }
            // A headerless file's columns are named by index, so `target: 2` is the name "2".
            let target: String
            if let i = csv.values["target"] as? Int { target = String(i) } else { target = try csv.string("target") ?? "y" }
            var weight: String? = nil
            if let i = csv.values["weight"] as? Int { weight = String(i) } else { weight = try csv.string("weight") }
            return .csv(
                path: resolve(path, configFile: configFile), target: target, dtype: try dtype(csv),
                header: try csv.bool("header") ?? true, weight: weight)
        }
        guard let s = try node.child("synthetic") else { return .synthetic(DatasetSpec()) }
        let spec = try syntheticSpec(s)
        return try s.bool("materialize") ?? true ? .synthetic(spec) : .onTheFly(spec)
    }

    /// The `data.synthetic` block of the config file at `path` (for `lockstep generate --config`).
    public static func syntheticBlock(path: String) throws(ConfigError) -> ConfigNode {
        let text = try read(path: path)
        let root = try ConfigNode(file: path, path: "", value: try values(text, file: path))
        guard let data = try root.child("data"), let block = try data.child("synthetic") else {
            throw ConfigError(kind: .invalidValue, message: "\(path) has no data.synthetic block to generate from")
        }
        return block
    }

    /// The keys of a `data.synthetic` block (also the flags of `lockstep generate`).
    public static func syntheticSpec(_ s: ConfigNode) throws(ConfigError) -> DatasetSpec {
        try s.allow([
            "rows", "features", "weights", "bias", "noise", "seed", "materialize", "dtype", "task", "informative", "correlation",
            "outliers", "classes", "priors",
        ])
        var spec = DatasetSpec()
        spec.dtype = try dtype(s)
        if let task = try s.choice("task", SyntheticTask.allCases.map(\.rawValue)) { spec.task = SyntheticTask(rawValue: task)! }
        let softmax = spec.task == .softmax
        if softmax {
            // W ~ N(0, 1) from the seed unless given; the biases are log(priors), not `bias`.
            if s.has("bias") { throw s.invalid("bias", "task softmax takes no bias; its biases are log(priors): give priors: [...]") }
            spec.weights = .normal
            spec.bias = 0
            spec.noise = 0
        }
        if let v = try s.int("rows") { spec.rows = v }
        if let v = try s.int("features") {
            spec.features = v
            if !s.has("weights") && !softmax { spec.weights = .alternating }
        }
        if let w = s.values["weights"] {
            if let word = w as? String {
                guard word == "alternating" || word == "normal" else {
                    throw s.invalid("weights", "use a list of numbers, 'alternating' or 'normal'")
                }
                spec.weights = word == "normal" ? .normal : .alternating
            } else if let list = w as? [Any] {
                var ws: [Float] = []
                for item in list {
                    if let d = item as? Double { ws.append(Float(d)) } else if let i = item as? Int { ws.append(Float(i)) } else {
                        throw s.wrongType("weights", "a list of numbers, 'alternating' or 'normal'")
                    }
                }
                spec.weights = .explicit(ws)
                if !s.has("features") && !softmax { spec.features = ws.count }
            } else {
                throw s.wrongType("weights", "a list of numbers, 'alternating' or 'normal'")
            }
        }
        if let k = try s.int("classes") { spec.classes = k }
        if let p = s.values["priors"] {
            guard let list = p as? [Any] else { throw s.wrongType("priors", "a list of numbers, one per class") }
            var ps: [Float] = []
            for item in list {
                if let d = item as? Double { ps.append(Float(d)) } else if let i = item as? Int { ps.append(Float(i)) } else {
                    throw s.wrongType("priors", "a list of numbers, one per class")
                }
            }
            spec.priors = ps
        }
        if softmax, !s.has("features"), case let .explicit(ws) = spec.weights, let k = spec.classes, k > 0, ws.count % k == 0,
            ws.count > 0
        {
            spec.features = ws.count / k
        }
        if let v = try s.float("bias") { spec.bias = v }
        if let v = try s.float("noise") { spec.noise = v }
        if let v = try s.seed("seed") { spec.seed = v }
        if let v = try s.int("informative") { spec.informative = v }
        if let c = try s.child("correlation") {
            try c.allow(["rho", "factors"])
            guard let rho = try c.float("rho") else {
                throw ConfigError(kind: .invalidValue, message: "\(s.file): 'data.synthetic.correlation.rho' is missing; e.g. correlation: {rho: 0.9, factors: 2}")
            }
            spec.correlation = rho
            if let f = try c.int("factors") { spec.factors = f }
        }
        if let o = try s.child("outliers") {
            try o.allow(["fraction", "scale"])
            guard let fraction = try o.float("fraction") else {
                throw ConfigError(kind: .invalidValue, message: "\(s.file): 'data.synthetic.outliers.fraction' is missing; e.g. outliers: {fraction: 0.05, scale: 10}")
            }
            spec.outlierFraction = fraction
            if let scale = try o.float("scale") { spec.outlierScale = scale }
        }
        do { try spec.validate() } catch {
            throw ConfigError(kind: .invalidValue, message: "\(s.file): in '\(s.path)': \(error.description)")
        }
        return spec
    }

    /// The `dtype` key of a data block: float32 (the default) or float16.
    static func dtype(_ node: ConfigNode) throws(ConfigError) -> DType {
        guard let name = try node.choice("dtype", DType.allCases.map(\.rawValue)) else { return .float32 }
        return DType(name: name)!
    }

    static func modelInit(_ node: ConfigNode) throws(ConfigError) -> ModelInit {
        try node.allow(["init", "std"])
        let kind = try node.choice("init", ["zeros", "normal", "uniform"]) ?? "normal"
        if kind != "normal" && node.has("std") {
            throw ConfigError(kind: .invalidValue, message: "\(node.file): 'model.std' only applies to init: normal; remove it")
        }
        switch kind {
        case "zeros": return .zeros
        case "uniform": return .uniform
        default:
            let std = try node.float("std") ?? 0.01
            guard std.isFinite && std >= 0 else { throw node.invalid("std", "use a standard deviation >= 0") }
            return .normal(std: std)
        }
    }

    static func optimizer(_ node: ConfigNode) throws(ConfigError) -> SGD {
        try node.allow(["lr", "momentum", "dampening", "nesterov", "weightDecay"])
        var sgd = SGD(lr: 0.03)
        if let v = try node.float("lr") { sgd.lr = v }
        if let v = try node.float("momentum") { sgd.momentum = v }
        if let v = try node.float("dampening") { sgd.dampening = v }
        if let v = try node.bool("nesterov") { sgd.nesterov = v }
        if let v = try node.float("weightDecay") { sgd.weightDecay = v }
        do { try sgd.validate() } catch { throw ConfigError(kind: .invalidValue, message: "\(node.file): \(error.description)") }
        return sgd
    }

    static func applyTraining(_ node: ConfigNode, to config: inout TrainingConfig) throws(ConfigError) {
        try node.allow(["epochs", "batchSize", "shuffle", "seed", "threads", "executor", "chunkRows", "kernel", "bind", "schedule", "earlyStopping"])
        if let v = try node.int("epochs") {
            guard v >= 1 else { throw node.invalid("epochs", "use at least 1") }
            config.epochs = v
        }
        let batch = try node.intOrWord("batchSize", ["full"])
        if batch.present {
            if let b = batch.value, b < 1 { throw node.invalid("batchSize", "use at least 1 row, or 'full'") }
            config.batchSize = batch.value
        }
        if let v = try node.bool("shuffle") { config.shuffle = v }
        if let v = try node.seed("seed") { config.seed = v }
        let threads = try node.intOrWord("threads", ["auto"])
        if threads.present {
            if let t = threads.value, t < 1 { throw node.invalid("threads", "use at least 1, or 'auto' (the physical cores)") }
            config.threads = threads.value
        }
        if let e = try node.choice("executor", ExecutionMode.allCases.map(\.rawValue)) {
            config.executor = ExecutionMode(rawValue: e)!
        }
        let chunk = try node.intOrWord("chunkRows", ["auto"])
        if chunk.present {
            if let c = chunk.value, c < 1 { throw node.invalid("chunkRows", "use at least 1 row, or 'auto'") }
            config.chunkRows = chunk.value
        }
        if let k = try node.choice("kernel", ["auto"] + GradientKernels.Kind.allCases.map(\.rawValue)) {
            config.kernel = GradientKernels.Kind(rawValue: k)
        }
        if let v = try node.bool("bind") { config.bindToCores = v }
        if let schedule = try node.child("schedule") { try applySchedule(schedule, to: &config) }
        if let e = try node.child("earlyStopping") {
            try e.allow(["patience", "minDelta", "restoreBest"])
            var rule = EarlyStopping()
            if let p = try e.int("patience") {
                guard p >= 1 else { throw e.invalid("patience", "use at least 1 epoch") }
                rule.patience = p
            }
            if let m = try e.double("minDelta") {
                guard m.isFinite && m >= 0 else { throw e.invalid("minDelta", "use a number >= 0") }
                rule.minDelta = m
            }
            if let r = try e.bool("restoreBest") { rule.restoreBest = r }
            config.earlyStopping = rule
        }
    }

    /// `data.validation`: `{fraction, seed}` (rows held out of the data) or a source of its own
    /// (`{csv: …}`, `{npy: …}`, `{synthetic: …}`).
    static func validation(_ node: ConfigNode, configFile: String) throws(ConfigError) -> Validation {
        if node.has("fraction") || node.has("seed") {
            try node.allow(["fraction", "seed"])
            guard let f = try node.double("fraction") else {
                throw ConfigError(kind: .invalidValue, message: "\(node.file): 'data.validation.fraction' is missing; e.g. fraction: 0.1")
            }
            guard f > 0 && f < 1 else { throw node.invalid("fraction", "use a number between 0 and 1, e.g. 0.1") }
            var seed: UInt64?
            seed = try node.seed("seed")
            return .split(ValidationSplit(fraction: f, seed: seed))
        }
        guard ["synthetic", "csv", "npy"].contains(where: node.has) else {
            throw ConfigError(
                kind: .invalidValue,
                message: "\(node.file): 'data.validation' needs a fraction ({fraction: 0.1}) or a source of its own ({csv: …}, {npy: …} or {synthetic: …})")
        }
        return .source(try dataSource(node, configFile: configFile))
    }

    /// A relative data path is taken from the config file's directory, as docker-compose and Cargo
    /// do, so a config works from any working directory (`--data` on the command line stays
    /// relative to the working directory).
    static func resolve(_ path: String, configFile: String) -> String {
        if path.hasPrefix("/") || path.isEmpty { return path }
        let dir = URL(fileURLWithPath: configFile).deletingLastPathComponent()
        return dir.appendingPathComponent(path).standardizedFileURL.path
    }
}
