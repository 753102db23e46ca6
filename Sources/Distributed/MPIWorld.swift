import CMPI
import DataParallel

#if canImport(Glibc)
    import Glibc
#endif

/// This process's place in an Open MPI job: the only door to MPI (LinearTraining, DataParallel and
/// SyntheticData never import it).
///
/// MPI is loaded and initialised only when the process was started by `mpirun` (Open MPI sets
/// `OMPI_COMM_WORLD_SIZE`, PMIx `PMIX_RANK`): the binary does not link libmpi, and under mpirun
/// ``startIfLaunched()`` opens it with `dlopen` (`libmpi.so.40`, or the file `LOCKSTEP_MPI_LIBRARY`
/// names) and calls it through a table of `dlsym`'d functions. A plain `lockstep` never maps libmpi,
/// libopen-rte, libopen-pal or libevent (no singleton init, no start-up cost).
/// `MPI_Init_thread` asks for `MPI_THREAD_FUNNELED`: every MPI call comes from
/// the thread that initialised it (the executor's calling thread, between the phases of a step;
/// never a Dispatch worker inside a span).
public final class MPIWorld: @unchecked Sendable {
    /// This process's rank in `MPI_COMM_WORLD`, from 0 to `size` − 1 (rank 0 is the one that prints and writes).
    public let rank: Int
    /// The number of ranks in `MPI_COMM_WORLD` (mpirun's `-np`), at least 1.
    public let size: Int
    /// The loaded library's functions and predefined handles (shim.h).
    let mpi: ls_mpi

    /// Whether the environment says this process was launched by mpirun.
    public static var launchedByMPI: Bool {
        getenv("OMPI_COMM_WORLD_SIZE") != nil || getenv("PMIX_RANK") != nil
    }

    /// Why MPI could not be started under mpirun: the library could not be loaded (its name and
    /// `dlerror()`), or `MPI_Init_thread` failed.
    public struct StartError: Error, CustomStringConvertible {
        /// One line: what failed, and the loader's or MPI's reason.
        public let description: String
    }

    /// Loads and initialises MPI when launched by mpirun; nil otherwise (and then MPI is never
    /// loaded). Throws ``StartError`` when launched by mpirun but Open MPI cannot be loaded or
    /// initialised (the rank must not go on as a lone process).
    public static func startIfLaunched() throws -> MPIWorld? {
        guard launchedByMPI else { return nil }
        var message = [CChar](repeating: 0, count: 1024)
        guard let table = ls_mpi_load(&message, message.count) else {
            throw StartError(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let mpi = table.pointee
        var provided: Int32 = 0
        var argc: Int32 = 0
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let status = mpi.Init_thread(&argc, &argv, ls_mpi_thread_funneled(), &provided)
        guard status == MPI_SUCCESS else { throw StartError(description: "MPI_Init_thread failed (MPI error \(status))") }
        var r: Int32 = 0, s: Int32 = 0
        _ = mpi.Comm_rank(mpi.comm_world, &r)
        _ = mpi.Comm_size(mpi.comm_world, &s)
        return MPIWorld(mpi: mpi, rank: Int(r), size: Int(s))
    }

    init(mpi: ls_mpi, rank: Int, size: Int) {
        self.mpi = mpi
        self.rank = rank
        self.size = size
    }

    /// Ends MPI (every rank, at the end of a successful run).
    public func finish() { _ = mpi.Finalize() }

    /// Ends the whole job at once with `code` (a rank that cannot go on must not leave the others
    /// waiting at a collective).
    public func abort(_ code: Int32) -> Never {
        _ = mpi.Abort(mpi.comm_world, code)
        exit(code)
    }

    /// Waits for every rank.
    public func barrier() { _ = mpi.Barrier(mpi.comm_world) }

    /// The same value on every rank (the config and data hashes at start)?
    public func allAgree(_ value: UInt64) -> Bool {
        var v = value, lo: UInt64 = 0, hi: UInt64 = 0
        _ = mpi.Allreduce(&v, &lo, 1, mpi.uint64, mpi.min, mpi.comm_world)
        _ = mpi.Allreduce(&v, &hi, 1, mpi.uint64, mpi.max, mpi.comm_world)
        return lo == hi
    }

    /// The largest of every rank's `value` (the run's traffic figures, once at the end).
    public func maximum(_ value: UInt64) -> UInt64 {
        var v = value, hi: UInt64 = 0
        _ = mpi.Allreduce(&v, &hi, 1, mpi.uint64, mpi.max, mpi.comm_world)
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
        let s = state, mpi = world.mpi
        if s.slotShape != (width, stride) {
            if s.slotType != nil { _ = mpi.Type_free(&s.slotType) }
            var vector: MPI_Datatype? = nil, resized: MPI_Datatype? = nil
            _ = mpi.Type_contiguous(Int32(width), mpi.float_type, &vector)
            _ = mpi.Type_create_resized(vector, 0, MPI_Aint(stride * 4), &resized)
            _ = mpi.Type_commit(&resized)
            _ = mpi.Type_free(&vector)
            s.slotType = resized
            s.slotShape = (width, stride)
        }
        for r in 0..<ranks {
            let owned = ShardPlan.slice(chunks, worker: r, of: ranks)
            s.counts[r] = Int32(owned.count)
            s.displacements[r] = Int32(owned.lowerBound)
        }
        s.floatsSent &+= Int(s.counts[rank]) &* width
        _ = mpi.Allgatherv(
            ls_mpi_in_place(), 0, s.slotType, partials, s.counts, s.displacements, s.slotType, mpi.comm_world)
    }

    /// `fast` reduction: one `MPI_Allreduce(MPI_SUM)` in place. Open MPI's algorithms for it
    /// (recursive doubling, Rabenseifner, ring) give every rank the same bits, but which pairs are
    /// added first depends on the rank count.
    package func allReduce(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let mpi = world.mpi
        _ = mpi.Allreduce(ls_mpi_in_place(), values, Int32(count), mpi.float_type, mpi.sum, mpi.comm_world)
    }

    public func allAgree(_ value: UInt64) -> Bool { world.allAgree(value) }
}
