/// A span of synchronous steps, written once and run by any `Executor` mode.
///
/// Each step has two phases separated by barriers: `compute` (every worker fills the partial sums
/// of its chunks) and `reduceAndUpdate` (every worker reduces and applies its slice of
/// coordinates). `prepare` runs once per worker before the first step (e.g. its share of the
/// epoch's permutation). Implementations must make what is written to each place the same whichever
/// worker writes it (a fixed slice per worker, or chunks handed out by `ChunkClaims`), with places
/// whose union is the same for every worker count, so results do not depend on how many workers run
/// them or on which of them runs faster.
public protocol StepProgram: Sendable {
    /// Number of steps in the span.
    var stepCount: Int { get }
    /// Called once per worker before the first step; a barrier follows.
    func prepare(worker: Int, of workers: Int)
    /// Phase 1 of `step`; a barrier follows.
    func compute(step: Int, worker: Int, of workers: Int)
    /// Phase 2 of `step`; a barrier follows.
    func reduceAndUpdate(step: Int, worker: Int, of workers: Int)
    /// Asked by every worker after the barrier that ends `step`: true ends the span there. It must
    /// give all workers the same answer (decide it in `reduceAndUpdate`, read it after the barrier).
    func stopsAfter(step: Int) -> Bool
    /// `compute` then `reduceAndUpdate` of `step` by a lone worker (the serial executor's step). The
    /// default calls the two; a program can implement it with worker 0 of 1 as constants, so its
    /// slicing folds away (a 50-row step's bookkeeping costs more than its arithmetic).
    func serialStep(_ step: Int)
    /// True for a program whose steps exchange partial sums with other processes: the executor then
    /// calls `combine(step:)` on its own thread between the two phases of every step (so MPI is
    /// called from one thread, never inside a span), running the phases serially or per step.
    var combinesAcrossProcesses: Bool { get }
    /// The cross-process exchange of `step` (see `CrossProcessCombine`).
    func combine(step: Int)
}

extension StepProgram {
    public func stopsAfter(step: Int) -> Bool { false }
    public var combinesAcrossProcesses: Bool { false }
    public func combine(step: Int) {}

    @inlinable
    public func serialStep(_ step: Int) {
        compute(step: step, worker: 0, of: 1)
        reduceAndUpdate(step: step, worker: 0, of: 1)
    }
}
