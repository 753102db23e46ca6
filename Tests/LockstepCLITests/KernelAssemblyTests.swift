import Foundation
import TestSupport
import Testing

/// The tuned release binary's AVX-512 kernels (float32 and float16 rows), read back with objdump:
/// zmm arithmetic where the kernel is 16 lanes wide, `vcvtph2ps` for float16, no call but the `memset` that zeroes a gradient before the loop (so no
/// `fmaf`), fused multiply-adds in the d = 64 dot product (`LOCKSTEP_FUSED_DOT`) and nowhere else
/// (the other kernels multiply then add, and give the portable copy's bits).
@Suite("Kernel assembly") struct KernelAssemblyTests {
    static let release = CLITests.root.appendingPathComponent(".build/release/lockstep")

    /// `make build` compiles every module for this CPU (its flag comes after the AVX-512 copy's own),
    /// so the copy has zmm code only where the CPU has AVX-512.
    static let cpuHasAVX512 = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
        .split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").contains("avx512f") ?? false

    /// Disassembly of every function of the AVX-512 copy whose name has `entry`, by symbol.
    static func disassemble(_ entry: String) throws -> [String: String] {
        let symbols = try runProcess(URL(fileURLWithPath: "/usr/bin/nm"), [release.path]).stdout
            .split(separator: "\n").compactMap { line -> String? in
                let name = line.split(separator: " ").last.map(String.init) ?? ""
                return name.hasPrefix("$s18FusedKernelsAVX512") && name.contains(entry) && !name.contains(entry + "Objective")
                    && !name.contains(entry + "Loop") && !name.contains(entry + "HalfObjective") && !name.contains(entry + "HalfLoop")
                    ? name : nil
            }
        var out: [String: String] = [:]
        for symbol in symbols {
            out[symbol] = try runProcess(
                URL(fileURLWithPath: "/usr/bin/objdump"), ["-d", "--no-show-raw-insn", "--disassemble=\(symbol)", release.path]
            ).stdout
        }
        return out
    }

    /// The logistic, class-weighted logistic and Huber loops (`…Loop`, specialised per objective): vector code that calls
    /// nothing either (exp and log1p are inline polynomials).
    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: release.path), "needs the release build that make test makes first"),
        .enabled(if: cpuHasAVX512, "the tuned build has AVX-512 code only on a CPU with AVX-512"))
    func theObjectiveLoopsCallNothing() throws {
        let loops = try Self.disassemble("Loop")
        // 10 loops × 2 element types × 7 objectives (logistic, class-weighted logistic, Huber, and
        // those three and least squares with sample weights).
        #expect(loops.count == 140, "\(loops.keys.sorted())")
        for (symbol, text) in loops {
            #expect(Self.calls(text).allSatisfy { $0.hasPrefix("memset") }, "\(symbol) calls \(Self.calls(text))")
        }
    }

    /// The executor's span loop is specialised for the trainer's step programs (no witness call per
    /// phase per step): with DataParallel's `Executor` `package`, Swift emitted none and the line
    /// lesson ran 10–15 % slower (docs/performance.md).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: release.path), "needs the release build that make test makes first"))
    func theExecutorIsSpecialisedForTheTrainersPrograms() throws {
        let symbols = try runProcess(URL(fileURLWithPath: "/usr/bin/nm"), [Self.release.path]).stdout
            .split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
            .filter { $0.contains("12DataParallel8ExecutorC3run") }
        let names = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["swift", "demangle"] + symbols).stdout
        for program in ["LinearTraining.StepSpan", "LinearTraining.EvaluationSpan"] {
            #expect(names.contains("generic specialization <\(program)> of DataParallel.Executor.run"), "\(names)")
        }
    }

    static func calls(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.contains("\tcall") }.map { String($0.split(separator: "<").last ?? "") }
    }

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: release.path), "needs the release build that make test makes first"),
        .enabled(if: cpuHasAVX512, "the tuned build has AVX-512 code only on a CPU with AVX-512"),
        arguments: ["d64Sequential", "d64Gathered", "wideSequential", "wideGathered", "small1Sequential", "small1Gathered",
                    "small2Sequential", "small2Gathered", "referenceSequential", "referenceGathered"])
    func theAVX512LoopsAreVectorAndCallNothing(entry: String) throws {
        let functions = try Self.disassemble(entry)
        // The float32 loop and its float16 twin (`…Half`), which converts rows with vcvtph2ps.
        #expect(functions.count == 2, "two functions for \(entry), found \(functions.keys.sorted())")
        #expect(functions.keys.filter { $0.contains(entry + "Half") }.count == 1, "\(functions.keys.sorted())")
        for (symbol, text) in functions {
            if symbol.contains(entry + "Half") {
                #expect(text.contains("vcvtph2ps"), "\(symbol) converts float16 in registers")
            }
            #expect(Self.calls(text).allSatisfy { $0.hasPrefix("memset") }, "\(symbol) calls \(Self.calls(text))")
            let fused = text.split(separator: "\n").filter { $0.contains("vfmadd") }
            if entry.hasPrefix("d64") {
                // Two fused multiply-adds per row's dot product, two rows per iteration (zmm), plus
                // the odd row's (which LLVM narrows to ymm halves before the tree sum).
                let wide = fused.filter { $0.contains("zmm") }
                #expect(wide.count >= 4, "\(symbol): \(wide.count) zmm FMAs of \(fused.count)")
            } else {
                #expect(fused.isEmpty, "\(symbol) fuses a multiply-add")
            }
            let lanes = text.split(separator: "\n").filter { $0.contains("vmulps") || $0.contains("vaddps") }
            if entry.hasPrefix("d64") || entry.hasPrefix("wide") {
                #expect(lanes.filter { $0.contains("zmm") }.count >= 16, "\(symbol): 16-lane arithmetic")
            } else if entry.hasPrefix("small") {
                #expect(lanes.filter { $0.contains("ymm") }.count >= 4, "\(symbol): 8 rows per vector")
            }
            if entry.hasSuffix("Gathered") && (entry.hasPrefix("d64") || entry.hasPrefix("wide")) {
                #expect(text.contains("prefetch"), "\(symbol) prefetches the rows ahead")
            }
        }
    }
}
