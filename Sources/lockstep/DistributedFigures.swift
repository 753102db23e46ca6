import DataParallel
import Distributed
import LinearTraining
import SyntheticData

/// A distributed run's communication figures: the summary's `"distributed"` block and the line
/// rank 0 prints after training. Gathered once, after `Trainer.run`, by a collective every rank
/// calls (the max over ranks of the bytes sent).
struct DistributedFigures {
    var ranks: Int
    var threadsPerRank: Int
    var reduction: CrossProcessReduction
    /// The largest, over the ranks, of the bytes of partial sums a rank sent per training step
    /// (its mean over this process's steps: a short last batch sends less).
    var bytesSentPerStepPerRank: Double
    /// Rank 0's mean wall time per training step inside the exchange (MPI_Allgatherv or MPI_Allreduce).
    var communicationSecondsPerStep: Double

    /// Called by every rank after training (a collective: none may skip it).
    static func gather(_ world: MPIWorld, _ trainer: Trainer) -> DistributedFigures {
        let c = trainer.communication
        let maxBytes = world.maximum(UInt64(c.bytesSent))
        let steps = Double(max(1, c.exchanges))
        return DistributedFigures(
            ranks: world.size, threadsPerRank: trainer.workers, reduction: trainer.config.reduction,
            bytesSentPerStepPerRank: Double(maxBytes) / steps, communicationSecondsPerStep: c.seconds / steps)
    }

    /// The summary's block; the names are a contract (`lockstep sweep --ranks` reads them).
    var json: JSONValue {
        let bytes = bytesSentPerStepPerRank
        return .object([
            ("ranks", .int(ranks)),
            ("threadsPerRank", .int(threadsPerRank)),
            ("reduction", .string(reduction.rawValue)),
            ("bytesSentPerStepPerRank", bytes == bytes.rounded() && bytes < 1e15 ? .int(Int(bytes)) : .double(bytes)),
            ("communicationSecondsPerStep", .double(communicationSecondsPerStep)),
        ])
    }

    /// "distributed: 2 ranks × 1 thread, exact reduction, 8.2 KiB sent per step per rank, 21.0 µs exchange per step"
    var line: String {
        "distributed: \(ranks) rank\(ranks == 1 ? "" : "s") × \(threadsPerRank) thread\(threadsPerRank == 1 ? "" : "s"), "
            + "\(reduction.rawValue) reduction, \(byteCountText(Int(bytesSentPerStepPerRank.rounded()))) sent per step per rank, "
            + "\(seconds(communicationSecondsPerStep)) exchange per step"
    }
}
