import CMPI
import SyntheticData

extension MPIWorld {
    /// The ranks of this job on this machine (`MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)`), as a
    /// `GenerationGroup`: what `Dataset.generate(_:threads:sharedBy:)` needs to make a synthetic
    /// dataset once per node. A collective of every rank; call it from the main thread.
    public func nodeGroup() -> MPINodeGroup {
        var node: MPI_Comm? = nil
        _ = mpi.Comm_split_type(mpi.comm_world, ls_mpi_comm_type_shared(), Int32(rank), mpi.info_null, &node)
        var r: Int32 = 0, s: Int32 = 0
        _ = mpi.Comm_rank(node, &r)
        _ = mpi.Comm_size(node, &s)
        return MPINodeGroup(mpi: mpi, comm: node, rank: Int(r), ranks: Int(s))
    }
}

/// The ranks of an MPI job that share one machine, numbered 0 ..< `ranks` on it (`MPIWorld.nodeGroup()`).
/// Its collectives run over the node's communicator, from the main thread, like every MPI call of
/// this module.
public final class MPINodeGroup: GenerationGroup, @unchecked Sendable {
    let mpi: ls_mpi
    let comm: MPI_Comm?
    /// This rank's index among the ranks on its machine.
    public let rank: Int
    /// Ranks of the job on this machine.
    public let ranks: Int

    init(mpi: ls_mpi, comm: MPI_Comm?, rank: Int, ranks: Int) {
        self.mpi = mpi
        self.comm = comm
        self.rank = rank
        self.ranks = ranks
    }

    /// Node rank 0's `text` on every rank of the node.
    public func broadcast(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var count = UInt64(bytes.count)
        _ = mpi.Bcast(&count, 1, mpi.uint64, 0, comm)
        if rank != 0 { bytes = [UInt8](repeating: 0, count: Int(count)) }
        if count > 0 { _ = mpi.Bcast(&bytes, Int32(count), mpi.byte, 0, comm) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The element-wise maximum of the node's ranks' `values`, on every rank of the node.
    public func maximum(_ values: inout [UInt64]) {
        guard !values.isEmpty else { return }
        let n = Int32(values.count)
        values.withUnsafeMutableBufferPointer { p in
            _ = mpi.Allreduce(ls_mpi_in_place(), p.baseAddress, n, mpi.uint64, mpi.max, comm)
        }
    }

    /// Frees the node's communicator (before `MPIWorld.finish()`; a collective of the node's ranks).
    public func free() {
        var c = comm
        _ = mpi.Comm_free(&c)
    }
}
