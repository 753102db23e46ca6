import HardwareTopology

/// The same training job at several thread counts, judged against one thread: epoch times, speedup,
/// efficiency, COST and bitwise equality (what `lockstep sweep` prints and writes as sweep.json).
///
/// ```swift
/// let sweep = try ThreadSweep.run(config: config, data: .stored(dataset), threads: [1, 2, 4])
/// for cell in sweep.cells { print(cell.threads, cell.speedup, cell.bitwiseEqualToOneThread) }
/// ```
///
/// Each thread count trains once, from the same start, without the per-epoch evaluation pass
/// (`Trainer.run(evaluateEachEpoch: false)`), with phase timing on. A one-thread run is always made,
/// as the baseline, even when 1 is not in the list.
public struct ThreadSweep: Sendable {
    /// One thread count's run and how it compares with one thread.
    public struct Cell: Sendable {
        /// The threads asked for (`training.threads`).
        public var threads: Int
        /// The run's report (its `executor` is the mode that ran).
        public var report: TrainingReport
        /// The median of the run's epoch seconds.
        public var medianEpochSeconds: Double
        /// Rows per second at the median epoch.
        public var samplesPerSecond: Double
        /// Bytes of X read per second at the median epoch, in the dtype X is stored in.
        public var xBytesPerSecond: Double
        /// The one-thread median over this run's.
        public var speedup: Double
        /// `speedup` over the threads asked for.
        public var efficiency: Double
        /// The median is below the one-thread run's fastest epoch (not only its median).
        public var beatsBestOneThread: Bool
        /// Weights, biases and the final loss have the one-thread run's bits.
        public var bitwiseEqualToOneThread: Bool
        /// The per-epoch averages of where the workers' time went (nil when not measured).
        public var phaseSecondsPerEpoch: PhaseSeconds?
        /// The run was serial (so it says nothing about scaling, and its equality holds by construction).
        public var ranSerially: Bool { report.executor == .serial }
    }

    /// The thread counts in the order asked for.
    public var cells: [Cell]
    /// The one-thread run every cell is compared with.
    public var baseline: Cell
    /// COST ("configuration that outperforms a single thread", McSherry et al.): the first thread
    /// count, in the order asked for, whose median epoch beats the one-thread run's fastest; nil if none.
    public var cost: Int? { cells.first { $0.beatsBestOneThread }?.threads }

    /// Trains `config` on `data` at each of `threads` (each at least 1; duplicates train once) and
    /// judges the runs. `topology` binds workers and counts the cores as `Trainer` does;
    /// `beforeRun(threads, trainer)` is called before each run starts (for progress display).
    public static func run(
        config: TrainingConfig, data: TrainingData, topology: Topology? = nil, threads: [Int],
        beforeRun: (Int, Trainer) -> Void = { _, _ in }
    ) throws(TrainingError) -> ThreadSweep {
        var reports: [Int: TrainingReport] = [:]
        for t in threads + [1] where reports[t] == nil {
            var c = config
            c.threads = t
            let trainer = try Trainer(config: c, data: data, topology: topology)
            trainer.measurePhases = true
            beforeRun(t, trainer)
            reports[t] = try trainer.run(evaluateEachEpoch: false)
        }
        let bytes = Double(data.rows) * Double(data.features) * Double(data.dtype.size)
        return ThreadSweep(reports: threads.map { ($0, reports[$0]!) }, oneThread: reports[1]!, rows: data.rows, xBytesPerEpoch: bytes)
    }

    /// Judges finished runs: `reports` in the order to show, `oneThread` the baseline; `rows` and
    /// `xBytesPerEpoch` (rows × d × the stored dtype's size) give the rates.
    public init(reports: [(threads: Int, report: TrainingReport)], oneThread: TrainingReport, rows: Int, xBytesPerEpoch: Double) {
        let baseMedian = Self.median(oneThread.epochSeconds)
        let bestOne = oneThread.epochSeconds.min() ?? baseMedian
        func cell(_ threads: Int, _ r: TrainingReport) -> Cell {
            let m = Self.median(r.epochSeconds)
            let epochs = Double(r.epochSeconds.count)
            let same = r.model.weights.map(\.bitPattern) == oneThread.model.weights.map(\.bitPattern)
                && r.model.biases.map(\.bitPattern) == oneThread.model.biases.map(\.bitPattern)
                && r.finalLoss.bitPattern == oneThread.finalLoss.bitPattern
            return Cell(
                threads: threads, report: r, medianEpochSeconds: m, samplesPerSecond: Double(rows) / m,
                xBytesPerSecond: xBytesPerEpoch / m, speedup: baseMedian / m, efficiency: baseMedian / m / Double(threads),
                beatsBestOneThread: m < bestOne, bitwiseEqualToOneThread: same,
                phaseSecondsPerEpoch: r.phaseSeconds.map {
                    PhaseSeconds(compute: $0.compute / epochs, reduceUpdate: $0.reduceUpdate / epochs, wait: $0.wait / epochs)
                })
        }
        cells = reports.map { cell($0.threads, $0.report) }
        baseline = cell(1, oneThread)
    }

    /// When every multi-thread run ran serially the sweep compares serial runs: why, in words, so
    /// nobody reads its efficiencies as scaling or its equality as evidence (nil otherwise).
    public var serialReason: String? {
        let multi = cells.filter { $0.threads > 1 }.map(\.report)
        guard let first = multi.first, multi.allSatisfy({ $0.executor == .serial }) else { return nil }
        let chunks = (first.batchRows + first.chunkRows - 1) / max(first.chunkRows, 1)
        return chunks <= 1
            ? "each step is one chunk of \(first.batchRows) rows, which one worker computes"
            : "each step of \(first.batchRows) rows (\(chunks) chunks of \(first.chunkRows)) is too short for more workers to pay off"
    }

    /// The median of `xs` (NaN for none).
    public static func median(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
