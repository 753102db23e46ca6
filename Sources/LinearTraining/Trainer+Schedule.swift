extension Trainer {
    /// True when something must be decided from each epoch's loss before the next epoch starts
    /// (`plateau`, a validation pass, early stopping): full-batch epochs then run one span each, and
    /// minibatch epochs are evaluated even when `run(evaluateEachEpoch: false)`.
    var decidesEachEpoch: Bool {
        if case .plateau = config.schedule { return true }
        return validation != nil || stopper != nil
    }

    /// Writes the rate of each of the next `steps` steps into `state.stepLR` (Float, as the update
    /// applies it) and `state.stepLRDouble`, and returns the scheduler as it is after them: stepped
    /// after every step (`interval: step`) or after each step that ends an epoch (`interval:
    /// epoch`; `plateau` is stepped by `finishEpoch` instead, on the epoch's loss). Called before
    /// a span (and again with the steps a stopped span ran), never inside one.
    func scheduleSpan(from start: LearningRateScheduler, steps: Int) -> LearningRateScheduler {
        var s = start
        var batch = batchInEpoch
        let perStep = config.scheduleInterval == .step
        var epochStep = true
        if case .plateau = config.schedule { epochStep = false }
        for i in 0..<steps {
            state.stepLR[i] = Float(s.lr)
            state.stepLRDouble[i] = s.lr
            batch += 1
            let endsEpoch = batch == batchesPerEpoch
            if endsEpoch { batch = 0 }
            if perStep || (endsEpoch && epochStep) { s.step() }
        }
        return s
    }

    /// The rate step `i` of the span just run had (the configured rate without a schedule).
    func lrOfSpanStep(_ i: Int) -> Double { scheduler == nil ? config.scheduleBaseLR : state.stepLRDouble[i] }
}
