import Dispatch
import Foundation
import SyntheticData

/// What `SavedModel.predict` writes per row.
public enum PredictionKind: String, Sendable, CaseIterable, Codable {
    /// z = x·w + b (regression: the prediction; logistic: the log-odds); for a softmax model the k
    /// class scores z_c = x·W_c + b_c of each row (scikit-learn's `decision_function`).
    case value
    /// σ(z), the probability of class 1 (classification only); for a softmax model the k class
    /// probabilities softmax(z) of each row (scikit-learn's `predict_proba`), each rounded once from
    /// float64: exp(z_c − log Σ e^z).
    case probability
    /// 1 when z > 0 (σ(z) > 0.5), else 0 (classification only), as scikit-learn's `predict`
    /// (`decision_function > 0`); for a softmax model the most likely class (the first of the
    /// largest scores), `argmax` of scikit-learn's `decision_function`.
    case label
}

extension SavedModel {
    /// Rows per block of a prediction pass: a block is one worker's unit of work (and, for data made
    /// on the fly, the rows made at once into a worker's buffer).
    public static let predictionBlockRows = 4096

    /// Refuses a kind the task has no meaning for and data of another width.
    public func checkPrediction(of data: TrainingData, kind: PredictionKind) throws(TrainingError) {
        if task == .regression && kind != .value {
            throw .invalidValue(key: "prediction kind", value: kind.rawValue, fix: "a regression model (loss \(loss.rawValue)) predicts values only")
        }
        guard data.features == model.features else {
            throw .featureMismatch(data: data.features, config: model.features)
        }
    }

    /// How many values `predict` writes per row for `kind`: the classes k for a softmax model's
    /// values and probabilities, else 1.
    public func valuesPerRow(_ kind: PredictionKind) -> Int {
        task == .multiclassClassification && kind != .label ? model.outputs : 1
    }

    /// The predictions for rows `range` of `data`, written to `out[0 ..< range.count × valuesPerRow(kind)]`
    /// (row after row), on
    /// `threads` workers (blocks of `predictionBlockRows` rows, each row's value computed alone:
    /// the same bits for any thread count). Values are `Float(z)` with z as `linearScoreDouble`
    /// defines it; probabilities `Float(1 / (1 + exp(−z)))` from the Double z; labels 0 or 1.
    package func predict(
        _ data: TrainingData, rows range: Range<Int>, kind: PredictionKind, into out: UnsafeMutableBufferPointer<Float>,
        threads: Int
    ) throws(TrainingError) {
        try checkPrediction(of: data, kind: kind)
        let perRow = valuesPerRow(kind)
        precondition(out.count >= range.count * perRow && range.lowerBound >= 0 && range.upperBound <= data.rows)
        let blockRows = Self.predictionBlockRows
        let blocks = (range.count + blockRows - 1) / blockRows
        guard blocks > 0 else { return }
        let workers = max(1, min(threads, blocks))
        let w = model.weights, b = model.bias, d = model.features, k = model.outputs
        let biases = model.biases
        let target = UnsafeSendable(out.baseAddress!)
        w.withUnsafeBufferPointer { wb in
            let weights = UnsafeSendable(UnsafeMutablePointer(mutating: wb.baseAddress!))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let wp = UnsafePointer(weights.pointer)
                let scores = UnsafeMutablePointer<Double>.allocate(capacity: k)
                defer { scores.deallocate() }
                // One row's output at `o`: its score, or for k classes the most likely one, the k
                // scores or the k probabilities.
                @inline(__always) func write<T: BinaryFloatingPoint>(
                    _ x: UnsafePointer<T>, _ o: UnsafeMutablePointer<Float>, _ score: (UnsafePointer<T>) -> Double
                ) {
                    if k == 1 {
                        o.pointee = Self.output(score(x), kind)
                        return
                    }
                    let (best, lse) = biases.withUnsafeBufferPointer {
                        softmaxRowScores(x, d: d, k: k, lanes: k, w: wp, biases: $0.baseAddress!, into: scores)
                    }
                    switch kind {
                    case .label: o.pointee = Float(best)
                    case .value: for c in 0..<k { o[c] = Float(scores[c]) }
                    case .probability: for c in 0..<k { o[c] = Float(exp(scores[c] - lse)) }
                    }
                }
                var scratch: UnsafeMutablePointer<Float>? = nil
                var scratchY: UnsafeMutablePointer<Float>? = nil
                if case .generated = data {
                    scratch = .allocate(capacity: blockRows * d)
                    scratchY = .allocate(capacity: blockRows)
                }
                defer {
                    scratch?.deallocate()
                    scratchY?.deallocate()
                }
                for block in (blocks * worker / workers)..<(blocks * (worker + 1) / workers) {
                    let lo = range.lowerBound + block * blockRows, hi = min(range.upperBound, lo + blockRows)
                    let o = target.pointer + (lo - range.lowerBound) * perRow
                    switch data {
                    case let .stored(ds):
                        if ds.dtype == .float32 {
                            let x = UnsafePointer(ds.x)
                            for i in lo..<hi { write(x + i * d, o + (i - lo) * perRow) { linearScoreDouble($0, wp, d: d, b: b) } }
                        } else {
                            let x = UnsafePointer(ds.xHalf)
                            for i in lo..<hi { write(x + i * d, o + (i - lo) * perRow) { linearScoreDouble($0, wp, d: d, b: b) } }
                        }
                    case let .generated(rows):
                        rows.fill(rows: lo..<hi, x: scratch!, y: scratchY!)
                        if rows.spec.dtype == .float16 {
                            // As stored float16 data would hold them: each value rounded to half.
                            for k in 0..<((hi - lo) * d) { scratch![k] = Float(Float16(scratch![k])) }
                        }
                        for i in lo..<hi {
                            write(UnsafePointer(scratch! + (i - lo) * d), o + (i - lo) * perRow) { linearScoreDouble($0, wp, d: d, b: b) }
                        }
                    }
                }
            }
        }
    }

    /// All the predictions for a dataset in memory (`kind` nil: `defaultOutput`): one value per row, or
    /// for a softmax model's values and probabilities `valuesPerRow(kind)` = k per row, row after row
    /// (`out[i·k + c]` is row i's class c).
    public func predict(_ dataset: Dataset, kind: PredictionKind? = nil, threads: Int = 1) throws(TrainingError) -> [Float] {
        let kind = kind ?? defaultOutput
        var out = [Float](repeating: 0, count: dataset.rows * valuesPerRow(kind))
        var failure: TrainingError?
        out.withUnsafeMutableBufferPointer { buffer in
            do throws(TrainingError) { try predict(.stored(dataset), rows: 0..<dataset.rows, kind: kind, into: buffer, threads: threads) } catch { failure = error }
        }
        if let failure { throw failure }
        return out
    }

    @inline(__always)
    static func output(_ z: Double, _ kind: PredictionKind) -> Float {
        switch kind {
        case .value: return Float(z)
        case .probability: return Float(1 / (1 + exp(-z)))
        case .label: return z > 0 ? 1 : 0
        }
    }
}

/// A pointer the workers of one `concurrentPerform` share, each touching its own part.
struct UnsafeSendable<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}
