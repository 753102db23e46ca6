/// A plain, encodable picture of a topology, for `lockstep topology --json` and run summaries.
public struct TopologyReport: Sendable, Codable, Equatable {
    /// ``Topology/packages``.
    public var packages: Int
    /// ``Topology/numaNodes``.
    public var numaNodes: Int
    /// ``Topology/physicalCores``: the default number of workers.
    public var physicalCores: Int
    /// ``Topology/processingUnits``.
    public var processingUnits: Int
    /// ``Topology/cores``.
    public var cores: [Core]
    /// ``Topology/caches``.
    public var caches: [CacheLevel]
    /// ``Topology/reportedMemoryBytes``.
    public var reportedMemoryBytes: UInt64
}

extension Topology {
    /// This topology as plain values (what `lockstep topology --json` prints).
    public var report: TopologyReport {
        TopologyReport(
            packages: packages, numaNodes: numaNodes, physicalCores: physicalCores,
            processingUnits: processingUnits, cores: cores, caches: caches,
            reportedMemoryBytes: reportedMemoryBytes)
    }

    /// A readable tree: machine, packages, caches, cores and their PUs.
    public var treeDescription: String {
        var lines: [String] = []
        let gib = Double(reportedMemoryBytes) / Double(1 << 30)
        lines.append(
            "Machine: \(packages) package(s), \(numaNodes) NUMA node(s), \(physicalCores) physical core(s), "
                + "\(processingUnits) PU(s)" + (reportedMemoryBytes > 0 ? ", hwloc memory \(String(format1(gib))) GiB" : ""))
        for level in caches {
            lines.append("  L\(level.level): \(Self.bytes(level.sizeBytes)) × \(level.count)")
        }
        for p in 0..<packages {
            lines.append("  Package \(p)")
            for core in cores where core.package == p {
                let pus = core.processingUnits.map { "PU \($0)" }.joined(separator: ", ")
                lines.append("    Core \(core.index): \(pus)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func bytes(_ n: Int) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20) MiB" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10) KiB" }
        return "\(n) B"
    }
}

private func format1(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return String(r)
}
