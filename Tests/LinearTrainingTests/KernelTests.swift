import LinearTraining
import SyntheticData
import Testing

/// Tuned kernels against the naive reference, and the invariants that determinism rests on.
@Suite("Kernels") struct KernelTests {
    struct Case: CustomStringConvertible, Sendable {
        var d: Int
        var rows: Int
        var description: String { "d=\(d) rows=\(rows)" }
    }

    static let cases = [Case(d: 64, rows: 1), Case(d: 64, rows: 7), Case(d: 64, rows: 256), Case(d: 16, rows: 9),
                        Case(d: 21, rows: 33), Case(d: 1024, rows: 13), Case(d: 100, rows: 64), Case(d: 3, rows: 50),
                        Case(d: 1, rows: 5)]

    static func run(_ kind: GradientKernels.Kind, _ data: Dataset, w: [Float], b: Float, indices: [UInt32]?) -> [Float] {
        var out = [Float](repeating: .nan, count: data.features + 2)
        out.withUnsafeMutableBufferPointer { o in
            w.withUnsafeBufferPointer { wb in
                if let indices {
                    indices.withUnsafeBufferPointer { ib in
                        GradientKernels.accumulate(
                            kind, x: data.x, y: data.y, d: data.features, first: 0, count: ib.count,
                            indices: ib.baseAddress, available: ib.count, w: wb.baseAddress!, b: b, out: o.baseAddress!)
                    }
                } else {
                    GradientKernels.accumulate(
                        kind, x: data.x, y: data.y, d: data.features, first: 0, count: data.rows, indices: nil,
                        available: 0, w: wb.baseAddress!, b: b, out: o.baseAddress!)
                }
            }
        }
        return out
    }

    static func data(_ c: Case) throws -> (Dataset, [Float]) {
        let data = try Dataset.generate(DatasetSpec(rows: c.rows, features: c.d, weights: .alternating, seed: UInt64(c.d)))
        let w = (0..<c.d).map { Float($0 % 5) * 0.1 - 0.2 }
        return (data, w)
    }

    @Test(arguments: cases)
    func tunedKernelAgreesWithReference(_ c: Case) throws {
        let (data, w) = try Self.data(c)
        let kind = GradientKernels.Kind.automatic(features: c.d)
        let tuned = Self.run(kind, data, w: w, b: 0.5, indices: nil)
        let ref = Self.run(.reference, data, w: w, b: 0.5, indices: nil)
        let scale = ref.map { abs($0) }.max()! + 1
        for j in 0..<(c.d + 2) {
            #expect(abs(tuned[j] - ref[j]) <= 2e-5 * scale * Float(c.rows), "\(c) \(kind) coordinate \(j): \(tuned[j]) vs \(ref[j])")
        }
    }

    @Test(arguments: cases)
    func gatheringTheIdentityGivesTheSameBits(_ c: Case) throws {
        let (data, w) = try Self.data(c)
        for kind in [GradientKernels.Kind.automatic(features: c.d), .reference] {
            let seq = Self.run(kind, data, w: w, b: 0.5, indices: nil)
            let gathered = Self.run(kind, data, w: w, b: 0.5, indices: (0..<c.rows).map { UInt32($0) })
            #expect(seq.map(\.bitPattern) == gathered.map(\.bitPattern), "\(c) \(kind)")
        }
    }

    @Test func gatheringFollowsTheIndices() throws {
        let (data, w) = try Self.data(Case(d: 64, rows: 40))
        let reversed = Self.run(.reference, data, w: w, b: 0.1, indices: (0..<40).reversed().map { UInt32($0) })
        let forward = Self.run(.reference, data, w: w, b: 0.1, indices: nil)
        for j in 0..<66 { #expect(abs(reversed[j] - forward[j]) <= 1e-3 * (abs(forward[j]) + 1), "coordinate \(j)") }
    }

    @Test func theD64AndWideKernelsAgreeBitForBit() throws {
        let (data, w) = try Self.data(Case(d: 64, rows: 101))
        let a = Self.run(.d64, data, w: w, b: 0.25, indices: nil)
        let b = Self.run(.wide, data, w: w, b: 0.25, indices: nil)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
    }

    @Test func exactOnIntegerData() throws {
        // x = [1, 2, 3], w = [1, 1, 1], b = 0, y = 5 → r = 1 per row: Σ r·x = rows·x, Σ r = rows, Σ r² = rows.
        let rows = 12
        let data = try Dataset(rows: rows, features: 3, source: "test")
        for i in 0..<rows {
            data.x[i * 3] = 1; data.x[i * 3 + 1] = 2; data.x[i * 3 + 2] = 3; data.y[i] = 5
        }
        for kind in [GradientKernels.Kind.small, .reference] {
            #expect(Self.run(kind, data, w: [1, 1, 1], b: 0, indices: nil) == [12, 24, 36, 12, 12], "\(kind)")
        }
    }
}

@Suite("Small kernels") struct SmallKernelTests {
    @Test(arguments: [1, 2])
    func smallKernelsEqualTheReferenceBitForBit(d: Int) throws {
        let data = try Dataset.generate(DatasetSpec(rows: 77, features: d, weights: .alternating, seed: 11))
        let w = (0..<d).map { Float($0) * 0.3 - 0.7 }
        for indices in [nil, (0..<77).reversed().map { UInt32($0) }] as [[UInt32]?] {
            let a = KernelTests.run(.small, data, w: w, b: 0.3, indices: indices)
            let b = KernelTests.run(.reference, data, w: w, b: 0.3, indices: indices)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "d=\(d) gathered=\(indices != nil)")
        }
    }
}
