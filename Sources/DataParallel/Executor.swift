import CLockstepShims
import Dispatch
import Foundation
import HardwareTopology

/// How the workers of a span are run (`training.executor`, `--executor`).
public enum ExecutionMode: String, Sendable, Codable, CaseIterable {
    /// Left to ``ExecutionPlan``: `span` when there is more than one worker and a step reads at least
    /// ``ExecutionPlan/parallelThresholdFloats`` floats of X, else `serial`. Only ever asked for: a
    /// plan, an executor and a report hold the mode it resolved to.
    case auto
    /// Everything on the calling thread, as one worker.
    case serial
    /// One `concurrentPerform` per span whose iterations are the workers; they meet at a spinning
    /// barrier between phases. The default for steps big enough to gain from parallelism.
    case span
    /// One `concurrentPerform` per phase of every step: simple, and the fallback when a span's
    /// workers cannot all run at once. ~30–80 µs of fan-out per step on the 2-core VM; the same bits.
    case perStep = "per-step"
}

/// Runs `StepProgram`s as an ``ExecutionPlan`` says: its workers, in its mode.
///
/// A span needs all of its workers running at once (they wait for each other), but
/// `concurrentPerform` only runs as many iterations at once as Dispatch's pool is wide (2 on the
/// 2-core VM, whatever was asked). So a span first has every worker check in; if not all have
/// within `checkInTimeout`, the ones that did return at once and the span runs per-step instead.
/// With more workers than hardware threads the plan does not even try a span.
public final class Executor: @unchecked Sendable {
    /// What this executor runs: the workers, the mode, the binding.
    public let plan: ExecutionPlan
    /// The plan's mode: serial, span or per-step (a span may still fall back to per-step at run time).
    public var mode: ExecutionMode { plan.mode }
    /// How many workers run each step: the plan's.
    public let workers: Int
    /// Bind span workers to cores (worker i → core i) for the span and restore the previous binding after.
    @usableFromInline let bindToCores: Bool
    /// How long a span waits for all its workers to check in before it falls back to per-step.
    public let checkInTimeout: Duration
    @usableFromInline let topology: Topology?
    @usableFromInline let barrier: Barrier
    /// Check-in words: [0] arrivals, [16] decision (0 undecided, 1 go, 2 abandoned).
    @usableFromInline let checkIn: UnsafeMutablePointer<UInt32>
    /// How many spans fell back to per-step because not every worker checked in.
    public var fallbacks: Int { fallbackCount }
    @exclusivity(unchecked) @usableFromInline var fallbackCount = 0
    /// Time each phase while running spans (`phaseTimes`); 4 clock reads per step and worker.
    /// (`@exclusivity(unchecked)` here and on the counters: set between runs, read by the thread
    /// that calls `run`; the dynamic checks were runtime calls inside every span.)
    @exclusivity(unchecked) public var measurePhases = false
    /// Per worker, 8 words apart (a cache line each): nanoseconds of compute (and prepare) and of
    /// reduce + update, summed since `resetPhaseTimes()`.
    @usableFromInline let phaseNanos: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) @usableFromInline var wallNanos: UInt64 = 0

    /// An executor that runs `plan`; with `bindsToCores`, span worker i is bound to core i of
    /// `topology` (the one the plan was made with).
    public init(plan: ExecutionPlan, topology: Topology? = nil, checkInTimeout: Duration = .milliseconds(50)) {
        self.plan = plan
        self.workers = plan.workers
        self.topology = topology
        self.bindToCores = plan.bindsToCores && topology != nil
        self.checkInTimeout = checkInTimeout
        barrier = Barrier(parties: self.workers)
        checkIn = .allocate(capacity: 32)
        checkIn.initialize(repeating: 0, count: 32)
        phaseNanos = .allocate(capacity: 8 * self.workers)
        phaseNanos.initialize(repeating: 0, count: 8 * self.workers)
    }

    /// An executor of `workers` workers (at least 1) in `mode`, planned by
    /// `ExecutionPlan(mode:threads:topology:bindToCores:)` (`auto` counts as a large step).
    public convenience init(
        mode: ExecutionMode, workers: Int, topology: Topology? = nil, bindToCores: Bool = true,
        checkInTimeout: Duration = .milliseconds(50)
    ) {
        precondition(workers >= 1, "an executor needs at least one worker, got \(workers)")
        self.init(
            plan: ExecutionPlan(mode: mode, threads: workers, topology: topology, bindToCores: bindToCores), topology: topology,
            checkInTimeout: checkInTimeout)
    }

    deinit {
        checkIn.deallocate()
        phaseNanos.deallocate()
    }

    /// Where the workers' time went since `resetPhaseTimes()`, averaged over the workers, in
    /// seconds: computing (gradients and the epoch's shuffle), reducing and updating, and the rest
    /// of the wall time (waiting at barriers, fan-out, check-in). Zero unless `measurePhases`.
    public var phaseTimes: (compute: Double, reduceUpdate: Double, wait: Double) {
        var c: UInt64 = 0, r: UInt64 = 0
        for w in 0..<workers {
            c &+= phaseNanos[8 &* w]
            r &+= phaseNanos[8 &* w &+ 1]
        }
        let n = Double(workers)
        let compute = Double(c) / n / 1e9, reduce = Double(r) / n / 1e9
        return (compute, reduce, max(0, Double(wallNanos) / 1e9 - compute - reduce))
    }

    /// Zeroes the times `phaseTimes` reports, to start measuring anew.
    public func resetPhaseTimes() {
        phaseNanos.update(repeating: 0, count: 8 * workers)
        wallNanos = 0
    }

    /// Runs every step of `program`; returns the mode that ran it.
    ///
    /// The run methods are `@inlinable` so that callers get them specialised for their program
    /// type: inside a step, `compute`/`reduceAndUpdate`/`stopsAfter` are then direct calls (or
    /// inlined), not protocol-witness calls — about 20 ns a step on the 50-point line.
    @inlinable
    @discardableResult
    public func run<P: StepProgram>(_ program: P) -> ExecutionMode {
        if measurePhases {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { wallNanos &+= DispatchTime.now().uptimeNanoseconds &- start }
            return dispatch(Timed(program: program, nanos: SharedPointer(phaseNanos)))
        }
        return dispatch(program)
    }

    @inlinable
    func dispatch<P: StepProgram>(_ program: P) -> ExecutionMode {
        if program.combinesAcrossProcesses { return runCombining(program) }
        switch plan.mode {
        case .serial, .auto:
            runSerial(program)
            return .serial
        case .perStep:
            runPerStep(program)
            return .perStep
        case .span:
            if runSpan(program) { return .span }
            fallbackCount &+= 1
            runPerStep(program)
            return .perStep
        }
    }

    @inlinable
    func runSerial<P: StepProgram>(_ program: P) {
        program.prepare(worker: 0, of: 1)
        for s in 0..<program.stepCount {
            program.serialStep(s)
            if program.stopsAfter(step: s) { break }
        }
    }

    @inlinable
    func runPerStep<P: StepProgram>(_ program: P) {
        let w = workers
        DispatchQueue.concurrentPerform(iterations: w) { program.prepare(worker: $0, of: w) }
        for s in 0..<program.stepCount {
            DispatchQueue.concurrentPerform(iterations: w) { program.compute(step: s, worker: $0, of: w) }
            DispatchQueue.concurrentPerform(iterations: w) { program.reduceAndUpdate(step: s, worker: $0, of: w) }
            if program.stopsAfter(step: s) { break }
        }
    }

    /// Steps with a cross-process exchange between their phases, on this thread: serially for one
    /// worker, per step for more (a span keeps the workers busy and has no such point).
    @inlinable
    func runCombining<P: StepProgram>(_ program: P) -> ExecutionMode {
        let w = workers
        if w == 1 {
            program.prepare(worker: 0, of: 1)
        } else {
            DispatchQueue.concurrentPerform(iterations: w) { program.prepare(worker: $0, of: w) }
        }
        for s in 0..<program.stepCount {
            if w == 1 {
                program.compute(step: s, worker: 0, of: 1)
                program.combine(step: s)
                program.reduceAndUpdate(step: s, worker: 0, of: 1)
            } else {
                DispatchQueue.concurrentPerform(iterations: w) { program.compute(step: s, worker: $0, of: w) }
                program.combine(step: s)
                DispatchQueue.concurrentPerform(iterations: w) { program.reduceAndUpdate(step: s, worker: $0, of: w) }
            }
            if program.stopsAfter(step: s) { break }
        }
        return w == 1 ? .serial : .perStep
    }

    /// Returns false (having run nothing) if not every worker checked in in time.
    @inlinable
    func runSpan<P: StepProgram>(_ program: P) -> Bool {
        let w = workers
        let arrivalsWord = SharedPointer(checkIn), decisionWord = SharedPointer(checkIn + 16)
        ls_store_release(arrivalsWord.base, 0)
        ls_store_release(decisionWord.base, 0)
        let timeoutNanos = checkInTimeout.components.seconds * 1_000_000_000
            + checkInTimeout.components.attoseconds / 1_000_000_000
        let barrier = self.barrier, topology = self.topology, bind = bindToCores
        DispatchQueue.concurrentPerform(iterations: w) { worker in
            let arrivals = arrivalsWord.base, decision = decisionWord.base
            if ls_fetch_add(arrivals, 1) == UInt32(w - 1) {
                _ = ls_compare_exchange(decision, 0, 1)
            } else {
                let start = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while ls_load_acquire(decision) == 0 {
                    spins &+= 1
                    if spins < 1000 { ls_cpu_pause() } else { ls_sched_yield() }
                    if spins & 63 == 0, Int64(DispatchTime.now().uptimeNanoseconds - start) > timeoutNanos {
                        _ = ls_compare_exchange(decision, 0, 2)
                    }
                }
            }
            guard ls_load_acquire(decision) == 1 else { return }
            let saved = bind ? try? topology?.bindCurrentThread(toCore: worker) : nil
            program.prepare(worker: worker, of: w)
            barrier.arriveAndWait()
            for s in 0..<program.stepCount {
                program.compute(step: s, worker: worker, of: w)
                barrier.arriveAndWait()
                program.reduceAndUpdate(step: s, worker: worker, of: w)
                barrier.arriveAndWait()
                if program.stopsAfter(step: s) { break }
            }
            try? saved?.restore()
        }
        return ls_load_acquire(decisionWord.base) == 1
    }
}

