import Foundation
import SyntheticData

extension Trainer {
    /// The run's state now, as a checkpoint.
    public func checkpoint() -> TrainingCheckpoint {
        let d = data.features
        var c = TrainingCheckpoint(
            epochsDone: epochsDone, batchInEpoch: batchInEpoch, steps: stepsTaken, seed: config.seed,
            resumeKey: config.resumeKey, configText: config.json(threads: workers).text(), dataRows: data.rows,
            dataFeatures: d, dataFingerprint: dataFingerprint, dataSource: data.source,
            params: Array(UnsafeBufferPointer(start: state.params, count: state.paramCount)),
            momentum: Array(UnsafeBufferPointer(start: state.momentum, count: state.paramCount)),
            epochLosses: lossesSoFar, epochSeconds: secondsSoFar, partialEpochSeconds: partialEpochSeconds,
            epochLRs: config.schedule == nil ? [] : lrsSoFar, schedulerWords: scheduler?.stateWords)  // without a schedule: all optimizer.lr
        c.validationLosses = validationLossesSoFar
        c.validationMetrics = validationMetricsSoFar
        c.earlyStoppingWords = stopper?.words
        c.bestParams = stopper?.bestParams ?? []
        return c
    }

    /// `data.…` keys whose values differ between two configs' JSON texts, as
    /// `data.synthetic.noise 0.01 in the checkpoint, 0.5 now` (paths are left out: moved files resume).
    static func dataKeyDifferences(checkpoint: String, now: String) -> [String] {
        func flat(_ text: String) -> [String: String] {
            guard let doc = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any], let data = doc["data"] else { return [:] }
            var out: [String: String] = [:]
            func walk(_ v: Any, _ path: String) {
                if let d = v as? [String: Any] {
                    for (k, child) in d { walk(child, path + "." + k) }
                } else {
                    out[path] = "\(v)"
                }
            }
            walk(data, "data")
            return out.filter { !$0.key.hasSuffix(".path") && !$0.key.hasSuffix(".dir") }
        }
        let a = flat(checkpoint), b = flat(now)
        return Set(a.keys).union(b.keys).sorted().compactMap { k in
            a[k] == b[k] ? nil : "\(k) \(a[k] ?? "absent") in the checkpoint, \(b[k] ?? "absent") now"
        }
    }

    /// Continues from `checkpoint` instead of the start: refused, naming every difference, when it
    /// was made for another config or other data, or is further than this run's epochs.
    public func resume(from checkpoint: TrainingCheckpoint, path: String) throws(TrainingError) {
        var differences: [String] = []
        if checkpoint.dataRows != data.rows || checkpoint.dataFeatures != data.features {
            differences.append(
                "data: \(checkpoint.dataRows) × \(checkpoint.dataFeatures) in the checkpoint, \(data.rows) × \(data.features) now")
        } else if checkpoint.dataFingerprint != dataFingerprint {
            // Name the data keys that differ (a synthetic block's noise, seed, …) when the configs say.
            let keys = Self.dataKeyDifferences(checkpoint: checkpoint.configText, now: config.json(threads: nil).text())
            let what = keys.isEmpty ? "checkpoint: \(checkpoint.dataSource); now: \(data.source)" : keys.joined(separator: ", ")
            differences.append("data: same shape but different values (\(what))")
        }
        let now = config.resumeKey
        for key in Set(now.keys).union(checkpoint.resumeKey.keys).sorted() where now[key] != checkpoint.resumeKey[key] {
            differences.append("\(key): \(checkpoint.resumeKey[key] ?? "absent") in the checkpoint, \(now[key] ?? "absent") now")
        }
        guard differences.isEmpty else { throw .checkpointMismatch(path: path, differences: differences) }
        guard checkpoint.epochsDone < config.epochs || (checkpoint.epochsDone == config.epochs && checkpoint.batchInEpoch == 0) else {
            throw .checkpointMismatch(
                path: path, differences: ["the checkpoint is at epoch \(checkpoint.epochsDone) but this run has only \(config.epochs)"])
        }
        guard checkpoint.batchInEpoch < batchesPerEpoch else {
            throw .badCheckpoint(path: path, problem: "is at batch \(checkpoint.batchInEpoch) of an epoch of \(batchesPerEpoch); delete it to start over")
        }
        if let schedule = config.schedule {
            guard let words = checkpoint.schedulerWords,
                let restored = LearningRateScheduler(schedule: schedule, baseLR: config.scheduleBaseLR, words: words)
            else { throw .badCheckpoint(path: path, problem: "has no valid learning-rate schedule state; delete it to start over") }
            scheduler = restored
        }
        var restoredStopper: EarlyStopper?
        if let rule = config.earlyStopping {
            guard let words = checkpoint.earlyStoppingWords,
                let s = EarlyStopper(rule: rule, words: words, bestParams: checkpoint.bestParams),
                s.bestParams.isEmpty || s.bestParams.count == state.paramCount
            else { throw .badCheckpoint(path: path, problem: "has no valid early-stopping state; delete it to start over") }
            restoredStopper = s
        }
        if validation != nil, checkpoint.validationLosses.count != checkpoint.epochsDone {
            throw .badCheckpoint(path: path, problem: "has no validation losses for its \(checkpoint.epochsDone) epoch(s); delete it to start over")
        }
        stopper = restoredStopper
        validationLossesSoFar = checkpoint.validationLosses
        validationMetricsSoFar = checkpoint.validationMetrics
        guard checkpoint.params.count == state.paramCount else {
            throw .badCheckpoint(
                path: path, problem: "holds \(checkpoint.params.count) parameters, this model \(state.paramCount); delete it to start over")
        }
        for j in 0..<state.paramCount {
            state.params[j] = checkpoint.params[j]
            state.momentum[j] = checkpoint.momentum[j]
        }
        stepsTaken = checkpoint.steps
        epochsDone = checkpoint.epochsDone
        batchInEpoch = checkpoint.batchInEpoch
        lossesSoFar = checkpoint.epochLosses
        secondsSoFar = checkpoint.epochSeconds
        lrsSoFar = checkpoint.epochLRs.count == checkpoint.epochsDone
            ? checkpoint.epochLRs : Array(repeating: config.scheduleBaseLR, count: checkpoint.epochsDone)
        partialEpochSeconds = checkpoint.partialEpochSeconds
        progress.set(stepsDone: stepsTaken)
        resumedFrom = (checkpoint.epochsDone, checkpoint.batchInEpoch)
    }
}
