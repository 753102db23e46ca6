/// An SVG document written as text: shapes in user units (pixels), attributes escaped, numbers
/// rounded to 0.01 px so files stay small and diff cleanly.
///
/// Only the SVG 1.1 subset every renderer draws (librsvg, browsers): `rect`, `line`, `polyline`,
/// `circle`, `path`, `text`, `g`, `clipPath`. Fonts are generic families, so no font files are needed.
package struct SVGCanvas: Sendable {
    package let width: Double
    package let height: Double
    private var body: [String] = []
    private var defs: [String] = []

    package init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The finished document.
    package var text: String {
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" \
            viewBox="0 0 \(n(width)) \(n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">

            """
        if !defs.isEmpty { out += "<defs>\n" + defs.joined(separator: "\n") + "\n</defs>\n" }
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += body.joined(separator: "\n")
        out += "\n</svg>\n"
        return out
    }

    /// A rectangle; `className` becomes its `class` attribute, `tooltip` a `<title>` child (shown on hover).
    package mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil, opacity: Double = 1,
        className: String? = nil, tooltip: String? = nil
    ) {
        var a = "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\""
        if let stroke { a += " stroke=\"\(stroke)\"" }
        if opacity < 1 { a += " fill-opacity=\"\(n(opacity))\"" }
        if let className { a += " class=\"\(Self.escape(className))\"" }
        if let tooltip {
            body.append(a + "><title>\(Self.escape(tooltip))</title></rect>")
        } else {
            body.append(a + "/>")
        }
    }

    package mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        var a = "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        body.append(a + "/>")
    }

    package mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil, clip: String? = nil) {
        guard points.count >= 2 else { return }
        let coords = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        var a = "<polyline points=\"\(coords)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        if let clip { a += " clip-path=\"url(#\(clip))\"" }
        body.append(a + "/>")
    }

    /// Many circles of one style in one group.
    package mutating func circles(_ points: [(Double, Double)], radius: Double, fill: String, opacity: Double = 1, stroke: String? = nil, clip: String? = nil) {
        guard !points.isEmpty else { return }
        var g = "<g fill=\"\(fill)\""
        if opacity < 1 { g += " fill-opacity=\"\(n(opacity))\"" }
        if let stroke { g += " stroke=\"\(stroke)\" stroke-width=\"1\"" }
        if let clip { g += " clip-path=\"url(#\(clip))\"" }
        g += ">"
        body.append(g + points.map { "<circle cx=\"\(n($0.0))\" cy=\"\($0.1.isFinite ? n($0.1) : "0")\" r=\"\(n(radius))\"/>" }.joined())
        body.append("</g>")
    }

    package enum Anchor: String, Sendable { case start, middle, end }

    /// Text with its baseline at y (or centred on it when `vertical` is true); `rotate` in degrees.
    package mutating func text(
        _ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, weight: String? = nil,
        fill: String = "#222", rotate: Double? = nil
    ) {
        var a = "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if let weight { a += " font-weight=\"\(weight)\"" }
        if let rotate { a += " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\"" }
        body.append(a + ">\(Self.escape(s))</text>")
    }

    /// A rectangular clip region referenced by `clip:` arguments.
    package mutating func clipRect(id: String, x: Double, y: Double, width: Double, height: Double) {
        defs.append("<clipPath id=\"\(id)\"><rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\"/></clipPath>")
    }

    package static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate as text: at most two decimals, no trailing zeros.
    func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (min(max(v, -1e7), 1e7) * 100).rounded() / 100
        if r == r.rounded() && abs(r) < 1e15 { return String(Int(r)) }
        var s = String(r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
