import CLockstepShims

/// How far a run is, readable from any thread while the workers train (for progress bars):
/// the steps done and the last step's batch loss, published by the worker that reduces the loss
/// with two relaxed stores per step and never waited on.
public final class TrainingProgress: @unchecked Sendable {
    /// [0] steps done in the run; [8] Float bits of the last step's Σ r²; [16] its rows
    /// (a cache line apart, so readers never share a line with a writer's other words).
    let words: UnsafeMutablePointer<UInt64>
    let lossFactor: Double

    init(lossFactor: Double) {
        self.lossFactor = lossFactor
        words = .allocate(capacity: 24)
        words.initialize(repeating: 0, count: 24)
    }

    deinit { words.deallocate() }

    /// Steps completed since the trainer was made (a resumed run counts from where it resumed).
    public var stepsDone: Int { Int(ls_load_relaxed_u64(words)) }

    /// The loss of the last step's batch (before its update), or nil before the first step.
    public var lastBatchLoss: Double? {
        let rows = ls_load_relaxed_u64(words + 16)
        guard rows > 0 else { return nil }
        let sum = Float(bitPattern: UInt32(truncatingIfNeeded: ls_load_relaxed_u64(words + 8)))
        return Double(sum) * lossFactor / Double(rows)
    }

    func set(stepsDone: Int) { ls_store_relaxed_u64(words, UInt64(stepsDone)) }

    /// Called from inside a step by the one worker that holds the step's loss.
    @inline(__always)
    static func publish(_ words: UnsafeMutablePointer<UInt64>, stepsDone: Int, lossSum: Float, rows: Int) {
        ls_store_relaxed_u64(words + 8, UInt64(lossSum.bitPattern))
        ls_store_relaxed_u64(words + 16, UInt64(rows))
        ls_store_relaxed_u64(words, UInt64(stepsDone))
    }
}
