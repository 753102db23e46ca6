import LinearTraining
import SyntheticData
import Testing

/// The float16 kernels: each one, in each copy, sequential and gathered, must give exactly the bits
/// its float32 twin gives on the float32 conversion of the same rows, and the conversion itself must
/// be exact for every float16 bit pattern.
@Suite("Float16 kernels") struct HalfKernelTests {
    /// Every shape a kernel special-cases: d64 (with and without the odd row), wide with a tail of
    /// blocks and of scalars, the reference range, d = 1 and 2 with and without a partial lane group.
    static let cases = [
        KernelTests.Case(d: 64, rows: 101), KernelTests.Case(d: 64, rows: 1), KernelTests.Case(d: 16, rows: 9),
        KernelTests.Case(d: 21, rows: 33), KernelTests.Case(d: 1024, rows: 13), KernelTests.Case(d: 100, rows: 64),
        KernelTests.Case(d: 3, rows: 50), KernelTests.Case(d: 1, rows: 77), KernelTests.Case(d: 2, rows: 1000),
        KernelTests.Case(d: 2, rows: 13),
    ]

    @Test func wideningIsExactForEveryBitPattern() {
        let all = (0...UInt16.max).map { Float16(bitPattern: $0) }
        for target in GradientKernels.Target.runnable {
            // An odd count, so the scalar tail is converted too.
            for count in [all.count, all.count - 5] {
                var out = [Float](repeating: 0, count: count)
                all.withUnsafeBufferPointer { src in
                    out.withUnsafeMutableBufferPointer { dst in
                        GradientKernels.widen(src.baseAddress!, count: count, into: dst.baseAddress!, target: target)
                    }
                }
                var wrong = 0
                for i in 0..<count {
                    let expected = Float(all[i])
                    let ok = expected.isNaN ? out[i].isNaN : out[i].bitPattern == expected.bitPattern
                    if !ok { wrong += 1 }
                }
                #expect(wrong == 0, "\(target), \(count) values: \(wrong) converted wrongly")
            }
        }
    }

    /// X rounded to float16 (as `generate --dtype float16` stores it) and its exact float32 copy.
    static func data(_ c: KernelTests.Case) throws -> (half: [Float16], wide: Dataset, w: [Float]) {
        let (data, w) = try KernelTests.data(c)
        let count = c.rows * c.d
        let half = (0..<count).map { Float16(data.x[$0]) }
        for i in 0..<count { data.x[i] = Float(half[i]) }
        return (half, data, w)
    }

    static func run(
        _ kind: GradientKernels.Kind, half: [Float16], _ data: Dataset, w: [Float], b: Float, indices: [UInt32]?,
        target: GradientKernels.Target
    ) -> [Float] {
        var out = [Float](repeating: .nan, count: data.features + 2)
        half.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                w.withUnsafeBufferPointer { wb in
                    let ib = indices ?? []
                    ib.withUnsafeBufferPointer { ip in
                        GradientKernels.accumulate(
                            kind, target: target, x: x.baseAddress!, y: data.y, d: data.features, first: 0,
                            count: indices?.count ?? data.rows, indices: indices == nil ? nil : ip.baseAddress,
                            available: ib.count, w: wb.baseAddress!, b: b, out: o.baseAddress!)
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: cases)
    func float16KernelGivesTheBitsOfItsFloat32Twin(_ c: KernelTests.Case) throws {
        let (half, data, w) = try Self.data(c)
        // Sequential; the identity gathered; a shuffled subset with repeats (what an epoch order and
        // a partial batch look like), long enough for the gathered prefetch to run ahead.
        let subset = (0..<(c.rows * 3 / 2 + 1)).map { UInt32($0 * 7 % c.rows) }
        for target in GradientKernels.Target.runnable {
            for kind in KernelTests.tunedKinds(d: c.d) + [.reference] {
                for indices in [nil, (0..<c.rows).map { UInt32($0) }, subset] as [[UInt32]?] {
                    let h = Self.run(kind, half: half, data, w: w, b: 0.5, indices: indices, target: target)
                    let f = KernelTests.run(kind, data, w: w, b: 0.5, indices: indices, target: target)
                    #expect(h.map(\.bitPattern) == f.map(\.bitPattern), "\(c) \(kind) \(target) gathered: \(indices?.count ?? -1)")
                    #expect(!h.contains { $0.isNaN }, "\(c) \(kind) \(target): a coordinate was not written")
                }
            }
        }
    }

    /// The gathered float16 kernel reads exactly the rows it is given: a subset in reverse equals the
    /// reference over exactly those rows (a kernel that ignored its indices would read rows 0, 1, …).
    @Test func gatheredFloat16ReadsExactlyTheIndicesGiven() throws {
        let (half, data, w) = try Self.data(KernelTests.Case(d: 64, rows: 64))
        let picked: [UInt32] = [63, 5, 5, 40, 17, 2, 33, 60, 61, 9]
        var oracle = [Float](repeating: 0, count: 66)
        for i in picked.map(Int.init) {
            var dot: Float = 0
            for j in 0..<64 { dot = dot + Float(half[i * 64 + j]) * w[j] }
            let r = (dot + 0.5) - data.y[i]
            for j in 0..<64 { oracle[j] = oracle[j] + r * Float(half[i * 64 + j]) }
            oracle[64] = oracle[64] + r
            oracle[65] = oracle[65] + r * r
        }
        for target in GradientKernels.Target.runnable {
            let ref = Self.run(.reference, half: half, data, w: w, b: 0.5, indices: picked, target: target)
            #expect(ref.map(\.bitPattern) == oracle.map(\.bitPattern), "\(target)")
            let tuned = Self.run(.d64, half: half, data, w: w, b: 0.5, indices: picked, target: target)
            for j in 0..<66 { #expect(abs(tuned[j] - oracle[j]) <= 1e-4 * (abs(oracle[j]) + 1), "\(target) coordinate \(j)") }
        }
    }
}
