/// One chart: axes with ticks, grid and labels, a title, data series, reference lines, a legend and
/// a box of notes. Render it alone (`svg()`) or as a panel of a `Figure`.
public struct Chart: Sendable {
    /// A data point in the data's units.
    public struct Point: Sendable, Equatable {
        /// The horizontal value.
        public var x: Double
        /// The vertical value.
        public var y: Double
        /// The point (x, y).
        public init(_ x: Double, _ y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// How a series is drawn.
    public enum Style: Sendable, Equatable {
        /// Points joined by a line.
        case line
        /// Points joined by a line, each marked with a dot.
        case lineAndMarkers
        /// Dots only, semi-transparent so dense clouds show their density.
        case scatter
        /// y = slope·x + intercept across the whole x axis (the points are ignored).
        case straight(slope: Double, intercept: Double)
    }

    /// One labelled set of points drawn in one colour and style.
    public struct Series: Sendable {
        /// The legend's text (nil: not in the legend).
        public var label: String?
        /// The points, in drawing order (a line joins them in this order).
        public var points: [Point]
        /// An SVG colour, e.g. `Chart.blue` or `"#333"`.
        public var color: String
        /// Line, line with markers, scatter, or a straight reference line.
        public var style: Style
        /// Draw the line dashed (e.g. a validation curve beside the training one).
        public var dashed: Bool

        /// A series with these points and looks.
        public init(_ label: String?, points: [Point], color: String, style: Style = .line, dashed: Bool = false) {
            self.label = label
            self.points = points
            self.color = color
            self.style = style
            self.dashed = dashed
        }
    }

    /// A corner of the plot area, for the legend and the notes box.
    public enum Corner: Sendable {
        /// Above left.
        case topLeft
        /// Above right.
        case topRight
        /// Below left.
        case bottomLeft
        /// Below right.
        case bottomRight
    }

    /// The title above the plot.
    public var title: String
    /// The horizontal axis's label.
    public var xLabel: String
    /// The vertical axis's label.
    public var yLabel: String
    /// The data, drawn in order (later series on top).
    public var series: [Series] = []
    /// Linear or logarithmic horizontal axis.
    public var xScale: Scale.Kind = .linear
    /// Linear or logarithmic vertical axis.
    public var yScale: Scale.Kind = .linear
    /// Values the axes must show even without data there (e.g. 0, or a ceiling).
    public var xInclude: [Double] = []
    /// Values the vertical axis must show (as `xInclude`).
    public var yInclude: [Double] = []
    /// Ticks only at whole numbers on the horizontal axis (epochs, threads).
    public var xIntegerTicks = false
    /// Lines of text in a box inside the plot (the fitted values, the final loss, …).
    public var notes: [String] = []
    /// Where the notes box goes.
    public var notesCorner: Corner = .bottomRight
    /// Where the legend goes.
    public var legendCorner: Corner = .topLeft
    /// Dotted vertical lines with a label at the top (e.g. the number of cores).
    public var verticalMarkers: [(x: Double, label: String)] = []

    /// An empty chart with these texts; add `series`.
    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The colours of the charts Lockstep draws (matplotlib's tab10 palette).
    public static let blue = "#1f77b4", orange = "#ff7f0e", green = "#2ca02c", red = "#d62728", purple = "#9467bd", grey = "#7f7f7f"

    /// The chart alone as an SVG document.
    public func svg(width: Double = 640, height: Double = 420) -> String {
        var canvas = SVGCanvas(width: width, height: height)
        render(into: &canvas, x: 0, y: 0, width: width, height: height, id: "p0")
        return canvas.text
    }

    /// The data-driven scales for a plot area.
    package func scales(plotX: Double, plotY: Double, plotWidth: Double, plotHeight: Double) -> (x: Scale, y: Scale) {
        let data = series.filter { if case .straight = $0.style { return false }; return true }.flatMap(\.points)
        let xs = Scale(
            values: data.map(\.x), to: (plotX, plotX + plotWidth), kind: xScale, include: xInclude, integerTicks: xIntegerTicks)
        var ys = data.map(\.y)
        for s in series {
            if case let .straight(slope, intercept) = s.style {
                ys += [slope * xs.domain.lowerBound + intercept, slope * xs.domain.upperBound + intercept]
            }
        }
        let yScaleValues = Scale(values: ys, to: (plotY + plotHeight, plotY), kind: yScale, include: yInclude)
        return (xs, yScaleValues)
    }

    /// Space around the plot area for the title, ticks and axis labels: left, right, top, bottom.
    public static let margins = (left: 70.0, right: 18.0, top: 36.0, bottom: 48.0)

    /// Draws the chart in the box (x, y, width, height) of `canvas`; `id` names its clip region.
    package func render(into canvas: inout SVGCanvas, x: Double, y: Double, width: Double, height: Double, id: String) {
        let (minLeft, right, top, bottom) = Self.margins
        // The left margin fits the widest y tick label (labels do not depend on the pixels).
        let probe = scales(plotX: 0, plotY: 0, plotWidth: 100, plotHeight: 100).y
        let widest = probe.ticks.map { Self.textWidth(probe.label($0), size: 11.5) }.max() ?? 0
        let left = max(minLeft, 30 + 8 + widest + 4)
        let px = x + left, py = y + top, pw = max(10, width - left - right), ph = max(10, height - top - bottom)
        let (sx, sy) = scales(plotX: px, plotY: py, plotWidth: pw, plotHeight: ph)
        canvas.clipRect(id: id, x: px, y: py, width: pw, height: ph)
        canvas.text(title, x: x + width / 2, y: y + 22, size: 15, anchor: .middle, weight: "bold")
        // Grid and ticks.
        for t in sx.ticks {
            let p = sx.pixel(t)
            canvas.line(p, py, p, py + ph, stroke: "#e6e6e6")
            canvas.line(p, py + ph, p, py + ph + 5, stroke: "#444")
            canvas.text(sx.label(t), x: p, y: py + ph + 18, size: 11.5, anchor: .middle, fill: "#444")
        }
        for t in sy.ticks {
            let p = sy.pixel(t)
            canvas.line(px, p, px + pw, p, stroke: "#e6e6e6")
            canvas.line(px - 5, p, px, p, stroke: "#444")
            canvas.text(sy.label(t), x: px - 8, y: p + 4, size: 11.5, anchor: .end, fill: "#444")
        }
        canvas.rect(x: px, y: py, width: pw, height: ph, fill: "none", stroke: "#444")
        canvas.text(xLabel, x: px + pw / 2, y: y + height - 10, size: 13, anchor: .middle)
        canvas.text(yLabel, x: x + 16, y: py + ph / 2, size: 13, anchor: .middle, rotate: -90)
        for m in verticalMarkers where sx.domain.contains(m.x) {
            let p = sx.pixel(m.x)
            canvas.line(p, py, p, py + ph, stroke: "#999", width: 1.2, dash: "2 3")
            // Right of the line, or left of it when it would run past the frame ("2 cores" at the end).
            let fits = p + 4 + Self.textWidth(m.label, size: 11.5) <= px + pw - 2
            canvas.text(m.label, x: fits ? p + 4 : p - 4, y: py + ph - 8, size: 11.5, anchor: fits ? .start : .end, fill: "#666")
        }
        // Series: straight lines first, then lines, then dots on top.
        for s in series {
            guard case let .straight(slope, intercept) = s.style else { continue }
            let a = sx.domain.lowerBound, b = sx.domain.upperBound
            canvas.polyline(
                [(sx.pixel(a), sy.pixel(slope * a + intercept)), (sx.pixel(b), sy.pixel(slope * b + intercept))],
                stroke: s.color, width: 2, dash: s.dashed ? "6 4" : nil, clip: id)
        }
        for s in series where s.style == .line || s.style == .lineAndMarkers {
            let pts = Self.thin(s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (sx.pixel($0.x), sy.pixel($0.y)) })
            canvas.polyline(pts, stroke: s.color, width: 2, dash: s.dashed ? "6 4" : nil, clip: id)
        }
        // Dots are not clipped: every point lies inside the domain, and one on the frame stays whole.
        for s in series where s.style == .lineAndMarkers || s.style == .scatter {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (sx.pixel($0.x), sy.pixel($0.y)) }
            if s.style == .scatter {
                canvas.circles(pts, radius: pts.count > 300 ? 2 : 3.5, fill: s.color, opacity: 0.55)
            } else {
                canvas.circles(pts, radius: 4, fill: s.color, stroke: "white")
            }
        }
        // Boxes go where they cover the fewest points (the preferred corner on a tie).
        let drawn = series.filter { if case .straight = $0.style { return false }; return true }.flatMap(\.points)
            .filter { $0.x.isFinite && $0.y.isFinite }.map { (sx.pixel($0.x), sy.pixel($0.y)) }
        var taken: Corner? = nil
        taken = drawLegend(into: &canvas, px: px, py: py, pw: pw, ph: ph, points: drawn)
        var notes = self.notes
        if let spread = sy.flatSpread { notes.append("flat: varies by \(String(format: "%.2g", spread))") }
        drawNotes(notes, into: &canvas, px: px, py: py, pw: pw, ph: ph, points: drawn, avoid: taken)
    }

