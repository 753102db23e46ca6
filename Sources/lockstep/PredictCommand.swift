import ArgumentParser
import Foundation
import LinearTraining
import SyntheticData

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a saved model to data and write one prediction per row.",
        discussion: """
            The output is a .npy file when its name ends in .npy (float32 of shape (rows,); labels as int64), \
            else CSV with one column named after --kind; '-' writes CSV to standard output. A softmax model of k \
            classes predicts labels by default (its most likely class, the first of equal scores); with --kind \
            probability it writes the k class probabilities of each row, with --kind value the k class scores \
            (.npy shape (rows, k); CSV columns probability_0 … probability_{k-1} or value_0 …). It is written \
            in blocks as the rows are predicted (data larger than memory is fine: .npy data is mapped) and \
            replaced atomically. Values: z = x·w + b summed in Double and rounded to float32 (numpy: \
            (X.astype(float64) @ w + b).astype(float32), to ≤ 1 ulp); probability σ(z); label 1 when z > 0; \
            softmax probabilities exp(z_c − log Σ e^z) from the float64 scores. \
            The same bits for any --threads.

            Example: lockstep predict --model run/model.json --data new.csv --output predictions.csv
            """)

    @OptionGroup var options: ModelDataOptions

    @Option(name: [.short, .long], help: "Where the predictions go: PATH.npy, PATH.csv, or - (CSV on standard output).")
    var output: String

    @Option(name: .long, help: "What to write: value, probability or label (default: value for regression, probability for classification).")
    var kind: PredictionKind?

    /// Rows predicted per write (4 MiB of float32): bounds the memory for any data size.
    static let rowsPerWrite = 1 << 20

    func run() throws {
        try runReportingErrors {
            Interruption.watch()
            Interruption.exitAtOnce(true)  // reading the model and data: nothing written yet
            let model = try options.loadModel()
            try options.inputs().refuse(output: output, flag: "--output")
            let data = try options.loadData(for: model, labels: false)
            let kind = kind ?? model.defaultOutput
            try model.checkPrediction(of: data, kind: kind)
            let npy = output.hasSuffix(".npy")
            // From here a signal is noticed between blocks, so the temporary file is removed (it was left behind).
            Interruption.exitAtOnce(false)
            let stream: AtomicStream
            do throws(DataError) { stream = try AtomicStream(path: output) } catch { throw CLIError(message: error.description, status: .ioError) }
            let rows = data.rows, workers = options.workers, perRow = model.valuesPerRow(kind)
            do {
                if npy {
                    try stream.write(NpyHeader.encode(descr: kind == .label ? "<i8" : "<f4", shape: perRow == 1 ? [rows] : [rows, perRow]))
                } else {
                    let names = perRow == 1 ? kind.rawValue : (0..<perRow).map { "\(kind.rawValue)_\($0)" }.joined(separator: ",")
                    try stream.write(Array((names + "\n").utf8))
                }
                var buffer = [Float](repeating: 0, count: min(rows, Self.rowsPerWrite) * perRow)
                var lo = 0
                while lo < rows {
                    let hi = min(rows, lo + Self.rowsPerWrite)
                    try buffer.withUnsafeMutableBufferPointer { b throws(TrainingError) in
                        try model.predict(data, rows: lo..<hi, kind: kind, into: b, threads: workers)
                    }
                    try Self.write(buffer[0..<((hi - lo) * perRow)], kind: kind, perRow: perRow, npy: npy, to: stream)
                    lo = hi
                    if Interruption.isRequested {
                        stream.discard()
                        printError("interrupted by \(Interruption.signalName) after \(lo) of \(rows) rows; nothing was written to \(output)")
                        throw ExitCode(Interruption.exitCode)
                    }
                }
                try stream.commit()
            } catch let e as DataError {
                stream.discard()
                throw CLIError(message: e.description, status: .ioError)
            } catch {
                stream.discard()
                throw error
            }
        }
    }

    /// One block of predictions in the output's format.
    /// `perRow` values per row (a softmax model's k probabilities or scores): CSV puts them on one line.
    static func write(_ values: ArraySlice<Float>, kind: PredictionKind, perRow: Int, npy: Bool, to stream: AtomicStream) throws(DataError) {
        if npy && kind == .label {
            try stream.write(values.map { Int64($0) }.withUnsafeBytes { Array($0) })
        } else if npy {
            try stream.write(values.withUnsafeBytes { Array($0) })
        } else {
            var text = ""
            text.reserveCapacity(values.count * 12)
            var column = 0
            for v in values {
                // Labels are whole numbers (0/1, or a softmax model's class): printed without ".0".
                text += kind == .label ? String(Int(v)) : v.description
                column += 1
                if column == perRow {
                    text += "\n"
                    column = 0
                } else {
                    text += ","
                }
            }
            try stream.write(Array(text.utf8))
        }
    }
}

extension PredictionKind: ExpressibleByArgument {}
