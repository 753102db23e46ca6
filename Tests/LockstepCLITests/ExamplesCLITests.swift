import Foundation
import TestSupport
import Testing

/// The programs in Examples/ build (they are dependencies of this test target) and run to their
/// end: the library API that docs/library.md shows works as shown.
@Suite("Examples") struct ExamplesCLITests {
    @Test func modelLifecycleRunsToItsEnd() throws {
        let exe = CLITests.binary.deletingLastPathComponent().appendingPathComponent("model-lifecycle")
        let r = try runProcess(exe, [], in: CLITests.root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("epoch 1: loss ") && r.stdout.contains("test MSE ") && r.stdout.contains(" R² 0.9"), "\(r.stdout)")
    }
}