    /// The corner for a w × h box: `preferred` unless another covers fewer of `points` (and is not `avoid`).
    static func corner(
        _ preferred: Corner, w: Double, h: Double, px: Double, py: Double, pw: Double, ph: Double, points: [(Double, Double)],
        avoid: Corner?
    ) -> Corner {
        func covered(_ c: Corner) -> Int {
            let (bx, by) = boxOrigin(c, w: w, h: h, px: px, py: py, pw: pw, ph: ph)
            return points.filter { $0.0 >= bx - 5 && $0.0 <= bx + w + 5 && $0.1 >= by - 5 && $0.1 <= by + h + 5 }.count
        }
        let order = [preferred] + [Corner.topLeft, .topRight, .bottomLeft, .bottomRight].filter { $0 != preferred }
        let candidates = order.filter { $0 != avoid }
        return candidates.min { covered($0) < covered($1) } ?? preferred
    }

    /// A rough text width for the box sizes (DejaVu Sans averages ~0.6 em).
    static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.6 }

    static func boxOrigin(_ corner: Corner, w: Double, h: Double, px: Double, py: Double, pw: Double, ph: Double) -> (Double, Double) {
        let pad = 8.0
        switch corner {
        case .topLeft: return (px + pad, py + pad)
        case .topRight: return (px + pw - pad - w, py + pad)
        case .bottomLeft: return (px + pad, py + ph - pad - h)
        case .bottomRight: return (px + pw - pad - w, py + ph - pad - h)
        }
    }

