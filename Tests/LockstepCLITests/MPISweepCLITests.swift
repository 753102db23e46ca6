import Foundation
import TestSupport
import Testing

/// `lockstep sweep --ranks`: the grid ranks × threads under a real mpirun the sweep launches itself,
/// every cell bitwise equal to 1 × 1; without mpirun on PATH, exit 69 with the fix.
@Suite("CLI sweep --ranks", .serialized) struct MPISweepCLITests {
    typealias CLI = CLITests

    @Test(.enabled(if: MPICLITests.mpirun != nil, "needs Open MPI's mpirun (make deps installs openmpi-bin)"))
    func aRankByThreadGridIsBitwiseEqualToOneByOne() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 512-row batches of 24-row chunks: 22 chunks per step, so each of 2 ranks × 2 threads owns some.
        let config = try MPICLITests.config(dir, "d64", MPICLITests.workloads[0].1)
        let json = dir.appendingPathComponent("sweep.json").path
        let plot = dir.appendingPathComponent("plots").path
        let mpiDir = URL(fileURLWithPath: MPICLITests.mpirun!).deletingLastPathComponent().path
        let r = try runProcess(
            CLI.binary, ["sweep", "--config", config, "--ranks", "1,2", "--threads", "1,2", "--quiet", "--json", json, "--plot", plot,
                         "--run-dir", dir.appendingPathComponent("run").path],
            in: CLI.root, environment: ["PATH": "\(mpiDir):/usr/bin:/bin"], timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").filter { $0.hasSuffix(" yes") || $0.hasSuffix(" NO") }
        #expect(rows.count == 4 && rows.allSatisfy { $0.hasSuffix(" yes") }, "four cells, all bitwise equal:\n\(r.stdout)")
        let doc = try CLI.json(URL(fileURLWithPath: json))
        let results = doc["results"] as? [[String: Any]] ?? []
        let cells = results.map { "\($0["ranks"] ?? "?")x\($0["threads"] ?? "?")" }
        #expect(cells == ["1x1", "1x2", "2x1", "2x2"], "\(cells)")
        #expect(results.allSatisfy { $0["bitwiseEqualToOneByOne"] as? Bool == true })
        #expect(results.map { $0["workers"] as? Int } == [1, 2, 2, 4])
        let first = "\(results.first?["weights"] ?? "")"
        #expect(!first.isEmpty && results.allSatisfy { "\($0["weights"] ?? "")" == first })
        let svg = try String(contentsOfFile: plot + "/sweep.svg", encoding: .utf8)
        #expect(svg.contains("ranks × threads"), "the chart says it is a rank grid")
        // The run directory holds the same document and drawing, and a config that reruns.
        let run = dir.appendingPathComponent("run").path
        #expect(try String(contentsOfFile: run + "/sweep.json", encoding: .utf8) == (try String(contentsOfFile: json, encoding: .utf8)))
        #expect(try String(contentsOfFile: run + "/plots/sweep.svg", encoding: .utf8) == svg)
        let names = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0 != ".lockstep.lock" }.sorted()
        #expect(names == ["config.json", "plots", "run.json", "sweep.json"], "\(names)")
    }

    @Test func withoutMPIRunOnPathTheSweepExits69() throws {
        let r = try runProcess(
            CLI.binary, ["sweep", "--config", "configs/line50.yaml", "--ranks", "1,2"], in: CLI.root,
            environment: ["PATH": "/nonexistent"])
        #expect(r.status == 69, "\(r.status) \(r.stderr)")
        #expect(r.stderr.contains("needs Open MPI's mpirun on PATH"), "\(r.stderr)")
    }

    @Test func ranksNeedAConfigAndMPIRunArgsNeedRanks() throws {
        let a = try CLI.run(["sweep", "--ranks", "1,2"])
        #expect(a.status == 64 && a.stderr.contains("give --config"), "\(a.stderr)")
        let b = try CLI.run(["sweep", "--config", "configs/line50.yaml", "--mpirun-args", "--hostfile h"])
        #expect(b.status == 64 && b.stderr.contains("--mpirun-args needs --ranks"), "\(b.stderr)")
    }
}
