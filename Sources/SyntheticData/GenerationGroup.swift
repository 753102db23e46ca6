/// The processes that write one dataset together: the ranks of an `mpirun` job.
///
/// SyntheticData never imports MPI: the CLI implements this over `MPIWorld` (module Distributed).
/// Both calls are collectives: every rank makes them, in the same order, or none returns.
public protocol GenerationGroup {
    /// This process's index, 0 ..< `ranks`.
    var rank: Int { get }
    /// Number of processes writing the dataset (at least 1); each writes its own contiguous share of the rows.
    var ranks: Int { get }
    /// Rank 0's `text` on every rank (the others' argument is ignored).
    func broadcast(_ text: String) -> String
    /// The element-wise maximum of every rank's `values` (all of the same count), on every rank.
    func maximum(_ values: inout [UInt64])
}

/// One process writing alone.
public struct SingleProcess: GenerationGroup {
    /// The group of one: rank 0 of 1.
    public init() {}
    public var rank: Int { 0 }
    /// Always 1.
    public var ranks: Int { 1 }
    public func broadcast(_ text: String) -> String { text }
    public func maximum(_ values: inout [UInt64]) {}
}
