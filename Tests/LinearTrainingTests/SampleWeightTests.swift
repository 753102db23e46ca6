import DataParallel
import Foundation
import LinearTraining
import SyntheticData
import Testing

/// Sample weights (`w.npy`, a CSV's `weight` column, `Dataset.weighted(by:)`): every kernel, both
/// copies, sequential and gathered, multiplies each row's g and l by its weight (against float64
/// arithmetic, and tuned against reference); full-batch least squares reaches the weighted
/// least-squares optimum, and integer weights train like repeated rows; the same bits for any
/// thread count; a validation split keeps each row's weight.
@Suite("Sample weights") struct SampleWeightTests {
    static func weights(_ n: Int) -> [Float] { (0..<n).map { Float(($0 * 7) % 5) * 0.5 } }  // 0, 0.5, … 2: zeros too

    static let objectives: [GradientKernels.Objective] = [.squaredError, .logistic, .weightedLogistic(ratio: 2.5), .huber(delta: 0.7)]

    @Test(arguments: [KernelTests.Case(d: 64, rows: 101), KernelTests.Case(d: 21, rows: 33), KernelTests.Case(d: 1, rows: 77),
                      KernelTests.Case(d: 2, rows: 99), KernelTests.Case(d: 5, rows: 40)])
    func everyKernelMultipliesEachRowByItsWeight(_ c: KernelTests.Case) throws {
        let (data, w) = try KernelTests.data(c)
        for i in 0..<c.rows { data.y[i] = data.y[i] > 0 ? 1 : 0 }
        let s = Self.weights(c.rows)
        let indices = (0..<(c.rows + 7)).map { UInt32($0 * 5 % c.rows) }
        for objective in Self.objectives {
            // Unweighted per row, in the reference kernel one row at a time: the oracle for row i's (g, l).
            var want = [Double](repeating: 0, count: c.d + 2)
            for i in 0..<c.rows {
                let one = try Dataset(features: c.d, x: Array(UnsafeBufferPointer(start: data.row(i), count: c.d)), y: [data.y[i]])
                let r = ObjectiveTests.run(.reference, one, w: w, indices: nil, target: .portable, objective)
                for j in 0..<(c.d + 2) { want[j] += Double(s[i]) * Double(r[j]) }
            }
            let scale = want.map { abs($0) }.max()! + 1
            for target in GradientKernels.Target.runnable {
                for gathered in [false, true] {
                    let ref = s.withUnsafeBufferPointer {
                        ObjectiveTests.run(.reference, data, w: w, indices: gathered ? indices : nil, target: target, objective, sampleWeights: $0.baseAddress!)
                    }
                    // Gathered runs visit rows `indices` (repeats included): their oracle is that multiset.
                    if !gathered {
                        let bound = 1e-5 * scale * Double(c.rows)
                        for j in 0..<(c.d + 2) {
                            let error = abs(Double(ref[j]) - want[j])
                            #expect(error <= bound, "\(c) \(objective) [\(j)]: \(ref[j]) vs \(want[j])")
                        }
                    }
                    for kind in KernelTests.tunedKinds(d: c.d) {
                        let tuned = s.withUnsafeBufferPointer {
                            ObjectiveTests.run(kind, data, w: w, indices: gathered ? indices : nil, target: target, objective, sampleWeights: $0.baseAddress!)
                        }
                        let bound = Float(2e-5 * scale) * Float(c.rows)
                        for j in 0..<(c.d + 2) {
                            let error = abs(tuned[j] - ref[j])
                            #expect(error <= bound, "\(c) \(objective) \(kind) \(target) gathered \(gathered) [\(j)]: \(tuned[j]) vs \(ref[j])")
                        }
                    }
                }
            }
        }
    }

