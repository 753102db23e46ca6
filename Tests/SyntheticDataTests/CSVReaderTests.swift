import Foundation
import SyntheticData
import TestSupport
import Testing

/// The CSV loader's parsing (RFC 4180 over bytes): each case is read with LF, CRLF and lone CR
/// line endings, which must give the same data, names and errors (with the same file lines).
@Suite("CSV reader") struct CSVReaderTests {
    enum Expected: Sendable {
        /// The header's (or index) names, X row-major and y.
        case data(names: [String], x: [Float], y: [Float])
        /// A `malformedCSV` on this file line whose reason contains the text.
        case error(line: Int, containing: String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The file, with "\n" for each line ending (replaced by the ending under test).
        var text: String
        var header = true
        var target: String? = "y"
        var features: [String]? = nil
        var expected: Expected
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain", text: "x1,x2,y\n1,2,3\n4,5,6\n", expected: .data(names: ["x1", "x2", "y"], x: [1, 2, 4, 5], y: [3, 6])),
        Case(name: "no final line ending", text: "x1,y\n1,2\n3,4", expected: .data(names: ["x1", "y"], x: [1, 3], y: [2, 4])),
        Case(
            name: "quoted header (R's write.csv)", text: "\"x1\",\"y\"\n1,2\n3,4\n",
            expected: .data(names: ["x1", "y"], x: [1, 3], y: [2, 4])),
        Case(name: "quoted numbers", text: "x1,y\n\"1.5\",\"-2\"\n", expected: .data(names: ["x1", "y"], x: [1.5], y: [-2])),
        Case(
            name: "quoted names with a comma, a line break and a quote", text: "\"a,b\",\"c\nd\",\"e\"\"f\",y\n1,2,3,4\n",
            expected: .data(names: ["a,b", "c\nd", "e\"f", "y"], x: [1, 2, 3], y: [4])),
        Case(name: "UTF-8 byte order mark", text: "\u{FEFF}x1,y\n1,2\n", expected: .data(names: ["x1", "y"], x: [1], y: [2])),
        Case(
            name: "spaces and tabs around fields", text: " x1 ,\t\"y\" \n 1 ,\t2\t\n",
            expected: .data(names: ["x1", "y"], x: [1], y: [2])),
        Case(
            name: "comments and blank lines", text: "# made by hand\n\nx1,y\n   \n# a note\n1,2\n\n3,4\n\n",
            expected: .data(names: ["x1", "y"], x: [1, 3], y: [2, 4])),
        Case(
            name: "header: false", text: "1,2,3\n4,5,6\n", header: false, target: "2",
            expected: .data(names: ["0", "1", "2"], x: [1, 2, 4, 5], y: [3, 6])),
        Case(
            name: "header: false, features by index", text: "1,2,3\n4,5,6\n", header: false, target: "0", features: ["2"],
            expected: .data(names: ["0", "1", "2"], x: [3, 6], y: [1, 4])),
        Case(name: "unterminated quote", text: "x1,y\n1,2\n\"3,4\n5,6\n", expected: .error(line: 3, containing: "is never closed")),
        Case(
            name: "line numbers count the line breaks inside quotes", text: "\"a\nb\",y\n1,oops\n",
            expected: .error(line: 3, containing: "'oops' in column 'y' is not a number")),
        Case(
            name: "line numbers count comments and blank lines", text: "# c\nx1,y\n\n1,z\n",
            expected: .error(line: 4, containing: "'z' in column 'y' is not a number")),
        Case(
            name: "duplicate column", text: "y,x,y\n1,2,3\n",
            expected: .error(line: 1, containing: "the header names two columns 'y', columns 1 and 3 (counting from 1)")),
        Case(
            name: "target among the features", text: "x,y\n1,2\n", features: ["x", "y"],
            expected: .error(line: 1, containing: "the target column 'y' is also listed among the features")),
        Case(
            name: "a first line of numbers", text: "1,2\n3,4\n",
            expected: .error(line: 1, containing: "the first line looks like data; set header: false")),
        Case(
            name: "text after a closing quote", text: "\"a\"b,y\n1,2\n",
            expected: .error(line: 1, containing: "text after the closing quote of field 1")),
        Case(
            name: "a short record with header: false", text: "1,2\n3\n", header: false, target: "1",
            expected: .error(line: 2, containing: "1 fields, but the first record has 2")),
        Case(
            name: "an unnamed column (row numbers)", text: "\"\",\"x\",\"y\"\n\"1\",2,3\n",
            expected: .error(line: 1, containing: "column 1 (counting from 1) has no name")),
    ]

