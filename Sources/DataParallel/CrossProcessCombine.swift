import Foundation
import Synchronization

/// The step's cross-process part: local chunks → **combine across processes** → the in-process
/// fixed-order reduce → one shared update.
///
/// A global batch's chunks are divided among the ranks by a fixed rule (`chunks(of:rank:ranks:)`,
/// contiguous ranges); each rank's workers fill the partial-sum slots of its own chunks, then
/// `exchange` makes every rank hold every chunk's slot, so each rank reduces all chunks in chunk
/// order and applies the same update: the bits are those of one process, for any number of ranks
/// and of threads per rank. Per step a rank sends its own chunks' `width` floats each (at most
/// chunks × (d + 2) floats; ≤ 1/chunkRows of the bytes the step reads).
///
/// `reduction` picks between two ways of combining (`distributed.reduction` in the config):
/// `exact` (the default) is the exchange above; `fast` has each rank add its own chunks in chunk
/// order into one partial (d + 2 floats) and the ranks sum those (`allReduce`, one MPI_Allreduce):
/// R × (d + 2) floats cross instead of chunks × (d + 2), but the sum's order depends on R, so the
/// bits are reproducible only at a fixed rank count.
///
/// Implementations: the MPI one (`Distributed.MPICombine`, the only code that calls MPI; get it
/// from `MPIWorld.combine()` and pass it to the trainer) and `SimulatedRanks` (threads of one
/// process standing in for R ranks, for tests). One process needs none: the trainer then runs
/// exactly as it did before ranks existed. The exchange itself works on the trainer's raw buffers,
/// so it is package-only (`CrossProcessExchange`): a trainer accepts only the library's own
/// implementations, and refuses (a precondition) a type that conforms to this protocol alone.
public protocol CrossProcessCombine: Sendable {
    /// This process's rank, 0..<ranks.
    var rank: Int { get }
    /// Processes in the job.
    var ranks: Int { get }
    /// The same 64-bit value on every rank? (run at start: the config and data hashes).
    func allAgree(_ value: UInt64) -> Bool
}

/// The buffers' part of a `CrossProcessCombine`, called by the trainer's step programs on raw
/// partial-sum slots: package plumbing, implemented by `MPICombine` and `SimulatedRanks.Member`.
package protocol CrossProcessExchange: CrossProcessCombine {
    /// Called on one thread per rank, between the compute and reduce phases of a step: `partials`
    /// holds `chunks` slots `stride` floats apart; this rank filled the `width` floats of its own
    /// slots (`chunks(of:rank:ranks:)`); on return every slot holds its owner's values.
    func exchange(_ partials: UnsafeMutablePointer<Float>, stride: Int, width: Int, chunks: Int)
    /// `fast` reduction: `values` holds this rank's `count` sums; on return it holds their sum over
    /// all ranks, the same bits on every rank (reproducible at a fixed rank count only). Called
    /// like `exchange`, on one thread per rank between the phases of a step.
    func allReduce(_ values: UnsafeMutablePointer<Float>, count: Int)
}

/// How the ranks of a distributed run combine a step's partial sums (`distributed.reduction`).
public enum CrossProcessReduction: String, Sendable, CaseIterable {
    /// Every rank gathers every chunk's partial sums and adds them in chunk order: the bits of one
    /// process, for any rank and thread count.
    case exact
    /// Each rank adds its own chunks, then one all-reduce sums the ranks' partials: less traffic
    /// (d + 2 floats per rank per step), bits reproducible only at a fixed rank count.
    case fast
}

extension CrossProcessCombine {
    /// The chunks rank `rank` of `ranks` computes: a contiguous, fixed share.
    @inlinable
    public static func chunks(of chunks: Int, rank: Int, ranks: Int) -> Range<Int> {
        ShardPlan.slice(chunks, worker: rank, of: ranks)
    }

    /// This rank's chunks of a step of `chunks` chunks.
    @inlinable
    public func ownedChunks(_ chunks: Int) -> Range<Int> { ShardPlan.slice(chunks, worker: rank, of: ranks) }
}

