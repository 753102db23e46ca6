import Foundation
import LinearTraining
import SyntheticData
import Testing

/// The two copies of the kernels (portable and AVX-512, the same source compiled twice): the CPU
/// check against the kernel's own account of the CPU, and the same bits from both copies.
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
    /// portable copy (SSE2 in a plain build) and the AVX-512 copy give the same bits.
    @Test(arguments: KernelTests.cases)
    func everyCopyOfEveryKernelGivesTheSameBits(_ c: KernelTests.Case) throws {
        let (data, w) = try KernelTests.data(c)
        let shuffled = (0..<c.rows).map { UInt32($0 * 7919 % c.rows) }
        for kind in KernelTests.tunedKinds(d: c.d) + [.reference] {
            for indices in [nil, shuffled] as [[UInt32]?] {
                let results = GradientKernels.Target.runnable.map {
                    KernelTests.run(kind, data, w: w, b: 0.5, indices: indices, target: $0).map(\.bitPattern)
                }
                #expect(Set(results).count == 1, "\(c) \(kind) gathered: \(indices != nil)")
            }
        }
    }

    /// Whole runs (shuffled minibatches at d = 64, the d2l lesson at d = 2, full batch at d = 1),
    /// 2 threads: the same weights, bias and losses from either copy.
    @Test(arguments: [(64, 8192, 512), (2, 1000, 10), (1, 300, 300)])
    func trainingGivesTheSameBitsOnEveryCopy(d: Int, rows: Int, batch: Int) throws {
        let config = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: rows, features: d, weights: .alternating, seed: 5)), model: .zeros,
            loss: .mse, optimizer: SGD(lr: 0.05), epochs: 2, batchSize: batch, shuffle: batch < rows, threads: 2)
        let data = try config.data.load(threads: 2)
        var seen: [[UInt64]] = []
        for target in GradientKernels.Target.runnable {
            let r = try Trainer(config: config, data: data, kernelTarget: target).run()
            #expect(r.kernelTarget == target)
            seen.append((r.model.weights + [r.model.bias]).map { UInt64($0.bitPattern) } + r.epochLosses.map(\.bitPattern))
        }
        #expect(Set(seen).count == 1)
    }
}
