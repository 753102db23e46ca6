import Foundation

/// A JSON document built in code and printed deterministically: keys in the order given, floats
/// in Swift's shortest round-trip form (so equal text means equal bits), non-finite numbers as null.
///
/// Rejected: Foundation's JSONEncoder, which widens Float to Double on some platforms
/// (0.1 → 0.10000000149011612) and sorts or reorders keys between versions.
public indirect enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    /// A number already in its JSON text form.
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.text() == b.text() }

    public static func float(_ v: Float) -> JSONValue { v.isFinite ? .number("\(v)") : .null }
    public static func double(_ v: Double) -> JSONValue { v.isFinite ? .number("\(v)") : .null }
    public static func int(_ v: Int) -> JSONValue { .number("\(v)") }
    public static func floats(_ v: [Float]) -> JSONValue { .array(v.map(float)) }
    public static func doubles(_ v: [Double]) -> JSONValue { .array(v.map(double)) }

    /// The JSON text; `pretty` indents objects by two spaces, keeps number arrays on one line.
    public func text(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case let .object(pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                Self.writeString(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        case let .array(items):
            let flat = items.allSatisfy { if case .object = $0 { return false }; if case .array = $0 { return false }; return true }
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += pretty && flat ? ", " : "," }
                if pretty && !flat { out += "\n" + String(repeating: "  ", count: indent + 1) }
                v.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty && !flat && !items.isEmpty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case let .string(s): Self.writeString(s, into: &out)
        case let .number(n): out += n
        case let .bool(b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += String(format: "\\u%04x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
