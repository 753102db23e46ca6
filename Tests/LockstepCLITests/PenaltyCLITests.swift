import Foundation
import TestSupport
import Testing

/// `penalty:` from the shell: parsed, reported (the sparsity line, `nonZeroWeights`, the resolved
/// config), and its bad values refused.
@Suite("CLI penalty", .serialized) struct PenaltyCLITests {
    typealias CLI = CLITests

    @Test func aLassoRunZerosTheWeightsOfAbsentFeaturesAndSaysSo() throws {
        let dir = try CLI.tempDir().path
        try """
            data: {synthetic: {rows: 2000, features: 6, weights: [2, 0, 0, -1, 0, 0], noise: 0.1, seed: 4}}
            model: {init: zeros}
            penalty: {alpha: 0.05, l1Ratio: 1}
            optimizer: {lr: 0.1}
            training: {epochs: 300, batchSize: full, shuffle: false}
            """.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        let r = try CLI.run(["train", "--config", dir + "/c.yaml", "--summary", dir + "/s.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("penalty α 0.05, l1Ratio 1: 2 of 6 weight(s) non-zero"), "\(r.stdout)")
        let summary = try CLI.json(URL(fileURLWithPath: dir + "/s.json"))
        #expect(summary["nonZeroWeights"] as? Int == 2)
        let weights = try #require(summary["weights"] as? [Double])
        #expect(weights[1] == 0 && weights[2] == 0 && weights[4] == 0 && weights[5] == 0, "\(weights)")
        let penalty = (summary["config"] as? [String: Any])?["penalty"] as? [String: Any]
        #expect(penalty?["alpha"] as? Double == 0.05 && penalty?["l1Ratio"] as? Double == 1)
    }

    @Test func badPenaltiesAreRefused() throws {
        let dir = try CLI.tempDir().path
        for (text, needle) in [
            ("penalty: {l1Ratio: 0.5}", "'penalty.alpha' is missing"), ("penalty: {alpha: -1}", "penalty.alpha"),
            ("penalty: {alpha: 0.1, l1Ratio: 2}", "penalty.l1Ratio"), ("penalty: {alpha: 0.1, l2: 1}", "l2"),
        ] {
            try text.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
            let r = try CLI.run(["train", "--config", dir + "/c.yaml", "--quiet"])
            #expect(r.status == 64 && r.stderr.contains(needle), "\(text): \(r.stderr)")
        }
    }
}
