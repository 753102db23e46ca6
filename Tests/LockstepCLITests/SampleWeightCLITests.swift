import Foundation
import TestSupport
import Testing

/// Sample weights from the shell: a CSV's `weight` column (`data.csv.weight`) and a dataset
/// directory's `w.npy` train to the same bits on the same values; the weight column is not a
/// feature of the saved model; a negative weight is refused naming its row (exit 65).
@Suite("CLI sample weights", .serialized) struct SampleWeightCLITests {
    typealias CLI = CLITests

    @Test func aWeightColumnAndWNpyTrainAlikeAndBadWeightsAreRefused() throws {
        let dir = try CLI.tempDir().path
        _ = try python("""
            import numpy as np, os
            r = np.random.default_rng(4)
            X = r.standard_normal((500, 3)).astype(np.float32)
            y = (X @ np.array([1.0, -2.0, 0.5]) + 3 + 0.3 * r.standard_normal(500)).astype(np.float32)
            w = (r.integers(0, 4, 500) * 0.5).astype(np.float32)
            os.makedirs('\(dir)/d')
            np.save('\(dir)/d/X.npy', X); np.save('\(dir)/d/y.npy', y); np.save('\(dir)/d/w.npy', w)
            with open('\(dir)/t.csv', 'w') as f:
                f.write('a,b,c,weight,target\\n')
                for i in range(500): f.write(','.join('%.9g' % v for v in [*X[i], w[i], y[i]]) + '\\n')
            """)
        let training = "training: {epochs: 3, batchSize: 50, chunkRows: 10, threads: 2, executor: span}\n"
        try ("data: {csv: {path: t.csv, target: target, weight: weight}}\n" + training)
            .write(toFile: dir + "/csv.yaml", atomically: true, encoding: .utf8)
        try ("data: {npy: {dir: d}}\n" + training).write(toFile: dir + "/npy.yaml", atomically: true, encoding: .utf8)
        try ("data: {csv: {path: t.csv, target: target}}\n" + training).write(toFile: dir + "/plain.yaml", atomically: true, encoding: .utf8)
        var summaries: [[String: Any]] = []
        for name in ["csv", "npy", "plain"] {
            let r = try CLI.run(["train", "--config", dir + "/\(name).yaml", "--quiet", "--summary", dir + "/\(name).json", "--model", dir + "/\(name).model.json"])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            summaries.append(try CLI.json(URL(fileURLWithPath: dir + "/\(name).json")))
        }
        #expect("\(summaries[0]["weights"] ?? "")" == "\(summaries[1]["weights"] ?? "")", "CSV weights and w.npy: the same bits")
        #expect("\(summaries[0]["weights"] ?? "")" != "\(summaries[2]["weights"] ?? "")", "weights change the fit")
        let model = try CLI.json(URL(fileURLWithPath: dir + "/csv.model.json"))
        #expect(model["featureNames"] as? [String] == ["a", "b", "c"], "the weight column is not a feature")
        // predict on the same CSV matches the model's columns by name (weight and target ignored).
        let p = try CLI.run(["predict", "--model", dir + "/csv.model.json", "--data", dir + "/t.csv", "--output", dir + "/p.csv"])
        #expect(p.status == 0, "\(p.stderr)")

        _ = try python("""
            import numpy as np
            w = np.load('\(dir)/d/w.npy'); w[7] = -1; np.save('\(dir)/d/w.npy', w)
            """)
        let bad = try CLI.run(["train", "--config", dir + "/npy.yaml", "--quiet"])
        #expect(bad.status == 65 && bad.stderr.contains("w.npy") && bad.stderr.contains("row 7"), "\(bad.status) \(bad.stderr)")
        try ("data: {csv: {path: t.csv, target: target, weight: nope}}\n").write(toFile: dir + "/missing.yaml", atomically: true, encoding: .utf8)
        let missing = try CLI.run(["train", "--config", dir + "/missing.yaml", "--quiet"])
        #expect(missing.status == 64 && missing.stderr.contains("no such column"), "\(missing.status) \(missing.stderr)")
    }
}
