import Foundation
import TestSupport
import Testing

/// The programs in Examples/ build (they are dependencies of this test target) and run to their
/// end: the library API that docs/library.md shows works as shown.
@Suite("Examples") struct ExamplesCLITests {
    func run(_ name: String) throws -> ProcessResult {
        try runProcess(CLITests.binary.deletingLastPathComponent().appendingPathComponent(name), [], in: CLITests.root)
    }

    @Test func modelLifecycleRunsToItsEnd() throws {
        let r = try run("model-lifecycle")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("epoch 1: loss ") && r.stdout.contains("test MSE ") && r.stdout.contains(" R² 0.9"), "\(r.stdout)")
    }

    @Test func generateThenTrainRecoversTheTrueWeights() throws {
        let r = try run("generate-then-train")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("X.npy [20000, 8]") && r.stdout.contains("largest |w - w_true| "), "\(r.stdout)")
    }

    @Test func threadSweepFindsTheSameBitsOnEveryWorkerCount() throws {
        let r = try run("thread-sweep")
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4 && lines.allSatisfy { $0.hasSuffix("bitwise equal to 1 worker: true") }, "\(r.stdout)")
        #expect(lines.allSatisfy { $0.contains("8 chunks per step") }, "several chunks per step: \(r.stdout)")
        #expect(lines[1].contains("span executor"), "2 workers ran in spans: \(r.stdout)")
    }

    @Test func ownDataFromArraysFitsThePlaneAndPredicts() throws {
        let r = try run("own-data")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("predictions for (1, 1) and (0, 0.5): [1.5"), "\(r.stdout)")
    }
}
