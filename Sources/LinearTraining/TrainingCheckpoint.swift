import Foundation
import SyntheticData

/// Everything needed to continue a run exactly where it was: the parameters and the momentum
/// buffer (as bit patterns), the position (epochs done, next batch of the epoch, steps), the losses
/// so far, and what the run was (the config values that shape the result, a fingerprint of the
/// data), so resuming a different job is refused with the difference named.
///
/// Stored as one JSON file (`checkpoint.json`), written atomically. Floats are stored as hex bit
/// patterns next to readable copies, so a round trip is exact. The last key, `checksum`, is the
/// CRC-32C of the file's text without it, so any change to the file (a flipped digit, an edited
/// `steps`, a readable copy edited) is refused as damage rather than resumed.
public struct TrainingCheckpoint: Sendable, Equatable {
    /// The file's `format` value; a file with another is refused as not a checkpoint.
    public static let format = "lockstep-checkpoint"
    /// The layout version written; files of other versions are refused (`TrainingError.badCheckpoint`).
    public static let version = 2
    /// The checkpoint's file name in a run directory.
    public static let fileName = "checkpoint.json"

    /// Whole epochs done.
    public var epochsDone: Int
    /// The next batch of the current epoch (0 at an epoch boundary).
    public var batchInEpoch: Int
    /// Steps done in the whole run.
    public var steps: Int
    /// `training.seed` of the run (shuffle order and initialisation).
    public var seed: UInt64
    /// The config values that decide the result (`TrainingConfig.resumeKey`): path → value text.
    public var resumeKey: [String: String]
    /// The resolved config, for people reading the file.
    public var configText: String
    /// Rows of the data the run trained on; resuming on other data is refused.
    public var dataRows: Int
    /// Features of that data.
    public var dataFeatures: Int
    /// A fingerprint of that data, compared on resume so different data with the same shape are refused too.
    public var dataFingerprint: String
    /// Where that data came from (`Dataset.source`), for the message when they differ.
    public var dataSource: String
    /// w[0..<d], then b.
    public var params: [Float]
    /// The SGD momentum buffer, same layout.
    public var momentum: [Float]
    /// The mean training loss of each epoch done, in order.
    public var epochLosses: [Double]
    /// Wall-clock seconds of each epoch done.
    public var epochSeconds: [Double]
    /// Seconds already spent in the current (unfinished) epoch.
    public var partialEpochSeconds: Double
    /// The learning rate of each epoch done (empty in checkpoints made before schedules).
    public var epochLRs: [Double] = []
    /// `LearningRateScheduler.stateWords` of a run with a schedule (nil without one).
    public var schedulerWords: [UInt64]? = nil
    /// The validation loss and metric of each epoch done (empty without a validation set).
    public var validationLosses: [Double] = []
    /// The validation metric of each epoch done (as `TrainingReport.validationMetrics`; empty without a validation
    /// set).
    public var validationMetrics: [Double] = []
    /// Early stopping's state (best loss bits, best epoch, epochs without improvement, stopped) and
    /// the best epoch's parameters (with `restoreBest`); nil without early stopping.
    public var earlyStoppingWords: [UInt64]? = nil
    /// The best epoch's parameters, w then b (with `restoreBest`; empty otherwise).
    public var bestParams: [Float] = []

    /// Histories up to this many epochs also get a readable `epochLosses` copy.
    static let readableLosses = 1000

    /// FNV-1a (64-bit) of the resume key, as 16 hex digits.
    public var configHash: String { Self.hash(resumeKey.keys.sorted().map { "\($0)=\(resumeKey[$0]!)\n" }.joined()) }

