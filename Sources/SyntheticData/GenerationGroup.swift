/// The processes that write one dataset together: the ranks of an `mpirun` job.
///
/// SyntheticData never imports MPI: the CLI implements this over `MPIWorld` (module Distributed).
/// Both calls are collectives: every rank makes them, in the same order, or none returns.
public protocol GenerationGroup {
    /// This process's index, 0 ..< `ranks`.
    var rank: Int { get }
    var ranks: Int { get }
    /// Rank 0's `text` on every rank (the others' argument is ignored).
    func broadcast(_ text: String) -> String
    /// The element-wise maximum of every rank's `values` (all of the same count), on every rank.
    func maximum(_ values: inout [UInt64])
}

/// One process writing alone.
public struct SingleProcess: GenerationGroup {
    public init() {}
    public var rank: Int { 0 }
    public var ranks: Int { 1 }
    public func broadcast(_ text: String) -> String { text }
    public func maximum(_ values: inout [UInt64]) {}
}
