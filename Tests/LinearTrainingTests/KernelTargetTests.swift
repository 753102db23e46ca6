import Foundation
import LinearTraining
import SyntheticData
import Testing

/// The two copies of the kernels (portable and AVX-512, the same source compiled twice): the CPU
/// check against the kernel's own account of the CPU, and the same bits from both copies except
/// where the AVX-512 copy fuses the d = 64 dot product (there: the same to rounding, and each copy
/// still the same for any thread count).
@Suite("Kernel targets") struct KernelTargetTests {
    /// What `-target-cpu skylake-avx512` may use, as /proc/cpuinfo names it (abm is LZCNT); the
    /// kernel lists avx512* only when the OS saves the zmm state.
    static let avx512Flags = ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx2", "fma", "bmi1", "bmi2",
                              "abm", "movbe", "popcnt", "f16c"]

    static func cpuinfoFlags() throws -> Set<String> {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") })
        return Set(line.split(separator: ":", maxSplits: 1)[1].split(separator: " ").map(String.init))
    }

    @Test func theCPUCheckAgreesWithProcCpuinfo() throws {
        let flags = try Self.cpuinfoFlags()
        let hasAll = Self.avx512Flags.allSatisfy(flags.contains)
        #expect(GradientKernels.Target.runnable.contains(.avx512) == hasAll, "cpuinfo has all of \(Self.avx512Flags): \(hasAll)")
        #expect(GradientKernels.Target.best == (hasAll ? .avx512 : .portable))
        #expect(GradientKernels.Target.runnable.contains(.portable))
    }

    /// Every kernel, sequential and gathered (shuffled), over the shapes of the kernel tests: the
    /// portable copy (SSE2 in a plain build) and the AVX-512 copy give the same bits, but for `d64`,
    /// whose AVX-512 dot product is fused: the same to rounding.
    @Test(arguments: KernelTests.cases)
    func everyCopyOfEveryKernelGivesTheSameBits(_ c: KernelTests.Case) throws {
        let (data, w) = try KernelTests.data(c)
        let shuffled = (0..<c.rows).map { UInt32($0 * 7919 % c.rows) }
        for kind in KernelTests.tunedKinds(d: c.d) + [.reference] {
            for indices in [nil, shuffled] as [[UInt32]?] {
                let results = GradientKernels.Target.runnable.map {
                    KernelTests.run(kind, data, w: w, b: 0.5, indices: indices, target: $0)
                }
                if kind == .d64 {
                    let scale = results[0].map { abs($0) }.max()! + 1
                    for r in results.dropFirst() {
                        for j in 0..<(c.d + 2) {
                            #expect(abs(r[j] - results[0][j]) <= 1e-5 * scale * Float(c.rows), "\(c) gathered: \(indices != nil) coordinate \(j)")
                        }
                    }
                } else {
                    #expect(Set(results.map { $0.map(\.bitPattern) }).count == 1, "\(c) \(kind) gathered: \(indices != nil)")
                }
            }
        }
    }

    /// Whole runs (shuffled minibatches at d = 64, the d2l lesson at d = 2, full batch at d = 1) on
    /// every copy: 1 and 3 threads give the same bits on each copy; the copies give the same bits at
    /// d = 2 and d = 1, and at d = 64 (the fused dot) weights and losses within 1e-5.
    @Test(arguments: [(64, 8192, 512), (2, 1000, 10), (1, 300, 300)])
    func trainingGivesTheSameBitsOnEveryCopy(d: Int, rows: Int, batch: Int) throws {
        let spec = DatasetSpec(rows: rows, features: d, weights: .alternating, seed: 5)
        let data = try TrainingConfig(data: .synthetic(spec), epochs: 2, batchSize: batch).data.load(threads: 2)
        var seen: [[Double]] = []
        for target in GradientKernels.Target.runnable {
            var bits: Set<[UInt64]> = []
            for threads in [1, 3] {
                let config = TrainingConfig(
                    data: .synthetic(spec), model: .zeros,
                    loss: .mse, optimizer: SGD(lr: 0.05), epochs: 2, batchSize: batch, shuffle: batch < rows, threads: threads,
                    executor: .perStep)
                let r = try Trainer(config: config, data: data, kernelTarget: target).run()
                #expect(r.kernelTarget == target)
                let values = (r.model.weights + [r.model.bias]).map(Double.init) + r.epochLosses
                bits.insert(values.map { $0.bitPattern })
                if threads == 1 { seen.append(values) }
            }
            #expect(bits.count == 1, "\(target): 1 and 3 threads differ")
        }
        if d == 64 {
            for s in seen.dropFirst() {
                for (a, b) in zip(s, seen[0]) { #expect(abs(a - b) <= 1e-5 * (abs(b) + 1), "\(a) vs \(b)") }
            }
        } else {
            #expect(Set(seen.map { $0.map { $0.bitPattern } }).count == 1)
        }
    }
}