    /// The file's content: everything but the checksum.
    var content: [(String, JSONValue)] {
        var bits: [(String, JSONValue)] = [
            ("params", .string(Self.hex(params.map { UInt64($0.bitPattern) }, digits: 8))),
            ("momentum", .string(Self.hex(momentum.map { UInt64($0.bitPattern) }, digits: 8))),
            ("epochLosses", .string(Self.hex(epochLosses.map(\.bitPattern), digits: 16))),
            ("epochSeconds", .string(Self.hex(epochSeconds.map(\.bitPattern), digits: 16))),
            ("partialEpochSeconds", .string(Self.hex([partialEpochSeconds.bitPattern], digits: 16))),
        ]
        if !epochLRs.isEmpty { bits.append(("epochLrs", .string(Self.hex(epochLRs.map(\.bitPattern), digits: 16)))) }
        if let schedulerWords { bits.append(("schedule", .string(Self.hex(schedulerWords, digits: 16)))) }
        if !validationLosses.isEmpty || !validationMetrics.isEmpty {
            bits.append(("validationLosses", .string(Self.hex(validationLosses.map(\.bitPattern), digits: 16))))
            bits.append(("validationMetrics", .string(Self.hex(validationMetrics.map(\.bitPattern), digits: 16))))
        }
        if let earlyStoppingWords {
            bits.append(("earlyStopping", .string(Self.hex(earlyStoppingWords, digits: 16))))
            bits.append(("bestParams", .string(Self.hex(bestParams.map { UInt64($0.bitPattern) }, digits: 8))))
        }
        var pairs: [(String, JSONValue)] = [
            ("format", .string(Self.format)), ("version", .int(Self.version)),
            ("epochsDone", .int(epochsDone)), ("batchInEpoch", .int(batchInEpoch)), ("steps", .int(steps)),
            ("seed", .number("\(seed)")),
            ("configHash", .string(configHash)),
            ("resumeKey", .object(resumeKey.keys.sorted().map { ($0, .string(resumeKey[$0]!)) })),
            ("config", .string(configText)),
            ("data", .object([
                ("rows", .int(dataRows)), ("features", .int(dataFeatures)), ("fingerprint", .string(dataFingerprint)),
                ("source", .string(dataSource)),
            ])),
        ]
        // Readable w and b for one output; a softmax model's padded W (`TrainingState`) only as bits.
        if params.count == dataFeatures + 1 { pairs += [("weights", .floats(Array(params.dropLast()))), ("bias", .float(params.last ?? 0))] }
        // The readable copy of the losses only for short histories: the line lesson's 50 000 were
        // 1 MB of a 2.7 MB checkpoint (the bits below are what is read back).
        if epochLosses.count <= Self.readableLosses { pairs.append(("epochLosses", .doubles(epochLosses))) }
        // The rate in force, readable (the state itself is in bits.schedule).
        if let first = schedulerWords?.first { pairs.append(("lr", .double(Double(bitPattern: first)))) }
        pairs.append(("bits", .object(bits)))
        return pairs
    }

    /// The CRC-32C of the content's text (as written, pretty-printed), as `crc32c:` and 8 hex digits.
    var checksum: String { "crc32c:" + CRC32C.hex(JSONValue.object(content).text(pretty: true)) }

    /// The file: the content and its checksum.
    public var json: JSONValue { .object(content + [("checksum", .string(checksum))]) }

    /// `json.text(pretty: true)` and a newline, with the content serialised once (not twice, as
    /// building `json` would: the checksum is of the content's own text).
    public var fileText: String {
        var text = JSONValue.object(content).text(pretty: true)
        let sum = "crc32c:" + CRC32C.hex(text)
        text.removeLast(2)  // "\n}"
        return text + ",\n  \"checksum\": \"" + sum + "\"\n}\n"
    }

