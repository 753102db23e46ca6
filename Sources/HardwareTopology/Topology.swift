import CHwloc

/// One physical core this process may run on.
public struct Core: Sendable, Codable, Equatable {
    /// Logical index among the allowed cores, 0-based (what `--threads` workers are bound by).
    public var index: Int
    /// Index of the package (socket) that holds it.
    public var package: Int
    /// OS indices of its processing units (SMT siblings), as `taskset` numbers them.
    public var processingUnits: [Int]
}

/// One cache level: the size of one instance and how many instances there are.
public struct CacheLevel: Sendable, Codable, Equatable {
    /// 1 for L1 (data), 2 for L2, 3 for L3.
    public var level: Int
    /// Bytes of one instance (one core's L2, one package's L3).
    public var sizeBytes: Int
    /// Instances of this level among the CPUs this process may use.
    public var count: Int
}

/// The machine as this process may use it: packages, NUMA nodes, physical cores, PUs and caches.
///
/// Loaded once through hwloc, restricted to the CPUs this process may run on (taskset and cgroup
/// cpusets). Workers are counted in physical cores, not SMT siblings: two siblings share the load and
/// store units a memory-bound SGD step saturates.
/// Immutable after loading; hwloc allows concurrent binding calls, hence `@unchecked Sendable`.
public final class Topology: @unchecked Sendable {
    /// Processor packages (sockets) that hold at least one usable core.
    public let packages: Int
    /// NUMA nodes (memory controllers) of the machine (at least 1).
    public let numaNodes: Int
    /// The physical cores this process may run on, in hwloc's logical order.
    public let cores: [Core]
    /// Hardware threads (SMT siblings counted separately) this process may run on.
    public let processingUnits: Int
    /// The data and unified cache levels, L1 first.
    public let caches: [CacheLevel]
    /// What hwloc reports as the machine's memory; wrong on some VMs, so never used to size buffers.
    public let reportedMemoryBytes: UInt64

    let handle: HwlocHandle
    let coreCpusets: [hwloc_bitmap_t]

    /// The topology of this process, loaded on first use.
    public static func current() throws(TopologyError) -> Topology {
        try cached.get()
    }

    private static let cached: Result<Topology, TopologyError> = Result { () throws(TopologyError) in
        try Topology(handle: HwlocHandle())
    }

    init(handle: HwlocHandle) throws(TopologyError) {
        self.handle = handle
        let coreCount = handle.count(HWLOC_OBJ_CORE)
        var cores: [Core] = []
        var sets: [hwloc_bitmap_t] = []
        for i in 0..<coreCount {
            guard let obj = handle.object(HWLOC_OBJ_CORE, i), let set = handle.cpuset(of: obj),
                let copy = handle.copy(set)
            else { continue }
            cores.append(
                Core(index: cores.count, package: handle.packageIndex(of: obj), processingUnits: handle.processingUnitOSIndices(of: obj)))
            sets.append(copy)
        }
        guard !cores.isEmpty else { throw .noCores }
        self.cores = cores
        self.coreCpusets = sets
        self.packages = max(1, handle.count(HWLOC_OBJ_PACKAGE))
        self.numaNodes = max(1, handle.count(HWLOC_OBJ_NUMANODE))
        self.processingUnits = handle.count(HWLOC_OBJ_PU)
        var caches: [CacheLevel] = []
        for (level, type) in [(1, HWLOC_OBJ_L1CACHE), (2, HWLOC_OBJ_L2CACHE), (3, HWLOC_OBJ_L3CACHE)] {
            if let c = handle.cache(type) { caches.append(CacheLevel(level: level, sizeBytes: c.sizeBytes, count: c.count)) }
        }
        self.caches = caches
        self.reportedMemoryBytes = handle.totalMemoryBytes()
    }

    deinit { for set in coreCpusets { handle.free(set) } }

    /// Number of physical cores this process may use: the default worker count.
    public var physicalCores: Int { cores.count }

    /// Size in bytes of one cache of `level` (1, 2 or 3), if hwloc knows it.
    public func cacheSize(level: Int) -> Int? { caches.first { $0.level == level }?.sizeBytes }
}
