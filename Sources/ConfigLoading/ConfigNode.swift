import SyntheticData

/// One mapping of a parsed YAML/JSON config, read strictly: unknown keys and wrong types are errors
/// whose message gives the file, the full key path and what would be accepted.
public struct ConfigNode {
    /// The config file's path as given, the prefix of every error message.
    public let file: String
    /// The dotted key path of this mapping from the root (`data.synthetic`); empty for the root.
    public let path: String
    /// The mapping's entries by key, as the YAML parser gave them (empty when the value was nil).
    public let values: [String: Any]

    /// Reads `value` as the mapping at `path` of `file`; nil is an empty mapping.
    ///
    /// - Throws: `ConfigError` of kind `wrongType` when `value` is not a mapping.
    public init(file: String, path: String, value: Any?) throws(ConfigError) {
        self.file = file
        self.path = path
        if value == nil {
            values = [:]
        } else if let d = value as? [String: Any] {
            values = d
        } else if let d = value as? [AnyHashable: Any] {
            var out: [String: Any] = [:]
            for (k, v) in d { out["\(k)"] = v }
            values = out
        } else {
            throw ConfigError(
                kind: .wrongType,
                message: "\(file): \(path.isEmpty ? "the config" : quoted(path)) must be a mapping of keys to values, got \(Self.show(value))")
        }
    }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    /// Rejects keys not in `allowed`, suggesting the closest known key.
    func allow(_ allowed: [String]) throws(ConfigError) {
        for k in values.keys.sorted() where !allowed.contains(k) {
            let near = k.count > 80 ? nil : allowed.min { Self.distance($0, k) < Self.distance($1, k) }
            var msg = "\(file): unknown key \(quoted(key(k)))"
            if let near, k.count <= 80, Self.distance(near, k) <= max(2, k.count / 3) { msg += " (did you mean '\(key(near))'?)" }
            msg += "; known keys\(path.isEmpty ? "" : " of '\(path)'"): \(allowed.joined(separator: ", "))"
            throw ConfigError(kind: .unknownKey, message: msg)
        }
    }

    func has(_ k: String) -> Bool { values[k] != nil && !(values[k] is NSNullLike) }

    func child(_ k: String) throws(ConfigError) -> ConfigNode? {
        guard let v = values[k] else { return nil }
        return try ConfigNode(file: file, path: key(k), value: v)
    }

    func wrongType(_ k: String, _ expected: String) -> ConfigError {
        ConfigError(kind: .wrongType, message: "\(file): \(quoted(key(k))) must be \(expected), got \(Self.show(values[k]))")
    }

    func invalid(_ k: String, _ fix: String) -> ConfigError {
        ConfigError(kind: .invalidValue, message: "\(file): \(quoted(key(k))) is \(Self.show(values[k])); \(fix)")
    }

    func int(_ k: String) throws(ConfigError) -> Int? {
        guard let v = values[k] else { return nil }
        if let i = v as? Int { return i }
        if let d = v as? Double, d.rounded() == d, abs(d) < 9e15 { return Int(d) }
        if let s = v as? String, let i = Int(s.replacingOccurrences(of: "_", with: "")) { return i }
        throw wrongType(k, "a whole number")
    }

    /// A seed: any whole number from 0 to 2⁶⁴ − 1 (YAML gives those above Int.max as text or a Double).
    func seed(_ k: String) throws(ConfigError) -> UInt64? {
        guard let v = values[k] else { return nil }
        if let i = v as? Int {
            guard i >= 0 else { throw invalid(k, "use a whole number from 0 to \(UInt64.max)") }
            return UInt64(i)
        }
        if let u = v as? UInt64 { return u }
        if let s = v as? String, let u = UInt64(s.replacingOccurrences(of: "_", with: "")) { return u }
        if let d = v as? Double, d.rounded() == d, d >= 0, d < 18_446_744_073_709_551_616 { return UInt64(d) }
        if v is Double || v is String { throw invalid(k, "use a whole number from 0 to \(UInt64.max)") }
        throw wrongType(k, "a whole number")
    }

    func double(_ k: String) throws(ConfigError) -> Double? {
        guard let v = values[k] else { return nil }
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        if let s = v as? String, let d = Double(s) { return d }
        throw wrongType(k, "a number")
    }

    func float(_ k: String) throws(ConfigError) -> Float? { try double(k).map { Float($0) } }

    func bool(_ k: String) throws(ConfigError) -> Bool? {
        guard let v = values[k] else { return nil }
        if let b = v as? Bool { return b }
        throw wrongType(k, "true or false")
    }

    func string(_ k: String) throws(ConfigError) -> String? {
        guard let v = values[k] else { return nil }
        if let s = v as? String { return s }
        throw wrongType(k, "a string")
    }

    /// A whole number, or one of the `words` (e.g. "auto", "full"), returned as nil.
    func intOrWord(_ k: String, _ words: [String]) throws(ConfigError) -> (present: Bool, value: Int?) {
        guard let v = values[k] else { return (false, nil) }
        if let s = v as? String, words.contains(s) { return (true, nil) }
        if let i = try? int(k) { return (true, i) }
        throw wrongType(k, "a whole number or \(words.map { "'\($0)'" }.joined(separator: " or "))")
    }

    /// One of `choices`.
    func choice(_ k: String, _ choices: [String]) throws(ConfigError) -> String? {
        guard let s = try string(k) else { return nil }
        guard choices.contains(s) else { throw invalid(k, "use one of: \(choices.joined(separator: ", "))") }
        return s
    }

    static func show(_ v: Any?) -> String {
        switch v {
        case nil: return "nothing"
        case let s as String: return quoted(s)
        case let b as Bool: return "\(b)"
        case let i as Int: return "\(i)"
        case let d as Double: return "\(d)"
        case is [Any]: return "a list"
        case is [String: Any], is [AnyHashable: Any]: return "a mapping"
        default: return "\(v!)"
        }
    }

    /// Edit distance, for "did you mean" hints.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}

/// Marker for YAML nulls (Yams gives NSNull-like values for `~`).
protocol NSNullLike {}
