import CLockstepShims

/// How far a run is, readable from any thread while the workers train (for progress bars):
/// the steps done and the last step's batch loss, published by the worker that reduces the loss
/// with two relaxed stores per step and never waited on.
public final class TrainingProgress: @unchecked Sendable {
    /// [0] steps done in the run; [8] Float bits of the last step's Σ r²; [16] its rows; [24] a
    /// stop request (any thread); [32] the span-local step after which the span stops, plus one
    /// (decided by the loss's worker in the reduce phase, read by all after the barrier). A cache
    /// line apart, so readers never share a line with a writer's other words.
    let words: UnsafeMutablePointer<UInt64>
    let lossFactor: Double

    init(lossFactor: Double) {
        self.lossFactor = lossFactor
        words = .allocate(capacity: 40)
        words.initialize(repeating: 0, count: 40)
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

    func set(stepsDone: Int) { ls_store_relaxed_u64(words, UInt64(truncatingIfNeeded: stepsDone)) }

    /// Asks the run to stop after the step in progress (safe from any thread, e.g. a signal handler's queue).
    public func requestStop() { ls_store_relaxed_u64(words + 24, 1) }

    /// True once `requestStop()` was called (by any thread); the run ends after the step in progress.
    public var stopRequested: Bool { ls_load_relaxed_u64(words + 24) != 0 }

    /// The stop request as a raw word, for code that cannot call Swift (a C signal handler stores 1
    /// into it atomically). Valid while this object lives. Package access: only the CLI's signal
    /// handling needs it; a client calls `requestStop()`.
    package var stopWord: UnsafeMutablePointer<UInt64> { words + 24 }

    /// Span-local steps run by a span that stopped early, or nil when it ran to its end.
    var stoppedAfter: Int? {
        let v = ls_load_relaxed_u64(words + 32)
        return v == 0 ? nil : Int(v)
    }

    func clearStopDecision() { ls_store_relaxed_u64(words + 32, 0) }

    /// In the reduce phase of span-local `step`, by the worker that holds the loss.
    @inline(__always)
    static func decideStop(_ words: UnsafeMutablePointer<UInt64>, step: Int) {
        if ls_load_relaxed_u64(words + 24) != 0 { ls_store_relaxed_u64(words + 32, UInt64(truncatingIfNeeded: step &+ 1)) }
    }

    /// After the barrier that ends span-local `step`, by every worker.
    @inline(__always)
    static func stops(_ words: UnsafeMutablePointer<UInt64>, after step: Int) -> Bool {
        ls_load_relaxed_u64(words + 32) == UInt64(truncatingIfNeeded: step &+ 1)
    }

    /// Called from inside a step by the one worker that holds the step's loss. (Counts are never
    /// negative: the conversions skip the sign checks.)
    @inline(__always)
    static func publish(_ words: UnsafeMutablePointer<UInt64>, stepsDone: Int, lossSum: Float, rows: Int) {
        ls_store_relaxed_u64(words + 8, UInt64(lossSum.bitPattern))
        ls_store_relaxed_u64(words + 16, UInt64(truncatingIfNeeded: rows))
        ls_store_relaxed_u64(words, UInt64(truncatingIfNeeded: stepsDone))
    }
}
