import Dispatch
import Foundation
import SyntheticData

extension SavedModel {
    /// `evaluate` for a softmax model: accuracy, log loss (the mean cross-entropy from the float64
    /// scores, `log_loss` of the probabilities), per-class precision, recall, F1 and support, and
    /// the k × k confusion matrix (rows the true class). Labels must be class indices 0…k−1.
    func evaluateClasses(_ data: TrainingData, threads: Int) throws(TrainingError) -> Evaluation {
        try checkPrediction(of: data, kind: .label)
        let k = model.outputs, d = model.features, n = data.rows
        if let bad = data.firstNonClassLabel(classes: k).bad {
            throw .badLabel(source: data.source, row: bad.row, value: bad.value, fix: "this model has \(k) classes (labels 0 to \(k - 1))")
        }
        let blockRows = Self.predictionBlockRows
        let blocks = (n + blockRows - 1) / blockRows
        // Per block: Σ cross-entropy, then the k × k confusion counts.
        let width = 1 + k * k
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: max(1, blocks * width))
        partials.initialize(repeating: 0, count: max(1, blocks * width))
        defer { partials.deallocate() }
        let sums = UnsafeSendable(partials)
        let workers = max(1, min(threads, blocks))
        let weights = model.weights, biases = model.biases
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let x = UnsafeMutablePointer<Float>.allocate(capacity: d), y = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
            let z = UnsafeMutablePointer<Double>.allocate(capacity: k)
            defer {
                x.deallocate()
                y.deallocate()
                z.deallocate()
            }
            weights.withUnsafeBufferPointer { wb in
                biases.withUnsafeBufferPointer { bb in
                    for block in (blocks * worker / workers)..<(blocks * (worker + 1) / workers) {
                        let lo = block * blockRows, hi = min(n, lo + blockRows)
                        data.labels(rows: lo..<hi, into: y)
                        let s = sums.pointer + block * width
                        for i in lo..<hi {
                            data.row(i, into: x)
                            let (best, lse) = softmaxRowScores(
                                UnsafePointer(x), d: d, k: k, lanes: k, w: wb.baseAddress!, biases: bb.baseAddress!, into: z)
                            let t = Int(y[i - lo])
                            s[0] += lse - z[t]
                            s[1 + t * k + best] += 1
                        }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: width)
        for b in 0..<blocks { for j in 0..<width { total[j] += partials[b * width + j] } }
        let c = (0..<k).map { t in (0..<k).map { p in Int(total[1 + t * k + p]) } }
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        let predicted = (0..<k).map { p in (0..<k).reduce(0) { $0 + c[$1][p] } }
        let support = c.map { $0.reduce(0, +) }
        let correct = (0..<k).reduce(0) { $0 + c[$1][$1] }
        return Evaluation(
            rows: n, regression: nil,
            classification: .init(
                accuracy: ratio(correct, n), logLoss: n == 0 ? 0 : total[0] / Double(n), classes: Array(0..<k),
                precision: (0..<k).map { ratio(c[$0][$0], predicted[$0]) }, recall: (0..<k).map { ratio(c[$0][$0], support[$0]) },
                f1: (0..<k).map { ratio(2 * c[$0][$0], support[$0] + predicted[$0]) }, support: support, confusion: c))
    }
}

extension TrainingData {
    /// Row i of X as float32 (float16 data widened exactly; made on the fly: rounded as stored).
    func row(_ i: Int, into x: UnsafeMutablePointer<Float>) {
        switch self {
        case let .stored(ds):
            for j in 0..<ds.features { x[j] = ds.value(row: i, feature: j) }
        case let .generated(g):
            var y: Float = 0
            g.fill(row: i, x: x, y: &y)
            if g.spec.dtype == .float16 { for j in 0..<g.features { x[j] = Float(Float16(x[j])) } }
        }
    }
}
