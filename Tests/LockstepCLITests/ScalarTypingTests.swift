@testable import ConfigLoading
import Foundation
import Testing
import Yams

/// The config's YAML scalars are typed by `ScalarTyping` instead of Yams's regular-expression
/// `Resolver.default` (start-up: the regexes cost ~1 ms at first use). These tests hold the two to
/// the same answer: tag by tag for every scalar form, on random strings over the patterns'
/// alphabet, and value by value for whole documents against `Yams.load`.
@Suite("Config scalar typing") struct ScalarTypingTests {
    static func yamsTag(_ s: String) -> Yams.Tag.Name { Resolver.default.resolveTag(of: Node(s)) }

    /// Every form a config value takes, and the edges of each of Yams's seven rules.
    static let forms: [String] = [
        // ints (decimal, signs, underscores, octal, hex, binary, sexagesimal)
        "0", "1", "-1", "+1", "42", "1000", "1_000", "-0", "+0", "00", "007", "0o17", "0o", "0o8", "08", "09", "017", "0_7",
        "0x1F", "0x", "-0xff", "0xg", "0b101", "0b", "0b2", "+0b1_0", "1:30", "1:60", "1:5", "190:20:30", "0:30", "1::30", "1:",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551615", "99999999999999999999",
        // floats (the d2l lesson's -3.4, 1e-3, exponents, leading dot, .inf / .nan, sexagesimal)
        "-3.4", "4.2", "0.01", "0.03", "1.", "1.5", "1e-3", "1E-3", "1e3", "1e+3", "1.5e10", "1.5e", "1e", "e3", ".5", "-.5",
        "+.5", ".5e3", ".5e-3", ".5e+3", "._5", ".", "..5", "1.2.3", "1_0.5_0", "1__", "_1", "1_", "0.", "-0.0", "1.e5",
        ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".iNf", "inf", "Infinity", ".nan", ".NaN", ".NAN", "-.nan", "nan",
        "190:20:30.15", "1:30.", "1:30.5e3",
        // bools (YAML 1.1 words Yams accepts, and near misses)
        "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
        "off", "Off", "OFF", "y", "n", "Y", "N", "t", "f", "truee", "tru", "oN",
        // nulls
        "~", "null", "Null", "NULL", "nULL", "", "~~", "none", "None",
        // timestamps
        "2001-12-14", "2001-12-1", "2001-1-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43Z",
        "2001-12-14 21:59:43.10 -5", "2001-12-14\t21:59:43", "2001-12-14  21:59:43 +05:30", "2001-12-14 2:59:43",
        "2001-12-14 21:59", "2001-12-14T21:59:43.Z", "2001-12-14T21:59:43 Z", "20011-12-14",
        // merge and value
        "<<", "<", "<<<", "=", "==",
        // strings a config uses
        "auto", "full", "squared", "mse", "normal", "data/line50.csv", "y", "cosine", "exact", "x y", "1 2", "-", "+", "a:b",
        // surrounding blanks, non-ASCII digits and letters
        " 1", "1 ", " true", "١", "１", "1٫5", "é", "trüe",
        // a final line terminator (ICU's `$` matches before it; a plain scalar never has one)
        "1\n", "true\n", "1\r\n", "1\r", "1\n\n", "1\r\r\n", "\n", "\r\n", "1\u{0B}", "1\u{0C}", "1\u{85}", "1\u{2028}", "1\u{2029}",
        "~\n", "\n1", "1\n2", "1\u{2028}\n", "1\n\r",
    ]

    @Test func everyFormGetsYamssTag() {
        for s in Self.forms {
            #expect(ScalarTyping.tag(of: s) == Self.yamsTag(s), "\(s.debugDescription)")
        }
    }

