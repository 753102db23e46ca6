import SyntheticData

extension TrainingData {
    /// The first label that is not a class index of `classes` classes (an integer 0…classes−1), if
    /// any, with the largest label seen (−1 for no rows). Made on the fly: a classification spec's
    /// labels are class indices by construction; a regression spec's row 0 is checked.
    func firstNonClassLabel(classes: Int) -> (bad: (row: Int, value: Float)?, largest: Int) {
        func isClass(_ v: Float) -> Bool { v >= 0 && v < Float(classes) && v.rounded(.towardZero) == v }
        switch self {
        case let .stored(d):
            var largest: Float = -1
            for i in 0..<d.rows {
                let v = d.y[i]
                guard isClass(v) else { return ((i, v), Int(largest)) }
                if v > largest { largest = v }
            }
            return (nil, Int(largest))
        case let .generated(g):
            if let k = g.spec.classCount { return (k <= classes ? nil : (0, Float(k - 1)), k - 1) }
            let x = UnsafeMutablePointer<Float>.allocate(capacity: g.features)
            defer { x.deallocate() }
            var y: Float = 0
            g.fill(row: 0, x: x, y: &y)
            return (isClass(y) ? nil : (0, y), isClass(y) ? Int(y) : -1)
        }
    }
}

extension DatasetSpec {
    /// The classes of a classification task's labels (logistic: 2), nil for regression.
    var classCount: Int? {
        switch task {
        case .regression: return nil
        case .logistic: return 2
        case .softmax: return classes
        }
    }
}

extension Trainer {
    /// k for the softmax loss: `loss.classes`, else the data's (a synthetic spec's classes, or the
    /// largest stored label + 1, at least 2). Every label of `data` and `heldOut` must be a class
    /// index below k: `TrainingError.badLabel` names the first that is not.
    static func softmaxClasses(_ config: TrainingConfig, _ data: TrainingData, _ heldOut: TrainingData?) throws(TrainingError) -> Int {
        let limit = config.classes ?? TrainingConfig.maxClasses
        let fix = config.classes.map { "the softmax loss with classes: \($0) takes labels 0 to \($0 - 1)" }
            ?? "the softmax loss takes class indices 0, 1, 2, … (at most \(TrainingConfig.maxClasses) classes)"
        let (bad, largest) = data.firstNonClassLabel(classes: limit)
        if let bad { throw .badLabel(source: data.source, row: bad.row, value: bad.value, fix: fix) }
        let k = config.classes ?? max(2, largest + 1)
        if let heldOut, let bad = heldOut.firstNonClassLabel(classes: k).bad {
            throw .badLabel(source: heldOut.source, row: bad.row, value: bad.value, fix: "the training data has \(k) classes (labels 0 to \(k - 1))")
        }
        if data.dataset?.sampleWeights != nil {
            throw .invalidValue(
                key: "data.weight", value: "sample weights", fix: "the softmax loss does not take sample weights yet; drop the weight column")
        }
        return k
    }
}
