import Yams

/// The type of a plain (unquoted, untagged) YAML scalar, by the same rules as Yams's
/// `Resolver.default`, without its regular expressions.
///
/// `Resolver.default` types a plain scalar by trying seven `NSRegularExpression`s in order (bool,
/// int, float, merge, null, timestamp, value; the first that matches the whole text wins, else it
/// is a string). Compiling them at first use made ICU build its regex tables: ~1 ms of every
/// `lockstep train --config` (docs/performance.md, "Start-up"). Here each pattern is written out
/// as a small expression tree that mirrors Yams's pattern text term by term, and matched by
/// tracking every position an expression can end at (so alternation and backtracking give exactly
/// the regex's answer). The config is parsed with `Resolver.basic` (no rules), the plain scalars
/// are given the tag found here, and Yams's own `Constructor` turns the tree into values, as
/// before. `ScalarTypingTests` holds this to `Resolver.default` on every form a config can take
/// and on random strings over the patterns' alphabet.
enum ScalarTyping {
    /// The tag `Resolver.default` gives a plain scalar with text `text`.
    static func tag(of text: String) -> Tag.Name {
        let bytes = Array(text.utf8)
        let ends = anchoredEnds(bytes)
        for (tag, pattern) in rules where matches(pattern, bytes, ends) { return tag }
        return .str
    }

    /// Gives every plain scalar of `node` (tag still implicit) the tag `Resolver.default` would
    /// resolve it to; quoted, block and explicitly tagged scalars, mappings and sequences keep theirs.
    static func typed(_ node: Node, constructor: Constructor) -> Node {
        switch node {
        case let .scalar(s):
            guard s.tag.rawValue == Tag.Name.implicit.rawValue else { return node }
            return .scalar(.init(s.string, Tag(tag(of: s.string), .basic, constructor), s.style, s.mark, s.anchor))
        case let .mapping(m):
            return .mapping(.init(m.map { (typed($0.key, constructor: constructor), typed($0.value, constructor: constructor)) },
                                  m.tag, m.style, m.mark, m.anchor))
        case let .sequence(q):
            return .sequence(.init(q.map { typed($0, constructor: constructor) }, q.tag, q.style, q.mark, q.anchor))
        case .alias:
            return node
        }
    }

    // MARK: - The patterns (Yams 6, Resolver.swift, "Default Resolver Rules"), each `^(?:…)$`

    /// An expression over UTF-8 bytes; every literal byte of the patterns is ASCII.
    indirect enum Pattern: Sendable {
        /// One byte, any of these.
        case byte([UInt8])
        case seq([Pattern])
        case alt([Pattern])
        case repeated(Pattern, min: Int, max: Int?)

        static func lit(_ s: String) -> Pattern { .seq(s.utf8.map { .byte([$0]) }) }
        static func any(of s: String) -> Pattern { .byte(Array(s.utf8)) }
        static func range(_ lo: Character, _ hi: Character) -> Pattern { .byte(Array(lo.asciiValue!...hi.asciiValue!)) }
        static func opt(_ p: Pattern) -> Pattern { .repeated(p, min: 0, max: 1) }
        static func star(_ p: Pattern) -> Pattern { .repeated(p, min: 0, max: nil) }
        static func plus(_ p: Pattern) -> Pattern { .repeated(p, min: 1, max: nil) }
    }

    static let digit = Pattern.range("0", "9")
    /// `[0-9_]`
    static let digitOrUnderscore = Pattern.alt([digit, .lit("_")])
    /// `[-+]`
    static let sign = Pattern.any(of: "-+")

    /// `^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`
    static let bool = Pattern.alt(
        ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"]
            .map(Pattern.lit))

    static let int = Pattern.alt([
        // [-+]?0b[0-1_]+
        .seq([.opt(sign), .lit("0b"), .plus(.any(of: "01_"))]),
        // [-+]?0o?[0-7_]+
        .seq([.opt(sign), .lit("0"), .opt(.lit("o")), .plus(.alt([.range("0", "7"), .lit("_")]))]),
        // [-+]?(?:0|[1-9][0-9_]*)
        .seq([.opt(sign), .alt([.lit("0"), .seq([.range("1", "9"), .star(digitOrUnderscore)])])]),
        // [-+]?0x[0-9a-fA-F_]+
        .seq([.opt(sign), .lit("0x"), .plus(.alt([digit, .range("a", "f"), .range("A", "F"), .lit("_")]))]),
        // [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
        .seq([.opt(sign), .range("1", "9"), .star(digitOrUnderscore), .plus(.seq([.lit(":"), .opt(.range("0", "5")), digit]))]),
    ])

