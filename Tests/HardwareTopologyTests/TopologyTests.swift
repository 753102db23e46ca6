import CHwloc
@testable import HardwareTopology
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Topology") struct TopologyTests {
    @Test func loadsTheCoresThisProcessMayUse() throws {
        let topo = try Topology.current()
        #expect(topo.physicalCores >= 1)
        #expect(topo.processingUnits >= topo.physicalCores)
        #expect(topo.packages >= 1 && topo.numaNodes >= 1)
        let pus = topo.cores.flatMap(\.processingUnits)
        #expect(pus.count == topo.processingUnits, "every PU belongs to exactly one core")
        #expect(Set(pus).count == pus.count)
        #expect(topo.cores.map(\.index) == Array(0..<topo.physicalCores))
    }

    @Test func reportsCacheSizes() throws {
        let topo = try Topology.current()
        for level in topo.caches { #expect(level.sizeBytes > 0 && level.count >= 1, "L\(level.level)") }
        if let l1 = topo.cacheSize(level: 1), let l2 = topo.cacheSize(level: 2) { #expect(l1 < l2) }
    }

    @Test func bindsToACoreAndRestoresThePreviousBinding() throws {
        let topo = try Topology.current()
        let before = try topo.currentThreadProcessingUnits()
        for core in topo.cores {
            let saved = try topo.bindCurrentThread(toCore: core.index)
            #expect(try topo.currentThreadProcessingUnits() == core.processingUnits, "core \(core.index)")
            try saved.restore()
            #expect(try topo.currentThreadProcessingUnits() == before, "restored after core \(core.index)")
        }
    }

    @Test func rejectsACoreThatDoesNotExist() throws {
        let topo = try Topology.current()
        #expect(throws: TopologyError.coreOutOfRange(index: topo.physicalCores, coreCount: topo.physicalCores)) {
            _ = try topo.bindCurrentThread(toCore: topo.physicalCores)
        }
    }

    @Test func treeNamesEveryCore() throws {
        let topo = try Topology.current()
        let tree = topo.treeDescription
        for core in topo.cores { #expect(tree.contains("Core \(core.index):")) }
        #expect(topo.report.physicalCores == topo.physicalCores)
    }

    /// Start-up: hwloc's plugins for XML, OpenCL, GL and PCI (libxml2 + ICU, X11, libpciaccess) cost
    /// 3-8 ms to load and Lockstep never uses them; loading the topology must not map them.
    @Test func loadsNoneOfTheUnusedHwlocPlugins() throws {
        _ = try Topology.current()
        let maps = try #require(Self.procSelfMaps(), "read /proc/self/maps")
        #expect(maps.contains("libhwloc"), "the check reads the maps")
        let plugins = maps.split(separator: "\n").filter { $0.contains("/hwloc/hwloc_") }
        #expect(plugins.isEmpty, "mapped: \(plugins)")
        #expect(getenv("HWLOC_PLUGINS_BLACKLIST") == nil, "the variable is removed after the init")
    }

    @Test func keepsAPluginBlacklistTheUserSet() throws {
        let name = "HWLOC_PLUGINS_BLACKLIST"
        let before = getenv(name).map { String(cString: $0) }
        setenv(name, "hwloc_gl", 1)
        defer { if let before { setenv(name, before, 1) } else { unsetenv(name) } }
        var topo: hwloc_topology_t?
        #expect(HwlocHandle.initWithoutUnusedPlugins(&topo) == 0)
        if let topo { hwloc_topology_destroy(topo) }
        #expect(getenv(name).map { String(cString: $0) } == "hwloc_gl")
    }

    /// /proc files report size 0, so they are read until EOF rather than by size.
    static func procSelfMaps() -> String? {
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
