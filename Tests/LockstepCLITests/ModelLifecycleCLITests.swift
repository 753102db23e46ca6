import Foundation
import Testing
import TestSupport

/// A model's life from the shell, as a new user would on a CSV with named columns: train and
/// save, predict on new data whose columns come in another order, evaluate; warm start; outputs
/// that would destroy an input are refused.
@Suite("CLI saved models, predict, evaluate", .serialized) struct ModelLifecycleCLITests {
    typealias CLI = CLITests

    /// A CSV of house-like data: price = 3·rooms − 0.5·age + 2·garden + 10 + noise (age in decades,
    /// so that plain SGD converges without scaling).
    static func houses(_ path: String, rows: Int, seed: Int, columns: [String] = ["rooms", "age", "garden", "price"]) throws {
        var text = columns.joined(separator: ",") + "\n"
        var s = UInt64(seed) &+ 12345
        func next() -> Double {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Double(s >> 11) / Double(1 << 53)
        }
        for row in 0..<rows {
            let rooms = (1 + 5 * next()).rounded(), age = (40 * next()).rounded() / 10, garden = next() < 0.5 ? 0.0 : 1.0
            let price = 3 * rooms - 0.5 * age + 2 * garden + 10 + 0.1 * (next() - 0.5)
            let values = ["rooms": rooms, "age": age, "garden": garden, "price": price, "id": Double(row), "pool": 1]
            text += columns.map { String(format: "%.4f", values[$0]!) }.joined(separator: ",") + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func config(_ dir: String, csv: String, epochs: Int = 2000, name: String = "c.yaml") throws -> String {
        let path = dir + "/" + name
        try """
            data: {csv: {path: \(csv), target: price}}
            loss: mse
            optimizer: {lr: 0.02}
            training: {epochs: \(epochs), batchSize: full, shuffle: false}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func trainSavePredictOnReorderedColumnsAndEvaluate() throws {
        let dir = try CLI.tempDir().path
        try Self.houses(dir + "/train.csv", rows: 200, seed: 1)
        let cfg = try Self.config(dir, csv: "train.csv")
        let t = try CLI.run(["train", "--config", cfg, "--quiet", "--model", dir + "/m.json", "--run-dir", dir + "/run"])
        #expect(t.status == 0, "\(t.stderr)")
        let model = try CLI.json(URL(fileURLWithPath: dir + "/m.json"))
        #expect(model["featureNames"] as? [String] == ["rooms", "age", "garden"] && model["target"] as? String == "price")
        #expect(model["format"] as? String == "lockstep-model" && model["task"] as? String == "regression")
        #expect(try String(contentsOfFile: dir + "/run/model.json", encoding: .utf8) == (try String(contentsOfFile: dir + "/m.json", encoding: .utf8)))

        // New data with the columns in another order, an extra column, and no target.
        try Self.houses(dir + "/new.csv", rows: 50, seed: 2, columns: ["garden", "id", "age", "rooms"])
        let p = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/new.csv", "--output", "-"])
        #expect(p.status == 0, "\(p.stderr)")
        let lines = p.stdout.split(separator: "\n")
        #expect(lines.first == "value" && lines.count == 51)
        // The same rows in the training order give the same predictions.
        try Self.houses(dir + "/same.csv", rows: 50, seed: 2)
        let q = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/same.csv", "--output", dir + "/p.csv", "--threads", "2"])
        #expect(q.status == 0, "\(q.stderr)")
        #expect(try String(contentsOfFile: dir + "/p.csv", encoding: .utf8) == p.stdout)

        // numpy reproduces the predictions from model.json's bits to <= 1 ulp.
        let check = try python("""
            import json, numpy as np
            m = json.load(open('\(dir)/m.json'))
            w = np.array([int(h, 16) for h in m['model']['bits']['weights']], dtype=np.uint32).view(np.float32)
            b = np.array([int(m['model']['bits']['bias'], 16)], dtype=np.uint32).view(np.float32)[0]
            X = np.loadtxt('\(dir)/same.csv', delimiter=',', skiprows=1, dtype=np.float32)[:, :3]
            z = (X.astype(np.float64) @ w.astype(np.float64) + np.float64(b)).astype(np.float32)
            mine = np.loadtxt('\(dir)/p.csv', skiprows=1, dtype=np.float32)
            d = np.abs(z.view(np.int32).astype(np.int64) - mine.view(np.int32).astype(np.int64)).max()
            print(int(d))
            """)
        #expect(Int(check)! <= 1, "numpy differs by \(check) ulp")

        // Evaluate on the training data: a good fit, as a table and as JSON.
        let e = try CLI.run(["evaluate", "--model", dir + "/m.json", "--data", dir + "/train.csv", "--json", dir + "/e.json"])
        #expect(e.status == 0 && e.stdout.contains("R²") && e.stdout.contains("RMSE"), "\(e.stdout)\(e.stderr)")
        let metrics = try CLI.json(URL(fileURLWithPath: dir + "/e.json"))
        let r2 = try #require(metrics["r2"] as? Double), mse = try #require(metrics["mse"] as? Double)
        let rmse = try #require(metrics["rmse"] as? Double)
        #expect(r2 > 0.9 && r2 <= 1 && abs(rmse * rmse - mse) < 1e-9 * max(1, mse), "\(metrics)")
        // The training run's final loss (MSE; full batch: taken before the last update, in float32)
        // is close to the evaluation's MSE of the same model on the same rows.
        let summary = try CLI.json(URL(fileURLWithPath: dir + "/run/summary.json"))
        let finalLoss = try #require(summary["finalLoss"] as? Double)
        #expect(abs(finalLoss - mse) < 1e-2 * mse, "train says \(finalLoss), evaluate \(mse)")

        // Data missing a column the model needs is refused by name; evaluate needs the target.
        try "rooms,age\n1,2\n".write(toFile: dir + "/short.csv", atomically: true, encoding: .utf8)
        let missing = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/short.csv", "--output", "-"])
        #expect(missing.status == 65 && missing.stderr.contains("garden"), "\(missing.status) \(missing.stderr)")
        let noTarget = try CLI.run(["evaluate", "--model", dir + "/m.json", "--data", dir + "/new.csv"])
        #expect(noTarget.status == 65 && noTarget.stderr.contains("price"), "\(noTarget.stderr)")
    }

    @Test func predictionsAreTheSameBitsForAnyThreadCountAndNpyIsNumpys() throws {
        let dir = try CLI.tempDir().path
        #expect(try CLI.run(["generate", "--rows", "30000", "--features", "12", "--seed", "4", "--out", dir + "/d", "--quiet"]).status == 0)
        try "data: {npy: {dir: d}}\ntraining: {epochs: 1, batchSize: 256}\n".write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["train", "--config", dir + "/c.yaml", "--quiet", "--model", dir + "/m.json"]).status == 0)
        var outputs: [Data] = []
        for t in ["1", "2", "5"] {
            let r = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/d", "--output", dir + "/p\(t).npy", "--threads", t])
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/p\(t).npy")))
        }
        #expect(outputs.allSatisfy { $0 == outputs[0] })
        let shape = try python("import numpy as np; a = np.load('\(dir)/p1.npy'); print(a.dtype, a.shape)")
        #expect(shape == "float32 (30000,)")
        // Nothing is left beside the outputs but the outputs.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["c.yaml", "d", "m.json", "p1.npy", "p2.npy", "p5.npy"], "\(names)")
    }

    @Test func aClassifierPredictsProbabilitiesAndLabelsAndIsEvaluatedPerClass() throws {
        let dir = try CLI.tempDir().path
        try """
            data: {synthetic: {rows: 6000, features: 4, seed: 2, task: logistic}}
            loss: logistic
            optimizer: {lr: 0.5}
            training: {epochs: 2, batchSize: 100}
            """.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        #expect(try CLI.run(["train", "--config", dir + "/c.yaml", "--quiet", "--model", dir + "/m.json"]).status == 0)
        let p = try CLI.run(["predict", "--model", dir + "/m.json", "--config", dir + "/c.yaml", "--output", "-"])
        let l = try CLI.run(["predict", "--model", dir + "/m.json", "--config", dir + "/c.yaml", "--output", "-", "--kind", "label"])
        #expect(p.status == 0 && l.status == 0, "\(p.stderr)\(l.stderr)")
        let probabilities = p.stdout.split(separator: "\n").dropFirst().map { Double($0)! }
        let labels = l.stdout.split(separator: "\n").dropFirst().map { Int($0)! }
        #expect(p.stdout.hasPrefix("probability\n") && probabilities.count == 6000)
        #expect(probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(zip(probabilities, labels).allSatisfy { ($0 >= 0.5) == ($1 == 1) })
        let e = try CLI.run(["evaluate", "--model", dir + "/m.json", "--config", dir + "/c.yaml", "--json", "-"])
        #expect(e.status == 0, "\(e.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
        let confusion = try #require(doc["confusion"] as? [[Int]])
        #expect(confusion.flatMap { $0 }.reduce(0, +) == 6000)
        // (Foundation's JSON reader can be off in a double's last digit.)
        #expect(abs((doc["accuracy"] as? Double ?? 0) - Double(confusion[0][0] + confusion[1][1]) / 6000) < 1e-15)
        #expect((doc["accuracy"] as? Double ?? 0) > 0.8)
        // An unknown kind is a usage error.
        let bad = try CLI.run(["predict", "--model", dir + "/m.json", "--config", dir + "/c.yaml", "--output", "-", "--kind", "nonsense"])
        #expect(bad.status == 64, "\(bad.stderr)")
    }

    @Test func warmStartContinuesAFullBatchRunBitForBit() throws {
        let dir = try CLI.tempDir().path
        try Self.houses(dir + "/train.csv", rows: 100, seed: 3)
        let cfg = try Self.config(dir, csv: "train.csv", epochs: 300)
        let whole = try CLI.run(["train", "--config", cfg, "--quiet", "--model", dir + "/whole.json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try CLI.run(["train", "--config", cfg, "--quiet", "--epochs", "120", "--model", dir + "/part.json"]).status == 0)
        let rest = try CLI.run(["train", "--config", cfg, "--quiet", "--epochs", "180", "--init-from", dir + "/part.json", "--model", dir + "/rest.json"])
        #expect(rest.status == 0, "\(rest.stderr)")
        // Plain SGD on the full batch: the state is the weights alone, so 120 + 180 epochs = 300.
        func bits(_ name: String) throws -> [String] {
            let model = try CLI.json(URL(fileURLWithPath: dir + "/" + name))["model"] as? [String: Any]
            let bits = model?["bits"] as? [String: Any]
            return (bits?["weights"] as? [String] ?? []) + [bits?["bias"] as? String ?? ""]
        }
        #expect(try bits("whole.json") == bits("rest.json"))
        #expect(try bits("whole.json") != bits("part.json"))

        // A model of another width, or of other columns, is refused before training.
        try Self.houses(dir + "/other.csv", rows: 20, seed: 3, columns: ["rooms", "age", "pool", "price"])
        let otherCfg = try Self.config(dir, csv: "other.csv", name: "o.yaml")
        let renamed = try CLI.run(["train", "--config", otherCfg, "--quiet", "--init-from", dir + "/part.json"])
        #expect(renamed.status == 65 && renamed.stderr.contains("pool"), "\(renamed.stderr)")
        try "a,price\n1,2\n2,3\n".write(toFile: dir + "/narrow.csv", atomically: true, encoding: .utf8)
        try "data: {csv: {path: narrow.csv, target: price}}\n".write(toFile: dir + "/n.yaml", atomically: true, encoding: .utf8)
        let narrow = try CLI.run(["train", "--config", dir + "/n.yaml", "--quiet", "--init-from", dir + "/part.json"])
        #expect(narrow.status == 65 && narrow.stderr.contains("3 weight(s), but the data has 1 feature(s)"), "\(narrow.stderr)")
        // A regression model cannot start a classifier: its weights mean something else.
        try "rooms,age,garden,price\n1,2,0,1\n3,1,1,0\n".write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        let logisticCfg = dir + "/l.yaml"
        try "data: {csv: {path: labels.csv, target: price}}\nloss: logistic\n".write(toFile: logisticCfg, atomically: true, encoding: .utf8)
        let otherTask = try CLI.run(["train", "--config", logisticCfg, "--quiet", "--init-from", dir + "/part.json"])
        #expect(otherTask.status == 65 && otherTask.stderr.contains("is a regression model"), "\(otherTask.stderr)")
        let absent = try CLI.run(["train", "--config", dir + "/n.yaml", "--quiet", "--init-from", dir + "/none.json"])
        #expect(absent.status == 66 && absent.stderr.contains("does not exist"), "\(absent.stderr)")
    }

    @Test func outputsThatWouldDestroyAnInputAreRefused() throws {
        let dir = try CLI.tempDir().path
        try Self.houses(dir + "/train.csv", rows: 30, seed: 1)
        let cfg = try Self.config(dir, csv: "train.csv", epochs: 5)
        let before = try String(contentsOfFile: dir + "/train.csv", encoding: .utf8)
        let ontoData = try CLI.run(["train", "--config", cfg, "--quiet", "--model", dir + "/train.csv"])
        #expect(ontoData.status == 64 && ontoData.stderr.contains("the CSV being trained on"), "\(ontoData.stderr)")
        #expect(try CLI.run(["train", "--config", cfg, "--quiet", "--model", dir + "/m.json"]).status == 0)
        let ontoModel = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/train.csv", "--output", dir + "/m.json"])
        #expect(ontoModel.status == 64 && ontoModel.stderr.contains("the model file"), "\(ontoModel.stderr)")
        let ontoCSV = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/train.csv", "--output", dir + "/train.csv"])
        #expect(ontoCSV.status == 64, "\(ontoCSV.stderr)")
        let ontoInit = try CLI.run(["train", "--config", cfg, "--quiet", "--init-from", dir + "/m.json", "--model", dir + "/m.json"])
        #expect(ontoInit.status == 64 && ontoInit.stderr.contains("the model it starts from"), "\(ontoInit.stderr)")
        #expect(try String(contentsOfFile: dir + "/train.csv", encoding: .utf8) == before)
        // A damaged model file is exit 65, naming the problem.
        let text = try String(contentsOfFile: dir + "/m.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 9").write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let damaged = try CLI.run(["evaluate", "--model", dir + "/bad.json", "--data", dir + "/train.csv"])
        #expect(damaged.status == 65 && damaged.stderr.contains("has version 9"), "\(damaged.stderr)")
        // The predictions go nowhere but where asked: a directory as --output is refused.
        let toDir = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/train.csv", "--output", dir])
        #expect(toDir.status == 74 && toDir.stderr.contains("is a directory"), "\(toDir.stderr)")
    }
}
