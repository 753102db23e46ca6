import HardwareTopology
import Testing

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
}