    /// argmin Σ sᵢ(x·w + b − y)² in float64 (centred weighted normal equations, Gauss–Jordan).
    static func weightedLeastSquares(_ data: Dataset, _ s: [Float]) -> (w: [Double], b: Double) {
        let d = data.features, n = data.rows
        let total = s.reduce(0.0) { $0 + Double($1) }
        let mx = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + Double(s[$1]) * Double(data.x[$1 * d + j]) } / total }
        let my = (0..<n).reduce(0.0) { $0 + Double(s[$1]) * Double(data.y[$1]) } / total
        var a = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d)
        for i in 0..<n {
            let x = (0..<d).map { Double(data.x[i * d + $0]) - mx[$0] }, y = Double(data.y[i]) - my, si = Double(s[i])
            for r in 0..<d {
                for c in 0..<d { a[r][c] += si * x[r] * x[c] }
                a[r][d] += si * x[r] * y
            }
        }
        for p in 0..<d {
            for r in 0..<d where r != p {
                let f = a[r][p] / a[p][p]
                for c in p...d { a[r][c] -= f * a[p][c] }
            }
        }
        let w = (0..<d).map { a[$0][d] / a[$0][$0] }
        return (w, my - zip(mx, w).reduce(0) { $0 + $1.0 * $1.1 })
    }

    static func fullBatch(threads: Int = 1) -> TrainingConfig {
        TrainingConfig(
            model: .zeros, loss: .squared, optimizer: SGD(lr: 0.3, momentum: 0.5), epochs: 600, batchSize: nil, shuffle: false,
            threads: threads, executor: threads > 1 ? .span : .serial, chunkRows: 64)
    }

    @Test func fullBatchReachesTheWeightedLeastSquaresOptimumAndWeightTwoIsARepeatedRow() throws {
        let spec = DatasetSpec(rows: 600, features: 4, weights: .alternating, bias: 1, noise: 0.5, seed: 21)
        let plain = try Dataset.generate(spec)
        let s = (0..<600).map { Float($0 % 3) }  // 0, 1, 2
        let weighted = try plain.weighted(by: s)
        let wls = Self.weightedLeastSquares(plain, s)
        let r = try Trainer(config: Self.fullBatch(), dataset: weighted).run()
        for j in 0..<4 { #expect(abs(Double(r.model.weights[j]) - wls.w[j]) < 1e-4, "w\(j): \(r.model.weights[j]) vs \(wls.w[j])") }
        #expect(abs(Double(r.model.bias) - wls.b) < 1e-4)
        let unweighted = try Trainer(config: Self.fullBatch(), dataset: plain).run()
        #expect(abs(unweighted.model.bias - r.model.bias) > 1e-3, "the weights change the fit")
        // Weight 2 ≡ the row twice, weight 0 ≡ no row: the same optimum.
        var rows: [[Float]] = [], ys: [Float] = []
        for i in 0..<600 { for _ in 0..<Int(s[i]) { rows.append(plain.values(ofRow: i)); ys.append(plain.y[i]) } }
        let repeated = try Trainer(config: Self.fullBatch(), dataset: try Dataset(rows: rows, y: ys)).run()
        for j in 0..<4 { #expect(abs(repeated.model.weights[j] - r.model.weights[j]) < 1e-4) }
        // The same bits on 1–3 threads, full batch and shuffled minibatches.
        for t in [2, 3] {
            let other = try Trainer(config: Self.fullBatch(threads: t), dataset: weighted).run()
            #expect(other.model == r.model && other.epochLosses == r.epochLosses, "\(t) threads, full batch")
        }
        let d64 = try Dataset.generate(DatasetSpec(rows: 3000, features: 64, weights: .alternating, seed: 22))
        let heavy = try d64.weighted(by: Self.weights(3000))
        var mini = TrainingConfig(model: .zeros, loss: .mse, optimizer: SGD(lr: 0.02, momentum: 0.9), epochs: 2, batchSize: 256, seed: 3, chunkRows: 24)
        mini.threads = 1
        let one = try Trainer(config: mini, dataset: heavy).run()
        for (t, e) in [(2, ExecutionMode.span), (3, .perStep)] {
            mini.threads = t
            mini.executor = e
            let got = try Trainer(config: mini, dataset: heavy).run()
            #expect(got.model == one.model && got.epochLosses == one.epochLosses, "\(t) threads \(e), shuffled d64")
        }
    }

    @Test func aValidationSplitKeepsEachRowsWeightAndBadWeightsAreRefused() throws {
        let plain = try Dataset(rows: (0..<200).map { [Float($0)] }, y: (0..<200).map { Float($0) })
        let weighted = try plain.weighted(by: (0..<200).map { Float($0) / 100 })
        let parts = try ValidationSplit(fraction: 0.2).split(weighted, key: 5)
        for part in [parts.train, parts.validation] {
            let s = try #require(part.sampleWeightValues)
            for i in 0..<part.rows { #expect(s[i] == part.x[i] / 100, "row \(i): weight \(s[i]) for x \(part.x[i])") }
        }
        #expect(parts.train.rows + parts.validation.rows == 200)
        let negative = #expect(throws: DataError.self) { _ = try plain.weighted(by: [Float](repeating: 1, count: 199) + [-1]) }
        #expect(negative?.description.contains("row 199") == true)
        #expect(throws: DataError.self) { _ = try plain.weighted(by: [Float](repeating: 0, count: 200)) }
        #expect(throws: DataError.self) { _ = try plain.weighted(by: [Float](repeating: 1, count: 3)) }
    }
}