    /// The legend, where it covers the fewest points; returns its corner.
    @discardableResult
    func drawLegend(into canvas: inout SVGCanvas, px: Double, py: Double, pw: Double, ph: Double, points: [(Double, Double)] = []) -> Corner? {
        let entries = series.filter { $0.label != nil }
        guard !entries.isEmpty else { return nil }
        let rowH = 18.0
        let w = 44 + (entries.map { Self.textWidth($0.label!, size: 12) }.max() ?? 0), h = rowH * Double(entries.count) + 8
        let where_ = Self.corner(legendCorner, w: w, h: h, px: px, py: py, pw: pw, ph: ph, points: points, avoid: nil)
        let (bx, by) = Self.boxOrigin(where_, w: w, h: h, px: px, py: py, pw: pw, ph: ph)
        canvas.rect(x: bx, y: by, width: w, height: h, fill: "white", stroke: "#bbb", opacity: 0.9)
        for (i, s) in entries.enumerated() {
            let cy = by + 4 + rowH * (Double(i) + 0.5)
            switch s.style {
            case .scatter:
                canvas.circles([(bx + 18, cy)], radius: 3.5, fill: s.color, opacity: 0.7)
            case .lineAndMarkers:
                canvas.line(bx + 6, cy, bx + 30, cy, stroke: s.color, width: 2, dash: s.dashed ? "6 4" : nil)
                canvas.circles([(bx + 18, cy)], radius: 4, fill: s.color, stroke: "white")
            case .line, .straight:
                canvas.line(bx + 6, cy, bx + 30, cy, stroke: s.color, width: 2, dash: s.dashed ? "6 4" : nil)
            }
            canvas.text(s.label!, x: bx + 36, y: cy + 4, size: 12)
        }
        return where_
    }

