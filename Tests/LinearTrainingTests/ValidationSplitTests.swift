import LinearTraining
import SyntheticData
import Testing
import TestSupport

/// The held-out rows are exactly the ones the documented rule picks, computed here by Python from
/// the README's formula (not from Lockstep's code), and both parts keep the rows in order.
@Suite("Validation split") struct ValidationSplitTests {
    @Test(arguments: [(0.1, UInt64(0)), (0.25, 7), (0.5, 123_456_789_012)])
    func theHeldOutRowsAreTheDocumentedRule(_ fraction: Double, _ seed: UInt64) throws {
        let n = 3000
        let data = try Dataset(rows: n, features: 2, source: "rows")
        for i in 0..<n {
            data.y[i] = Float(i)
            data.x[2 * i] = Float(i)
            data.x[2 * i + 1] = -Float(i)
        }
        let (train, held) = try ValidationSplit(fraction: fraction, seed: seed).split(data, key: seed)
        let heldRows = (0..<held.rows).map { Int(held.y[$0]) }
        let trainRows = (0..<train.rows).map { Int(train.y[$0]) }
        let expected = try python("""
            M = (1 << 64) - 1
            def mix(x):
                x ^= x >> 30; x = (x * 0xbf58476d1ce4e5b9) & M
                x ^= x >> 27; x = (x * 0x94d049bb133111eb) & M
                return x ^ (x >> 31)
            k = mix(\(seed))
            print(",".join(str(i) for i in range(\(n)) if (mix((i + k) & M) >> 11) < \(fraction) * 2**53))
            """)
        #expect(heldRows.map(String.init).joined(separator: ",") == expected)
        #expect(Set(heldRows).union(trainRows) == Set(0..<n) && heldRows.count + trainRows.count == n)
        #expect(trainRows == trainRows.sorted() && heldRows == heldRows.sorted())
        #expect((0..<held.rows).allSatisfy { held.x[2 * $0] == held.y[$0] && held.x[2 * $0 + 1] == -held.y[$0] })
        #expect(abs(Double(held.rows) / Double(n) - fraction) < 0.05)
    }
}