    @Test func theTagsAreTheExpectedOnes() {
        // Spot checks that do not depend on Yams (a Yams upgrade that changes its rules shows here).
        let expected: [(String, Yams.Tag.Name)] = [
            ("1", .int), ("-3.4", .float), ("1e-3", .float), (".inf", .float), ("true", .bool), ("on", .bool), ("~", .null),
            ("", .null), ("0x1F", .int), ("<<", .merge), ("=", .value), ("2001-12-14", .timestamp), ("auto", .str), (".5e3", .str),
            ("-.5", .str), ("09", .float),
        ]
        for (s, tag) in expected { #expect(ScalarTyping.tag(of: s) == tag, "\(s.debugDescription)") }
    }

    @Test func randomStringsGetYamssTag() {
        // Over the characters the patterns test, so that near misses are common.
        let alphabet = Array("0123456789+-._:eExXoObBtTZnNaAfFiIlLrRsuUyY~<= \t\n\r\u{85}\u{2028}")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let n = Int(next() % 11)
            var s = ""
            for _ in 0..<n { s.append(alphabet[Int(next() % UInt64(alphabet.count))]) }
            // Mutations of the known forms too (one character replaced, inserted or dropped).
            if next() % 2 == 0 {
                var f = Array(Self.forms[Int(next() % UInt64(Self.forms.count))])
                let c = alphabet[Int(next() % UInt64(alphabet.count))]
                switch next() % 3 {
                case 0 where !f.isEmpty: f[Int(next() % UInt64(f.count))] = c
                case 1: f.insert(c, at: Int(next() % UInt64(f.count + 1)))
                default: if !f.isEmpty { f.remove(at: Int(next() % UInt64(f.count))) }
                }
                s = String(f)
            }
            if ScalarTyping.tag(of: s) != Self.yamsTag(s) { mismatches.append(s) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map(\.debugDescription))")
    }

    /// `ConfigFile.values` against `Yams.load` (the old path) for whole documents.
    static let documents: [String] = [
        try! String(contentsOfFile: CLITests.root.appendingPathComponent("configs/d2l-scratch.yaml").path, encoding: .utf8),
        try! String(contentsOfFile: CLITests.root.appendingPathComponent("configs/line50.yaml").path, encoding: .utf8),
        "optimizer: {lr: 1e-3, momentum: .9}\ntraining: {epochs: 1_000, seed: 18446744073709551615, threads: auto}\n",
        "a: [1, -2, +3, 0x10, 0o7, 017, 0b11, 1:30, 1.5, .5, -.inf, .nan, 1e3, 2001-12-14]\n",
        "a: [true, False, yes, NO, on, Off, ~, null, '', \"\", 'true', \"1\", !!str 1, !!int \"3\", !!float 2]\n",
        "a: |\n  1\nb: >\n  true\nc: plain text here\nd:\ne: ~\n",
        "base: &b {lr: 0.5, momentum: 0}\nmerged: {<<: *b, lr: 0.1}\nlist: [*b, *b]\n",
        "m: {<<: [{a: 1}, {b: 2}], c: 3}\n",
        "v: {=: 5, x: 1}\n",
        "k: {1: one, 2.5: two, true: three, ~: four}\n",
        "dup: {1: a, \"1\": b}\n",
        "s: !!set {a, b}\n",
        "{\"data\": {\"synthetic\": {\"rows\": 10, \"weights\": [1, 2.5e-1]}}, \"loss\": \"mse\"}\n",
        "? plain\n: 1\n",
        "t: 2001-12-14t21:59:43.10-05:00\n",
    ]

    @Test func documentsGiveTheValuesYamsLoadGave() throws {
        for doc in Self.documents {
            let old = try Yams.load(yaml: doc)
            let new = try ConfigFile.values(doc, file: "t.yaml")
            #expect(Self.same(old, new), "\(doc.debugDescription): \(String(describing: old)) vs \(String(describing: new))")
        }
    }

    @Test func duplicateKeysAreRefusedAsBefore() {
        // Same text, same tag: refused by Yams before and now, with its message.
        let doc = "a: 1\na: 2\n"
        #expect(throws: (any Error).self) { try Yams.load(yaml: doc) }
        #expect { try ConfigFile.values(doc, file: "t.yaml") } throws: { e in
            "\(e)".contains("t.yaml: not valid YAML or JSON") && "\(e)".contains("duplicate")
        }
    }

    /// Structural equality of two `Yams.load` results (NaN equal to NaN).
    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x as [AnyHashable: Any], y as [AnyHashable: Any]):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (x as Set<AnyHashable>, y as Set<AnyHashable>): return x == y
        case let (x as Bool, y as Bool): return x == y
        case let (x as Int, y as Int): return x == y
        case let (x as Double, y as Double): return x == y || (x.isNaN && y.isNaN)
        case let (x as String, y as String): return x == y
        case (is NSNull, is NSNull): return true
        case let (x as Date, y as Date): return x == y
        default:
            // Same dynamic type and description (anything else Yams constructs).
            guard let a, let b else { return false }
            return type(of: a) == type(of: b) && "\(a)" == "\(b)"
        }
    }
}
