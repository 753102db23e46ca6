import CMPI
import DataParallel

#if canImport(Glibc)
    import Glibc
#endif

/// This process's place in an Open MPI job: the only door to MPI (LinearTraining, DataParallel and
/// SyntheticData never import it).
///
/// MPI is initialised only when the process was started by `mpirun` (Open MPI sets
/// `OMPI_COMM_WORLD_SIZE`, PMIx `PMIX_RANK`): a plain `lockstep` never loads MPI's start-up
/// (no singleton init). `MPI_Init_thread` asks for `MPI_THREAD_FUNNELED`: every MPI call comes from
/// the thread that initialised it (the executor's calling thread, between the phases of a step;
/// never a Dispatch worker inside a span).
public final class MPIWorld: @unchecked Sendable {
    /// This process's rank in `MPI_COMM_WORLD`, from 0 to `size` − 1 (rank 0 is the one that prints and writes).
    public let rank: Int
    /// The number of ranks in `MPI_COMM_WORLD` (mpirun's `-np`), at least 1.
    public let size: Int

    /// Whether the environment says this process was launched by mpirun.
    public static var launchedByMPI: Bool {
        getenv("OMPI_COMM_WORLD_SIZE") != nil || getenv("PMIX_RANK") != nil
    }

    /// Initialises MPI when launched by mpirun; nil otherwise (and then MPI is never touched).
    public static func startIfLaunched() -> MPIWorld? {
        guard launchedByMPI else { return nil }
        var provided: Int32 = 0
        var argc: Int32 = 0
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        guard MPI_Init_thread(&argc, &argv, ls_mpi_thread_funneled(), &provided) == MPI_SUCCESS else { return nil }
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(ls_mpi_comm_world(), &r)
        MPI_Comm_size(ls_mpi_comm_world(), &s)
        return MPIWorld(rank: Int(r), size: Int(s))
    }

    init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Ends MPI (every rank, at the end of a successful run).
    public func finish() { MPI_Finalize() }

    /// Ends the whole job at once with `code` (a rank that cannot go on must not leave the others
    /// waiting at a collective).
    public func abort(_ code: Int32) -> Never {
        MPI_Abort(ls_mpi_comm_world(), code)
        exit(code)
    }

    /// Waits for every rank.
    public func barrier() { MPI_Barrier(ls_mpi_comm_world()) }

    /// The same value on every rank (the config and data hashes at start)?
    public func allAgree(_ value: UInt64) -> Bool {
        var v = value, lo: UInt64 = 0, hi: UInt64 = 0
        MPI_Allreduce(&v, &lo, 1, ls_mpi_uint64(), ls_mpi_min(), ls_mpi_comm_world())
        MPI_Allreduce(&v, &hi, 1, ls_mpi_uint64(), ls_mpi_max(), ls_mpi_comm_world())
        return lo == hi
    }

    /// The largest of every rank's `value` (the run's traffic figures, once at the end).
    public func maximum(_ value: UInt64) -> UInt64 {
        var v = value, hi: UInt64 = 0
        MPI_Allreduce(&v, &hi, 1, ls_mpi_uint64(), ls_mpi_max(), ls_mpi_comm_world())
        return hi
    }

    /// The cross-process combine of a training run over this job.
    public func combine() -> MPICombine { MPICombine(world: self) }
}

/// `CrossProcessCombine` over MPI: one `MPI_Allgatherv` per step, in place, of the ranks' own chunk
/// slots (`width` floats of each, through a strided MPI datatype, so the slots' padding is never
/// sent): a rank sends `width` floats per chunk it owns and receives the rest, chunks × width floats
/// in all. Every rank then reduces all chunks in chunk order: the bits of one process.
public struct MPICombine: CrossProcessExchange, @unchecked Sendable {
    let world: MPIWorld
    let state: State
    public var rank: Int { world.rank }
    public var ranks: Int { world.size }

    /// The per-rank counts and displacements and the slot datatype, made once (no allocation in a step).
    final class State: @unchecked Sendable {
        let counts: UnsafeMutablePointer<Int32>
        let displacements: UnsafeMutablePointer<Int32>
        var slotType: MPI_Datatype?
        var slotShape = (width: -1, stride: -1)
        /// Floats this rank sent, in all (for the sweep's traffic figures).
        var floatsSent = 0

        init(ranks: Int) {
            counts = .allocate(capacity: ranks)
            displacements = .allocate(capacity: ranks)
        }

        deinit {
            counts.deallocate()
            displacements.deallocate()
        }
    }

    init(world: MPIWorld) {
        self.world = world
        state = State(ranks: world.size)
    }

    /// Floats this rank has sent so far.
    public var floatsSent: Int { state.floatsSent }

    package func exchange(_ partials: UnsafeMutablePointer<Float>, stride: Int, width: Int, chunks: Int) {
        let s = state
        if s.slotShape != (width, stride) {
            if s.slotType != nil { MPI_Type_free(&s.slotType) }
            var vector: MPI_Datatype? = nil, resized: MPI_Datatype? = nil
            MPI_Type_contiguous(Int32(width), ls_mpi_float(), &vector)
            MPI_Type_create_resized(vector, 0, MPI_Aint(stride * 4), &resized)
            MPI_Type_commit(&resized)
            MPI_Type_free(&vector)
            s.slotType = resized
            s.slotShape = (width, stride)
        }
        for r in 0..<ranks {
            let owned = ShardPlan.slice(chunks, worker: r, of: ranks)
            s.counts[r] = Int32(owned.count)
            s.displacements[r] = Int32(owned.lowerBound)
        }
        s.floatsSent &+= Int(s.counts[rank]) &* width
        MPI_Allgatherv(
            ls_mpi_in_place(), 0, s.slotType, partials, s.counts, s.displacements, s.slotType, ls_mpi_comm_world())
    }

    /// `fast` reduction: one `MPI_Allreduce(MPI_SUM)` in place. Open MPI's algorithms for it
    /// (recursive doubling, Rabenseifner, ring) give every rank the same bits, but which pairs are
    /// added first depends on the rank count.
    package func allReduce(_ values: UnsafeMutablePointer<Float>, count: Int) {
        MPI_Allreduce(ls_mpi_in_place(), values, Int32(count), ls_mpi_float(), ls_mpi_sum(), ls_mpi_comm_world())
    }

    public func allAgree(_ value: UInt64) -> Bool { world.allAgree(value) }
}
