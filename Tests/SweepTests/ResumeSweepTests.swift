import DataParallel
import Dispatch
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// Stopping and resuming at any step, with any thread count and executor on either side of the
/// stop, gives the uninterrupted run's bits. (Also what `make tsan` and `make asan` run: a stop
/// request crosses threads while a span runs.)
@Suite("Resume sweep", .serialized) struct ResumeSweepTests {
    typealias Sweep = ThreadSweepTests

    static func outcome(_ r: TrainingReport) -> Sweep.Outcome {
        Sweep.Outcome(weights: r.model.weights.map(\.bitPattern), bias: r.model.bias.bitPattern, losses: r.epochLosses.map(\.bitPattern))
    }

    static func trainer(_ w: Sweep.Workload, threads: Int, executor: ExecutionMode, data: TrainingData) throws -> Trainer {
        var c = w.config
        c.threads = threads
        c.executor = executor
        return try Trainer(config: c, data: data)
    }

    /// Runs until the first checkpoint after `stopAt` steps, then resumes in a fresh trainer.
    static func stopAndResume(
        _ w: Sweep.Workload, data: TrainingData, stopAt: Int, first: (Int, ExecutionMode), second: (Int, ExecutionMode)
    ) throws -> (Sweep.Outcome, TrainingCheckpoint) {
        let a = try trainer(w, threads: first.0, executor: first.1, data: data)
        var saved: TrainingCheckpoint?
        let partial = try a.run(checkpoints: CheckpointPolicy(everySteps: stopAt, minSeconds: 1e9)) { _ in
        } onCheckpoint: { checkpoint in
            if saved == nil {
                saved = checkpoint
                a.progress.requestStop()
            }
        }
        let checkpoint = try #require(saved)
        #expect(partial.stoppedEarly == (checkpoint.epochsDone < w.config.epochs))
        let b = try trainer(w, threads: second.0, executor: second.1, data: data)
        try b.resume(from: checkpoint, path: "test")
        // The state right after the resume is the checkpoint's, bit for bit (not only the end state:
        // a contractive run can forget a wrong momentum by its last epoch).
        let restored = b.checkpoint()
        #expect(
            restored.params.map(\.bitPattern) == checkpoint.params.map(\.bitPattern)
                && restored.momentum.map(\.bitPattern) == checkpoint.momentum.map(\.bitPattern)
                && restored.steps == checkpoint.steps && restored.epochsDone == checkpoint.epochsDone
                && restored.batchInEpoch == checkpoint.batchInEpoch
                && restored.epochLosses.map(\.bitPattern) == checkpoint.epochLosses.map(\.bitPattern),
            "\(w): the state after resuming at step \(checkpoint.steps)")
        return (outcome(try b.run()), checkpoint)
    }

    @Test(arguments: Sweep.workloads)
    func stoppingAtAnyStepAndResumingOnAnyThreadCountGivesTheSameBits(_ w: Sweep.Workload) throws {
        let data = try w.config.data.load(threads: 2)
        let reference = Self.outcome(try Self.trainer(w, threads: 1, executor: .serial, data: data).run())
        let total = try Self.trainer(w, threads: 1, executor: .serial, data: data).totalSteps
        let plans: [((Int, ExecutionMode), (Int, ExecutionMode))] = [
            ((1, .serial), (3, .span)), ((2, .span), (1, .serial)), ((3, .perStep), (Sweep.cores, .span)),
            ((Sweep.cores + 1, .span), (2, .perStep)), ((8, .perStep), (8, .span)),
        ]
        var generator = SystemRandomNumberGenerator()
        for (first, second) in plans {
            let stopAt = Int.random(in: 1...max(1, total - 1), using: &generator)
            let (got, checkpoint) = try Self.stopAndResume(w, data: data, stopAt: stopAt, first: first, second: second)
            #expect(checkpoint.steps == stopAt, "\(w): stopped at \(checkpoint.steps), asked \(stopAt)")
            #expect(got == reference, "\(w): stop at step \(stopAt) on \(first), resume on \(second)")
        }
    }

    /// The stop is requested from another thread while the run is paused at its checkpoint of step
    /// `at` (it waits until the request is made), so it lands inside the run by construction, not by
    /// a timer racing the run; it must land on a step boundary and resume exactly.
    @Test func aStopFromAnotherThreadLandsOnAStepAndResumesExactly() throws {
        var w = Sweep.workloads[0]
        w.config.epochs = 40  // long enough for the stop to land inside the run
        let data = try w.config.data.load(threads: 2)
        let reference = Self.outcome(try Self.trainer(w, threads: 2, executor: .span, data: data).run())
        for at in [3, 17, 100] {
            let a = try Self.trainer(w, threads: 2, executor: .span, data: data)
            let progress = a.progress, total = a.totalSteps
            var saved: TrainingCheckpoint?
            let partial = try a.run(checkpoints: CheckpointPolicy(everySteps: at, minSeconds: 1e9)) { _ in } onCheckpoint: { c in
                saved = c
                if c.steps == at {
                    let requested = DispatchSemaphore(value: 0)
                    DispatchQueue.global().async {
                        progress.requestStop()
                        requested.signal()
                    }
                    requested.wait()
                }
            }
            let checkpoint = try #require(saved)
            #expect(partial.stoppedEarly && checkpoint.steps >= at && checkpoint.steps < total, "stop after \(at): at \(checkpoint.steps) of \(total)")
            #expect(checkpoint.steps == partial.steps, "the checkpoint is where the run stopped")
            let b = try Self.trainer(w, threads: 3, executor: .span, data: data)
            try b.resume(from: checkpoint, path: "test")
            #expect(Self.outcome(try b.run()) == reference, "stopped at step \(checkpoint.steps)")
        }
    }

    @Test func aCheckpointSurvivesItsJSONExactly() throws {
        let w = Sweep.workloads[1]
        let data = try w.config.data.load(threads: 1)
        let a = try Self.trainer(w, threads: 2, executor: .span, data: data)
        var saved: TrainingCheckpoint?
        _ = try a.run(checkpoints: CheckpointPolicy(everySteps: 5)) { _ in } onCheckpoint: { c in
            if c.steps == 20 { saved = c }
        }
        let checkpoint = try #require(saved)
        let back = try TrainingCheckpoint(text: checkpoint.json.text(pretty: true), path: "test")
        #expect(back == checkpoint)
        #expect(checkpoint.momentum.contains { $0 != 0 })
        // The file as written (content serialised once) is the JSON's own text.
        #expect(checkpoint.fileText == checkpoint.json.text(pretty: true) + "\n")
        #expect(try TrainingCheckpoint(text: checkpoint.fileText, path: "test") == checkpoint)
    }

    /// A long history is stored compactly (bits only; no per-epoch rates without a schedule), and
    /// the last checkpoint is outside the timed loop, so checkpoints stay cheap for the line lesson.
    @Test func longHistoriesAreCheckpointedCompactlyAndResumeExactly() throws {
        let config = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 50, features: 1, weights: .explicit([1.2]), seed: 1)), loss: .mse,
            optimizer: SGD(lr: 0.01), epochs: 3000, batchSize: nil, shuffle: false)
        let data = try config.data.load(threads: 1)
        var last: TrainingCheckpoint?
        let whole = try Trainer(config: config, data: data).run(checkpoints: CheckpointPolicy()) { _ in } onCheckpoint: { last = $0 }
        let checkpoint = try #require(last)
        #expect(checkpoint.epochsDone == 3000 && whole.trainSeconds > 0)
        let text = checkpoint.fileText
        #expect(!text.contains("\"epochLosses\": [") && !text.contains("epochLrs") && text.count < 3000 * 40)
        var more = config
        more.epochs = 3500
        let resumed = try Trainer(config: more, data: data)
        try resumed.resume(from: try TrainingCheckpoint(text: text, path: "t"), path: "t")
        let r = try resumed.run()
        let straight = try Trainer(config: more, data: data).run()
        #expect(r.epochLosses.map(\.bitPattern) == straight.epochLosses.map(\.bitPattern))
        #expect(r.epochLRs == straight.epochLRs && r.model == straight.model)
    }
}
