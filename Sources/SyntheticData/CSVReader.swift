#if canImport(Glibc)
    import Glibc
#endif

/// Reads the records of a CSV file's bytes (RFC 4180, UTF-8), one at a time, without making a
/// String per field.
///
/// Fields are separated by commas and may be enclosed in double quotes, inside which `""` is a
/// quote and commas and line endings are text. Records end at LF, CRLF or a lone CR (Excel and
/// Python's csv module write CRLF, classic Mac files CR). A UTF-8 byte order mark is skipped;
/// spaces and tabs around a field (outside its quotes) are dropped; blank lines and lines whose
/// first non-blank character is `#` are skipped. Line numbers are the file's own, from 1, counting
/// skipped lines and the lines inside quoted fields, so an editor's "go to line" finds them.
///
/// The caller keeps `bytes` alive while the reader is used. Rejected: splitting a String on "\n"
/// and "," (what the loader did before): Swift's "\r\n" is one Character, so CRLF files did not
/// split at all, quotes were not understood, and a String, its lines and their fields were held
/// at once.
struct CSVReader {
    /// Where a field's text is: `count` bytes at `start` of the file, or of `scratch` when the
    /// field had `""` escapes to undo.
    struct Field {
        var start: Int
        var count: Int
        var inScratch: Bool
    }

    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let path: String
    private var position: Int
    private var line = 1
    /// The file line on which the last record read starts.
    private(set) var recordLine = 0
    /// The fields of the last record read.
    private(set) var fields: [Field] = []
    /// Unescaped text of the last record's quoted fields that had `""` in them.
    private var scratch: [UInt8] = []
    /// Whether the last record ended at the end of the bytes without a line ending.
    private(set) var endedAtEnd = false

    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r"), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    private static let hash = UInt8(ascii: "#")

    /// A reader of `bytes` (the whole file, or its start), naming `path` in its errors.
    init(bytes: UnsafeRawBufferPointer, path: String) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        end = bytes.count
        self.path = path
        position = end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
    }

    /// Reads the next record into `fields`; false at the end of the file.
    mutating func next() throws(DataError) -> Bool {
        fields.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        guard skipBlankAndCommentLines() else { return false }
        recordLine = line
        var p = position
        while true {
            while p < end && (base[p] == Self.space || base[p] == Self.tab) { p += 1 }
            if p < end && base[p] == Self.quote {
                p = try quotedField(from: p)
            } else {
                let start = p
                while p < end {
                    let c = base[p]
                    if c == Self.comma || c == Self.lf || c == Self.cr { break }
                    p += 1
                }
                var stop = p
                while stop > start && (base[stop - 1] == Self.space || base[stop - 1] == Self.tab) { stop -= 1 }
                fields.append(Field(start: start, count: stop - start, inScratch: false))
            }
            if p < end && base[p] == Self.comma {
                p += 1
                continue
            }
            endedAtEnd = p == end
            position = endOfLine(p)
            return true
        }
    }

    /// The bytes of field `i` of the last record (quotes removed, `""` undone).
    func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws(DataError) -> R) throws(DataError) -> R {
        let f = fields[i]
        if f.inScratch {
            return try scratch.withUnsafeBufferPointer { (s) throws(DataError) -> R in
                try body(UnsafeBufferPointer(rebasing: s[f.start..<f.start + f.count]))
            }
        }
        return try body(UnsafeBufferPointer(start: base + f.start, count: f.count))
    }

    /// Field `i` of the last record as text (invalid UTF-8 replaced by U+FFFD).
    func string(_ i: Int) -> String {
        (try? withField(i) { (b) throws(DataError) in String(decoding: b, as: UTF8.self) }) ?? ""
    }

    /// Field `i` as a float32 (Swift's `Float(String)`, without the String), nil when it is not a
    /// whole number. `buffer` holds at least `Self.numberBufferSize` bytes.
    func float(_ i: Int, buffer: UnsafeMutablePointer<CChar>) -> Float? {
        let f = fields[i]
        guard f.count > 0 else { return nil }
        guard f.count < Self.numberBufferSize else { return Float(string(i)) }
        let first = f.inScratch ? nil : base + f.start
        if let first {
            UnsafeMutableRawPointer(buffer).copyMemory(from: first, byteCount: f.count)
        } else {
            scratch.withUnsafeBytes { s in
                UnsafeMutableRawPointer(buffer).copyMemory(from: s.baseAddress! + f.start, byteCount: f.count)
            }
        }
        buffer[f.count] = 0
        // strtof skips leading white space and reads hex and "inf"; Float(String) takes those too.
        guard buffer[0] > 32 else { return nil }
        var stop: UnsafeMutablePointer<CChar>?
        let v = strtof(buffer, &stop)
        return stop == buffer + f.count ? v : nil
    }

    /// Bytes `float(_:buffer:)` needs: any real number is shorter.
    static let numberBufferSize = 128

    /// `text` in single quotes, cut to 80 characters with "…", for messages (the package's `quoted`).
    static func quoted(_ text: String) -> String { SyntheticData.quoted(text) }

    /// Skips lines that are blank or comments; false at the end of the bytes.
    private mutating func skipBlankAndCommentLines() -> Bool {
        while true {
            var p = position
            while p < end && (base[p] == Self.space || base[p] == Self.tab) { p += 1 }
            guard p < end else {
                position = end
                return false
            }
            if base[p] == Self.hash {
                while p < end && base[p] != Self.lf && base[p] != Self.cr { p += 1 }
            } else if base[p] != Self.lf && base[p] != Self.cr {
                return true
            }
            position = endOfLine(p)
        }
    }

    /// Past the line ending at `p` (LF, CRLF or CR; nothing at the end), counting the line.
    private mutating func endOfLine(_ p: Int) -> Int {
        guard p < end else { return end }
        line += 1
        if base[p] == Self.cr && p + 1 < end && base[p + 1] == Self.lf { return p + 2 }
        return p + 1
    }

    /// Reads the quoted field whose opening quote is at `p`; returns the position after it and
    /// any blanks that follow.
    private mutating func quotedField(from open: Int) throws(DataError) -> Int {
        let openLine = line
        var p = open + 1
        let start = p
        var escaped = false
        while true {
            guard p < end else {
                throw .malformedCSV(
                    path: path, line: openLine,
                    reason: "the quoted field that opens on line \(openLine) (field \(fields.count + 1) of the record) "
                        + "is never closed; end it with a \" (a quote inside a quoted field is written \"\")")
            }
            let c = base[p]
            if c == Self.quote {
                if p + 1 < end && base[p + 1] == Self.quote {
                    escaped = true
                    p += 2
                    continue
                }
                break
            }
            if c == Self.lf {
                line += 1
            } else if c == Self.cr {
                line += 1
                if p + 1 < end && base[p + 1] == Self.lf { p += 1 }
            }
            p += 1
        }
        let stop = p
        p += 1
        while p < end && (base[p] == Self.space || base[p] == Self.tab) { p += 1 }
        if p < end && base[p] != Self.comma && base[p] != Self.lf && base[p] != Self.cr {
            throw .malformedCSV(
                path: path, line: line,
                reason: "text after the closing quote of field \(fields.count + 1); enclose the whole field in quotes "
                    + "and write a quote inside it as \"\"")
        }
        if escaped {
            let s = scratch.count
            var i = start
            while i < stop {
                scratch.append(base[i])
                i += base[i] == Self.quote ? 2 : 1
            }
            fields.append(Field(start: s, count: scratch.count - s, inScratch: true))
        } else {
            fields.append(Field(start: start, count: stop - start, inScratch: false))
        }
        return p
    }
}
