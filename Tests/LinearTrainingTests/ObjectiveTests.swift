import Foundation
@testable import FusedKernels
import LinearTraining
import SyntheticData
import Testing

/// The logistic and Huber objectives: the vectorised exp/log1p against Double, the stable forms at
/// extreme z, the tuned kernels against the reference, and one SGD step against PyTorch's formulas
/// evaluated in Double.
@Suite("Objectives") struct ObjectiveTests {
    static func ulps(_ a: Float, _ b: Double) -> Double {
        let ref = Float(b)
        return abs(Double(a) - b) / Double(ref.ulp == 0 ? Float.leastNonzeroMagnitude : ref.ulp)
    }

    /// The stated bounds: exp within 2 ulp on [−87, 0], log1p within 2 ulp on (0, 1].
    @Test func expAndLog1pAreWithinTwoUlpOfDouble() {
        var worstExp = 0.0, worstLog = 0.0
        let n = 1 << 20
        for i in stride(from: 0, to: n, by: 8) {
            var x = SIMD8<Float>(), e = SIMD8<Float>()
            for l in 0..<8 {
                x[l] = -87 * Float(i + l) / Float(n)
                e[l] = Float(i + l + 1) / Float(n)
            }
            let ex = StableMath.exp(x), lg = StableMath.log1pSmall(e, onePlus: e + 1)
            for l in 0..<8 {
                worstExp = max(worstExp, Self.ulps(ex[l], Foundation.exp(Double(x[l]))))
                worstLog = max(worstLog, Self.ulps(lg[l], Foundation.log1p(Double(e[l]))))
            }
        }
        #expect(worstExp <= 2, "exp: \(worstExp) ulp")
        #expect(worstLog <= 2, "log1p: \(worstLog) ulp")
    }

    /// σ(z) − y and softplus(z) − y·z stay finite and accurate for |z| up to 10⁴ (a naive
    /// log(1 + exp(z)) overflows from z ≈ 89).
    @Test func logisticIsStableForLargeLogits() {
        let zs: [Float] = [-1e4, -500, -88.7, -30, -1, -1e-6, 0, 1e-6, 1, 30, 88.7, 500, 1e4]
        for z in zs {
            for y: Float in [0, 1] {
                let (g, l) = LogisticLoss().residual(z, y)
                let zd = Double(z), yd = Double(y)
                let p = zd >= 0 ? 1 / (1 + Foundation.exp(-zd)) : Foundation.exp(zd) / (1 + Foundation.exp(zd))
                let sp = max(zd, 0) + Foundation.log1p(Foundation.exp(-abs(zd)))
                #expect(g.isFinite && l.isFinite, "z \(z) y \(y): \(g) \(l)")
                #expect(abs(Double(g) - (p - yd)) <= 1e-6, "σ(\(z)) − \(y): \(g) vs \(p - yd)")
                let lossRef = sp - yd * zd
                #expect(abs(Double(l) - lossRef) <= 1e-6 * max(1, abs(lossRef)), "loss at z \(z) y \(y): \(l) vs \(lossRef)")
            }
        }
    }

    @Test func huberMatchesPyTorchsPiecewiseForm() {
        let h = HuberError(delta: 1.5)
        for (z, y) in [(Float(0.2), Float(0)), (3, 0), (-3, 0), (1.5, 0), (-1.5, 0), (10, 11)] {
            let e = Double(z - y)
            let torchLoss = abs(e) < 1.5 ? 0.5 * e * e : 1.5 * (abs(e) - 0.75)
            let torchGrad = abs(e) < 1.5 ? e : 1.5 * (e < 0 ? -1 : 1)
            let (g, l) = h.residual(z, y)
            #expect(abs(0.5 * Double(l) - torchLoss) <= 1e-6 && abs(Double(g) - torchGrad) <= 1e-6, "z \(z) y \(y)")
            var zv = SIMD8<Float>(repeating: 0), yv = SIMD8<Float>(repeating: 0)
            zv[3] = z
            yv[3] = y
            let (gv, lv) = h.residuals(zv, yv)
            #expect(gv[3] == g && lv[3] == l, "the 8-lane form agrees")
        }
    }

    static let objectives: [GradientKernels.Objective] = [.logistic, .weightedLogistic(ratio: 3.5), .huber(delta: 0.7)]

