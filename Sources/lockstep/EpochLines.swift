import Dispatch
import LinearTraining

/// The `epoch N, loss L` lines of `train` (`, lr R` added with a schedule), printed at most ~10
/// times a second.
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

    init(line: ProgressLine, showsLR: Bool = false) {
        self.line = line
        self.showsLR = showsLR
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
            line.printAbove("epoch \(record.epoch), loss \(cFormat("%f", record.loss))\(lr)")
        }
        pending.removeAll(keepingCapacity: true)
        lastPrint = DispatchTime.now().uptimeNanoseconds
    }
}
