import Foundation
import Plotting

/// The SVGs of a run, drawn from the same JSON documents the run writes (summary.json and
/// fit-sample.json for train, the sweep document for sweep), so drawing at the end of a run and
/// redrawing later with `lockstep plot` give the same files.
enum PlotFiles {
    /// fit.svg and loss.svg of a training run.
    static func train(summary: [String: Any], sample: [String: Any]?) throws(CLIError) -> [(name: String, svg: String)] {
        // A softmax model has k biases: its fit chart shows the d × k weights (and the first bias).
        guard let weights = doubles(summary["weights"]), let bias = number(summary["bias"]) ?? doubles(summary["biases"])?.first,
            let losses = doubles(summary["epochLosses"])
        else {
            throw CLIError(message: "summary.json lacks weights, bias or epochLosses; was it written by lockstep train?", status: .badData)
        }
        let config = summary["config"] as? [String: Any]
        // `loss: logistic`, or `{kind: …, delta | classWeight: …}`.
        let lossName = (config?["loss"] as? String) ?? ((config?["loss"] as? [String: Any])?["kind"] as? String) ?? "loss"
        let rows = number(summary["rows"]).map { Int($0) }
        let batchRows = number(summary["batchRows"]).map { Int($0) }
        let fullBatch = rows != nil && rows == batchRows
        let finalLoss = number(summary["finalLoss"]) ?? .nan
        let truth = doubles(summary["trueWeights"])
        let trueBias = number(summary["trueBias"])
        let fit: Chart
        if weights.count == 1, lossName == "logistic", let sample, let x = doubles(sample["x"]), let y = doubles(sample["y"]), x.count == y.count {
            fit = RunPlots.probability(x: x, y: y, weight: weights[0], bias: bias, loss: finalLoss, lossName: lossName, rowsInData: rows ?? x.count)
        } else if weights.count == 1, let sample, let x = doubles(sample["x"]), let y = doubles(sample["y"]), x.count == y.count {
            fit = RunPlots.fit(
                x: x, y: y, weight: weights[0], bias: bias, loss: finalLoss, lossName: lossName,
                rowsInData: rows ?? x.count, trueWeight: truth?.first, trueBias: trueBias)
        } else {
            fit = RunPlots.weights(learned: weights, truth: truth, bias: bias, trueBias: trueBias)
        }
        let validation = doubles((summary["validation"] as? [String: Any])?["losses"]) ?? []
        return [("fit.svg", fit.svg()), ("loss.svg", RunPlots.loss(losses, perStep: fullBatch, lossName: lossName, validation: validation).svg())]
    }

    /// sweep.svg: speedup, efficiency and GB/s against the read bandwidth.
    static func sweep(_ doc: [String: Any]) throws(CLIError) -> (name: String, svg: String) {
        guard let results = doc["results"] as? [[String: Any]], !results.isEmpty else {
            throw CLIError(message: "the sweep document has no results; was it written by lockstep sweep?", status: .badData)
        }
        var points: [RunPlots.SweepPoint] = []
        var allEqual = true
        for r in results {
            guard let t = number(r["threads"]), let s = number(r["speedup"]), let e = number(r["efficiency"]) else {
                throw CLIError(message: "a sweep result lacks threads, speedup or efficiency", status: .badData)
            }
            // A rank sweep (sweep --ranks): the x axis is the workers, ranks × threads.
            let workers = number(r["workers"]).map { Int($0) } ?? Int(t)
            points.append(.init(threads: workers, speedup: s, efficiency: e, gbps: number(r["xGBPerSecond"]) ?? .nan))
            if (r["bitwiseEqualToOneThread"] as? Bool) != true { allEqual = false }
        }
        var title = "lockstep sweep"
        if let rows = number(doc["rows"]), let d = number(doc["features"]) {
            title += ": \(compactCount(Int(rows))) × \(Int(d))"
        }
        if let training = (doc["config"] as? [String: Any])?["training"] as? [String: Any] {
            if let b = number(training["batchSize"]) { title += ", batch \(Int(b))" } else { title += ", full batch" }
        }
        let grid = results.first?["ranks"] != nil
        if grid { title += ", ranks × threads (x: workers)" }
        title += allEqual ? " — bitwise equal to \(grid ? "1 × 1" : "1 thread") on every run" : " — NOT bitwise equal on every run"
        let cores = number(doc["cores"]).map { Int($0) }
        return ("sweep.svg", RunPlots.sweep(points, readBandwidth: number(doc["readBandwidthGBps"]), cores: cores, title: title).svg())
    }

    /// Writes the drawings into `dir` (made if missing).
    static func write(_ files: [(name: String, svg: String)], to dir: String) throws(CLIError) {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create plot directory \(dir): \(error.localizedDescription)", status: .ioError)
        }
        for f in files { try OutputFile.write(f.svg, to: dir + "/" + f.name) }
    }

    /// Parses JSON text made by this program (never fails on its own output).
    static func object(_ text: String) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:]
    }

    static func number(_ v: Any?) -> Double? {
        (v as? NSNumber)?.doubleValue
    }

    /// A JSON array of numbers; nulls (non-finite values) become NaN.
    static func doubles(_ v: Any?) -> [Double]? {
        guard let items = v as? [Any] else { return nil }
        var out: [Double] = []
        for item in items {
            if item is NSNull { out.append(.nan) } else if let n = number(item) { out.append(n) } else { return nil }
        }
        return out
    }
}
