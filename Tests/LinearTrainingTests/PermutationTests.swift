import LinearTraining
import Testing

@Suite("Epoch permutation") struct PermutationTests {
    @Test(arguments: [1, 2, 3, 10, 1000, 4097, 65_539])
    func isAPermutation(rows: Int) {
        let p = EpochPermutation(rows: rows, seed: 42, epoch: 1)
        var seen = [Bool](repeating: false, count: rows)
        for i in 0..<rows {
            let v = Int(p.permute(i))
            #expect(v < rows && !seen[v], "rows \(rows): position \(i) → \(v)")
            if v < rows { seen[v] = true }
        }
    }

    @Test func epochsAndSeedsGiveDifferentOrders() {
        let a = (0..<1000).map { EpochPermutation(rows: 1000, seed: 0, epoch: 0).permute($0) }
        let b = (0..<1000).map { EpochPermutation(rows: 1000, seed: 0, epoch: 1).permute($0) }
        let c = (0..<1000).map { EpochPermutation(rows: 1000, seed: 1, epoch: 0).permute($0) }
        #expect(a != b && a != c)
        let fixedPoints = (0..<1000).filter { a[$0] == UInt32($0) }.count
        #expect(fixedPoints < 10, "a shuffled order keeps few rows in place (\(fixedPoints))")
    }

    /// `fill` computes the rounds in 16 lanes of 32 bits and re-walks the out-of-range lanes with a
    /// masked blend; it must give exactly `permute`, the 64-bit definition, position by position.
    /// 1025 and 4097: just past a power of two, so about half the lanes walk, several times over.
    @Test(arguments: [1, 7, 16, 17, 1000, 1024, 1025, 4097, 65_539, 1 << 20, 3_000_017])
    func fillEqualsPermuteAtEveryPosition(rows: Int) {
        let p = EpochPermutation(rows: rows, seed: UInt64(rows), epoch: 3)
        let out = UnsafeMutablePointer<UInt32>.allocate(capacity: rows)
        defer { out.deallocate() }
        p.fill(out, range: 0..<rows)
        var mismatches = 0
        for i in 0..<rows where out[i] != p.permute(i) { mismatches += 1 }
        #expect(mismatches == 0, "rows \(rows)")
    }

    @Test func fillingInSlicesEqualsFillingAtOnce() {
        let p = EpochPermutation(rows: 5000, seed: 9, epoch: 2)
        let whole = UnsafeMutablePointer<UInt32>.allocate(capacity: 5000)
        let parts = UnsafeMutablePointer<UInt32>.allocate(capacity: 5000)
        defer { whole.deallocate(); parts.deallocate() }
        p.fill(whole, range: 0..<5000)
        // Slices that start and end off the 16-lane grid, as worker slices of an odd row count do.
        p.fill(parts, range: 2501..<5000)
        p.fill(parts, range: 7..<2501)
        p.fill(parts, range: 0..<7)
        #expect(Array(UnsafeBufferPointer(start: whole, count: 5000)) == Array(UnsafeBufferPointer(start: parts, count: 5000)))
    }
}
