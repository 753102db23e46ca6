import Foundation

extension RunPlots {
    /// A classifier's confusion matrix as an SVG document: row i, column j is the number of rows whose
    /// true class is i and predicted class is j.
    ///
    /// Each cell is shaded by its row-normalised fraction (the share of class i's rows predicted as j,
    /// so the diagonal reads as per-class recall), from white (0) to blue (1); a row with no samples
    /// is drawn grey. Up to 16 classes every cell shows its count, and, when the cells are large
    /// enough (up to 10 classes), its row percentage; with more classes (legible up to ~32) the
    /// labels are left out and each cell's hover tooltip carries them. Rows are labelled on the left
    /// with the class names ("true class"), columns below ("predicted class", names turned upright
    /// when wider than a cell), each row's total on the right, and the overall accuracy
    /// (trace over total, or "no samples") under the title.
    ///
    /// - Parameters:
    ///   - counts: k rows of k non-negative counts (k ≥ 1); a non-square or ragged matrix, or a
    ///     negative count, is a programming error and stops the program (precondition).
    ///   - classNames: k names for the axes (nil: the class indices 0 … k − 1); a count other than
    ///     k is a programming error. Names longer than 14 characters are shortened with "…".
    ///   - title: the text above the matrix.
    /// - Returns: the SVG document (UTF-8 text, well-formed XML).
    public static func confusionMatrix(counts: [[Int]], classNames: [String]? = nil, title: String = "Confusion matrix")
        -> String
    {
        let k = counts.count
        precondition(k >= 1, "a confusion matrix needs at least one class")
        for (i, row) in counts.enumerated() {
            precondition(
                row.count == k, "a confusion matrix is square: row \(i) has \(row.count) counts, expected \(k)")
            precondition(row.allSatisfy { $0 >= 0 }, "row \(i) has a negative count: \(row)")
        }
        if let classNames {
            precondition(classNames.count == k, "\(classNames.count) class names for \(k) classes")
        }
        let names = (classNames ?? (0..<k).map(String.init)).map { $0.count > 14 ? String($0.prefix(13)) + "…" : $0 }
        let rowTotals = counts.map { $0.reduce(0, +) }
        let total = rowTotals.reduce(0, +)
        let correct = (0..<k).reduce(0) { $0 + counts[$1][$1] }

        // Geometry: the grid is about 448 px square, cells 14 … 72 px.
        let cell = min(72, max(14, (448 / Double(k)).rounded(.down)))
        let grid = cell * Double(k)
        let nameSize = min(12, max(7, cell * 0.55))
        let widestName = names.map { Chart.textWidth($0, size: nameSize) }.max() ?? 0
        let uprightColumns = widestName > cell - 4
        let showCounts = k <= 16
        let showPercent = showCounts && cell >= 44
        let digits = Double(String(counts.flatMap { $0 }.max() ?? 0).count)
        let countSize = min(14, cell * 0.4, (cell - 6) / (0.6 * max(1, digits)))

        let left = 28 + 10 + widestName + 8
        let top = 62.0
        let columnNames = uprightColumns ? widestName + 8 : nameSize + 8
        let bottom = 10 + columnNames + 26
        let totalsWidth =
            max(Chart.textWidth("n", size: nameSize), Chart.textWidth(String(rowTotals.max() ?? 0), size: nameSize))
            + 16
        let barWidth = 56.0
        let subtitle =
            total == 0
            ? "accuracy: no samples"
            : "accuracy \(String(format: "%.1f", 100 * Double(correct) / Double(total))) % (\(correct) of \(total)); shading: share of the row"
        let width = max(
            left + grid + totalsWidth + barWidth + 12, Chart.textWidth(title, size: 15) + 24,
            Chart.textWidth(subtitle, size: 12) + 24)
        let height = top + grid + bottom
        var canvas = SVGCanvas(width: width, height: height)
        canvas.text(title, x: width / 2, y: 24, size: 15, anchor: .middle, weight: "bold")
        canvas.text(subtitle, x: width / 2, y: 44, size: 12, anchor: .middle, fill: "#444")

        let gx = left
        let gy = top
        for i in 0..<k {
            for j in 0..<k {
                let x = gx + Double(j) * cell
                let y = gy + Double(i) * cell
                let c = counts[i][j]
                let fraction = rowTotals[i] == 0 ? nil : Double(c) / Double(rowTotals[i])
                let percent = fraction.map(Self.percent) ?? "no samples of this class"
                canvas.rect(
                    x: x, y: y, width: cell, height: cell, fill: fraction.map(Self.shade) ?? "#eeeeee",
                    stroke: "#dddddd",
                    className: "cell", tooltip: "true \(names[i]), predicted \(names[j]): \(c) (\(percent))")
                guard showCounts else { continue }
                let ink = (fraction ?? 0) > 0.55 ? "#ffffff" : "#222222"
                let cx = x + cell / 2
                let cy = y + cell / 2
                if showPercent, let fraction {
                    canvas.text(
                        String(c), x: cx, y: cy - 1, size: countSize, anchor: .middle, weight: i == j ? "bold" : nil,
                        fill: ink)
                    canvas.text(
                        Self.percent(fraction), x: cx, y: cy + countSize * 0.95, size: countSize * 0.75,
                        anchor: .middle, fill: ink)
                } else {
                    canvas.text(
                        String(c), x: cx, y: cy + countSize * 0.35, size: countSize, anchor: .middle,
                        weight: i == j ? "bold" : nil, fill: ink)
                }
            }
        }
        canvas.rect(x: gx, y: gy, width: grid, height: grid, fill: "none", stroke: "#444")

        // Class names: rows on the left, columns below (upright when wider than a cell).
        for (i, name) in names.enumerated() {
            let centre = Double(i) * cell + cell / 2
            canvas.text(name, x: gx - 8, y: gy + centre + nameSize * 0.35, size: nameSize, anchor: .end, fill: "#444")
            if uprightColumns {
                canvas.text(
                    name, x: gx + centre + nameSize * 0.35, y: gy + grid + 8, size: nameSize, anchor: .end,
                    fill: "#444", rotate: -90)
            } else {
                canvas.text(
                    name, x: gx + centre, y: gy + grid + 8 + nameSize, size: nameSize, anchor: .middle, fill: "#444")
            }
        }
        canvas.text("predicted class", x: gx + grid / 2, y: height - 12, size: 13, anchor: .middle)
        canvas.text("true class", x: 16, y: gy + grid / 2, size: 13, anchor: .middle, rotate: -90)

        // Each row's total, right of the grid.
        let tx = gx + grid + 8
        canvas.text("n", x: tx, y: gy - 6, size: nameSize, anchor: .start, fill: "#444")
        for (i, n) in rowTotals.enumerated() {
            canvas.text(
                String(n), x: tx, y: gy + Double(i) * cell + cell / 2 + nameSize * 0.35, size: nameSize, anchor: .start,
                fill: "#444")
        }

        // The shading's key: 0 % at the bottom to 100 % at the top, in ten steps.
        let bx = tx + totalsWidth
        let steps = 10
        let barHeight = min(grid, 200)
        let stepHeight = barHeight / Double(steps)
        for s in 0..<steps {
            let f = (Double(s) + 0.5) / Double(steps)
            canvas.rect(
                x: bx, y: gy + barHeight - Double(s + 1) * stepHeight, width: 12, height: stepHeight,
                fill: Self.shade(f))
        }
        canvas.rect(x: bx, y: gy, width: 12, height: barHeight, fill: "none", stroke: "#888")
        canvas.text("100 %", x: bx + 16, y: gy + 9, size: 10, fill: "#444")
        canvas.text("0 %", x: bx + 16, y: gy + barHeight, size: 10, fill: "#444")
        return canvas.text
    }

    /// White (0) to Chart.blue (1), as #rrggbb.
    static func shade(_ fraction: Double) -> String {
        let f = min(1, max(0, fraction.isFinite ? fraction : 0))
        let blue = (0x1f, 0x77, 0xb4)
        func mix(_ c: Int) -> Int { Int((255 + f * Double(c - 255)).rounded()) }
        return String(format: "#%02x%02x%02x", mix(blue.0), mix(blue.1), mix(blue.2))
    }

    /// A share as a percentage: "37 %", "<1 %" for a small non-zero share, "0 %", "100 %".
    static func percent(_ fraction: Double) -> String {
        if fraction > 0 && fraction < 0.005 { return "<1 %" }
        if fraction < 1 && fraction > 0.995 { return ">99 %" }
        return "\(Int((100 * fraction).rounded())) %"
    }
}
