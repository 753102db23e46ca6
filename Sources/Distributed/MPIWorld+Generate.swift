import CMPI

/// The collectives `lockstep generate` needs under mpirun (rank 0 stages the dataset, every rank
/// writes its pieces, rank 0 commits): a broadcast of rank 0's value or text, an element-wise
/// maximum. Called from the main thread only, like every MPI call of this module.
extension MPIWorld {
    /// Rank 0's `value` on every rank.
    public func broadcast(_ value: UInt64) -> UInt64 {
        var v = value
        _ = mpi.Bcast(&v, 1, mpi.uint64, 0, mpi.comm_world)
        return v
    }

    /// Rank 0's `text` on every rank (its length, then its UTF-8 bytes).
    public func broadcast(_ text: String) -> String {
        var bytes = Array(text.utf8)
        let count = Int(broadcast(UInt64(bytes.count)))
        if rank != 0 { bytes = [UInt8](repeating: 0, count: count) }
        if count > 0 { _ = mpi.Bcast(&bytes, Int32(count), mpi.byte, 0, mpi.comm_world) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The element-wise maximum of every rank's `values` (the same count on every rank), on every rank.
    public func maximum(_ values: inout [UInt64]) {
        guard !values.isEmpty else { return }
        let n = Int32(values.count)
        values.withUnsafeMutableBufferPointer { p in
            _ = mpi.Allreduce(ls_mpi_in_place(), p.baseAddress, n, mpi.uint64, mpi.max, mpi.comm_world)
        }
    }
}
