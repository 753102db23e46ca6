import Foundation
import LinearTraining
import TestSupport
import Testing

/// A checkpoint carries a CRC-32C of its content: any change after lockstep wrote it (a flipped hex
/// digit, an edited step count, NaN bits, a readable copy edited) is refused with exit 65, never
/// resumed into a different result.
@Suite("Checkpoint integrity", .serialized) struct CheckpointIntegrityCLITests {
    typealias CLI = CLITests

    @Test func crc32cMatchesItsCheckValue() {
        #expect(CRC32C.of(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.of([UInt8]()) == 0)
        #expect(CRC32C.hex("a") == "c1d04330")
    }

    /// The edits a damaged disk or a curious user makes.
    enum Edit: String, CaseIterable, Sendable {
        case flippedParamsDigit = "a flipped hex digit in bits.params"
        case editedSteps = "an edited step count"
        case nanMomentum = "NaN bits in the momentum"
        case editedReadableWeight = "a readable weight edited"

        /// The text's edited copy: the first match's captured part replaced.
        func apply(_ text: String) throws -> String {
            let field: Regex<(Substring, Substring)>
            let change: (Substring) -> String
            switch self {
            case .flippedParamsDigit: (field, change) = (#/"params": "(.)/#, { $0 == "0" ? "1" : "0" })
            case .editedSteps: (field, change) = (#/"steps": (\d)/#, { $0 == "9" ? "8" : "9" })
            case .nanMomentum: (field, change) = (#/"momentum": "(.{8})/#, { _ in "7fc00000" })
            case .editedReadableWeight: (field, change) = (#/"weights": \[(-?)/#, { $0 == "-" ? "" : "-" })
            }
            let match = try #require(text.firstMatch(of: field), "no \(rawValue) in \(text.prefix(400))")
            return text.replacingCharacters(in: match.output.1.startIndex..<match.output.1.endIndex, with: change(match.output.1))
        }
    }

    /// One saved checkpoint, then an edit of it.
    @Test(arguments: Edit.allCases)
    func anEditedCheckpointIsRefused(edit: Edit) throws {
        let dir = try CLI.tempDir().path
        let config = dir + "/job.yaml"
        try """
            data:
              synthetic: {rows: 4000, features: 16, weights: alternating, bias: 1, noise: 0.01, seed: 9223372036854775807}
            optimizer: {lr: 0.01, momentum: 0.9}
            training: {epochs: 2, batchSize: 64, shuffle: true, seed: 9223372036854775806}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let ck = dir + "/ck"
        let base = ["train", "--config", config, "--checkpoint-dir", ck, "--quiet"]
        let first = try CLI.run(base + ["--epochs", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let file = ck + "/checkpoint.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("\"checksum\": \"crc32c:"))
        // Unchanged, it resumes (a seed above 2^53 survives the round trip).
        let copy = dir + "/ck2"
        try FileManager.default.copyItem(atPath: ck, toPath: copy)
        let resumed = try CLI.run(["train", "--config", config, "--checkpoint-dir", copy, "--quiet", "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // Edited, it is refused.
        let edited = try edit.apply(text)
        #expect(edited != text)
        try edited.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(base + ["--resume"])
        #expect(r.status == 65 && r.stderr.contains("fails its checksum"), "\(edit.rawValue): \(r.status) \(r.stderr)")
    }
}