/// R ranks as R threads of one process (like swift-nio's embedded channel for a network): each
/// rank runs its own trainer on its own thread, and `exchange` copies the slots through shared
/// memory behind a barrier. Deterministic and exact, so rank-count determinism is unit-tested
/// without `mpirun`; `allReduce` sums the ranks' values in rank order (a fixed order, like an MPI
/// all-reduce at a fixed R), so the `fast` reduction is unit-tested too.
package final class SimulatedRanks: @unchecked Sendable {
    let ranks: Int
    private let lock = NSCondition()
    private var arrived = 0
    private var generation = 0
    /// One element per rank, each written only by its rank and read by the others after a barrier.
    /// Raw buffers, not arrays: rank threads assigning `array[rank]` at once are each a modifying
    /// access to the whole array, a data race (Thread Sanitizer reported it on `slots`).
    private let slots: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
    private let values: UnsafeMutablePointer<UInt64>
    /// Per rank: where `allReduce` adds up the ranks' values before copying them back (grown on
    /// the first call, not per step; raw per-rank buffers for the same reason).
    private let sums: UnsafeMutablePointer<UnsafeMutablePointer<Float>?>
    private let sumCapacity: UnsafeMutablePointer<Int>

    /// A group of `ranks` simulated ranks (at least 1); give each rank's trainer `member(_:)`.
    package init(ranks: Int) {
        precondition(ranks >= 1)
        self.ranks = ranks
        slots = .allocate(capacity: ranks)
        slots.initialize(repeating: nil, count: ranks)
        values = .allocate(capacity: ranks)
        values.initialize(repeating: 0, count: ranks)
        sums = .allocate(capacity: ranks)
        sums.initialize(repeating: nil, count: ranks)
        sumCapacity = .allocate(capacity: ranks)
        sumCapacity.initialize(repeating: 0, count: ranks)
    }

    deinit {
        for r in 0..<ranks { sums[r]?.deallocate() }
        slots.deallocate()
        values.deallocate()
        sums.deallocate()
        sumCapacity.deallocate()
    }

    /// The combine of rank `rank`.
    package func member(_ rank: Int) -> Member { Member(bus: self, rank: rank) }

    /// One rank's view of the group: its `CrossProcessCombine`, to be used from that rank's own thread.
    package struct Member: CrossProcessExchange {
        let bus: SimulatedRanks
        package let rank: Int
        package var ranks: Int { bus.ranks }

        package func exchange(_ partials: UnsafeMutablePointer<Float>, stride: Int, width: Int, chunks: Int) {
            bus.slots[rank] = partials
            bus.barrier()
            // Copy the other ranks' own chunks into this rank's buffer (each rank reads, none writes
            // another's buffer).
            for other in 0..<ranks where other != rank {
                let src = bus.slots[other]!
                for k in ShardPlan.slice(chunks, worker: other, of: ranks) {
                    (partials + k * stride).update(from: src + k * stride, count: width)
                }
            }
            bus.barrier()
        }

        package func allReduce(_ values: UnsafeMutablePointer<Float>, count: Int) {
            if bus.sumCapacity[rank] < count {
                bus.sums[rank]?.deallocate()
                bus.sums[rank] = .allocate(capacity: count)
                bus.sumCapacity[rank] = count
            }
            let sum = bus.sums[rank]!
            bus.slots[rank] = values
            bus.barrier()
            // Every rank adds the same values in the same order (rank 0, 1, …): the same bits everywhere.
            for j in 0..<count {
                var acc = bus.slots[0]![j]
                for other in 1..<ranks { acc += bus.slots[other]![j] }
                sum[j] = acc
            }
            bus.barrier()
            values.update(from: sum, count: count)
        }

        package func allAgree(_ value: UInt64) -> Bool {
            bus.values[rank] = value
            bus.barrier()
            let all = (0..<ranks).allSatisfy { bus.values[$0] == bus.values[0] }
            bus.barrier()
            return all
        }
    }

    func barrier() {
        lock.lock()
        let g = generation
        arrived += 1
        if arrived == ranks {
            arrived = 0
            generation += 1
            lock.broadcast()
        } else {
            while generation == g { lock.wait() }
        }
        lock.unlock()
    }
}