    static let float = Pattern.alt([
        // [-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        .seq([.opt(sign), digit, .star(digitOrUnderscore), .opt(.seq([.lit("."), .star(digitOrUnderscore)])),
              .opt(.seq([.any(of: "eE"), .opt(sign), .plus(digit)]))]),
        // \.[0-9_]+(?:[eE][-+][0-9]+)?
        .seq([.lit("."), .plus(digitOrUnderscore), .opt(.seq([.any(of: "eE"), sign, .plus(digit)]))]),
        // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        .seq([.opt(sign), digit, .star(digitOrUnderscore), .plus(.seq([.lit(":"), .opt(.range("0", "5")), digit])),
              .lit("."), .star(digitOrUnderscore)]),
        // [-+]?\.(?:inf|Inf|INF)
        .seq([.opt(sign), .lit("."), .alt([.lit("inf"), .lit("Inf"), .lit("INF")])]),
        // \.(?:nan|NaN|NAN)
        .seq([.lit("."), .alt([.lit("nan"), .lit("NaN"), .lit("NAN")])]),
    ])

    /// `^(?:<<)$`
    static let merge = Pattern.lit("<<")

    /// `^(?:~|null|Null|NULL|)$` (the empty text too)
    static let null = Pattern.alt([.lit("~"), .lit("null"), .lit("Null"), .lit("NULL"), .seq([])])

    static let timestamp: Pattern = {
        let d = digit
        let d12 = Pattern.repeated(d, min: 1, max: 2)
        let blank = Pattern.any(of: " \t")
        return .alt([
            // [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
            .seq([d, d, d, d, .lit("-"), d, d, .lit("-"), d, d]),
            // [0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]
            //   (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
            .seq([d, d, d, d, .lit("-"), d12, .lit("-"), d12, .alt([.any(of: "Tt"), .plus(blank)]),
                  d12, .lit(":"), d, d, .lit(":"), d, d,
                  .opt(.seq([.lit("."), .star(d)])),
                  .opt(.seq([.star(blank), .alt([.lit("Z"), .seq([sign, d12, .opt(.seq([.lit(":"), d, d]))])])]))]),
        ])
    }()

    /// `^(?:=)$`
    static let value = Pattern.lit("=")

    /// `Resolver.default`'s rules, in its order.
    static let rules: [(Tag.Name, Pattern)] = [
        (.bool, bool), (.int, int), (.float, float), (.merge, merge), (.null, null), (.timestamp, timestamp), (.value, value),
    ]

    // MARK: - Matching

    /// Where a match may end for `$` (ICU, without the multiline option): at the end of the text, or
    /// just before a line terminator that ends it (`\n`, `\u{B}`, `\u{C}`, `\r`, U+0085, U+2028,
    /// U+2029, or `\r\n`; not between the `\r` and `\n` of a final `\r\n`). A plain YAML scalar
    /// never ends in one (the parser folds line breaks away), but the rule is kept exactly.
    static func anchoredEnds(_ b: [UInt8]) -> [Int] {
        let n = b.count
        var ends = [n]
        guard n > 0 else { return ends }
        let last = b[n - 1]
        if last == 0x0A {
            if n >= 2, b[n - 2] == 0x0D { ends.append(n - 2) } else { ends.append(n - 1) }
        } else if last == 0x0B || last == 0x0C || last == 0x0D {
            ends.append(n - 1)
        } else if n >= 2, b[n - 2] == 0xC2, last == 0x85 {
            ends.append(n - 2)
        } else if n >= 3, b[n - 3] == 0xE2, b[n - 2] == 0x80, last == 0xA8 || last == 0xA9 {
            ends.append(n - 3)
        }
        return ends
    }

    static func matches(_ p: Pattern, _ b: [UInt8], _ ends: [Int]) -> Bool {
        let reached = positions(after: p, from: [0], in: b)
        return ends.contains { reached.contains($0) }
    }

    /// Every position `p` can end at, starting from any of `starts`.
    static func positions(after p: Pattern, from starts: Set<Int>, in b: [UInt8]) -> Set<Int> {
        if starts.isEmpty { return [] }
        switch p {
        case let .byte(set):
            var out = Set<Int>()
            for i in starts where i < b.count && set.contains(b[i]) { out.insert(i + 1) }
            return out
        case let .seq(parts):
            var cur = starts
            for part in parts {
                cur = positions(after: part, from: cur, in: b)
                if cur.isEmpty { break }
            }
            return cur
        case let .alt(choices):
            var out = Set<Int>()
            for c in choices { out.formUnion(positions(after: c, from: starts, in: b)) }
            return out
        case let .repeated(inner, min, max):
            var cur = starts
            for _ in 0..<min {
                cur = positions(after: inner, from: cur, in: b)
                if cur.isEmpty { return [] }
            }
            // Then breadth first, one more repetition at a time: a position reached again later
            // (with fewer repetitions left) adds nothing, so only new positions go on.
            var out = cur
            var frontier = cur
            var more = 0
            while !frontier.isEmpty, max.map({ more < $0 - min }) ?? true {
                let next = positions(after: inner, from: frontier, in: b)
                frontier = next.subtracting(out)
                out.formUnion(next)
                more += 1
            }
            return out
        }
    }
}
