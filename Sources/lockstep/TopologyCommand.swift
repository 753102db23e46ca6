import ArgumentParser
import HardwareTopology
import LinearTraining
import SyntheticData

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Show the cores, caches and NUMA nodes this process may use (via hwloc).")

    @Flag(name: .long, help: "Print JSON instead of a tree.")
    var json = false

    func run() throws {
        try runReportingErrors {
            let topo = try Topology.current()
            if json {
                print(Self.json(topo.report).text(pretty: true))
            } else {
                print(topo.treeDescription)
                print("Default workers: \(topo.physicalCores) (one per physical core)")
            }
        }
    }

    static func json(_ r: TopologyReport) -> JSONValue {
        .object([
            ("packages", .int(r.packages)),
            ("numaNodes", .int(r.numaNodes)),
            ("physicalCores", .int(r.physicalCores)),
            ("processingUnits", .int(r.processingUnits)),
            ("cores", .array(r.cores.map { c in
                .object([("index", .int(c.index)), ("package", .int(c.package)),
                         ("processingUnits", .array(c.processingUnits.map { .int($0) }))])
            })),
            ("caches", .array(r.caches.map { c in
                .object([("level", .int(c.level)), ("sizeBytes", .int(c.sizeBytes)), ("count", .int(c.count))])
            })),
            ("reportedMemoryBytes", .number("\(r.reportedMemoryBytes)")),
        ])
    }
}
