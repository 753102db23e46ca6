import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Ranks on separate "hosts" made of network namespaces on this machine (scripts/netns-hosts.sh:
/// veth links into a bridge, one address per namespace), Open MPI over TCP only, orted started in
/// each host's namespace by a `plm_rsh_agent`: `mpirun -np R lockstep train` across them gives the
/// single process's weights, bias and epoch losses as text. Skipped, with the reason, where the
/// machine does not allow it (not root, no iproute2, no mpirun, namespaces refused).
@Suite("CLI mpirun across network namespaces", .serialized) struct NetnsMPICLITests {
    typealias CLI = CLITests
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let isRoot = getuid() == 0
    static let script = CLI.root.appendingPathComponent("scripts/netns-hosts.sh")

    /// Whether this machine lets us make a namespace (a container may refuse even root).
    static let canMakeNamespaces: Bool = {
        guard isRoot, let ip else { return false }
        let probe = "lsprobe\(getpid())"
        guard (try? runProcess(URL(fileURLWithPath: ip), ["netns", "add", probe], timeout: 10))?.status == 0 else { return false }
        _ = try? runProcess(URL(fileURLWithPath: ip), ["netns", "del", probe], timeout: 10)
        return true
    }()

    @Test(
        .enabled(if: MPICLITests.mpirun != nil, "needs Open MPI's mpirun (make deps installs openmpi-bin)"),
        .enabled(if: isRoot, "needs root to make network namespaces"),
        .enabled(if: ip != nil, "needs iproute2's ip (make deps installs iproute2)"),
        .enabled(if: canMakeNamespaces, "this machine refuses `ip netns add` (a container without CAP_SYS_ADMIN?)"),
        .timeLimit(.minutes(3)))
    func ranksOnThreeNamespaceHostsGiveTheSingleProcesssSummary() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Unique names and subnet: other runs of this test may share the machine.
        let name = "ls" + String(UInt32(truncatingIfNeeded: getpid()) % 0xFFFF, radix: 16)
        let routes = (try? runProcess(URL(fileURLWithPath: Self.ip!), ["-4", "route", "show", "table", "all"], timeout: 10))?.stdout ?? ""
        var net = ""
        repeat { net = "10.\(200 + Int.random(in: 0..<50)).\(Int.random(in: 0..<256))" } while routes.contains(net + ".")
        let hosts = 3
        defer { _ = try? runProcess(Self.script, ["down", name, "\(hosts)"], timeout: 30) }
        let up = try runProcess(Self.script, ["up", name, net, "\(hosts)", dir.path], timeout: 30)
        try #require(up.status == 0, "scripts/netns-hosts.sh up: \(up.stderr)")
        let mpi = [
            "--hostfile", dir.appendingPathComponent("hosts").path, "--map-by", "node", "--oversubscribe", "--bind-to", "none",
            "--mca", "plm_rsh_agent", dir.appendingPathComponent("agent.sh").path, "--mca", "plm_rsh_no_tree_spawn", "1",
            "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "\(net).0/24", "--mca", "oob_tcp_if_include", "\(net).0/24",
            // Ranks waiting in a collective give the cores up: on 2 cores the ranks' workers need them.
            "--mca", "mpi_yield_when_idle", "1",
            // Every orted here shares one machine and one /tmp: Open MPI 4.1's rtc/hwloc then shares
            // its topology through a mapping at an address it picks, and one orted in ~12 launches
            // segfaulted in hwloc_shmem_topology_write, which left mpirun waiting for it forever
            // (the CI hang of 2026-12-07). Real separate hosts lose nothing but a start-up shortcut.
            "--mca", "rtc_hwloc_vmhole", "none",
        ]
        let env = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]
        let mpirun = URL(fileURLWithPath: MPICLITests.mpirun!)
        // The ranks really run on three hosts: each sees its own namespace's address.
        let placed = try runProcess(
            mpirun, mpi + ["-np", "\(hosts)", "/bin/sh", "-c", "\(Self.ip!) -o -4 addr show | grep -o '\(net)\\.[0-9]*'"],
            environment: env, timeout: 60)
        #expect(placed.status == 0, "\(placed.stderr)")
        let addresses = Set(placed.stdout.split(separator: "\n").map(String.init))
        #expect(addresses == Set((1...hosts).map { "\(net).\($0)" }), "one rank per namespace host: \(placed.stdout)")
        for k in [0, 2] {
            let (workload, text) = MPICLITests.workloads[k]
            let config = try MPICLITests.config(dir, workload, text)
            let single = dir.appendingPathComponent("\(workload)-single.json").path
            let s = try CLI.run(["train", "--config", config, "--threads", "1", "--quiet", "--summary", single])
            #expect(s.status == 0, "\(s.stderr)")
            // One worker per rank: 2 × 2 oversubscribed the 2 cores 2:1 with spinning workers and
            // once ran past the time limit under CI (threads per rank are MPICLITests' job).
            for (ranks, threads) in [(2, 1), (3, 1)] {
                let out = dir.appendingPathComponent("\(workload)-r\(ranks)t\(threads).json").path
                let r = try runProcess(
                    mpirun,
                    mpi + ["-np", "\(ranks)", CLI.binary.path, "train", "--config", config, "--threads", "\(threads)", "--quiet", "--summary", out],
                    in: CLI.root, environment: env, timeout: 90)
                #expect(r.status == 0, "\(workload) \(ranks)×\(threads) across namespaces: \(r.stderr)")
                #expect(try MPICLITests.outcome(out) == MPICLITests.outcome(single), "\(workload): \(ranks) rank(s) × \(threads) on namespace hosts")
            }
        }
    }
}