    /// The class-weighted logistic objective: row i's g and l are the logistic ones times 1 (class 0)
    /// or the ratio (class 1), against float64 arithmetic on the same rows.
    @Test func weightedLogisticMultipliesClassOnesRowsByTheRatio() throws {
        let c = KernelTests.Case(d: 5, rows: 40)
        let (data, w) = try KernelTests.data(c)
        for i in 0..<c.rows { data.y[i] = data.y[i] > 0 ? 1 : 0 }
        #expect((0..<c.rows).contains { data.y[$0] == 0 } && (0..<c.rows).contains { data.y[$0] == 1 })
        let ratio: Float = 3.5
        let got = Self.run(.reference, data, w: w, indices: nil, target: .portable, .weightedLogistic(ratio: ratio))
        var want = [Double](repeating: 0, count: c.d + 2)
        for i in 0..<c.rows {
            var z = 0.3  // run()'s bias
            for j in 0..<c.d { z += Double(data.x[i * c.d + j]) * Double(w[j]) }
            let y = Double(data.y[i]), m = y == 1 ? Double(ratio) : 1
            let g = m * (1 / (1 + exp(-z)) - y), l = m * (max(z, 0) - y * z + log1p(exp(-abs(z))))
            for j in 0..<c.d { want[j] += g * Double(data.x[i * c.d + j]) }
            want[c.d] += g
            want[c.d + 1] += l
        }
        for j in 0..<(c.d + 2) { #expect(abs(Double(got[j]) - want[j]) <= 1e-4 * (abs(want[j]) + 1), "[\(j)]: \(got[j]) vs \(want[j])") }
    }

    /// Every tuned kernel, both copies, sequential and gathered, agrees with the reference to float
    /// rounding for the new objectives (labels 0/1 for logistic).
    @Test(arguments: [KernelTests.Case(d: 64, rows: 101), KernelTests.Case(d: 21, rows: 33), KernelTests.Case(d: 1024, rows: 13),
                      KernelTests.Case(d: 1, rows: 77), KernelTests.Case(d: 2, rows: 99), KernelTests.Case(d: 5, rows: 40)])
    func tunedKernelsAgreeWithTheReference(_ c: KernelTests.Case) throws {
        let (data, w) = try KernelTests.data(c)
        for objective in Self.objectives {
            if objective != .huber(delta: 0.7) { for i in 0..<c.rows { data.y[i] = data.y[i] > 0 ? 1 : 0 } }
            let indices = (0..<(c.rows + 7)).map { UInt32($0 * 5 % c.rows) }
            for target in GradientKernels.Target.runnable {
                for gathered in [false, true] {
                    let ref = Self.run(.reference, data, w: w, indices: gathered ? indices : nil, target: target, objective)
                    let scale = ref.map { abs($0) }.max()! + 1
                    for kind in KernelTests.tunedKinds(d: c.d) {
                        let tuned = Self.run(kind, data, w: w, indices: gathered ? indices : nil, target: target, objective)
                        for j in 0..<(c.d + 2) {
                            #expect(abs(tuned[j] - ref[j]) <= 2e-5 * scale * Float(c.rows),
                                    "\(c) \(objective) \(kind) \(target) gathered \(gathered) [\(j)]: \(tuned[j]) vs \(ref[j])")
                        }
                    }
                }
            }
        }
    }

    static func run(
        _ kind: GradientKernels.Kind, _ data: Dataset, w: [Float], indices: [UInt32]?, target: GradientKernels.Target,
        _ objective: GradientKernels.Objective, sampleWeights: UnsafePointer<Float>? = nil
    ) -> [Float] {
        var out = [Float](repeating: .nan, count: data.features + 2)
        let ib = indices ?? []
        out.withUnsafeMutableBufferPointer { o in
            w.withUnsafeBufferPointer { wb in
                ib.withUnsafeBufferPointer { ip in
                    GradientKernels.accumulate(
                        kind, target: target, x: data.x, y: data.y, d: data.features, first: 0, count: indices?.count ?? data.rows,
                        indices: indices == nil ? nil : ip.baseAddress, available: ib.count, w: wb.baseAddress!, b: 0.3,
                        out: o.baseAddress!, objective: objective, sampleWeights: sampleWeights)
                }
            }
        }
        return out
    }

    /// One full-batch SGD step from w = 0 against PyTorch's formulas in Double: BCEWithLogitsLoss
    /// (mean) and HuberLoss(delta) (mean); the loss reported is the loss before the step.
    @Test(arguments: [Loss.logistic, .huber])
    func oneStepMatchesThePyTorchFormulas(_ loss: Loss) throws {
        var spec = DatasetSpec(rows: 500, features: 3, weights: .explicit([1, -2, 0.5]), bias: 0.25, noise: 0.5, seed: 4)
        if loss == .logistic { spec.task = .logistic }
        let data = try Dataset.generate(spec)
        var config = TrainingConfig(
            data: .synthetic(spec), model: .zeros, loss: loss, optimizer: SGD(lr: 0.1), epochs: 1, batchSize: nil,
            shuffle: false)
        config.huberDelta = 0.8
        let report = try Trainer(config: config, data: .stored(data)).run()
        var grad = [Double](repeating: 0, count: 4), lossSum = 0.0
        for i in 0..<500 {
            let y = Double(data.y[i])
            // z = 0 at w = 0, b = 0.
            let (g, l): (Double, Double) = loss == .logistic
                ? (0.5 - y, log(2.0))  // σ(0) − y; softplus(0) − y·0
                : (abs(y) < 0.8 ? -y : 0.8 * (-y < 0 ? -1 : 1), abs(y) < 0.8 ? 0.5 * y * y : 0.8 * (abs(y) - 0.4))
            for j in 0..<3 { grad[j] += g * Double(data.x[i * 3 + j]) }
            grad[3] += g
            lossSum += l
        }
        let expected = grad.map { -0.1 * $0 / 500 }
        let got = report.model.weights.map(Double.init) + [Double(report.model.bias)]
        for j in 0..<4 { #expect(abs(got[j] - expected[j]) <= 1e-6 * (1 + abs(expected[j])), "\(loss) parameter \(j): \(got[j]) vs \(expected[j])") }
        if loss == .logistic {
            #expect(Set((0..<500).map { data.y[$0] }) == [0, 1], "Bernoulli labels")
        }
        // Full batch: the epoch loss is the batch loss before the update.
        #expect(abs(report.epochLosses[0] - lossSum / 500) <= 1e-5 * (lossSum / 500), "\(loss): \(report.epochLosses[0]) vs \(lossSum / 500)")
    }

    @Test func logisticRefusesLabelsOtherThanZeroAndOne() throws {
        let data = try Dataset(rows: 4, features: 1, source: "csv labels.csv")
        for i in 0..<4 { data.y[i] = [0, 1, 0.5, 1][i] }
        #expect(throws: TrainingError.badLabel(
            source: "csv labels.csv", row: 2, value: 0.5,
            fix: "the logistic loss takes labels 0 and 1 (for synthetic data: task: logistic)")) {
            _ = try Trainer(config: TrainingConfig(loss: .logistic), data: .stored(data))
        }
    }
}
