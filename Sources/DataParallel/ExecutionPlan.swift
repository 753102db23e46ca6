import HardwareTopology

/// How a run's workers execute: the worker count, the mode, the binding and why, decided in one
/// place from one reading of the cores.
///
/// Everything comes from one `Topology` (the one passed in, or this process's, read once through
/// hwloc): its physical cores are the default worker count, and its hardware threads are how many
/// workers can run at once, which a span needs (its workers wait for each other at a barrier).
/// ``Executor`` runs what the plan says; `Trainer` and `lockstep train`'s header report it.
public struct ExecutionPlan: Sendable, Equatable {
    /// Why ``mode`` is what it is.
    public enum Reason: Sendable, Equatable {
        /// The mode asked for, as asked.
        case asked
        /// One worker: serial, whatever was asked.
        case oneWorker
        /// `auto`: a step reads this many floats of X, below ``ExecutionPlan/parallelThresholdFloats``,
        /// so its workers would wait longer at barriers than they compute: serial.
        case belowParallelThreshold(stepFloats: Int)
        /// `auto`: several workers and steps of at least ``ExecutionPlan/parallelThresholdFloats``: span.
        case parallelStep
        /// `span` (asked or by `auto`) with more workers than hardware threads: a span's workers
        /// must all run at once, so every step fans out on its own (per-step).
        case moreWorkersThanHardwareThreads
    }

    /// The mode asked for (`auto` when the plan was left to choose).
    public let requested: ExecutionMode
    /// The mode the steps run in: serial, span or per-step, never `auto`. (A span can still fall back
    /// to per-step at run time when a busy machine keeps a worker from checking in; `Executor.run`
    /// returns the mode that ran.)
    public let mode: ExecutionMode
    /// Workers per step: 1 when ``mode`` is serial, else the threads asked for (nil: ``cores``).
    public let workers: Int
    /// The physical cores this process may run on: the default worker count.
    public let cores: Int
    /// The hardware threads (SMT siblings counted) this process may run on: how many workers can run
    /// at once.
    public let hardwareThreads: Int
    /// Whether span worker i is bound to core i: asked for, a topology given to bind with, and no
    /// more workers than cores.
    public let bindsToCores: Bool
    /// Why ``mode`` was chosen.
    public let reason: Reason

    /// Steps with fewer floats of X than this run serially under `auto`: a 2-way parallel step costs
    /// ≥ 1 µs in barriers, ~3 µs of memory-bound work at 128 KiB.
    public static let parallelThresholdFloats = 32_768

    /// This process's cores and hardware threads, read once through hwloc (1 and 1 when hwloc cannot
    /// say): what a plan without a topology counts.
    public static let processCores: (cores: Int, hardwareThreads: Int) = {
        guard let t = try? Topology.current() else { return (1, 1) }
        return (t.physicalCores, max(t.processingUnits, t.physicalCores))
    }()

    /// The plan for `mode` with `threads` workers (nil: one per physical core) whose steps read
    /// `stepFloats` floats of X each (what `auto` weighs; leave it out to mean "large"). The cores are
    /// `topology`'s, or this process's (``processCores``) without one; binding needs a `topology` to
    /// bind with. `threads` below 1 is a programming error (a precondition).
    public init(
        mode requested: ExecutionMode = .auto, threads: Int? = nil, stepFloats: Int = .max, topology: Topology? = nil,
        bindToCores: Bool = true
    ) {
        let counts = topology.map { ($0.physicalCores, max($0.processingUnits, $0.physicalCores)) } ?? Self.processCores
        let asked = threads ?? counts.0
        precondition(asked >= 1, "a plan needs at least one worker, got \(asked)")
        self.requested = requested
        cores = counts.0
        hardwareThreads = counts.1
        var mode = requested, reason = Reason.asked
        if requested == .auto {
            (mode, reason) = stepFloats >= Self.parallelThresholdFloats ? (.span, .parallelStep) : (.serial, .belowParallelThreshold(stepFloats: stepFloats))
        }
        if mode != .serial && asked == 1 { (mode, reason) = (.serial, .oneWorker) }
        if mode == .span && asked > hardwareThreads { (mode, reason) = (.perStep, .moreWorkersThanHardwareThreads) }
        self.mode = mode
        self.reason = reason
        workers = mode == .serial ? 1 : asked
        bindsToCores = bindToCores && topology != nil && mode != .serial && workers <= cores
    }

    /// Why the mode is not the one asked for, in words (nil when it is): "20 floats per step is below
    /// the parallel threshold of 32768", "one worker", "a span needs all 3 workers at once; …".
    public var why: String? {
        switch reason {
        case .asked, .parallelStep: return nil
        case .oneWorker: return requested == .serial || requested == .auto ? nil : "one worker"
        case let .belowParallelThreshold(floats):
            return "\(floats) floats per step is below the parallel threshold of \(Self.parallelThresholdFloats)"
        case .moreWorkersThanHardwareThreads:
            return "a span needs all \(workers) workers at once; this process has \(hardwareThreads) hardware thread(s)"
        }
    }

    /// One line for people: "2 worker(s), executor span", and ``why`` in parentheses when there is one.
    public var summary: String {
        "\(workers) worker(s), executor \(mode.rawValue)" + (why.map { " (\($0))" } ?? "")
    }
}
