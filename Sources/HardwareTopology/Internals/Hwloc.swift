import CHwloc

#if canImport(Glibc)
    import Glibc
#endif

/// Every `hwloc_*` call of the project lives in this file; C return codes become `TopologyError`s here.
///
/// The handle owns one loaded `hwloc_topology_t`. hwloc allows concurrent read-only use and binding
/// calls on a loaded topology, which is all that happens after `init`, hence `@unchecked Sendable`.
final class HwlocHandle: @unchecked Sendable {
    let topology: hwloc_topology_t

    /// Loads the topology restricted to the CPUs this process may use (cgroup cpusets are excluded
    /// by hwloc's defaults; `RESTRICT_TO_CPUBINDING` also honours `taskset`).
    ///
    /// Only what Lockstep reads is discovered (start-up cost, docs/performance.md "Start-up"):
    /// - the plugins in `unusedPlugins` are not loaded (see `initWithoutUnusedPlugins`);
    /// - the `x86` component is left out: on Linux it only adds CPUID attributes (CPU model, vendor)
    ///   that Lockstep never reads, and to read them it binds the thread to every PU in turn (each move
    ///   18-40 µs here). Cores, PUs, packages and caches come from the `linux` component (sysfs);
    /// - `DONT_CHANGE_BINDING` (no component may move the thread while loading), `NO_DISTANCES`,
    ///   `NO_MEMATTRS`, `NO_CPUKINDS`: none of them is used.
    /// Measured: `hwloc_topology_init` 3-8 ms -> 0.1 ms, `hwloc_topology_load` 1.4 -> 0.8 ms.
    /// Filtering the object types Lockstep never uses (I/O, instruction caches, Misc, Group,
    /// memory-side caches) made no measurable difference (hwloc's defaults already drop most of them)
    /// and is not done.
    init() throws(TopologyError) {
        var topo: hwloc_topology_t?
        try check("hwloc_topology_init", Self.initWithoutUnusedPlugins(&topo))
        guard let topo else { throw .hwlocCallFailed(function: "hwloc_topology_init", code: -1, errno: 0) }
        let flags = UInt(HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM.rawValue)
            | UInt(HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING.rawValue)
            | UInt(HWLOC_TOPOLOGY_FLAG_DONT_CHANGE_BINDING.rawValue)
            | UInt(HWLOC_TOPOLOGY_FLAG_NO_DISTANCES.rawValue)
            | UInt(HWLOC_TOPOLOGY_FLAG_NO_MEMATTRS.rawValue)
            | UInt(HWLOC_TOPOLOGY_FLAG_NO_CPUKINDS.rawValue)
        do {
            try check("hwloc_topology_set_flags", hwloc_topology_set_flags(topo, flags))
            try check(
                "hwloc_topology_set_components",
                hwloc_topology_set_components(topo, UInt(HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST.rawValue), "x86"))
            try check("hwloc_topology_load", hwloc_topology_load(topo))
        } catch {
            hwloc_topology_destroy(topo)
            throw error
        }
        self.topology = topo
    }

    deinit { hwloc_topology_destroy(topology) }

    /// hwloc plugins (Debian's `libhwloc-plugins`) that discover what Lockstep never asks for: XML
    /// import/export, OpenCL, GL and PCI devices, and the GPU ones other builds ship.
    static let unusedPlugins =
        "hwloc_xml_libxml,hwloc_opencl,hwloc_gl,hwloc_pci,hwloc_cuda,hwloc_nvml,hwloc_rsmi,hwloc_levelzero"

