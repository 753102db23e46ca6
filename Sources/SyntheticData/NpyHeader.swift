/// The header of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
///
/// Layout: the magic `\x93NUMPY`, major and minor version bytes, the header length (little-endian
/// UInt16 for 1.0, UInt32 for 2.0 and 3.0), then the header: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2), }`, padded with spaces and ended
/// by a newline so that the data start at a multiple of 64 bytes. Version 3.0 only allows UTF-8
/// in the header. The data follow, `shape`'s product of items, with no trailer.
public struct NpyHeader: Sendable, Equatable {
    /// Format major version: 1, 2 or 3.
    public var major: UInt8
    /// Format minor version (0 for every version numpy writes).
    public var minor: UInt8
    /// The dtype string: `<f4` is little-endian float32.
    public var descr: String
    /// True when the data are column-major (Fortran order); Lockstep reads only row-major (false) files.
    public var fortranOrder: Bool
    /// The array's dimensions, outermost first: [rows, features] for X, [rows] for y.
    public var shape: [Int]
    /// Bytes before the data: magic, versions, length field and header.
    public var dataOffset: Int

    /// The six bytes every .npy file starts with.
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Items in the array (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }

    /// Bytes per item of `descr`, when it is a simple numeric type such as `<f4` or `|u1`.
    public var itemSize: Int? {
        guard descr.count >= 3, let n = Int(descr.dropFirst(2)), n > 0, n <= 16 else { return nil }
        return n
    }

    /// Parses the start of a file (at least the magic, the versions and the length field; all of
    /// the header for success). `fileSize` is checked against the header. The message of every
    /// error says what is wrong in terms of the file, never of the parser.
    package static func parse(_ bytes: UnsafeRawBufferPointer, fileSize: Int) throws(NpyProblem) -> NpyHeader {
        guard bytes.count >= 10 else {
            if bytes.count < 6 || !bytes.prefix(6).elementsEqual(magic) { throw .notNpy }
            throw .truncated(need: 10, have: bytes.count)
        }
        guard bytes.prefix(6).elementsEqual(magic) else { throw .notNpy }
        let major = bytes[6], minor = bytes[7]
        guard (major == 1 || major == 2 || major == 3) && minor == 0 else { throw .version(major, minor) }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw .truncated(need: 8 + lengthBytes, have: bytes.count) }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let start = 8 + lengthBytes
        let dataOffset = start + headerLength
        guard dataOffset <= bytes.count else { throw .truncated(need: dataOffset, have: min(bytes.count, fileSize)) }
        let text = Array(bytes[start..<dataOffset])
        if major < 3, text.contains(where: { $0 >= 0x80 }) {
            throw .header("has non-ASCII bytes, which only version 3.0 allows")
        }
        var parser = DictParser(text: text)
        let dict = try parser.parseDict()
        var descr: String?, fortran: Bool?, shape: [Int]?
        for (key, value) in dict {
            switch (key, value) {
            case ("descr", .string(let s)): descr = s
            case ("descr", .list): throw .dtype("a structured dtype")
            case ("fortran_order", .bool(let b)): fortran = b
            case ("shape", .tuple(let t)): shape = t
            case ("descr", _), ("fortran_order", _), ("shape", _):
                throw .header("\(quoted(key)) has the wrong type (descr is a string, fortran_order True or False, shape a tuple)")
            default: throw .header("has an unexpected key \(quoted(key)) (a .npy header has descr, fortran_order and shape)")
            }
        }
        guard let descr else { throw .header("has no 'descr' key") }
        guard let fortran else { throw .header("has no 'fortran_order' key") }
        guard let shape else { throw .header("has no 'shape' key") }
        let header = NpyHeader(
            major: major, minor: minor, descr: descr, fortranOrder: fortran, shape: shape, dataOffset: dataOffset)
        guard let size = header.itemSize else { throw .dtype(quoted(descr)) }
        var items = 1
        for n in shape {
            let (p, o) = items.multipliedReportingOverflow(by: n)
            guard !o else { throw .header("shape \(shape) is too large to address") }
            items = p
        }
        let (dataBytes, o1) = items.multipliedReportingOverflow(by: size)
        let (expected, o2) = dataOffset.addingReportingOverflow(dataBytes)
        guard !o1 && !o2 else { throw .header("shape \(shape) is too large to address") }
        if fileSize != expected { throw .dataSize(expected: expected, actual: fileSize) }
        return header
    }

    /// A version 1.0 header (2.0 if it would not fit) for a C-order array, padded so the data start
    /// at a multiple of `alignment` bytes (numpy.save uses 64; any multiple of 64 is valid).
    public static func encode(descr: String, shape: [Int], alignment: Int = 64) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        for (major, lengthBytes) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let unpadded = 8 + lengthBytes + dict.utf8.count + 1
            let total = (unpadded + alignment - 1) / alignment * alignment
            let headerLength = total - 8 - lengthBytes
            if lengthBytes == 2 && headerLength > 0xFFFF { continue }
            var out = magic + [major, 0]
            for i in 0..<lengthBytes { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
            out += Array(dict.utf8) + [UInt8](repeating: 0x20, count: total - unpadded) + [0x0A]
            return out
        }
        fatalError("unreachable: a version 2.0 header always fits")
    }
}

