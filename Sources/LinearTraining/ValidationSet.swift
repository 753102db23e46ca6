import Dispatch
import Foundation
import SyntheticData

/// The held-out rows of a run (`data.validation`) and their per-epoch score: the mean loss (the
/// run's own loss, in float64) and the task's metric, R² (`r2_score`) for regression losses or
/// accuracy for `logistic` and `softmax` (the most likely class, `softmaxRowScores`).
///
/// Each row's score is `linearScoreDouble` (float64 sums, as `predict` computes them); the rows are
/// cut into fixed blocks of `SavedModel.predictionBlockRows`, each block's sums go to its own slot,
/// and the slots are added in block order: the same bits for any thread count, and on every rank of
/// a distributed run (each computes the whole pass). The buffers are made once; a pass allocates
/// nothing but, for data made on the fly, one block of rows per worker.
final class ValidationSet: @unchecked Sendable {
    let data: TrainingData
    let loss: Loss
    let huberDelta: Double
    /// softmax: k and the lanes per feature of the parameters (`TrainingState`); else 1 and 1.
    let classes: Int
    let lanes: Int
    let blocks: Int
    /// blocks × 3: Σ loss, Σ (z − y)², Σ correct.
    private let partials: UnsafeMutablePointer<Double>
    /// Σ (y − ȳ)² in block order: R²'s denominator.
    let totalSquares: Double

    init(_ data: TrainingData, loss: Loss, huberDelta: Double, classes: Int = 1, lanes: Int = 1) {
        self.data = data
        self.classes = classes
        self.lanes = lanes
        self.loss = loss
        self.huberDelta = huberDelta
        let blockRows = SavedModel.predictionBlockRows
        blocks = (data.rows + blockRows - 1) / blockRows
        partials = .allocate(capacity: blocks * 3)
        partials.initialize(repeating: 0, count: blocks * 3)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
        defer { y.deallocate() }
        var sum = 0.0
        for b in 0..<blocks {
            let lo = b * blockRows, hi = min(data.rows, lo + blockRows)
            data.labels(rows: lo..<hi, into: y)
            for k in 0..<(hi - lo) { sum += Double(y[k]) }
        }
        let mean = sum / Double(data.rows)
        var squares = 0.0
        for b in 0..<blocks {
            let lo = b * blockRows, hi = min(data.rows, lo + blockRows)
            data.labels(rows: lo..<hi, into: y)
            for k in 0..<(hi - lo) {
                let e = Double(y[k]) - mean
                squares += e * e
            }
        }
        totalSquares = squares
    }

    deinit { partials.deallocate() }

    /// The name of `score`'s metric.
    var metricName: String { loss.isClassification ? "accuracy" : "r2" }

    /// (mean loss, metric) at the parameters `params` (d weights, then the bias), on `threads` workers.
    func score(_ params: UnsafePointer<Float>, threads: Int) -> (loss: Double, metric: Double) {
        let d = data.features, n = data.rows, blockRows = SavedModel.predictionBlockRows
        let workers = max(1, min(threads, blocks))
        let out = UnsafeSendable(partials), p = UnsafeSendable(UnsafeMutablePointer(mutating: params))
        let data = self.data, loss = self.loss, delta = huberDelta, blocks = self.blocks, k = classes, lanes = self.lanes
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let w = UnsafePointer(p.pointer), b = p.pointer[d]
            let z = UnsafeMutablePointer<Double>.allocate(capacity: k)
            defer { z.deallocate() }
            var x: UnsafeMutablePointer<Float>? = nil, y: UnsafeMutablePointer<Float>? = nil
            if case .generated = data {
                x = .allocate(capacity: blockRows * d)
                y = .allocate(capacity: blockRows)
            }
            defer {
                x?.deallocate()
                y?.deallocate()
            }
            for block in (blocks * worker / workers)..<(blocks * (worker + 1) / workers) {
                let lo = block * blockRows, hi = min(n, lo + blockRows)
                var lossSum = 0.0, squares = 0.0, correct = 0.0
                @inline(__always) func addClasses<T: BinaryFloatingPoint>(_ row: UnsafePointer<T>, _ t: Float) {
                    let (best, lse) = softmaxRowScores(row, d: d, k: k, lanes: lanes, w: w, biases: w + d * lanes, into: z)
                    lossSum += lse - z[Int(t)]
                    if best == Int(t) { correct += 1 }
                }
                @inline(__always) func add(_ z: Double, _ t: Double) {
                    let r = z - t
                    squares += r * r
                    lossSum += Self.rowLoss(loss, z: z, y: t, delta: delta)
                    if (z > 0) == (t >= 0.5) { correct += 1 }
                }
                switch data {
                case let .stored(ds) where loss == .softmax:
                    if ds.dtype == .float32 {
                        for i in lo..<hi { addClasses(UnsafePointer(ds.x) + i * d, ds.y[i]) }
                    } else {
                        for i in lo..<hi { addClasses(UnsafePointer(ds.xHalf) + i * d, ds.y[i]) }
                    }
                case let .stored(ds):
                    if ds.dtype == .float32 {
                        for i in lo..<hi { add(linearScoreDouble(UnsafePointer(ds.x) + i * d, w, d: d, b: b), Double(ds.y[i])) }
                    } else {
                        for i in lo..<hi { add(linearScoreDouble(UnsafePointer(ds.xHalf) + i * d, w, d: d, b: b), Double(ds.y[i])) }
                    }
                case let .generated(rows):
                    rows.fill(rows: lo..<hi, x: x!, y: y!)
                    if rows.spec.dtype == .float16 { for k in 0..<((hi - lo) * d) { x![k] = Float(Float16(x![k])) } }
                    for r in 0..<(hi - lo) {
                        if loss == .softmax {
                            addClasses(UnsafePointer(x! + r * d), y![r])
                        } else {
                            add(linearScoreDouble(x! + r * d, w, d: d, b: b), Double(y![r]))
                        }
                    }
                }
                let slot = out.pointer + block * 3
                slot[0] = lossSum
                slot[1] = squares
                slot[2] = correct
            }
        }
        var l = 0.0, s = 0.0, c = 0.0
        for k in 0..<blocks {
            l += partials[k * 3]
            s += partials[k * 3 + 1]
            c += partials[k * 3 + 2]
        }
        let rows = Double(n)
        if loss.isClassification { return (l / rows, c / rows) }
        let r2 = totalSquares == 0 ? (s == 0 ? 1 : 0) : 1 - s / totalSquares
        return (l / rows, r2)
    }

    /// One row's loss in float64, by the loss's own definition (`Loss`).
    @inline(__always)
    static func rowLoss(_ loss: Loss, z: Double, y: Double, delta: Double) -> Double {
        let r = z - y
        switch loss {
        case .squared: return 0.5 * r * r
        case .mse: return r * r
        case .huber: return abs(r) <= delta ? 0.5 * r * r : delta * (abs(r) - 0.5 * delta)
        case .logistic: return max(z, 0) - y * z + log1p(exp(-abs(z)))
        case .softmax: preconditionFailure("softmax rows are scored by softmaxRowScores")
        }
    }
}
