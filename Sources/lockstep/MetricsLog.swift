import Foundation
import LinearTraining
import SyntheticData

#if canImport(Glibc)
    import Glibc
#endif

/// `metrics.jsonl` (`--metrics PATH` and a run directory's) written as the run goes, one JSON line
/// per finished epoch, so `tail -f` follows a run. Lines are collected and written out at most
/// twice a second and at the end (the line lesson's 50 000 epochs in 2 ms would otherwise be 50 000
/// writes). This is the one output that is a log rather than a file written whole: it is opened at
/// the start (a device, FIFO or `-` is written through; a symbolic link is followed; a directory is
/// refused), and a run that fails or is interrupted leaves the lines of the epochs it finished.
final class MetricsLog {
    private var descriptors: [(fd: Int32, path: String, owned: Bool)] = []
    /// Epochs not written yet, as numbers: formatted only when written, so a short run formats
    /// its lines after training rather than inside its timing.
    private var pending: [EpochRecord] = []
    /// The validation metric's key (`valR2`, `valAccuracy`).
    private let metricKey: String
    private var lastWrite = DispatchTime.now().uptimeNanoseconds
    private var sinceClock = 0

    /// Opens (creating or truncating) each path and writes the epochs `trainer` already has (a resumed run's).
    init(paths: [String], trainer: Trainer) throws(CLIError) {
        metricKey = trainer.validationMetricName == "accuracy" ? "valAccuracy" : "valR2"
        // No reallocation while the run is timed (the line lesson: 50 000 epochs in a few ms).
        pending.reserveCapacity(min(trainer.config.epochs, 1 << 16))
        for path in paths {
            if let fd = AtomicFile.standardDescriptor(path) {
                descriptors.append((fd, path, false))
                continue
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let reason = errno == EISDIR ? "it is a directory; give a file path" : String(cString: strerror(errno))
                close()
                throw CLIError(message: "cannot write metrics \(path): \(reason)", status: errno == EISDIR ? .usage : .ioError)
            }
            descriptors.append((fd, path, true))
        }
        let validation = trainer.finishedValidation
        for (i, line) in trainer.finishedEpochs.enumerated() {
            add(EpochRecord(
                epoch: i + 1, loss: line.loss, seconds: line.seconds, lr: line.lr,
                validationLoss: i < validation.count ? validation[i].loss : nil, validationMetric: i < validation.count ? validation[i].metric : nil))
        }
        try flush()
    }

    /// Appends one epoch's line; writes the collected lines when the last write is 0.5 s old (the
    /// clock is read every 64 epochs).
    func add(_ record: EpochRecord) {
        pending.append(record)
        sinceClock += 1
        guard sinceClock >= 64 || record.seconds > 0.01 else { return }
        sinceClock = 0
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastWrite >= 500_000_000 { try? flush() }
    }

    /// One line of metrics.jsonl: `{"epoch":3,"loss":5.1e-05,"seconds":0.0021,"lr":0.03}` (lr: the
    /// rate in force; with a validation set also `"valLoss"` and `"valR2"` or `"valAccuracy"`) (the text
    /// `JSONValue` gives, built directly: a JSONValue per line was ~1.4 µs, 70 ms of the line
    /// lesson's 50 000 epochs).
    static func line(_ r: EpochRecord, metricKey: String) -> String {
        func number(_ v: Double) -> String { v.isFinite ? v.description : "null" }
        var text = "{\"epoch\":\(r.epoch),\"loss\":\(number(r.loss)),\"seconds\":\(number(r.seconds)),\"lr\":\(number(r.lr))"
        if let v = r.validationLoss, let m = r.validationMetric { text += ",\"valLoss\":\(number(v)),\"\(metricKey)\":\(number(m))" }
        return text + "}\n"
    }

    /// Writes what is collected to every path.
    func flush() throws(CLIError) {
        lastWrite = DispatchTime.now().uptimeNanoseconds
        guard !pending.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * pending.count)
        for p in pending { bytes.append(contentsOf: Self.line(p, metricKey: metricKey).utf8) }
        pending.removeAll(keepingCapacity: true)
        for d in descriptors {
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { write(d.fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw CLIError(message: "cannot write metrics \(d.path): \(String(cString: strerror(errno)))", status: .ioError) }
                done += n
            }
        }
    }

    /// Writes the rest, syncs the files it opened and closes them.
    func finish() throws(CLIError) {
        defer { close() }
        try flush()
        for d in descriptors where d.owned { _ = fsync(d.fd) }
    }

    private func close() {
        for d in descriptors where d.owned { _ = Glibc.close(d.fd) }
        descriptors.removeAll()
    }

    deinit { close() }
}
