import Dispatch
import LinearTraining

/// The `epoch N, loss L` lines of `train` (`, lr R` added with a schedule; `, val loss V, val R² M`
/// or `val accuracy M` with a validation set), printed at most ~10 times a second.
///
/// Formatting and printing a line costs 1–3 µs (over 100 µs for the process's first formatted
/// number), which is more than a whole epoch of the d2l lesson. Lines are therefore kept until
/// 100 ms have passed since the last print and then printed together, in order; `flush()` prints
/// the rest when the run ends. Epochs that take longer than that still print as they finish.
final class EpochLines {
    private let line: ProgressLine
    private var pending: [EpochRecord] = []
    private var lastPrint: UInt64
    private let showsLR: Bool
    private let metricLabel: String

    init(line: ProgressLine, showsLR: Bool = false, validationMetric: String? = nil) {
        self.line = line
        self.showsLR = showsLR
        metricLabel = validationMetric == "r2" ? "R²" : validationMetric ?? ""
        lastPrint = DispatchTime.now().uptimeNanoseconds
        pending.reserveCapacity(64)
    }

    func add(_ record: EpochRecord) {
        pending.append(record)
        if DispatchTime.now().uptimeNanoseconds &- lastPrint >= 100_000_000 { flush() }
    }

    func flush() {
        for record in pending {
            let lr = showsLR ? ", lr \(cFormat("%g", record.lr))" : ""
            var validation = ""
            if let v = record.validationLoss, let m = record.validationMetric {
                validation = ", val loss \(cFormat("%f", v)), val \(metricLabel) \(cFormat("%.4f", m))"
            }
            line.printAbove("epoch \(record.epoch), loss \(cFormat("%f", record.loss))\(lr)\(validation)")
        }
        pending.removeAll(keepingCapacity: true)
        lastPrint = DispatchTime.now().uptimeNanoseconds
    }
}
