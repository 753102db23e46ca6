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
                        Case(d: 1, rows: 5), Case(d: 1, rows: 50), Case(d: 2, rows: 1000)]

    static func run(
        _ kind: GradientKernels.Kind, _ data: Dataset, w: [Float], b: Float, indices: [UInt32]?,
        target: GradientKernels.Target = .best
    ) -> [Float] {
        var out = [Float](repeating: .nan, count: data.features + 2)
        out.withUnsafeMutableBufferPointer { o in
            w.withUnsafeBufferPointer { wb in
                if let indices {
                    indices.withUnsafeBufferPointer { ib in
                        GradientKernels.accumulate(
                            kind, target: target, x: data.x, y: data.y, d: data.features, first: 0, count: ib.count,
                            indices: ib.baseAddress, available: ib.count, w: wb.baseAddress!, b: b, out: o.baseAddress!)
                    }
                } else {
                    GradientKernels.accumulate(
                        kind, target: target, x: data.x, y: data.y, d: data.features, first: 0, count: data.rows, indices: nil,
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

    /// Every tuned kernel that can run d features (d = 64: `d64` and `wide`), `automatic`'s among them.
    static func tunedKinds(d: Int) -> [GradientKernels.Kind] { d == 64 ? [.d64, .wide] : d >= 16 ? [.wide] : [.small] }

    /// Every tuned kernel in every copy this CPU runs (portable and AVX-512), within float rounding
    /// of the reference.
    @Test(arguments: cases)
    func tunedKernelAgreesWithReference(_ c: Case) throws {
        let (data, w) = try Self.data(c)
        let ref = Self.run(.reference, data, w: w, b: 0.5, indices: nil)
        let scale = ref.map { abs($0) }.max()! + 1
        #expect(Self.tunedKinds(d: c.d).contains(.automatic(features: c.d)))
        for target in GradientKernels.Target.runnable {
            for kind in Self.tunedKinds(d: c.d) {
                let tuned = Self.run(kind, data, w: w, b: 0.5, indices: nil, target: target)
                for j in 0..<(c.d + 2) {
                    #expect(abs(tuned[j] - ref[j]) <= 2e-5 * scale * Float(c.rows),
                            "\(c) \(kind) \(target) coordinate \(j): \(tuned[j]) vs \(ref[j])")
                }
            }
        }
    }

    @Test(arguments: cases)
    func gatheringTheIdentityGivesTheSameBits(_ c: Case) throws {
        let (data, w) = try Self.data(c)
        for kind in Self.tunedKinds(d: c.d) + [.reference] {
            let seq = Self.run(kind, data, w: w, b: 0.5, indices: nil)
            let gathered = Self.run(kind, data, w: w, b: 0.5, indices: (0..<c.rows).map { UInt32($0) })
            #expect(seq.map(\.bitPattern) == gathered.map(\.bitPattern), "\(c) \(kind)")
        }
    }

    /// A gather reads exactly the rows it is given, in that order: a subset of the rows with repeats
    /// (29 indices into 40 rows, some rows three times, past 16 so the gathered prefetch runs), for
    /// every kernel in every copy, held to the Double oracle of those rows. A kernel that read rows
    /// 0, 1, 2, … or skipped a repeat would be off by whole rows' gradients.
    @Test(arguments: [1, 2, 3, 16, 21, 64, 100])
    func gatheringReadsExactlyTheIndicesGiven(d: Int) throws {
        let data = try Dataset.generate(DatasetSpec(rows: 40, features: d, weights: .alternating, seed: UInt64(d)))
        let w = (0..<d).map { Float($0 % 5) * 0.1 - 0.2 }
        var indices: [UInt32] = []
        for k in 0..<29 { indices.append(UInt32((k * 7 + 3) % 13 + (k % 3) * 11)) }
        #expect(Set(indices).count < indices.count && Set(indices).count < 40, "a subset with repeats")
        let exact = SmallKernelTests.oracle(data, w: w, b: 0.1, rows: indices.map(Int.init))
        let sequential = SmallKernelTests.oracle(data, w: w, b: 0.1, rows: Array(0..<29))
        let scale = exact.map(abs).max()! + 1
        #expect(zip(exact, sequential).contains { abs($0 - $1) > 1e-3 * scale }, "the oracle tells the rows apart")
        for target in GradientKernels.Target.runnable {
            for kind in Self.tunedKinds(d: d) + [.reference] {
                let got = Self.run(kind, data, w: w, b: 0.1, indices: indices, target: target)
                for j in 0..<(d + 2) {
                    #expect(abs(Double(got[j]) - exact[j]) <= 1e-6 * scale * 29,
                            "d=\(d) \(kind) \(target) coordinate \(j): \(got[j]) vs \(exact[j])")
                }
            }
        }
    }

    /// `d64` keeps g in registers, `wide` in memory, in the same order of additions: in the portable
    /// copy the same bits, sequential and gathered (101 rows: a tail for both, and past 16 rows the
    /// gathered prefetch runs). The AVX-512 copy's `d64` fuses its dot product: there they agree to
    /// rounding.
    @Test func theD64AndWideKernelsAgreeBitForBit() throws {
        let (data, w) = try Self.data(Case(d: 64, rows: 101))
        let shuffled = (0..<101).map { UInt32($0 * 37 % 101) }
        for target in GradientKernels.Target.runnable {
            for indices in [nil, shuffled] as [[UInt32]?] {
                let a = Self.run(.d64, data, w: w, b: 0.25, indices: indices, target: target)
                let b = Self.run(.wide, data, w: w, b: 0.25, indices: indices, target: target)
                if target == .portable {
                    #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "gathered: \(indices != nil)")
                } else {
                    let scale = b.map { abs($0) }.max()! + 1
                    for j in 0..<66 { #expect(abs(a[j] - b[j]) <= 1e-5 * scale, "\(target) gathered: \(indices != nil) coordinate \(j)") }
                }
            }
        }
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
    /// Σ r·x, Σ r, Σ r² in Double, row by row: the oracle the Float kernels are held to.
    static func oracle(_ data: Dataset, w: [Float], b: Float, rows: [Int]) -> [Double] {
        let d = data.features
        var out = [Double](repeating: 0, count: d + 2)
        for i in rows {
            var dot = Double(b)
            for j in 0..<d { dot += Double(data.x[i * d + j]) * Double(w[j]) }
            let r = dot - Double(data.y[i])
            for j in 0..<d { out[j] += r * Double(data.x[i * d + j]) }
            out[d] += r
            out[d + 1] += r * r
        }
        return out
    }

    /// d = 1 and 2 add 8 lanes of rows then a tree (not row by row as the reference does): both
    /// must stay within a few float roundings of the Double oracle, sequential and gathered, with
    /// and without a tail of rows that do not fill the lanes.
    @Test(arguments: [1, 2], [7, 8, 77])
    func smallKernelsMatchTheDoubleOracle(d: Int, rows: Int) throws {
        let data = try Dataset.generate(DatasetSpec(rows: rows, features: d, weights: .alternating, seed: 11))
        let w = (0..<d).map { Float($0) * 0.3 - 0.7 }
        let reversed = (0..<rows).reversed().map { UInt32($0) }
        for indices in [nil, reversed] as [[UInt32]?] {
            let exact = Self.oracle(data, w: w, b: 0.3, rows: indices.map { $0.map(Int.init) } ?? Array(0..<rows))
            let scale = exact.map(abs).max()! + 1
            for kind in [GradientKernels.Kind.small, .reference] {
                let got = KernelTests.run(kind, data, w: w, b: 0.3, indices: indices)
                for j in 0..<(d + 2) {
                    #expect(abs(Double(got[j]) - exact[j]) <= 1e-6 * scale * Double(rows),
                            "d=\(d) rows=\(rows) \(kind) gathered=\(indices != nil) coordinate \(j): \(got[j]) vs \(exact[j])")
                }
            }
        }
    }

    /// The lanes change the order against the reference, so the two are not the same bits; a
    /// test that they differ keeps the oracle test above honest about what it checks.
    @Test func theLanesAreNotTheReferenceOrder() throws {
        let data = try Dataset.generate(DatasetSpec(rows: 77, features: 2, weights: .alternating, seed: 11))
        let a = KernelTests.run(.small, data, w: [-0.7, -0.4], b: 0.3, indices: nil)
        let b = KernelTests.run(.reference, data, w: [-0.7, -0.4], b: 0.3, indices: nil)
        #expect(a.map(\.bitPattern) != b.map(\.bitPattern))
    }
}
