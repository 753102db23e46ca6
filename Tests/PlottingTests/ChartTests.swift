import Foundation
import TestSupport
import Testing

@testable import Plotting

/// The charts as a person sees them: drawn by librsvg (rsvg-convert) and checked by pixel colour.
@Suite struct ChartTests {
    static func write(_ svg: String, _ name: String) throws -> String {
        let dir = tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The line lesson's figure, from the 50 points of configs/data/line50.csv's shape.
    static var line50: Chart {
        let x = (0..<50).map { -5 + 10 * Double($0) / 49 }
        let y = x.map { 1.2 * $0 + 3 + 0.06 * sin(7 * $0) }
        return RunPlots.fit(x: x, y: y, weight: 1.2043, bias: 3.0897, loss: 0.0035, lossName: "mse", rowsInData: 50)
    }

    @Test func theFitShowsTheDataTheLineAndTheValues() throws {
        let svg = Self.line50.svg()
        for text in ["Linear fit", "loss (mse) 0.0035", "weight 1.2043", "bias 3.0897", "data (50 points)", "fitted line"] {
            #expect(svg.contains(text), "\(text)")
        }
        let dots = blendedOnWhite(Chart.blue, opacity: 0.55)
        let image = try render(try Self.write(svg, "fit.svg"), counting: [Chart.red, dots])
        #expect(image.width == 640 && image.height == 420)
        // The fitted line crosses the whole plot, rising to the right (y grows upwards).
        let line = try #require(image.colors[Chart.red]?.box)
        #expect(image.colors[Chart.red]!.count > 300)
        #expect(line.2 - line.0 > 450, "line spans \(line)")
        // 50 dots of radius 3.5 (the legend adds one).
        let cloud = try #require(image.colors[dots])
        #expect(cloud.count > 50 * 12, "\(cloud.count) dot pixels")
    }

    /// A one-feature logistic run: labels at 0 and 1, the σ curve rising through ½ at −b/w.
    @Test func theLogisticFitDrawsTheProbabilityCurve() throws {
        let x = (0..<80).map { Double($0) / 10 - 4 }
        let y = x.map { $0 > 0.5 ? 1.0 : 0.0 }
        let chart = RunPlots.probability(x: x, y: y, weight: 2, bias: -1, loss: 0.2, lossName: "logistic", rowsInData: 80)
        let curve = try #require(chart.series.first { $0.label == "fitted P(y = 1)" })
        #expect(curve.points.allSatisfy { $0.y > 0 && $0.y < 1 } && curve.points.first!.x == -4 && curve.points.last!.x == x.last!)
        #expect(zip(curve.points, curve.points.dropFirst()).allSatisfy { $0.y < $1.y }, "rising for w > 0")
        let svg = chart.svg()
        for text in ["Logistic fit", "P = ½ at x = 0.5000", "labels (80 points)"] { #expect(svg.contains(text), "\(text)") }
        let image = try render(try Self.write(svg, "logistic.svg"), counting: [Chart.red])
        #expect((image.colors[Chart.red]?.count ?? 0) > 300, "the curve is drawn")
    }

    /// Without true weights, an L1 run's exact zeros are marked and counted.
    @Test func exactZeroWeightsAreMarkedAndCounted() {
        let chart = RunPlots.weights(learned: [1, 0, -2, 0, 0.5], truth: nil, bias: 0, trueBias: nil)
        #expect(chart.series.contains { $0.label == "exactly zero" && $0.points.count == 2 })
        #expect(chart.notes.contains("3 of 5 weights non-zero"))
        #expect(!RunPlots.weights(learned: [1, 2], truth: nil, bias: 0, trueBias: nil).series.contains { $0.label == "exactly zero" })
        #expect(RunPlots.weights(learned: [1, 0], truth: [1, 0], bias: 0, trueBias: 0).notes.contains("1 of 2 weights non-zero"))
    }

    @Test func theFittedLineIsWhereTheScalesPutIt() {
        let chart = Self.line50
        let (sx, sy) = chart.scales(plotX: 70, plotY: 36, plotWidth: 552, plotHeight: 336)
        let svg = chart.svg()
        // The line's end points, as drawn, lie on y = 1.2043x + 3.0897 in data coordinates.
        let a = sx.domain.lowerBound, b = sx.domain.upperBound
        let expected = "\(SVGCanvas(width: 1, height: 1).n(sx.pixel(a))),\(SVGCanvas(width: 1, height: 1).n(sy.pixel(1.2043 * a + 3.0897)))"
        #expect(svg.contains("points=\"\(expected) "), "\(expected)")
        #expect(sx.pixel(b) == 70 + 552)
    }

    @Test func lossSpanningDecadesGetsALogAxis() {
        let decaying = (0..<30).map { 5 * pow(0.7, Double($0)) }
        #expect(RunPlots.loss(decaying, perStep: false, lossName: "mse").yScale == .log)
        #expect(RunPlots.loss([3, 2.5, 2.2], perStep: false, lossName: "mse").yScale == .linear)
        let long = RunPlots.loss((0..<5000).map { 1 + 1 / Double($0 + 1) }, perStep: true, lossName: "mse")
        #expect(long.xScale == .log && long.xLabel.hasPrefix("step"))
    }

    @Test func longSeriesAreThinnedButKeepTheirExtremes() {
        var pts: [(Double, Double)] = (0..<100_000).map { (Double($0) / 200, 100 + sin(Double($0))) }
        pts[50_123].1 = -50
        let thin = Chart.thin(pts)
        #expect(thin.count <= 4 * 501)
        #expect(thin.contains { $0.1 == -50 })
        #expect(thin.first! == pts.first! && thin.last! == pts.last!)
    }

    @Test func theSweepChartDrawsItsThreePanelsAndTheCeiling() throws {
        let runs = [(1, 1.0, 4.7), (2, 1.78, 8.3), (3, 1.3, 6.0), (4, 1.01, 4.7)].map {
            RunPlots.SweepPoint(threads: $0.0, speedup: $0.1, efficiency: $0.1 / Double($0.0), gbps: $0.2)
        }
        let svg = RunPlots.sweep(runs, readBandwidth: 35.4, cores: 2, title: "sweep").svg()
        for text in ["Speedup over 1 thread", "Parallel efficiency", "read bandwidth 35.4 GB/s", "ideal (linear)", "2 cores"] {
            #expect(svg.contains(text), "\(text)")
        }
        let image = try render(try Self.write(svg, "sweep.svg"), counting: [Chart.blue, Chart.green, Chart.purple, Chart.red])
        #expect(image.width == 1440)
        // Each series in its own third of the figure; the ceiling (red) above the runs (purple).
        let third = image.width / 3
        let blue = try #require(image.colors[Chart.blue]?.box), green = try #require(image.colors[Chart.green]?.box)
        let purple = try #require(image.colors[Chart.purple]?.box), red = try #require(image.colors[Chart.red]?.box)
        #expect(blue.2 < third && green.0 > third && green.2 < 2 * third && purple.0 > 2 * third)
        // (the boxes include the legend's samples at the top; their lowest pixels are the lines themselves)
        #expect(red.0 > 2 * third && red.3 < purple.3 - 100, "ceiling \(red) runs \(purple)")
    }

    /// Every unrotated label's estimated extent (0.6 em per character, as the layout assumes).
    static func textBoxes(_ svg: String) -> [(text: String, x0: Double, x1: Double, y: Double)] {
        let pattern = try! NSRegularExpression(
            pattern: "<text x=\"([-0-9.]+)\" y=\"([-0-9.]+)\" font-size=\"([0-9.]+)\" text-anchor=\"(start|middle|end)\"[^>]*>([^<]*)</text>")
        let ns = svg as NSString
        return pattern.matches(in: svg, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            guard !ns.substring(with: m.range).contains("rotate(") else { return nil }
            let x = Double(ns.substring(with: m.range(at: 1)))!, y = Double(ns.substring(with: m.range(at: 2)))!
            let size = Double(ns.substring(with: m.range(at: 3)))!, text = ns.substring(with: m.range(at: 5))
            let w = Chart.textWidth(text, size: size)
            switch ns.substring(with: m.range(at: 4)) {
            case "start": return (text, x, x + w, y)
            case "end": return (text, x - w, x, y)
            default: return (text, x - w / 2, x + w / 2, y)
            }
        }
    }

    /// The demo's loss (flat to 1.5e-8 around 1e-4) and a sweep whose cores marker is the last
    /// thread count: every label inside the canvas, y-tick labels left of the plot, distinct.
    @Test func labelsStayInsideTheCanvasAndFlatSeriesAreDrawnFlat() throws {
        let flat = RunPlots.loss([1.0001852e-4, 1.0001841e-4, 1.0001992e-4], perStep: false, lossName: "mse")
        let (_, sy) = flat.scales(plotX: 70, plotY: 36, plotWidth: 552, plotHeight: 336)
        #expect(sy.flatSpread != nil)
        let pixels = [1.0001852e-4, 1.0001841e-4, 1.0001992e-4].map { sy.pixel($0) }
        #expect(pixels.max()! - pixels.min()! < 2, "a flat series drawn as a V: \(pixels)")
        let labels = sy.ticks.map { sy.label($0) }
        #expect(Set(labels).count == labels.count, "\(labels)")
        let svg = flat.svg()
        #expect(svg.contains("flat: varies by"))
        let runs = [(1, 1.0, 4.7), (2, 1.8, 8.3), (4, 3.1, 14.0)].map {
            RunPlots.SweepPoint(threads: $0.0, speedup: $0.1, efficiency: $0.1 / Double($0.0), gbps: $0.2)
        }
        let sweep = RunPlots.sweep(runs, readBandwidth: 35.4, cores: 4, title: "sweep").svg()
        for (name, svg, width) in [("loss", svg, 640.0), ("sweep", sweep, 1440.0)] {
            let boxes = Self.textBoxes(svg)
            #expect(boxes.count > 10, "\(name): \(boxes.count) labels")
            for b in boxes { #expect(b.x0 >= 0 && b.x1 <= width, "\(name): '\(b.text)' spans \(b.x0)...\(b.x1)") }
        }
        // Every y-tick label is drawn, and none runs off the left edge.
        let tickLabels = Self.textBoxes(svg).filter { labels.contains($0.text) }
        #expect(tickLabels.count == labels.count)
        for b in tickLabels { #expect(b.x0 >= 0, "'\(b.text)' starts at \(b.x0)") }
    }

    @Test func textIsEscaped() {
        var c = Chart(title: "a < b & \"c\"", xLabel: "x", yLabel: "y")
        c.series.append(.init(nil, points: [.init(0, 0), .init(1, 1)], color: Chart.blue))
        #expect(c.svg().contains("a &lt; b &amp; &quot;c&quot;"))
    }
}
