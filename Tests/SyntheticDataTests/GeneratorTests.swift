import Foundation
import SyntheticData
import Testing

@Suite("Generator") struct GeneratorTests {
    static let spec = DatasetSpec(rows: 10_000, features: 5, weights: .alternating, bias: 4.2, noise: 0.01, seed: 7)

    static func bytes(_ d: Dataset) -> [UInt32] {
        Array(UnsafeBufferPointer(start: d.x, count: d.rows * d.features)).map(\.bitPattern)
            + Array(UnsafeBufferPointer(start: d.y, count: d.rows)).map(\.bitPattern)
    }

    @Test(arguments: [2, 3, 8])
    func bytesAreTheSameForAnyThreadCount(threads: Int) throws {
        let one = try Dataset.generate(Self.spec, threads: 1)
        let many = try Dataset.generate(Self.spec, threads: threads)
        #expect(Self.bytes(one) == Self.bytes(many))
    }

    @Test func differentSeedsGiveDifferentData() throws {
        var other = Self.spec
        other.seed = 8
        #expect(Self.bytes(try Dataset.generate(Self.spec)) != Self.bytes(try Dataset.generate(other)))
    }

    @Test func featuresAreStandardNormalAndTargetsFollowTheModel() throws {
        let d = try Dataset.generate(Self.spec, threads: 2)
        let n = d.rows * d.features
        var sum = 0.0, sumSq = 0.0
        for i in 0..<n { sum += Double(d.x[i]); sumSq += Double(d.x[i]) * Double(d.x[i]) }
        let mean = sum / Double(n), variance = sumSq / Double(n) - mean * mean
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.03, "mean \(mean), variance \(variance)")
        let w = Self.spec.trueWeights
        var resSq = 0.0
        for i in 0..<d.rows {
            var dot = Double(Self.spec.bias)
            for j in 0..<d.features { dot += Double(d.row(i)[j]) * Double(w[j]) }
            resSq += (Double(d.y[i]) - dot) * (Double(d.y[i]) - dot)
        }
        let noise = (resSq / Double(d.rows)).squareRoot()
        #expect(abs(noise - 0.01) < 0.001, "noise std \(noise)")
    }

    @Test func theD2LDefaults() {
        let s = DatasetSpec()
        #expect(s.rows == 1000 && s.features == 2 && s.trueWeights == [2, -3.4] && s.bias == 4.2 && s.noise == 0.01)
        #expect(WeightPattern.alternating.weights(features: 4) == [1, -1.25, 1.5, -1.75])
    }

    @Test func invalidSpecsAreRejectedWithTheField() {
        #expect(throws: DataError.self) { try DatasetSpec(rows: 0).validate() }
        #expect(throws: DataError.self) { try DatasetSpec(features: 3, weights: .explicit([1, 2])).validate() }
        #expect(throws: DataError.self) { try DatasetSpec(noise: -1).validate() }
    }
}

@Suite("CSV") struct CSVTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func temp(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "lockstep-csv-\(UUID().uuidString).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func loadsTheLinePoints() throws {
        let d = try Dataset.loadCSV(path: Self.root.appendingPathComponent("configs/data/line50.csv").path)
        #expect(d.rows == 50 && d.features == 1)
        #expect(d.x[0] == -5 && d.y[0] == -2.9354 && d.x[49] == 5 && d.y[49] == 9.1533)
    }

    @Test func picksTheTargetColumnByName() throws {
        let d = try Dataset.loadCSV(path: try temp("y,a,b\n1,2,3\n4,5,6\n"), target: "y")
        #expect(d.features == 2 && d.x[0] == 2 && d.x[1] == 3 && d.y[1] == 4)
    }

    @Test func errorsNameTheFileLineAndProblem() throws {
        #expect(throws: DataError.fileNotFound(path: "/nonexistent/x.csv")) { try Dataset.loadCSV(path: "/nonexistent/x.csv") }
        let bad = try temp("x,y\n1,2\n3,oops\n")
        #expect(throws: DataError.malformedCSV(path: bad, line: 3, reason: "'oops' in column 'y' is not a number")) {
            try Dataset.loadCSV(path: bad)
        }
        let short = try temp("x,y\n1\n")
        #expect(throws: DataError.malformedCSV(path: short, line: 2, reason: "1 fields, but the header has 2")) {
            try Dataset.loadCSV(path: short)
        }
        let noTarget = try temp("a,b\n1,2\n")
        #expect(throws: DataError.missingColumn(path: noTarget, column: "y", available: ["a", "b"])) {
            try Dataset.loadCSV(path: noTarget)
        }
        let nan = try temp("x,y\n1,2\nnan,3\n")
        #expect(throws: DataError.nonFinite(path: nan, row: 2, column: "x")) { try Dataset.loadCSV(path: nan) }
        let empty = try temp("")
        #expect(throws: DataError.emptyFile(path: empty)) { try Dataset.loadCSV(path: empty) }
    }
}
