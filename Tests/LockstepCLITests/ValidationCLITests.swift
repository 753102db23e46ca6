import Foundation
import TestSupport
import Testing

/// `data.validation` and `training.earlyStopping` from the shell: what the epoch lines, metrics,
/// summary and loss plot say, and the refusals.
@Suite("CLI validation and early stopping", .serialized) struct ValidationCLITests {
    typealias CLI = CLITests

    @Test func aHeldOutShareIsScoredEachEpochAndStopsTheRun() throws {
        let dir = try CLI.tempDir().path
        try """
            data:
              synthetic: {rows: 8000, features: 8, seed: 3, noise: 0.5}
              validation: {fraction: 0.2}
            optimizer: {lr: 0.01}
            training: {epochs: 40, batchSize: 64, earlyStopping: {patience: 3, minDelta: 0.0001, restoreBest: true}}
            """.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", "--config", dir + "/c.yaml", "--run-dir", dir + "/run", "--print-every", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("epoch 1, loss ") && r.stdout.contains(", val loss ") && r.stdout.contains(", val R² 0.9"), "\(r.stdout)")
        #expect(r.stdout.contains("early stopping after epoch ") && r.stdout.contains("its weights are the result"), "\(r.stdout)")
        let summary = try CLI.json(URL(fileURLWithPath: dir + "/run/summary.json"))
        let validation = try #require(summary["validation"] as? [String: Any])
        let stop = try #require(summary["earlyStopping"] as? [String: Any])
        let epochs = try #require(summary["epochLosses"] as? [Double]).count
        #expect(validation["metric"] as? String == "r2" && (validation["losses"] as? [Double])?.count == epochs)
        #expect(stop["stoppedAfterEpoch"] as? Int == epochs && epochs < 40 && stop["restoredBest"] as? Bool == true)
        #expect((summary["rows"] as? Int).map { $0 > 6000 && $0 < 6800 } == true, "the training part of 8000 rows")
        let lines = try String(contentsOfFile: dir + "/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == epochs && lines.allSatisfy { $0.contains("\"valLoss\":") && $0.contains("\"valR2\":") })
        let svg = try String(contentsOfFile: dir + "/run/plots/loss.svg", encoding: .utf8)
        #expect(svg.contains("validation") && svg.contains("Training and validation loss"))
        // The model saved is the restored one, and evaluate agrees with the best validation loss.
        let model = try CLI.json(URL(fileURLWithPath: dir + "/run/model.json"))
        #expect((model["model"] as? [String: Any])?["weights"] as? [Double] == summary["weights"] as? [Double])
        let provenance = try #require(model["provenance"] as? [String: Any])
        #expect(provenance["weightsFromEpoch"] as? Int == stop["bestEpoch"] as? Int && provenance["epochs"] as? Int == epochs,
                "the provenance says which epoch's weights these are: \(provenance)")
        let e = try CLI.run(["evaluate", "--model", dir + "/run/model.json", "--config", dir + "/c.yaml", "--json", "-"])
        #expect(e.status == 0, "\(e.stderr)")
        let scores = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        let trainingRows = try #require(summary["rows"] as? Int)
        #expect(scores["rows"] as? Int == 8000 - trainingRows, "evaluate --config scores the held-out rows by default")
        #expect((scores["data"] as? String ?? "").contains("validation rows"), "\(scores)")
        let best = try #require(stop["bestLoss"] as? Double), mse = try #require(scores["mse"] as? Double)
        #expect(abs(mse / 2 - best) < 1e-5 * best, "the squared loss is MSE/2: \(mse / 2) vs \(best)")
        for (rows, count) in [("training", trainingRows), ("all", 8000)] {
            let r = try CLI.run(["evaluate", "--model", dir + "/run/model.json", "--config", dir + "/c.yaml", "--rows", rows, "--json", "-"])
            let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(doc?["rows"] as? Int == count, "--rows \(rows): \(r.stderr)")
        }
        let noConfig = try CLI.run(["evaluate", "--model", dir + "/run/model.json", "--data", dir + "/none.csv", "--rows", "all"])
        #expect(noConfig.status == 64 && noConfig.stderr.contains("give --config"), "\(noConfig.stderr)")
    }

    @Test func aSeparateSourceIsReadRelativeToTheConfig() throws {
        let dir = try CLI.tempDir().path
        var train = "x,y\n", check = "x,y\n"
        for i in 0..<60 { train += "\(Double(i) / 10),\(2 * Double(i) / 10 + 1)\n" }
        for i in 0..<20 { check += "\(Double(i) / 7),\(2 * Double(i) / 7 + 1)\n" }
        try FileManager.default.createDirectory(atPath: dir + "/cfg/data", withIntermediateDirectories: true)
        try train.write(toFile: dir + "/cfg/data/train.csv", atomically: true, encoding: .utf8)
        try check.write(toFile: dir + "/cfg/data/check.csv", atomically: true, encoding: .utf8)
        try """
            data:
              csv: {path: data/train.csv}
              validation: {csv: {path: data/check.csv}}
            loss: mse
            optimizer: {lr: 0.02}
            training: {epochs: 300, batchSize: full, shuffle: false}
            """.write(toFile: dir + "/cfg/c.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", "--config", dir + "/cfg/c.yaml", "--summary", dir + "/s.json", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let validation = try #require(try CLI.json(URL(fileURLWithPath: dir + "/s.json"))["validation"] as? [String: Any])
        #expect((validation["losses"] as? [Double])?.count == 300 && ((validation["finalMetric"] as? Double) ?? 0) > 0.99)
    }

    @Test func badValidationAndEarlyStoppingBlocksAreRefused() throws {
        let dir = try CLI.tempDir().path
        let cases: [(String, Int32, String)] = [
            ("data: {synthetic: {rows: 100, features: 2, materialize: false}, validation: {fraction: 0.1}}", 64, "materialize: false"),
            ("data: {synthetic: {rows: 100, features: 2}, validation: {}}", 64, "needs a fraction"),
            ("data: {synthetic: {rows: 100, features: 2}, validation: {fraction: 1.5}}", 64, "between 0 and 1"),
            ("data: {synthetic: {rows: 100, features: 2}, validation: {csv: {path: none.csv}}}", 66, "none.csv"),
            ("data: {synthetic: {rows: 100, features: 2}, validation: {synthetic: {rows: 10, features: 3, weights: [1, 2, 3]}}}", 64, "3 feature(s)"),
            ("training: {earlyStopping: {patience: 0}}", 64, "patience"),
            ("training: {earlyStopping: {minDelta: -1}}", 64, "minDelta"),
            ("training: {earlyStopping: {wait: 3}}", 64, "wait"),
        ]
        for (i, (text, status, words)) in cases.enumerated() {
            try text.write(toFile: dir + "/c\(i).yaml", atomically: true, encoding: .utf8)
            let r = try CLI.run(["train", "--config", dir + "/c\(i).yaml", "--quiet"])
            #expect(r.status == status && r.stderr.contains(words), "\(text): \(r.status) \(r.stderr)")
        }
    }
}