    func drawNotes(
        _ notes: [String], into canvas: inout SVGCanvas, px: Double, py: Double, pw: Double, ph: Double, points: [(Double, Double)],
        avoid: Corner?
    ) {
        guard !notes.isEmpty else { return }
        let rowH = 17.0
        let w = 16 + (notes.map { Self.textWidth($0, size: 12.5) }.max() ?? 0), h = rowH * Double(notes.count) + 10
        let where_ = Self.corner(notesCorner, w: w, h: h, px: px, py: py, pw: pw, ph: ph, points: points, avoid: avoid)
        let (bx, by) = Self.boxOrigin(where_, w: w, h: h, px: px, py: py, pw: pw, ph: ph)
        canvas.rect(x: bx, y: by, width: w, height: h, fill: "white", stroke: "#bbb", opacity: 0.9)
        for (i, line) in notes.enumerated() {
            canvas.text(line, x: bx + 8, y: by + 5 + rowH * Double(i) + 12.5, size: 12.5)
        }
    }

    /// Keeps a polyline drawable: with more points than pixels, each pixel column keeps its first,
    /// lowest, highest and last point (in order), so the envelope survives.
    static func thin(_ pts: [(Double, Double)]) -> [(Double, Double)] {
        guard pts.count > 4000 else { return pts }
        var out: [(Double, Double)] = []
        var i = 0
        while i < pts.count {
            let column = pts[i].0.rounded(.down)
            var j = i
            var lo = i, hi = i
            while j < pts.count && pts[j].0.rounded(.down) == column {
                if pts[j].1 < pts[lo].1 { lo = j }
                if pts[j].1 > pts[hi].1 { hi = j }
                j += 1
            }
            for k in Set([i, lo, hi, j - 1]).sorted() { out.append(pts[k]) }
            i = j
        }
        return out
    }
}

/// Several charts side by side (or in rows) in one SVG, under an optional overall title.
/// Several charts side by side as panels of one SVG document (e.g. loss and fit).
public struct Figure: Sendable {
    /// A title above all panels.
    public var title: String?
    /// The panels, filled row by row.
    public var charts: [Chart]
    /// Panels per row (at least 1).
    public var columns: Int
    /// Each panel's width in SVG pixels.
    public var panelWidth: Double
    /// Each panel's height in SVG pixels.
    public var panelHeight: Double

    /// A figure of `charts` in `columns` per row (default: all in one row).
    public init(title: String? = nil, charts: [Chart], columns: Int? = nil, panelWidth: Double = 480, panelHeight: Double = 380) {
        self.title = title
        self.charts = charts
        self.columns = max(1, columns ?? charts.count)
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
    }

    /// The figure as an SVG document.
    public func svg() -> String {
        let rows = (charts.count + columns - 1) / columns
        let head = title == nil ? 0.0 : 34
        var canvas = SVGCanvas(width: panelWidth * Double(min(columns, charts.count)), height: head + panelHeight * Double(rows))
        if let title { canvas.text(title, x: canvas.width / 2, y: 24, size: 16, anchor: .middle, weight: "bold") }
        for (i, chart) in charts.enumerated() {
            chart.render(
                into: &canvas, x: panelWidth * Double(i % columns), y: head + panelHeight * Double(i / columns),
                width: panelWidth, height: panelHeight, id: "p\(i)")
        }
        return canvas.text
    }
}
