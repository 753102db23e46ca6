import Foundation
import TestSupport
import Testing

/// `loss: softmax` from the shell: generate, train with a run directory and validation, predict
/// the classes, the k probabilities and scores (against numpy), evaluate with a confusion matrix, and the refusals with their exit codes.
@Suite("CLI softmax", .serialized) struct SoftmaxCLITests {
    typealias CLI = CLITests

    @Test func trainPredictEvaluateAndRefusals() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d").path
        let g = try CLI.run(["generate", "--task", "softmax", "--classes", "4", "--rows", "3000", "--features", "6", "--seed", "2", "--out", data])
        #expect(g.status == 0, "\(g.stderr)")
        let config = try LossCLITests.write(dir, "s.yaml", """
            data: {npy: {dir: \(data)}, validation: {fraction: 0.2}}
            model: {init: zeros}
            loss: {kind: softmax, classes: 4}
            optimizer: {lr: 0.5}
            training: {epochs: 4, batchSize: 64, chunkRows: 16}
            """)
        let run = dir.appendingPathComponent("run")
        let t = try CLI.run(["train", "--config", config, "--run-dir", run.path, "--threads", "2", "--executor", "span"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("softmax over 4 classes: W is 6 × 4"), "\(t.stdout)")
        let summary = try CLI.json(run.appendingPathComponent("summary.json"))
        #expect((summary["weights"] as? [Double])?.count == 24 && (summary["biases"] as? [Double])?.count == 4)
        #expect(summary["classes"] as? Int == 4)
        let validation = summary["validation"] as? [String: Any]
        #expect(validation?["metric"] as? String == "accuracy")
        #expect((validation?["finalMetric"] as? Double ?? 0) > 0.6, "\(String(describing: validation))")
        let model = run.appendingPathComponent("model.json").path
        let saved = try CLI.json(URL(fileURLWithPath: model))
        #expect(saved["task"] as? String == "multiclass-classification")
        #expect(saved["classes"] as? [Int] == [0, 1, 2, 3])

        let predictions = dir.appendingPathComponent("p.npy").path
        let p = try CLI.run(["predict", "--model", model, "--data", data, "--output", predictions])
        #expect(p.status == 0, "\(p.stderr)")
        let check = try python("""
            import numpy as np, json
            p = np.load('\(predictions)'); y = np.load('\(data)/y.npy')
            print(json.dumps({"n": len(p), "classes": sorted(set(p.astype(int).tolist())), "acc": float((p == y).mean())}))
            """)
        let c = try JSONSerialization.jsonObject(with: Data(check.utf8)) as! [String: Any]
        #expect(c["n"] as? Int == 3000 && c["classes"] as? [Int] == [0, 1, 2, 3], "\(check)")

        let svg = dir.appendingPathComponent("cm.svg").path, metrics = dir.appendingPathComponent("m.json")
        let e = try CLI.run(["evaluate", "--model", model, "--data", data, "--json", metrics.path, "--confusion-svg", svg])
        #expect(e.status == 0, "\(e.stderr)")
        let m = try CLI.json(metrics)
        let confusion = m["confusion"] as? [[Int]] ?? []
        #expect(confusion.count == 4 && confusion.joined().reduce(0, +) == 3000)
        let accuracy = m["accuracy"] as? Double ?? -1
        #expect(abs(accuracy - (c["acc"] as? Double ?? -2)) < 1e-12, "evaluate and predict agree on the accuracy")
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
        // The k probabilities and scores per row, as numpy computes them from the saved model's bits;
        // the CSV labels are the classes (0…3), the same as the .npy's.
        let probabilities = dir.appendingPathComponent("prob.npy").path, scores = dir.appendingPathComponent("z.npy").path
        let labelsCSV = dir.appendingPathComponent("labels.csv").path, probabilitiesCSV = dir.appendingPathComponent("prob.csv").path
        for (kind, out) in [("probability", probabilities), ("value", scores), ("label", labelsCSV), ("probability", probabilitiesCSV)] {
            let r = try CLI.run(["predict", "--model", model, "--data", data, "--output", out, "--kind", kind, "--threads", "2"])
            #expect(r.status == 0, "\(kind) → \(out): \(r.stderr)")
        }
        let oracle = try python("""
            import numpy as np, json, struct
            bits = json.load(open('\(model)'))['model']['bits']
            f32 = lambda hexes: np.array([int(h, 16) for h in hexes], dtype=np.uint32).view(np.float32).astype(np.float64)
            X = np.load('\(data)/X.npy').astype(np.float64)
            W = f32(bits['weights']).reshape(6, 4)
            b = f32(bits['biases'])
            z = X @ W + b
            lse = z.max(1, keepdims=True) + np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True))
            P = np.exp(z - lse)
            p = np.load('\(probabilities)'); s = np.load('\(scores)'); lab = np.load('\(predictions)')
            csv = open('\(labelsCSV)').read().split()
            pc = np.loadtxt('\(probabilitiesCSV)', delimiter=',', skiprows=1, dtype=np.float32)
            header = open('\(probabilitiesCSV)').readline().strip()
            print(json.dumps({
                "shapes": [list(p.shape), list(s.shape)], "dtypes": [str(p.dtype), str(s.dtype)],
                "pErr": float(np.abs(p - P).max()), "zErr": float(np.abs(s - z).max() / np.abs(z).max()),
                "rowSums": float(np.abs(p.astype(np.float64).sum(1) - 1).max()),
                "argmax": bool((P.argmax(1) == lab).all()),
                "csvLabels": csv[0] == 'label' and [int(v) for v in csv[1:]] == lab.astype(int).tolist(),
                "csvProbabilities": bool((pc == p).all()), "header": header}))
            """)
        let o = try JSONSerialization.jsonObject(with: Data(oracle.utf8)) as! [String: Any]
        #expect(o["shapes"] as? [[Int]] == [[3000, 4], [3000, 4]] && o["dtypes"] as? [String] == ["float32", "float32"], "\(oracle)")
        // Each value rounded once from float64 (an ulp of 1 is 6e-8); the scores to float32 rounding.
        #expect((o["pErr"] as? Double ?? 1) < 1.2e-7 && (o["zErr"] as? Double ?? 1) < 1.2e-7, "\(oracle)")
        #expect((o["rowSums"] as? Double ?? 1) < 1e-6 && o["argmax"] as? Bool == true, "\(oracle)")
        #expect(o["csvLabels"] as? Bool == true && o["csvProbabilities"] as? Bool == true, "\(oracle)")
        #expect(o["header"] as? String == "probability_0,probability_1,probability_2,probability_3")

        for (name, text, status, fragment) in [
            ("few-classes", "data: {npy: {dir: \(data)}}\nloss: {kind: softmax, classes: 3}\n", Int32(65), "labels 0 to 2"),
            ("one-class", "loss: {kind: softmax, classes: 1}\n", 64, "2 to"),
            ("classes-squared", "loss: {kind: squared, classes: 3}\n", 64, "only applies to kind: softmax"),
            ("standardize", "data: {npy: {dir: \(data)}, standardize: true}\nloss: softmax\n", 64, "softmax"),
            ("regression-labels", "loss: softmax\n", 65, "has the label"),
        ] {
            let path = try LossCLITests.write(dir, name + ".yaml", text)
            let b = try CLI.run(["train", "--config", path])
            #expect(b.status == status && b.stderr.contains(fragment), "\(name): \(b.status) \(b.stderr)")
        }
    }
}
