import Foundation
import Testing

/// `training.schedule` from the shell: the rates a config gives are PyTorch's (the fixture
/// scripts/lr-schedules-torch.py made), shown in the epoch lines, metrics and summary; bad blocks
/// are refused with exit 64 naming the key.
@Suite("CLI schedules", .serialized) struct ScheduleCLITests {
    typealias CLI = CLITests

    static func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func fixture(_ name: String) throws -> [UInt64] {
        let doc = try CLI.json(CLI.root.appendingPathComponent("Tests/Fixtures/lr-schedules-torch.json"))
        let c = try #require((doc["cases"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        return (c["bits"] as! [String]).map { UInt64($0, radix: 16)! }
    }

    @Test func aWarmUpThenCosineConfigGivesPyTorchsRatesEpochByEpoch() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.write(dir, "s.yaml", """
            optimizer: {lr: 0.1}
            training:
              epochs: 40
              schedule:
                kind: sequential
                milestones: [5]
                schedules: [{kind: linear, startFactor: 0.1, totalIters: 5}, {kind: cosine, tMax: 20}]
            """)
        let summary = dir.appendingPathComponent("s.json"), metrics = dir.appendingPathComponent("m.jsonl")
        let r = try CLI.run(["train", "--config", config, "--summary", summary.path, "--metrics", metrics.path, "--print-every", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        // Read from the text with Double(_:), which is exact (JSONSerialization's numbers are not always).
        let text = try String(contentsOf: summary, encoding: .utf8)
        let list = try #require(text.range(of: "\"epochLrs\": [").map { text[$0.upperBound...].prefix { $0 != "]" } })
        let lrs = list.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        #expect(lrs.map(\.bitPattern) == (try Self.fixture("sequential warm-up then cosine")))
        #expect(r.stdout.contains("epoch 1, loss ") && r.stdout.contains(", lr 0.01\n"), "\(r.stdout)")
        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40 && lines[5].contains("\"lr\":0.1}"), "\(lines.prefix(6))")
        let schedule = ((try CLI.json(summary)["config"] as? [String: Any])?["training"] as? [String: Any])?["schedule"] as? [String: Any]
        #expect(schedule?["kind"] as? String == "sequential" && schedule?["interval"] as? String == "epoch")
    }

    @Test func badScheduleBlocksAreRefusedNamingTheKey() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, block, fragment) in [
            ("unknown key", "{kind: step, stepSize: 2, gama: 0.5}", "unknown key 'training.schedule.gama' (did you mean 'training.schedule.gamma'?)"),
            ("no kind", "{gamma: 0.5}", "'training.schedule.kind' is missing"),
            ("bad kind", "{kind: onecycle}", "use one of: step, multistep"),
            ("no tMax", "{kind: cosine}", "'training.schedule.tMax' is missing"),
            ("bad factor", "{kind: linear, startFactor: 0}", "training.schedule.startFactor"),
            ("plateau per step", "{kind: plateau, interval: step}", "plateau steps once per epoch"),
            ("nested", "{kind: sequential, milestones: [2], schedules: [{kind: linear}, {kind: sequential}]}", "cannot nest"),
            ("interval inside", "{kind: sequential, milestones: [2], schedules: [{kind: linear, interval: step}, {kind: exponential, gamma: 0.9}]}",
             "unknown key 'training.schedule.schedules[0].interval'"),
            ("milestones", "{kind: sequential, milestones: [2, 3], schedules: [{kind: linear}, {kind: exponential, gamma: 0.9}]}",
             "training.schedule.milestones"),
        ] {
            let path = try Self.write(dir, "bad.yaml", "training: {epochs: 2, schedule: \(block)}\n")
            let r = try CLI.run(["train", "--config", path])
            #expect(r.status == 64 && r.stderr.contains(fragment), "\(name): \(r.status) \(r.stderr)")
        }
    }
}
