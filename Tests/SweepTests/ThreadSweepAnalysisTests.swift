import DataParallel
import LinearTraining
import SyntheticData
import Testing

/// `ThreadSweep`, the analysis `lockstep sweep` prints, as a library: every cell's numbers follow
/// from its report and the one-thread run's, and the span runs have the one-thread run's bits.
@Suite("Thread sweep analysis", .serialized) struct ThreadSweepAnalysisTests {
    @Test func cellsAreJudgedAgainstOneThreadAndTheSpanRunsHaveItsBits() throws {
        var c = ThreadSweepTests.workloads[0].config
        c.executor = .span
        let data = try c.data.load(threads: 2)
        var seen: [Int] = []
        let sweep = try ThreadSweep.run(config: c, data: data, threads: [2, 3, 2]) { t, trainer in
            seen.append(t)
            #expect(trainer.workers == t)
        }
        #expect(seen == [2, 3, 1], "each thread count once, the one-thread baseline last")
        #expect(sweep.cells.map(\.threads) == [2, 3, 2] && sweep.baseline.threads == 1)
        let base = sweep.baseline.medianEpochSeconds
        #expect(base == ThreadSweep.median(sweep.baseline.report.epochSeconds) && sweep.baseline.speedup == 1)
        let best = sweep.baseline.report.epochSeconds.min()!
        for cell in sweep.cells {
            #expect(cell.report.batchRows > cell.report.chunkRows, "several chunks a step")
            #expect(!cell.ranSerially, "\(cell.threads) threads ran \(cell.report.executor)")
            #expect(cell.bitwiseEqualToOneThread, "\(cell.threads) threads")
            #expect(cell.speedup == base / cell.medianEpochSeconds && cell.efficiency == cell.speedup / Double(cell.threads))
            #expect(cell.samplesPerSecond == Double(data.rows) / cell.medianEpochSeconds)
            #expect(cell.xBytesPerSecond == Double(data.rows * data.features * 4) / cell.medianEpochSeconds)
            #expect(cell.beatsBestOneThread == (cell.medianEpochSeconds < best))
            #expect(cell.phaseSecondsPerEpoch != nil, "phases are timed")
        }
        #expect(sweep.cost == sweep.cells.first { $0.medianEpochSeconds < best }?.threads)
        #expect(sweep.serialReason == nil)
        #expect(ThreadSweep.median([3, 1, 2]) == 2 && ThreadSweep.median([4, 1, 2, 3]) == 2.5 && ThreadSweep.median([]).isNaN)
    }

    @Test func aSweepOfSerialRunsSaysWhy() throws {
        let c = TrainingConfig(epochs: 1)  // the d2l lesson: batch 10, one chunk a step
        let sweep = try ThreadSweep.run(config: c, data: try c.data.load(threads: 1), threads: [2])
        #expect(sweep.cells[0].ranSerially && sweep.cells[0].bitwiseEqualToOneThread)
        #expect(sweep.serialReason == "each step is one chunk of 10 rows, which one worker computes")
    }
}