    /// `hwloc_topology_init`, without loading `unusedPlugins`.
    ///
    /// The first `hwloc_topology_init` of a process `dlopen`s every plugin in hwloc's plugin
    /// directory, whatever the topology will be asked: here libxml2 with the system's ICU (a 30 MB data
    /// library), libOpenCL, libX11/libxcb and libpciaccess, 3-8 ms of a 10 ms start-up. hwloc has no
    /// call to skip them, only the environment variable `HWLOC_PLUGINS_BLACKLIST`, read during that
    /// first init; so it is set for the call and removed after (the plugins stay unloaded for the
    /// process: hwloc loads them once). A value the user set is left as it is. The topology is loaded
    /// once a process, by `Topology.current()`, which the CLI calls before it starts any thread.
    static func initWithoutUnusedPlugins(_ topo: inout hwloc_topology_t?) -> Int32 {
        let name = "HWLOC_PLUGINS_BLACKLIST"
        let ours = getenv(name) == nil && setenv(name, unusedPlugins, 0) == 0
        defer { if ours { unsetenv(name) } }
        return hwloc_topology_init(&topo)
    }

    func count(_ type: hwloc_obj_type_t) -> Int {
        Int(max(0, hwloc_get_nbobjs_by_type(topology, type)))
    }

    func object(_ type: hwloc_obj_type_t, _ index: Int) -> hwloc_obj_t? {
        hwloc_get_obj_by_type(topology, type, UInt32(index))
    }

    /// OS indices of the PUs inside `object`'s cpuset, ascending.
    func processingUnitOSIndices(of object: hwloc_obj_t) -> [Int] { indices(of: object.pointee.cpuset) }

    /// The indices set in `set`, ascending (none for a nil set).
    func indices(of set: hwloc_const_bitmap_t?) -> [Int] {
        var result: [Int] = []
        var i = hwloc_bitmap_first(set)
        while i >= 0 {
            result.append(Int(i))
            i = hwloc_bitmap_next(set, i)
        }
        return result
    }

    /// The logical index of the package (socket) that holds `object`; 0 when none does.
    func packageIndex(of object: hwloc_obj_t) -> Int {
        var parent = object.pointee.parent
        while let p = parent {
            if p.pointee.type == HWLOC_OBJ_PACKAGE { return Int(p.pointee.logical_index) }
            parent = p.pointee.parent
        }
        return 0
    }

    /// Size in bytes of the first cache object of `type`, with how many there are.
    func cache(_ type: hwloc_obj_type_t) -> (sizeBytes: Int, count: Int)? {
        let n = count(type)
        guard n > 0, let obj = object(type, 0), let attr = obj.pointee.attr else { return nil }
        return (Int(attr.pointee.cache.size), n)
    }

    /// Total memory of the machine as hwloc reports it (known to be wrong on some VMs: report only).
    func totalMemoryBytes() -> UInt64 {
        guard let root = hwloc_get_root_obj(topology) else { return 0 }
        return root.pointee.total_memory
    }

    /// The calling thread's current CPU binding (a new bitmap the caller frees with `free(_:)`).
    func currentThreadBinding() throws(TopologyError) -> hwloc_bitmap_t {
        guard let set = hwloc_bitmap_alloc() else {
            throw .hwlocCallFailed(function: "hwloc_bitmap_alloc", code: -1, errno: errno)
        }
        let rc = hwloc_get_cpubind(topology, set, Int32(HWLOC_CPUBIND_THREAD.rawValue))
        if rc != 0 {
            hwloc_bitmap_free(set)
            throw .hwlocCallFailed(function: "hwloc_get_cpubind", code: rc, errno: errno)
        }
        return set
    }

    /// Binds the calling thread to `set`.
    func bindCurrentThread(to set: hwloc_const_bitmap_t) throws(TopologyError) {
        try check("hwloc_set_cpubind", hwloc_set_cpubind(topology, set, Int32(HWLOC_CPUBIND_THREAD.rawValue)))
    }

    func copy(_ set: hwloc_const_bitmap_t) -> hwloc_bitmap_t? { hwloc_bitmap_dup(set) }
    func free(_ set: hwloc_bitmap_t) { hwloc_bitmap_free(set) }
    func cpuset(of object: hwloc_obj_t) -> hwloc_const_bitmap_t? { object.pointee.cpuset }

}

/// Turns an hwloc return code into a thrown error.
private func check(_ function: String, _ rc: Int32) throws(TopologyError) {
    if rc != 0 { throw .hwlocCallFailed(function: function, code: rc, errno: errno) }
}
