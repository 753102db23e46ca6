import Foundation
import LinearTraining

/// A progress line in the style people know from tqdm:
/// `epoch 2/3 ▕████▌   ▏ 61% 6.1k/10k steps [00:01<00:00, 8.2M samples/s, loss 0.0102]`.
struct ProgressBar {
    /// What comes before the bar ("epoch 2/3", "generate").
    var label: String
    var done: Int
    var total: Int
    /// The unit counted ("steps", "rows").
    var unit: String
    var elapsed: Double
    /// Items already done when the clock started (a resumed run), left out of the ETA's rate.
    var doneAtStart = 0
    /// Items after the times: rates, the loss.
    var extras: [String] = []
    var color = false
    /// The terminal's width: the bar takes what the text leaves (10 to 25 cells), so the line never wraps.
    var columns = ProgressLine.terminalColumns()

    /// The bar itself: whole blocks, one eighth-block for the remainder, spaces.
    static func blocks(_ fraction: Double, width: Int) -> String {
        let eighths = Int((min(max(fraction, 0), 1) * Double(width * 8)).rounded(.down))
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        let full = String(repeating: "█", count: eighths / 8)
        let used = eighths / 8 + (partial.isEmpty ? 0 : 1)
        return full + partial + String(repeating: " ", count: width - used)
    }

    /// "00:07", "1:02:03" (tqdm's clock).
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite && seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }

    /// The line, fitted to the terminal: when the full text leaves fewer than 10 cells for the bar,
    /// the unit word goes first, then the rates' unit words ("8.2M/s"), then the step counts, then
    /// the bar, the clock and the rate; the loss, the last field, is what stays longest.
    var text: String {
        let fraction = total > 0 ? Double(done) / Double(total) : 0
        let fresh = done - doneAtStart
        let remaining = fresh > 0 ? elapsed * Double(total - done) / Double(fresh) : .nan
        let times = "\(Self.clock(elapsed))<\(Self.clock(remaining))"
        let percent = String(format: "%3.0f%%", 100 * fraction)
        let counts = "\(compactCount(done))/\(compactCount(total))"
        let shortExtras = extras.map { e -> String in
            guard e.hasSuffix("/s"), let space = e.firstIndex(of: " ") else { return e }
            return String(e[..<space]) + "/s"
        }
        let tails = [
            "▏ \(percent) \(counts) \(unit) [" + ([times] + extras).joined(separator: ", ") + "]",
            "▏ \(percent) \(counts) [" + ([times] + extras).joined(separator: ", ") + "]",
            "▏ \(percent) \(counts) [" + ([times] + shortExtras).joined(separator: ", ") + "]",
            "▏ \(percent) [" + ([times] + shortExtras).joined(separator: ", ") + "]",
        ]
        let head = label + " ▕"
        let room = columns - 1 - head.count
        guard let tail = tails.first(where: { room - $0.count >= 10 }) else {
            let bare = [
                "\(label) \(percent) [" + ([times] + shortExtras).joined(separator: ", ") + "]",
                "\(label) \(percent) [" + shortExtras.joined(separator: ", ") + "]",
                "\(label) [" + shortExtras.suffix(1).joined() + "]",
            ]
            return bare.first { $0.count <= columns - 1 } ?? bare[bare.count - 1]
        }
        let width = min(25, room - tail.count)
        var bar = Self.blocks(fraction, width: width)
        if color { bar = "\u{1B}[32m" + bar + "\u{1B}[0m" }
        return head + bar + tail
    }
}

/// "8.2M samples/s", "1.21 GB/s".
func rateText(_ perSecond: Double, unit: String) -> String {
    guard perSecond.isFinite && perSecond > 0 else { return "? \(unit)/s" }
    return "\(compactCount(Int(perSecond))) \(unit)/s"
}

/// Draws `trainer`'s progress while it trains: "epoch e/E" (or `label`), steps, samples/s and the
/// last batch's loss, read from `Trainer.progress` by a timer.
func trainingTicker(_ trainer: Trainer, line: ProgressLine, label: String? = nil) -> ProgressTicker {
    let progress = trainer.progress, total = trainer.totalSteps, perEpoch = trainer.batchesPerEpoch
    let epochs = trainer.config.epochs, fullBatch = trainer.isFullBatch, rowsPerStep = Double(trainer.batchRows)
    let color = line.color, first = progress.stepsDone
    let start = DispatchTime.now().uptimeNanoseconds
    return ProgressTicker(line: line) {
        let done = progress.stepsDone
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var extras = [rateText(Double(done - first) * rowsPerStep / max(elapsed, 1e-9), unit: "samples")]
        if let loss = progress.lastBatchLoss { extras.append("loss " + String(format: loss < 0.01 ? "%.3g" : "%.4f", loss)) }
        let head = [label, fullBatch ? (label == nil ? "train" : nil) : "epoch \(min(epochs, done / perEpoch + 1))/\(epochs)"]
        return ProgressBar(
            label: head.compactMap { $0 }.joined(separator: " "), done: done, total: total, unit: "steps", elapsed: elapsed,
            doneAtStart: first, extras: extras, color: color
        ).text
    }
}
