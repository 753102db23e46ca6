import Foundation
import SyntheticData
import Testing

/// The harder synthetic regression data (issue 19, item 4): a sparse truth (`informative`),
/// correlated features (`correlation: {rho, factors}`) and gross outliers in y (`outliers`), each
/// with the statistics it promises, the same bytes for any thread count and on the fly, and the
/// plain spec's bytes untouched.
@Suite("Harder synthetic data") struct HarderDataTests {
    static func harder() -> DatasetSpec {
        var s = DatasetSpec(rows: 20_000, features: 6, weights: .alternating, bias: 1, noise: 0.1, seed: 4)
        s.informative = 4
        s.correlation = 0.8
        s.factors = 2
        s.outlierFraction = 0.05
        s.outlierScale = 20
        return s
    }

    static func bits(_ d: Dataset) -> [UInt32] {
        Array(UnsafeBufferPointer(start: d.x, count: d.rows * d.features)).map(\.bitPattern)
            + Array(UnsafeBufferPointer(start: d.y, count: d.rows)).map(\.bitPattern)
    }

    @Test func theSameBytesForAnyThreadCountAndOnTheFly() throws {
        let spec = Self.harder()
        let one = try Dataset.generate(spec, threads: 1)
        for t in [2, 3] { #expect(Self.bits(try Dataset.generate(spec, threads: t)) == Self.bits(one), "\(t) threads") }
        let rows = try SyntheticRows(spec)
        var x = [Float](repeating: 0, count: spec.features), y: Float = 0
        for r in [0, 1, 777, 19_999] {
            x.withUnsafeMutableBufferPointer { rows.fill(row: r, x: $0.baseAddress!, y: &y) }
            #expect(x == Array(UnsafeBufferPointer(start: one.x + r * spec.features, count: spec.features)) && y == one.y[r], "row \(r)")
        }
        // Without the new keys a spec makes exactly the bytes it always made.
        var plain = spec
        plain.informative = nil
        plain.correlation = 0
        plain.outlierFraction = 0
        let made = try Dataset.generate(plain, threads: 2)
        let old = DatasetSpec(rows: 20_000, features: 6, weights: .alternating, bias: 1, noise: 0.1, seed: 4)
        #expect(Self.bits(made) == Self.bits(try Dataset.generate(old, threads: 1)))
    }

    @Test func theStatisticsAreThoseAskedFor() throws {
        let spec = Self.harder()
        let d = try Dataset.generate(spec, threads: 2)
        let n = d.rows, f = spec.features
        let all = WeightPattern.alternating.weights(features: f)
        #expect(spec.trueWeights == Array(all.prefix(4)) + [0, 0] && !all.suffix(2).contains(0), "only the first 4 features are informative")
        func column(_ j: Int) -> [Double] { (0..<n).map { Double(d.x[$0 * f + j]) } }
        func correlation(_ a: [Double], _ b: [Double]) -> Double {
            let ma = a.reduce(0, +) / Double(n), mb = b.reduce(0, +) / Double(n)
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for i in 0..<n {
                sab += (a[i] - ma) * (b[i] - mb)
                saa += (a[i] - ma) * (a[i] - ma)
                sbb += (b[i] - mb) * (b[i] - mb)
            }
            return sab / (saa * sbb).squareRoot()
        }
        let cols = (0..<f).map(column)
        for j in 0..<f {
            let variance = cols[j].reduce(0) { $0 + $1 * $1 } / Double(n)
            #expect(abs(variance - 1) < 0.04, "feature \(j) keeps unit variance: \(variance)")
        }
        // Features 0, 2, 4 share factor 0 and 1, 3, 5 factor 1: ρ within a factor, 0 across.
        #expect(abs(correlation(cols[0], cols[2]) - 0.8) < 0.02 && abs(correlation(cols[1], cols[5]) - 0.8) < 0.02)
        #expect(abs(correlation(cols[0], cols[1])) < 0.03)
        // About 5 % of the rows are off the model by far more than the noise.
        let w = spec.trueWeights.map(Double.init)
        var far = 0
        for i in 0..<n {
            var z = Double(spec.bias)
            for j in 0..<f { z += cols[j][i] * w[j] }
            if abs(Double(d.y[i]) - z) > 1 { far += 1 }
        }
        let share = Double(far) / Double(n)
        #expect(abs(share - 0.05 * 0.96) < 0.006, "outlier share \(share) (5 %, of which ~4 % land within ±1 of the model)")
    }

    @Test func badValuesAreRefusedNamingTheKey() {
        var s = DatasetSpec(features: 3, weights: .alternating)
        s.informative = 4
        #expect(throws: DataError.self) { try s.validate() }
        s.informative = nil
        s.correlation = 1
        #expect(throws: DataError.self) { try s.validate() }
        s.correlation = 0.5
        s.factors = 0
        #expect(throws: DataError.self) { try s.validate() }
        s.factors = 1
        s.outlierFraction = 0.1
        s.task = .logistic
        let e = #expect(throws: DataError.self) { try s.validate() }
        #expect("\(e.map { "\($0)" } ?? "")".contains("regression data only"))
    }
}