    static func temp(_ bytes: Data) throws -> String {
        let path = NSTemporaryDirectory() + "lockstep-csv-\(UUID().uuidString).csv"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: cases, ["\n", "\r\n", "\r"])
    func readsTheSameWithEveryLineEnding(_ c: Case, ending: String) throws {
        let path = try Self.temp(Data(c.text.replacingOccurrences(of: "\n", with: ending).utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        switch c.expected {
        case let .data(names, x, y):
            let d = try Dataset.loadCSV(path: path, target: c.target, features: c.features, header: c.header)
            #expect(d.rows == y.count && d.features == x.count / y.count)
            #expect(Array(UnsafeBufferPointer(start: d.x, count: d.rows * d.features)) == x)
            #expect(Array(UnsafeBufferPointer(start: d.y, count: d.rows)) == y)
            #expect(try Dataset.csvHeader(path: path, header: c.header) == names.map { $0.replacingOccurrences(of: "\n", with: ending) })
        case let .error(line, text):
            let error = #expect(throws: DataError.self) {
                try Dataset.loadCSV(path: path, target: c.target, features: c.features, header: c.header)
            }
            guard case let .malformedCSV(p, l, reason)? = error else {
                Issue.record("expected a malformed CSV error on line \(line), got \(String(describing: error))")
                return
            }
            #expect(p == path && l == line && reason.contains(text), "line \(l): \(reason)")
        }
    }

    /// A message quotes at most ~80 characters of a value or name, however long it is.
    @Test func messagesQuoteAtMost80Characters() throws {
        let long = String(repeating: "a", count: 1 << 20)
        for text in ["x,y\n1," + long + "\n", long + ",y\n1z,2\n", "x,\(long)\n1,2\n"] {
            let path = try Self.temp(Data(text.utf8))
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try Dataset.loadCSV(path: path)
                Issue.record("loaded")
            } catch {
                #expect(error.description.count < 400 && error.description.contains("…"), "\(error.description.prefix(400))")
            }
        }
    }

    /// What Python's csv module writes (CRLF line endings, a quoted name with a comma) reads as the
    /// same data as the LF file of the same values.
    @Test func readsPythonsCSVWriter() throws {
        let dir = tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try python(
            """
            import csv, random
            random.seed(3)
            rows = [[random.uniform(-5, 5) for _ in range(3)] for _ in range(200)]
            with open('\(dir)/crlf.csv', 'w', newline='') as f:
                w = csv.writer(f)
                w.writerow(['rooms', 'size, m²', 'y'])
                w.writerows(rows)
            with open('\(dir)/lf.csv', 'w') as f:
                f.write('rooms,size m2,y\\n' + ''.join(','.join(repr(v) for v in r) + '\\n' for r in rows))
            """)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/crlf.csv")).contains(Data("\r\n".utf8)))
        let crlf = try Dataset.loadCSV(path: dir + "/crlf.csv"), lf = try Dataset.loadCSV(path: dir + "/lf.csv")
        #expect(crlf.rows == 200 && crlf.features == 2)
        #expect(bytesOf(crlf.x, 400) == bytesOf(lf.x, 400) && bytesOf(crlf.y, 200) == bytesOf(lf.y, 200))
        #expect(try Dataset.csvHeader(path: dir + "/crlf.csv") == ["rooms", "size, m²", "y"])
    }

    /// Values read from bytes are Swift's `Float(String)`, bit for bit (in a CRLF file).
    @Test func numbersAreReadAsFloatOfTheirText() throws {
        let texts = ["0", "-0", "1e-45", "3.4028235e38", "0.1", "+2.5", "1.00000005960464477539", "0x1.8p1", "7E3", "123456789012345678901234567890"]
        let path = try Self.temp(Data(("y\r\n" + texts.joined(separator: "\r\n") + "\r\n").utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let d = try Dataset.loadCSV(path: path, target: nil, features: ["y"])
        for (i, t) in texts.enumerated() { #expect(d.x[i].bitPattern == Float(t)!.bitPattern, "\(t)") }
    }
}
