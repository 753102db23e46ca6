import Foundation

/// The charts Lockstep draws for its runs, built from plain numbers (a finished run's summary, its
/// metrics, a sweep's results), so `lockstep plot` redraws them from a run directory alone.
public enum RunPlots {
    /// The line lesson's figure: the data as a scatter, the fitted line, and the loss, weight and
    /// bias written on it (single-feature data).
    public static func fit(
        x: [Double], y: [Double], weight: Double, bias: Double, loss: Double, lossName: String, rowsInData: Int,
        trueWeight: Double? = nil, trueBias: Double? = nil
    ) -> Chart {
        var c = Chart(title: "Linear fit: y ≈ \(fixed(weight))·x + \(fixed(bias))", xLabel: "x", yLabel: "y")
        let shown = x.count < rowsInData ? "data (\(x.count) of \(rowsInData) rows)" : "data (\(x.count) points)"
        c.series.append(.init(shown, points: zip(x, y).map { Chart.Point($0, $1) }, color: Chart.blue, style: .scatter))
        if let tw = trueWeight, let tb = trueBias {
            c.series.append(.init("true line", points: [], color: Chart.grey, style: .straight(slope: tw, intercept: tb), dashed: true))
        }
        c.series.append(.init("fitted line", points: [], color: Chart.red, style: .straight(slope: weight, intercept: bias)))
        c.notes = ["loss (\(lossName)) \(fixed(loss))", "weight \(fixed(weight))", "bias \(fixed(bias))"]
        if weight >= 0 {
            c.legendCorner = .topLeft
            c.notesCorner = .bottomRight
        } else {
            c.legendCorner = .topRight
            c.notesCorner = .bottomLeft
        }
        return c
    }

    /// A one-feature logistic run: the labels (0 or 1) as a scatter and the fitted probability
    /// P(y = 1 | x) = σ(w·x + b) as a curve over the data's range, with the decision boundary
    /// x = −b/w (where the probability is ½) in the notes.
    public static func probability(
        x: [Double], y: [Double], weight: Double, bias: Double, loss: Double, lossName: String, rowsInData: Int
    ) -> Chart {
        let sign = bias < 0 ? "−" : "+"
        var c = Chart(
            title: "Logistic fit: P(y = 1) = σ(\(fixed(weight))·x \(sign) \(fixed(abs(bias))))", xLabel: "x", yLabel: "y, P(y = 1)")
        let shown = x.count < rowsInData ? "labels (\(x.count) of \(rowsInData) rows)" : "labels (\(x.count) points)"
        c.series.append(.init(shown, points: zip(x, y).map { Chart.Point($0, $1) }, color: Chart.blue, style: .scatter))
        let lo = x.min() ?? 0, hi = x.max() ?? 1, span = hi > lo ? hi - lo : 1
        let curve = (0...200).map { k -> Chart.Point in
            let v = lo + span * Double(k) / 200
            return Chart.Point(v, 1 / (1 + exp(-(weight * v + bias))))
        }
        c.series.append(.init("fitted P(y = 1)", points: curve, color: Chart.red, style: .line))
        c.notes = ["loss (\(lossName)) \(fixed(loss))", "weight \(fixed(weight))", "bias \(fixed(bias))"]
        if weight != 0 { c.notes.append("P = ½ at x = \(fixed(-bias / weight))") }
        c.legendCorner = weight >= 0 ? .topLeft : .topRight
        c.notesCorner = weight >= 0 ? .bottomRight : .bottomLeft
        return c
    }

    /// Many features: each learned weight against its true value, on the identity line when the fit
    /// is right; without true values, the learned weights by feature index.
    public static func weights(learned: [Double], truth: [Double]?, bias: Double, trueBias: Double?) -> Chart {
        guard let truth, truth.count == learned.count else {
            var c = Chart(title: "Learned weights (d = \(learned.count))", xLabel: "feature", yLabel: "weight")
            let zeros = learned.enumerated().filter { $0.element == 0 }
            c.series.append(.init(
                zeros.isEmpty ? nil : "weights", points: learned.enumerated().map { Chart.Point(Double($0.offset), $0.element) },
                color: Chart.blue, style: .lineAndMarkers))
            // An L1 penalty's sparsity: the weights that are exactly zero, marked, and counted.
            if !zeros.isEmpty {
                c.series.append(.init("exactly zero", points: zeros.map { Chart.Point(Double($0.offset), 0) }, color: Chart.red, style: .scatter))
            }
            c.xIntegerTicks = true
            c.notes = ["bias \(fixed(bias))"] + (zeros.isEmpty ? [] : ["\(learned.count - zeros.count) of \(learned.count) weights non-zero"])
            return c
        }
        var c = Chart(title: "Learned vs true weights (d = \(learned.count))", xLabel: "true weight w*", yLabel: "learned weight w")
        c.series.append(.init("ideal: w = w*", points: [], color: Chart.grey, style: .straight(slope: 1, intercept: 0), dashed: true))
        c.series.append(.init("weights", points: zip(truth, learned).map { Chart.Point($0, $1) }, color: Chart.blue, style: .scatter))
        let maxError = zip(truth, learned).map { abs($0 - $1) }.max() ?? 0
        c.notes = ["max |w − w*| \(String(format: "%.3g", maxError))", "bias \(fixed(bias))" + (trueBias.map { " (true \(fixed($0)))" } ?? "")]
        let zeros = learned.count { $0 == 0 }
        if zeros > 0 { c.notes.append("\(learned.count - zeros) of \(learned.count) weights non-zero") }
        c.legendCorner = .topLeft
        c.notesCorner = .bottomRight
        return c
    }