/// What is wrong with a .npy file; `DataError.npy` adds the path.
public enum NpyProblem: Error, Equatable, CustomStringConvertible {
    /// The file does not start with the .npy magic bytes.
    case notNpy
    /// The file ends early: `need` bytes were required (header or data), only `have` are there.
    case truncated(need: Int, have: Int)
    /// A format version other than 1.0, 2.0 or 3.0 (major, minor).
    case version(UInt8, UInt8)
    /// The header dict cannot be parsed; the string says what is wrong with it.
    case header(String)
    /// A dtype that cannot be used here: the `descr` string, or what the header had instead
    /// ("a structured dtype").
    case dtype(String)
    /// The data after the header are not `shape`'s product of items: `expected` bytes, `actual` found.
    case dataSize(expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .notNpy: return "is not a .npy file (it does not start with \\x93NUMPY); write it with numpy.save"
        case let .truncated(need, have): return "is truncated: its header needs \(need) bytes, the file has \(have)"
        case let .version(a, b): return "has .npy format version \(a).\(b); lockstep reads 1.0, 2.0 and 3.0"
        case let .header(s): return "has a malformed header: it \(s)"
        case let .dtype(s): return "has dtype \(s), which lockstep cannot read; save float32 ('<f4') arrays"
        case let .dataSize(expected, actual):
            return actual < expected
                ? "is truncated: the header promises \(expected) bytes in all, the file has \(actual)"
                : "has \(actual - expected) bytes after the data the header describes (\(expected) bytes in all)"
        }
    }
}

/// A parser of the Python literal subset .npy headers use: a dict of string keys to strings,
/// True/False/None, tuples of integers and lists (only to recognise structured dtypes).
struct DictParser {
    enum Value: Equatable {
        case string(String), bool(Bool), none, tuple([Int]), list
    }

    let text: [UInt8]
    var i = 0

    init(text: [UInt8]) { self.text = text }

    mutating func skipSpace() {
        while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x09 || text[i] == 0x0D { i += 1 }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(NpyProblem) {
        skipSpace()
        guard i < text.count, text[i] == c else { throw .header("is not a dict literal (expected \(what))") }
        i += 1
    }

    mutating func peek() -> UInt8? {
        skipSpace()
        return i < text.count ? text[i] : nil
    }

    mutating func parseDict() throws(NpyProblem) -> [(String, Value)] {
        try expect(0x7B, "'{'")
        var out: [(String, Value)] = []
        while true {
            if peek() == 0x7D { i += 1; break }
            guard case let .string(key) = try parseValue() else { throw .header("has a key that is not a string") }
            if out.contains(where: { $0.0 == key }) { throw .header("repeats the key \(quoted(key))") }
            try expect(0x3A, "':'")
            out.append((key, try parseValue()))
            if peek() == 0x2C { i += 1; continue }
            try expect(0x7D, "',' or '}'")
            break
        }
        skipSpace()
        guard i == text.count else { throw .header("has text after the dict") }
        return out
    }

    mutating func parseValue() throws(NpyProblem) -> Value {
        guard let c = peek() else { throw .header("ends too early") }
        switch c {
        case 0x27, 0x22: return .string(try parseString(quote: c))
        case 0x28: return .tuple(try parseTuple())
        case 0x5B:
            // A structured dtype's list of fields; skip it, brackets balanced.
            var depth = 0
            while i < text.count {
                if text[i] == 0x5B { depth += 1 } else if text[i] == 0x5D { depth -= 1; if depth == 0 { i += 1; return .list } }
                i += 1
            }
            throw .header("has an unclosed '['")
        default:
            for (word, value) in [("True", Value.bool(true)), ("False", .bool(false)), ("None", .none)]
            where text[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return value
            }
            throw .header("has a value that is not a string, True, False or a tuple")
        }
    }

    mutating func parseString(quote: UInt8) throws(NpyProblem) -> String {
        i += 1
        let start = i
        while i < text.count, text[i] != quote {
            if text[i] == 0x5C { throw .header("has an escape in a string") }
            i += 1
        }
        guard i < text.count else { throw .header("has an unterminated string") }
        defer { i += 1 }
        return String(decoding: text[start..<i], as: UTF8.self)
    }

    mutating func parseTuple() throws(NpyProblem) -> [Int] {
        i += 1
        var out: [Int] = []
        while true {
            guard let c = peek() else { throw .header("has an unclosed '('") }
            if c == 0x29 { i += 1; return out }
            guard c >= 0x30 && c <= 0x39 else { throw .header("has a shape entry that is not a whole number >= 0") }
            var n = 0
            while i < text.count, text[i] >= 0x30 && text[i] <= 0x39 {
                let (a, o1) = n.multipliedReportingOverflow(by: 10)
                let (b, o2) = a.addingReportingOverflow(Int(text[i] - 0x30))
                guard !o1 && !o2 else { throw .header("has a shape entry too large to address") }
                n = b
                i += 1
            }
            if i < text.count, text[i] == 0x4C { i += 1 }  // Python 2's long suffix: (3L, 4L)
            out.append(n)
            if peek() == 0x2C { i += 1; continue }
            try expect(0x29, "',' or ')' in the shape")
            return out
        }
    }
}
