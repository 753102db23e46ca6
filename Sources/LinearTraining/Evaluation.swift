import Dispatch
import Foundation
import SyntheticData

/// How well a model does on labelled data, with scikit-learn's definitions (`sklearn.metrics`),
/// computed from the model's Float predictions and the labels in Double, with sums in a fixed
/// order of fixed blocks (the same bits for any thread count).
public struct Evaluation: Sendable, Equatable {
    /// Rows scored.
    public var rows: Int
    /// Regression models: MSE, RMSE, MAE and R².
    public var regression: RegressionMetrics?
    /// Classification models: accuracy, log-loss, per-class precision/recall/F1, confusion matrix.
    public var classification: ClassificationMetrics?

    /// The metrics of a regression model (`squared`, `mse` or `huber`), scikit-learn's.
    public struct RegressionMetrics: Sendable, Equatable {
        /// `mean_squared_error`: mean (ŷ − y)².
        public var mse: Double
        /// √MSE (`root_mean_squared_error`).
        public var rmse: Double
        /// `mean_absolute_error`: mean |ŷ − y|.
        public var mae: Double
        /// `r2_score`: 1 − Σ(ŷ − y)² / Σ(y − ȳ)²; for constant y, 1 when every prediction is exact, else 0
        /// (scikit-learn's `force_finite`).
        public var r2: Double
    }

    /// The metrics of a binary classifier (`logistic`), scikit-learn's; per-class arrays are indexed by
    /// `classes`.
    public struct ClassificationMetrics: Sendable, Equatable {
        /// `accuracy_score`: the share of rows whose label (z > 0 → 1, as `predict`) is right.
        public var accuracy: Double
        /// `log_loss` of the float32 probabilities, each clipped to [ε, 1 − ε] with ε = float32's
        /// machine epsilon, as scikit-learn does for float32 input.
        public var logLoss: Double
        /// The classes, in order (0, 1).
        public var classes: [Int]
        /// `precision_recall_fscore_support(average=None)`, per class; a 0/0 is 0 (`zero_division=0`).
        public var precision: [Double]
        /// TP / (TP + FN) per class (`precision_recall_fscore_support`); a 0/0 is 0.
        public var recall: [Double]
        /// 2·TP / (2·TP + FP + FN), scikit-learn's form.
        public var f1: [Double]
        /// Rows whose true class is each class.
        public var support: [Int]
        /// `confusion_matrix`: row = true class, column = predicted class.
        public var confusion: [[Int]]
    }

    /// The metrics as JSON (`evaluate --json`).
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("rows", .int(rows))]
        if let r = regression {
            pairs += [("mse", .double(r.mse)), ("rmse", .double(r.rmse)), ("mae", .double(r.mae)), ("r2", .double(r.r2))]
        }
        if let c = classification {
            pairs += [
                ("accuracy", .double(c.accuracy)), ("logLoss", .double(c.logLoss)),
                ("classes", .array(c.classes.map { .int($0) })),
                ("precision", .doubles(c.precision)), ("recall", .doubles(c.recall)), ("f1", .doubles(c.f1)),
                ("support", .array(c.support.map { .int($0) })),
                ("confusion", .array(c.confusion.map { .array($0.map { .int($0) }) })),
            ]
        }
        return .object(pairs)
    }
}