    /// The loss per epoch, or per step for full-batch runs; log scale when it spans decades (and a
    /// log step axis for thousands of steps).
    /// With `validation` losses (one per epoch), both curves and a legend.
    public static func loss(_ losses: [Double], perStep: Bool, lossName: String, validation: [Double] = []) -> Chart {
        var c = Chart(
            title: (validation.isEmpty ? "Training loss" : "Training and validation loss") + " (\(lossName))",
            xLabel: perStep ? "step (full batch: one per epoch)" : "epoch", yLabel: "loss")
        let pts = losses.enumerated().map { Chart.Point(Double($0.offset + 1), $0.element) }
        let style: Chart.Style = losses.count <= 60 ? .lineAndMarkers : .line
        c.series.append(.init(validation.isEmpty ? nil : "training", points: pts, color: Chart.blue, style: style))
        if !validation.isEmpty {
            let v = validation.enumerated().map { Chart.Point(Double($0.offset + 1), $0.element) }
            c.series.append(.init("validation", points: v, color: Chart.red, style: style, dashed: true))
            c.legendCorner = .bottomLeft
        }
        if Scale.spansDecades(losses + validation) { c.yScale = .log }
        // Thousands of steps: most of the descent happens in the first few percent; a log axis shows it.
        if losses.count >= 1000 { c.xScale = .log } else { c.xIntegerTicks = true }
        if let last = losses.last(where: \.isFinite) {
            c.notes = ["final loss \(String(format: last < 0.01 ? "%.3g" : "%.4f", last))", "\(losses.count) \(perStep ? "steps" : "epochs")"]
        }
        c.notesCorner = .topRight
        return c
    }

    /// One run of a sweep.
    /// One thread count's result in a sweep.
    public struct SweepPoint: Sendable {
        /// Workers of this run.
        public var threads: Int
        /// Time on one worker over time on `threads`.
        public var speedup: Double
        /// `speedup / threads`.
        public var efficiency: Double
        /// GB/s of X read per second of training.
        public var gbps: Double
        /// A sweep point with these figures.
        public init(threads: Int, speedup: Double, efficiency: Double, gbps: Double) {
            self.threads = threads
            self.speedup = speedup
            self.efficiency = efficiency
            self.gbps = gbps
        }
    }

    /// The scaling chart: speedup against the ideal line, parallel efficiency, and each run's GB/s of
    /// X under the machine's measured read bandwidth (the ceiling a memory-bound step can reach).
    public static func sweep(_ runs: [SweepPoint], readBandwidth: Double?, cores: Int?, title: String) -> Figure {
        let runs = runs.sorted { $0.threads < $1.threads }
        let maxThreads = Double(runs.last?.threads ?? 1)
        let coreMarker = cores.map { [(x: Double($0), label: "\($0) core\($0 == 1 ? "" : "s")")] } ?? []

        var speedup = Chart(title: "Speedup over 1 thread", xLabel: "threads", yLabel: "speedup")
        speedup.series.append(.init("ideal (linear)", points: [], color: Chart.grey, style: .straight(slope: 1, intercept: 0), dashed: true))
        speedup.series.append(.init("measured", points: runs.map { Chart.Point(Double($0.threads), $0.speedup) }, color: Chart.blue, style: .lineAndMarkers))
        speedup.xInclude = [1, maxThreads]
        speedup.yInclude = [0, 1]
        speedup.xIntegerTicks = true
        speedup.verticalMarkers = coreMarker

        var efficiency = Chart(title: "Parallel efficiency", xLabel: "threads", yLabel: "efficiency (%)")
        efficiency.series.append(.init("ideal", points: [], color: Chart.grey, style: .straight(slope: 0, intercept: 100), dashed: true))
        efficiency.series.append(
            .init("measured", points: runs.map { Chart.Point(Double($0.threads), 100 * $0.efficiency) }, color: Chart.green, style: .lineAndMarkers))
        efficiency.xInclude = [1, maxThreads]
        efficiency.yInclude = [0, 105]
        efficiency.xIntegerTicks = true
        efficiency.legendCorner = .bottomLeft
        efficiency.verticalMarkers = coreMarker

        var bandwidth = Chart(title: "Memory traffic vs the machine", xLabel: "threads", yLabel: "GB/s of X read")
        var runsLabel = "runs"
        if let bw = readBandwidth, bw > 0 {
            bandwidth.series.append(
                .init("read bandwidth \(String(format: "%.1f", bw)) GB/s", points: [], color: Chart.red, style: .straight(slope: 0, intercept: bw), dashed: true))
            // Head room above the ceiling for the legend.
            bandwidth.yInclude = [0, bw * 1.3]
            let best = runs.map(\.gbps).filter(\.isFinite).max() ?? 0
            runsLabel = "runs (best: \(String(format: "%.0f", 100 * best / bw))% of it)"
        } else {
            bandwidth.yInclude = [0]
        }
        bandwidth.series.append(.init(runsLabel, points: runs.map { Chart.Point(Double($0.threads), $0.gbps) }, color: Chart.purple, style: .lineAndMarkers))
        bandwidth.xInclude = [1, maxThreads]
        bandwidth.xIntegerTicks = true
        bandwidth.legendCorner = .topLeft
        bandwidth.verticalMarkers = coreMarker

        return Figure(title: title, charts: [speedup, efficiency, bandwidth])
    }

    static func fixed(_ v: Double) -> String { String(format: "%.4f", v).replacingOccurrences(of: "-", with: "−") }
}
