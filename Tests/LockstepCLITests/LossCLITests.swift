import Foundation
import TestSupport
import Testing

/// The logistic and Huber losses from the shell: config forms, label checks and exit codes.
@Suite("CLI losses", .serialized) struct LossCLITests {
    typealias CLI = CLITests

    static func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func logisticAndHuberTrainAndBadValuesGetTheirExitCodes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let logistic = try Self.write(dir, "l.yaml", """
            data: {synthetic: {rows: 4000, features: 4, weights: [2, -1, 0.5, 1], bias: 0.5, seed: 2, task: logistic}}
            model: {init: zeros}
            loss: logistic
            optimizer: {lr: 1}
            training: {epochs: 30, batchSize: full, shuffle: false}
            """)
        let summary = dir.appendingPathComponent("l.json")
        let r = try CLI.run(["train", "--config", logistic, "--summary", summary.path])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try CLI.json(summary)
        let loss = j["finalLoss"] as? Double ?? 9
        #expect(loss < 0.6931 && loss > 0.1, "the BCE loss fell below log 2: \(loss)")
        #expect(((j["config"] as? [String: Any])?["loss"] as? String) == "logistic")

        let huber = try Self.write(dir, "h.yaml", "loss: {kind: huber, delta: 0.5}\ntraining: {epochs: 2}\n")
        let h = try CLI.run(["train", "--config", huber, "--summary", dir.appendingPathComponent("h.json").path])
        #expect(h.status == 0, "\(h.stderr)")
        let hj = try CLI.json(dir.appendingPathComponent("h.json"))
        let hl = (hj["config"] as? [String: Any])?["loss"] as? [String: Any]
        #expect(hl?["kind"] as? String == "huber" && hl?["delta"] as? Double == 0.5, "\(String(describing: hl))")

        for (name, text, status, fragment) in [
            ("labels", "loss: logistic\n", Int32(65), "row 0 has the label"),
            ("delta", "loss: {kind: huber, delta: -1}\n", 64, "delta"),
            ("delta-squared", "loss: {kind: squared, delta: 1}\n", 64, "only applies to kind: huber"),
            ("kind", "loss: {delta: 1}\n", 64, "'loss.kind' is missing"),
            ("task", "data: {synthetic: {task: poisson}}\n", 64, "task"),
            ("classWeight-squared", "loss: {kind: squared, classWeight: balanced}\n", 64, "only applies to kind: logistic"),
            ("classWeight-one", "loss: {kind: logistic, classWeight: {0: 1}}\n", 64, "needs both classes' weights"),
            ("classWeight-word", "loss: {kind: logistic, classWeight: even}\n", 64, "use one of: balanced"),
            ("classWeight-zero", "loss: {kind: logistic, classWeight: {0: 0, 1: 2}}\n", 64, "finite numbers > 0"),
        ] {
            let path = try Self.write(dir, name + ".yaml", text)
            let b = try CLI.run(["train", "--config", path])
            #expect(b.status == status && b.stderr.contains(fragment), "\(name): \(b.status) \(b.stderr)")
        }
    }

    /// `loss: {kind: logistic, classWeight: …}`: balanced weights favour the rare class (n/(2·n_c):
    /// the two classes weigh the same in total), explicit ones are taken as given, both in the summary.
    @Test func classWeightsAreResolvedAndReported() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (weight, expected) in [("balanced", nil), ("{0: 1, 1: 4}", [1.0, 4.0])] {
            let config = try Self.write(dir, "c.yaml", """
                data: {synthetic: {rows: 3000, features: 4, bias: -2, seed: 3, task: logistic}}
                loss: {kind: logistic, classWeight: \(weight)}
                optimizer: {lr: 0.5}
                training: {epochs: 2, batchSize: 100, threads: 2, executor: span, chunkRows: 25}
                """)
            let out = dir.appendingPathComponent("s.json")
            let r = try CLI.run(["train", "--config", config, "--summary", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            let weights = try #require(try CLI.json(out)["classWeights"] as? [Double])
            if let expected {
                #expect(weights == expected)
            } else {
                // w₀·n₀ = w₁·n₁ = n/2 with n₀ + n₁ = n: 1/(2w₀) + 1/(2w₁) = 1.
                #expect(weights[0] < 1 && weights[1] > 1 && abs(1 / (2 * weights[0]) + 1 / (2 * weights[1]) - 1) < 1e-6, "\(weights)")
            }
        }
    }

    /// y.npy saved as numpy int64 or bool labels trains to the same bits as float32 labels; a label
    /// that is not 0 or 1 is refused naming its row.
    @Test func integerAndBooleanLabelFilesTrainLikeFloatOnes() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let floats = dir.appendingPathComponent("f").path
        let spec = try Self.write(dir, "g.yaml", "data: {synthetic: {rows: 600, features: 3, seed: 4, task: logistic}}\n")
        let g = try CLI.run(["generate", "--config", spec, "--out", floats])
        #expect(g.status == 0, "\(g.stderr)")
        _ = try python(
            """
            import numpy as np, os, shutil
            y = np.load('\(floats)/y.npy')
            for name, labels in [('i', y.astype(np.int64)), ('b', y.astype(bool)), ('bad', np.where(np.arange(600) == 5, 2, y).astype(np.int32))]:
                os.mkdir('\(dir.path)/' + name); shutil.copy('\(floats)/X.npy', '\(dir.path)/' + name)
                np.save('\(dir.path)/' + name + '/y.npy', labels)
            """)
        let config = try Self.write(dir, "c.yaml", "loss: logistic\noptimizer: {lr: 0.5}\ntraining: {epochs: 3, batchSize: 64}\n")
        var weights: [String] = []
        for name in ["f", "i", "b"] {
            let out = dir.appendingPathComponent(name + ".json")
            let r = try CLI.run(["train", "--config", config, "--data", dir.appendingPathComponent(name).path, "--summary", out.path])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            let j = try CLI.json(out)
            weights.append("\(j["weights"] ?? "none") \(j["bias"] ?? "none") \(j["epochLosses"] ?? "none")")
        }
        #expect(weights[0] != "none none none" && weights[1] == weights[0] && weights[2] == weights[0], "\(weights)")
        let bad = try CLI.run(["train", "--config", config, "--data", dir.appendingPathComponent("bad").path])
        #expect(bad.status == 65 && bad.stderr.contains("row 5"), "\(bad.status) \(bad.stderr)")
    }
}
