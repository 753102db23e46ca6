import Foundation

/// A JSON document built in code and printed deterministically: keys in the order given, floats
/// in Swift's shortest round-trip form (so equal text means equal bits), non-finite numbers as null.
///
/// Rejected: Foundation's JSONEncoder, which widens Float to Double on some platforms
/// (0.1 → 0.10000000149011612) and sorts or reorders keys between versions.
public indirect enum JSONValue: Sendable, Equatable {
    /// An object: key–value pairs printed in the order given (duplicate keys are not checked).
    case object([(String, JSONValue)])
    /// An array of values, in order.
    case array([JSONValue])
    /// A string, escaped as JSON requires when printed.
    case string(String)
    /// A number already in its JSON text form.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// JSON `null` (also what non-finite numbers print as).
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.text() == b.text() }

    /// A float32 number in Swift's shortest round-trip form, so the text reads back to the same bits; NaN and
    /// infinities give `null`.
    public static func float(_ v: Float) -> JSONValue { v.isFinite ? .number("\(v)") : .null }
    /// A float64 number in shortest round-trip form; NaN and infinities give `null`.
    public static func double(_ v: Double) -> JSONValue { v.isFinite ? .number("\(v)") : .null }
    /// An integer, printed exactly.
    public static func int(_ v: Int) -> JSONValue { .number("\(v)") }
    /// An array of float32 numbers, each as `float(_:)` prints it.
    public static func floats(_ v: [Float]) -> JSONValue { .array(v.map(float)) }
    /// An array of float64 numbers, each as `double(_:)` prints it.
    public static func doubles(_ v: [Double]) -> JSONValue { .array(v.map(double)) }

    /// The JSON text; `pretty` indents objects by two spaces, keeps number arrays on one line.
    public func text(pretty: Bool = false) -> String {
        var out = ""
        // Grown from empty, a checkpoint's few megabytes were reallocated ~20 times, each into fresh
        // zeroed pages: a third of writing it. An upper estimate first.
        out.reserveCapacity(sizeEstimate(indent: 0))
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    /// At least the length of the pretty text (strings counted without their escapes).
    private func sizeEstimate(indent: Int) -> Int {
        switch self {
        case let .object(pairs):
            return pairs.reduce(4 + 2 * indent) { $0 + $1.0.utf8.count + 8 + 2 * indent + $1.1.sizeEstimate(indent: indent + 1) }
        case let .array(items): return items.reduce(2) { $0 + 3 + 2 * indent + $1.sizeEstimate(indent: indent + 1) }
        case let .string(s): return s.utf8.count + 2
        case let .number(n): return n.utf8.count
        case .bool: return 5
        case .null: return 4
        }
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
        // Most strings (hex bit patterns of a checkpoint: megabytes) need no escape: appended
        // whole, not scalar by scalar (that was 60 % of writing a 50 000-epoch checkpoint).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += s
            out += "\""
            return
        }
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