/// A program whose phases add their durations to per-worker counters (compute, reduce + update).
@usableFromInline
struct Timed<P: StepProgram>: StepProgram {
    @usableFromInline let program: P
    @usableFromInline let nanos: SharedPointer<UInt64>
    @inlinable var stepCount: Int { program.stepCount }

    @inlinable
    init(program: P, nanos: SharedPointer<UInt64>) {
        self.program = program
        self.nanos = nanos
    }

    @inlinable @inline(__always)
    func timed(_ slot: Int, _ worker: Int, _ body: () -> Void) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        nanos.base[8 &* worker &+ slot] &+= DispatchTime.now().uptimeNanoseconds &- t0
    }

    @inlinable func prepare(worker: Int, of workers: Int) { timed(0, worker) { program.prepare(worker: worker, of: workers) } }
    @inlinable func compute(step: Int, worker: Int, of workers: Int) {
        timed(0, worker) { program.compute(step: step, worker: worker, of: workers) }
    }
    @inlinable func reduceAndUpdate(step: Int, worker: Int, of workers: Int) {
        timed(1, worker) { program.reduceAndUpdate(step: step, worker: worker, of: workers) }
    }
    @inlinable func stopsAfter(step: Int) -> Bool { program.stopsAfter(step: step) }
    @inlinable var combinesAcrossProcesses: Bool { program.combinesAcrossProcesses }
    @inlinable func combine(step: Int) { timed(2, 0) { program.combine(step: step) } }
}
