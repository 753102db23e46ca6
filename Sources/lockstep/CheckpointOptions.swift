import ArgumentParser
import Foundation
import LinearTraining

/// `--checkpoint-dir`, `--checkpoint-every`, `--resume`: where a training run saves its state and
/// how it continues from it.
struct CheckpointOptions: ParsableArguments {
    @Option(
        name: .customLong("checkpoint-dir"),
        help: "Save checkpoints here: at epoch ends (at most one a second), every --checkpoint-every steps, at the end, and on SIGINT/SIGTERM (default with --run-dir: RUN_DIR/checkpoints).")
    var checkpointDir: String?

    @Option(name: .customLong("checkpoint-every"), help: "Also save a checkpoint every N steps.")
    var checkpointEvery: Int?

    @Flag(name: .long, help: "Continue from the checkpoint in the checkpoint directory (start afresh if there is none yet); the result is bit-for-bit the uninterrupted run's.")
    var resume = false

    func validate() throws {
        if let n = checkpointEvery, n < 1 { throw ValidationError("--checkpoint-every must be at least 1, got \(n)") }
    }

    /// The checkpoint directory of this run (made if missing), checked against `--resume`, or nil
    /// when the run keeps no checkpoints.
    func directory(runDir: RunDirectory?) throws(CLIError) -> String? {
        guard let dir = checkpointDir ?? runDir.map(\.checkpoints) else {
            if resume || checkpointEvery != nil {
                throw CLIError(
                    message: "\(resume ? "--resume" : "--checkpoint-every") needs a place for checkpoints: add --checkpoint-dir DIR or --run-dir DIR",
                    status: .usage)
            }
            return nil
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create checkpoint directory \(dir): \(error.localizedDescription)", status: .ioError)
        }
        // Before anything is read or written: a second run on this directory stops here (exit 75).
        try DirectoryLock.acquire(DirectoryLock.file(inDirectory: dir), for: "checkpoint directory \(dir)")
        let existing = dir + "/" + TrainingCheckpoint.fileName
        if !resume && FileManager.default.fileExists(atPath: existing) {
            throw CLIError(
                message: "\(existing) holds a checkpoint of an earlier run; pass --resume to continue it, or choose another "
                    + "--checkpoint-dir (or delete the file) to start afresh",
                status: .usage)
        }
        return dir
    }

    var policy: CheckpointPolicy { CheckpointPolicy(everySteps: checkpointEvery) }

    /// Resumes `trainer` from the checkpoint in `dir` when asked; returns a line saying what happened.
    func resumeIfAsked(_ trainer: Trainer, dir: String) throws -> String? {
        guard resume else { return nil }
        guard let checkpoint = try TrainingCheckpoint.load(fromDirectory: dir) else {
            return "resume: no checkpoint in \(dir) yet; starting from the beginning"
        }
        try trainer.resume(from: checkpoint, path: dir + "/" + TrainingCheckpoint.fileName)
        return "resume: continuing from epoch \(checkpoint.epochsDone + 1), batch \(checkpoint.batchInEpoch + 1) of "
            + "\(trainer.batchesPerEpoch) (step \(checkpoint.steps) of \(trainer.totalSteps))"
    }

    /// The command line that continues this run.
    static var resumeCommand: String {
        var args = CommandLine.arguments
        if !args.contains("--resume") { args.append("--resume") }
        return args.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}