    /// Reads a checkpoint file's text; `path` names it in errors.
    public init(text: String, path: String) throws(TrainingError) {
        func bad(_ what: String) -> TrainingError {
            .badCheckpoint(path: path, problem: what + "; it may be damaged or from another program; delete it to start over")
        }
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw bad("is not a JSON object")
        }
        guard doc["format"] as? String == Self.format else { throw bad("is not a lockstep checkpoint (no \"format\": \"\(Self.format)\")") }
        guard (doc["version"] as? NSNumber)?.intValue == Self.version else {
            throw bad("has version \(doc["version"] ?? "none"), this lockstep reads version \(Self.version)")
        }
        func int(_ key: String, in d: [String: Any] = doc) throws(TrainingError) -> Int {
            guard let n = d[key] as? NSNumber, n.doubleValue >= 0, n.doubleValue == n.doubleValue.rounded() else { throw bad("lacks a whole number \"\(key)\"") }
            return n.intValue
        }
        func string(_ key: String, in d: [String: Any] = doc) throws(TrainingError) -> String {
            guard let s = d[key] as? String else { throw bad("lacks the string \"\(key)\"") }
            return s
        }
        guard let data = doc["data"] as? [String: Any], let bits = doc["bits"] as? [String: Any],
            let key = doc["resumeKey"] as? [String: String]
        else { throw bad("lacks \"data\", \"bits\" or \"resumeKey\"") }
        epochsDone = try int("epochsDone")
        batchInEpoch = try int("batchInEpoch")
        steps = try int("steps")
        guard let seedText = (doc["seed"] as? NSNumber)?.stringValue, let s = UInt64(seedText) else { throw bad("lacks \"seed\"") }
        seed = s
        resumeKey = key
        configText = try string("config")
        dataRows = try int("rows", in: data)
        dataFeatures = try int("features", in: data)
        dataFingerprint = try string("fingerprint", in: data)
        dataSource = try string("source", in: data)
        func words(_ name: String, digits: Int) throws(TrainingError) -> [UInt64] {
            guard let s = bits[name] as? String, let w = Self.unhex(s, digits: digits) else { throw bad("has no valid bits.\(name)") }
            return w
        }
        params = try words("params", digits: 8).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        momentum = try words("momentum", digits: 8).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        epochLosses = try words("epochLosses", digits: 16).map(Double.init(bitPattern:))
        epochSeconds = try words("epochSeconds", digits: 16).map(Double.init(bitPattern:))
        guard let partial = try words("partialEpochSeconds", digits: 16).first else { throw bad("has no partialEpochSeconds") }
        partialEpochSeconds = Double(bitPattern: partial)
        if bits["epochLrs"] != nil {
            epochLRs = try words("epochLrs", digits: 16).map(Double.init(bitPattern:))
            guard epochLRs.count == epochsDone else { throw bad("has \(epochLRs.count) learning rates for \(epochsDone) epochs") }
        }
        if bits["schedule"] != nil { schedulerWords = try words("schedule", digits: 16) }
        if bits["validationLosses"] != nil {
            validationLosses = try words("validationLosses", digits: 16).map(Double.init(bitPattern:))
            validationMetrics = try words("validationMetrics", digits: 16).map(Double.init(bitPattern:))
            guard validationLosses.count == epochsDone, validationMetrics.count == epochsDone else {
                throw bad("has \(validationLosses.count) validation losses for \(epochsDone) epochs")
            }
        }
        if bits["earlyStopping"] != nil {
            earlyStoppingWords = try words("earlyStopping", digits: 16)
            bestParams = try words("bestParams", digits: 8).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        }
        guard params.count >= dataFeatures + 1, params.count % (dataFeatures + 1) == 0, momentum.count == params.count, epochLosses.count == epochsDone,
            epochSeconds.count == epochsDone
        else { throw bad("has sizes that do not agree (\(params.count) parameters for \(dataFeatures) features, \(epochLosses.count) losses for \(epochsDone) epochs)") }
        if let stored = doc["configHash"] as? String, stored != configHash { throw bad("has a configHash that does not match its resumeKey") }
        // The checksum covers the bytes as written: everything before `,\n  "checksum": ` plus the
        // closing brace is what the writer summed. Every field read above is also written back the
        // same, so the parsed checkpoint's own checksum must agree too.
        guard let stored = doc["checksum"] as? String, let cut = text.range(of: ",\n  \"checksum\": ", options: .backwards)
        else { throw bad("has no \"checksum\"") }
        let written = "crc32c:" + CRC32C.hex(String(text[..<cut.lowerBound]) + "\n}")
        guard stored == written, stored == checksum else {
            throw bad("fails its checksum (stored \(stored.prefix(24)), content gives \(written)): it was changed after lockstep wrote it")
        }
    }

    init(
        epochsDone: Int, batchInEpoch: Int, steps: Int, seed: UInt64, resumeKey: [String: String], configText: String,
        dataRows: Int, dataFeatures: Int, dataFingerprint: String, dataSource: String, params: [Float], momentum: [Float],
        epochLosses: [Double], epochSeconds: [Double], partialEpochSeconds: Double, epochLRs: [Double] = [],
        schedulerWords: [UInt64]? = nil
    ) {
        self.epochLRs = epochLRs
        self.schedulerWords = schedulerWords
        self.epochsDone = epochsDone
        self.batchInEpoch = batchInEpoch
        self.steps = steps
        self.seed = seed
        self.resumeKey = resumeKey
        self.configText = configText
        self.dataRows = dataRows
        self.dataFeatures = dataFeatures
        self.dataFingerprint = dataFingerprint
        self.dataSource = dataSource
        self.params = params
        self.momentum = momentum
        self.epochLosses = epochLosses
        self.epochSeconds = epochSeconds
        self.partialEpochSeconds = partialEpochSeconds
    }

    /// Writes `DIR/checkpoint.json` atomically (temporary file, fsync, rename, fsync of DIR): a
    /// crash at any moment leaves the previous checkpoint or this one, never a mix.
    public func write(toDirectory dir: String) throws(TrainingError) {
        do {
            try AtomicFile.write(fileText, to: dir + "/" + Self.fileName)
        } catch {
            throw .checkpointWriteFailed(error.description)
        }
    }

    /// The checkpoint in `dir`, or nil when there is none yet.
    public static func load(fromDirectory dir: String) throws(TrainingError) -> TrainingCheckpoint? {
        let path = dir + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try TrainingCheckpoint(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// Each word as `digits` lowercase hex digits (its low 4·digits bits), concatenated.
    static func hex(_ words: [UInt64], digits: Int) -> String {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: words.count * digits) { out in
            var k = 0
            for w in words {
                for i in stride(from: digits - 1, through: 0, by: -1) {
                    out[k] = table[Int((w >> UInt64(4 * i)) & 15)]
                    k += 1
                }
            }
            return k
        }
    }

    static func unhex(_ s: String, digits: Int) -> [UInt64]? {
        let chars = Array(s.utf8)
        guard chars.count % digits == 0 else { return nil }
        var out: [UInt64] = []
        out.reserveCapacity(chars.count / digits)
        var i = 0
        while i < chars.count {
            guard let w = UInt64(String(decoding: chars[i..<(i + digits)], as: UTF8.self), radix: 16) else { return nil }
            out.append(w)
            i += digits
        }
        return out
    }

    static func hash(_ text: String) -> String { TrainingCheckpoint.hex([FNV1a.of(text)], digits: 16) }
}

/// FNV-1a, 64-bit: the checkpoint's config hash, the data fingerprint, and the job identity the
/// ranks of a distributed run compare.
public struct FNV1a {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x100_0000_01b3
    }

    /// The 8 bytes of `word`, least significant first.
    mutating func add(word: UInt64) {
        for i in 0..<8 { add(UInt8(truncatingIfNeeded: word >> (8 * UInt64(i)))) }
    }

    var hex: String { TrainingCheckpoint.hex([state], digits: 16) }

    /// FNV-1a of a string's UTF-8 bytes.
    public static func of(_ text: String) -> UInt64 {
        var h = FNV1a()
        for b in text.utf8 { h.add(b) }
        return h.state
    }
}