extension SavedModel {
    /// Evaluates the model on every row of `data` (its y are the labels) on `threads` workers.
    /// Classification labels must be 0 or 1 (else `badLabel` naming the 0-based row).
    public func evaluate(_ data: TrainingData, threads: Int = 1) throws(TrainingError) -> Evaluation {
        if task == .multiclassClassification { return try evaluateClasses(data, threads: threads) }
        try checkPrediction(of: data, kind: .value)
        let n = data.rows
        if task == .binaryClassification, let (row, value) = data.firstNonBinaryLabel() {
            throw .badLabel(source: data.source, row: row, value: value, fix: "a classification model is evaluated on labels 0 and 1")
        }
        let blockRows = Self.predictionBlockRows
        let blocks = (n + blockRows - 1) / blockRows
        // Per block: Σ e², Σ |e|, Σ y, Σ log-loss, correct, and the 2 × 2 confusion counts.
        let width = 9
        let partials = UnsafeMutablePointer<Double>.allocate(capacity: blocks * width)
        partials.initialize(repeating: 0, count: blocks * width)
        defer { partials.deallocate() }
        let workers = max(1, min(threads, blocks))
        let sums = UnsafeSendable(partials)
        let classify = task == .binaryClassification
        let eps = Double(Float.ulpOfOne), top = Double(1 - Float.ulpOfOne)
        let model = self
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let z = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
            let y = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
            let labels = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
            defer {
                z.deallocate()
                y.deallocate()
                labels.deallocate()
            }
            for block in (blocks * worker / workers)..<(blocks * (worker + 1) / workers) {
                let lo = block * blockRows, hi = min(n, lo + blockRows)
                let kind: PredictionKind = classify ? .probability : .value
                try? model.predict(data, rows: lo..<hi, kind: kind, into: UnsafeMutableBufferPointer(start: z, count: hi - lo), threads: 1)
                // Labels from the float64 score, exactly as `predict` gives them (not from the rounded probability).
                if classify {
                    try? model.predict(data, rows: lo..<hi, kind: .label, into: UnsafeMutableBufferPointer(start: labels, count: hi - lo), threads: 1)
                }
                data.labels(rows: lo..<hi, into: y)
                let s = sums.pointer + block * width
                for k in 0..<(hi - lo) {
                    let p = Double(z[k]), t = Double(y[k])
                    if classify {
                        let clipped = min(max(p, eps), top)
                        s[3] -= t == 1 ? log(clipped) : log(1 - clipped)
                        let predicted = labels[k] == 1 ? 1 : 0, truth = t == 1 ? 1 : 0
                        s[4] += Double(predicted == truth ? 1 : 0)
                        s[5 + truth * 2 + predicted] += 1
                    } else {
                        let e = p - t
                        s[0] += e * e
                        s[1] += abs(e)
                    }
                    s[2] += t
                }
            }
        }
        var total = [Double](repeating: 0, count: width)
        for b in 0..<blocks { for j in 0..<width { total[j] += partials[b * width + j] } }
        let rows = Double(n)
        if classify {
            let c = [[Int(total[5]), Int(total[6])], [Int(total[7]), Int(total[8])]]
            func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
            let precision = (0..<2).map { k in ratio(c[k][k], c[0][k] + c[1][k]) }
            let recall = (0..<2).map { k in ratio(c[k][k], c[k][0] + c[k][1]) }
            let f1 = (0..<2).map { k in ratio(2 * c[k][k], (c[k][0] + c[k][1]) + (c[0][k] + c[1][k])) }
            return Evaluation(
                rows: n, regression: nil,
                classification: .init(
                    accuracy: total[4] / rows, logLoss: total[3] / rows, classes: [0, 1], precision: precision, recall: recall,
                    f1: f1, support: [c[0][0] + c[0][1], c[1][0] + c[1][1]], confusion: c))
        }
        // R²'s denominator: a second pass over the labels only, in the same block order.
        let mean = total[2] / rows
        var squares = [Double](repeating: 0, count: blocks)
        let yBlock = UnsafeMutablePointer<Float>.allocate(capacity: blockRows)
        defer { yBlock.deallocate() }
        for b in 0..<blocks {
            let lo = b * blockRows, hi = min(n, lo + blockRows)
            data.labels(rows: lo..<hi, into: yBlock)
            var s = 0.0
            for k in 0..<(hi - lo) {
                let e = Double(yBlock[k]) - mean
                s += e * e
            }
            squares[b] = s
        }
        let totalSquares = squares.reduce(0, +)
        let sse = total[0]
        let r2 = totalSquares == 0 ? (sse == 0 ? 1 : 0) : 1 - sse / totalSquares
        return Evaluation(
            rows: n, regression: .init(mse: sse / rows, rmse: (sse / rows).squareRoot(), mae: total[1] / rows, r2: r2),
            classification: nil)
    }
}

extension TrainingData {
    /// y of rows `range` into `out` (made on the fly: the rows are made, X discarded).
    func labels(rows range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        switch self {
        case let .stored(d):
            for i in range { out[i - range.lowerBound] = d.y[i] }
        case let .generated(g):
            let x = UnsafeMutablePointer<Float>.allocate(capacity: range.count * g.features)
            defer { x.deallocate() }
            g.fill(rows: range, x: x, y: out)
        }
    }
}
