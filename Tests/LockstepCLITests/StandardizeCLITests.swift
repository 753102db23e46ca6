import Foundation
import Testing
import TestSupport

/// `data.standardize: true` from the shell, on a CSV with an age in years and an income in
/// dollars (the columns that made plain SGD diverge for a new user): the raw run diverges, the
/// standardised one fits; the scaling in model.json is numpy's mean and std (StandardScaler's) of
/// the training rows; predictions follow from the model's bits in numpy to ≤ 1 ulp.
@Suite("CLI standardize", .serialized) struct StandardizeCLITests {
    typealias CLI = CLITests

    /// price = 0.03·age − 0.0002·income + 5 + noise.
    static func table(_ path: String, rows: Int) throws {
        var text = "age,income,price\n"
        var s: UInt64 = 99
        func next() -> Double {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Double(s >> 11) / Double(1 << 53)
        }
        for _ in 0..<rows {
            let age = (18 + 62 * next()).rounded(), income = (30_000 + 40_000 * next()).rounded()
            let price = 0.03 * age - 0.0002 * income + 5 + 0.1 * (next() - 0.5)
            text += String(format: "%.0f,%.0f,%.4f\n", age, income, price)
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func config(_ dir: String, standardize: Bool) throws -> String {
        let path = dir + "/c\(standardize).yaml"
        try """
            data:
              csv: {path: t.csv, target: price}
              standardize: \(standardize)
            loss: squared
            optimizer: {lr: 0.1}
            training: {epochs: 30, batchSize: 50, chunkRows: 16, threads: 2, executor: span}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theRawRunDivergesTheStandardizedOneFitsAndPredictsAsNumpy() throws {
        let dir = try CLI.tempDir().path
        try Self.table(dir + "/t.csv", rows: 1000)
        let raw = try CLI.run(["train", "--config", try Self.config(dir, standardize: false), "--quiet"])
        #expect(raw.status == 3, "the raw columns diverge at lr 0.1: \(raw.stderr)")

        let t = try CLI.run(["train", "--config", try Self.config(dir, standardize: true), "--model", dir + "/m.json", "--summary", dir + "/s.json"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("standardized features: w′ = ["), "\(t.stdout)")
        let summary = try CLI.json(URL(fileURLWithPath: dir + "/s.json"))
        let block = try #require(summary["standardization"] as? [String: Any])
        #expect((block["scaledWeights"] as? [Any])?.count == 2)
        #expect(((summary["config"] as? [String: Any])?["data"] as? [String: Any])?["standardize"] as? Bool == true)
        #expect((summary["finalLoss"] as? Double).map { $0 < 0.01 } == true, "\(summary["finalLoss"] ?? "none")")

        let p = try CLI.run(["predict", "--model", dir + "/m.json", "--data", dir + "/t.csv", "--output", dir + "/p.npy"])
        #expect(p.status == 0, "\(p.stderr)")
        // numpy: the scaling is X.mean(0) and X.std(0) of the float32 values (to 1 ulp), the model is
        // the scaled weights in the data's units, and the predictions follow from its bits (≤ 1 ulp).
        let check = try python("""
            import json, numpy as np
            m = json.load(open('\(dir)/m.json'))
            f = lambda hs: np.array([int(h, 16) for h in hs], dtype=np.uint32).view(np.float32)
            X = np.loadtxt('\(dir)/t.csv', delimiter=',', skiprows=1, dtype=np.float32)[:, :2]
            X64 = X.astype(np.float64)
            ulp = lambda a, b: int(np.abs(np.float32(a).view(np.int32).astype(np.int64) - np.float32(b).view(np.int32).astype(np.int64)).max())
            mean = np.array(m['scaling']['mean'], dtype=np.float32); scale = np.array(m['scaling']['scale'], dtype=np.float32)
            w = f(m['model']['bits']['weights']); b = f([m['model']['bits']['bias']])[0]
            ws = f(m['scaledModel']['bits']['weights'])
            z = (X64 @ w.astype(np.float64) + np.float64(b)).astype(np.float32)
            mine = np.load('\(dir)/p.npy')
            print(ulp(mean, X64.mean(0)), ulp(scale, X64.std(0)), ulp(w, ws / scale), ulp(z, mine))
            """)
        let ulps = check.split(separator: " ").compactMap { Int($0) }
        #expect(ulps.count == 4 && ulps.allSatisfy { $0 <= 1 }, "mean, scale, weights, predictions differ from numpy by \(check) ulp")
    }
}
