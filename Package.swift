// swift-tools-version:6.2
//
// Lockstep: synchronous data-parallel SGD for linear models on every core of a machine.
//
// Build flags worth knowing:
// - The gradient kernels are compiled twice from the same files: FusedKernels for any x86-64 and
//   FusedKernelsAVX512 (symlinks) for skylake-avx512; each trainer runs the AVX-512 copy when CPUID
//   says the machine has it. So a plain `swift build -c release` has AVX-512 kernels too, and its
//   binary still runs on a CPU without them. The kernels use explicit multiply + add, so no build
//   falls into per-lane `fmaf` calls; only the AVX-512 copy (with `LOCKSTEP_FUSED_DOT`) fuses the
//   d = 64 dot product's multiply-adds, so there the two copies agree to rounding, not bit for bit.
// - The Makefile builds release with `-Xswiftc -target-cpu -Xswiftc native`, which tunes the rest
//   (the shuffle, the reduce and update) for this CPU.
// - Tools version 6.2: from 6.2 a package whose targets have unsafe flags (the AVX-512 copy's
//   `-target-cpu`) can still be a versioned dependency.
import Foundation
import PackageDescription

// LOCKSTEP_TARGET_CPU=native (set by `make bench`) builds every target for that CPU even when a
// tool builds this package as a dependency without passing -Xswiftc, as the benchmark plugin does.
let targetCPU: [SwiftSetting] = ProcessInfo.processInfo.environment["LOCKSTEP_TARGET_CPU"].map {
    [.unsafeFlags(["-target-cpu", $0])]
} ?? []

// The AVX-512 copy of the kernels: only on x86-64 hosts (elsewhere both copies are the portable code).
// LOCKSTEP_FUSED_DOT: this copy may fuse multiply-adds (every CPU it runs on has FMA).
#if arch(x86_64)
let avx512: [SwiftSetting] = (targetCPU.isEmpty ? [.unsafeFlags(["-target-cpu", "skylake-avx512"])] : targetCPU)
    + [.define("LOCKSTEP_FUSED_DOT"), .define("LOCKSTEP_F16C")]
#else
let avx512: [SwiftSetting] = targetCPU
#endif

let package = Package(
    name: "Lockstep",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lockstep", targets: ["lockstep"]),
        .library(name: "LinearTraining", targets: ["LinearTraining"]),
        .library(name: "SyntheticData", targets: ["SyntheticData"]),
        .library(name: "DataParallel", targets: ["DataParallel"]),
        .library(name: "HardwareTopology", targets: ["HardwareTopology"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .library(name: "ConfigLoading", targets: ["ConfigLoading"]),
        .library(name: "Distributed", targets: ["Distributed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // `make docs`: the DocC catalogs (Sources/*/Documentation.docc) through `swift package generate-documentation`.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CHwloc",
            pkgConfig: "hwloc",
            providers: [.apt(["libhwloc-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Open MPI: the system library (pkg-config "ompi-c") and the one module that calls it.
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(name: "CLockstepShims"),
        .target(name: "HardwareTopology", dependencies: ["CHwloc"], swiftSettings: targetCPU),
        .target(name: "FusedKernels", dependencies: ["CLockstepShims"], swiftSettings: targetCPU),
        .target(name: "FusedKernelsAVX512", dependencies: ["CLockstepShims"], swiftSettings: avx512),
        .target(name: "DataParallel", dependencies: ["HardwareTopology", "CLockstepShims"], swiftSettings: targetCPU),
        .target(name: "SyntheticData", dependencies: ["CLockstepShims", "CZlib"], swiftSettings: targetCPU),
        .target(
            name: "LinearTraining", dependencies: ["DataParallel", "SyntheticData", "CLockstepShims", "FusedKernels", "FusedKernelsAVX512"],
            swiftSettings: targetCPU),
        .target(name: "Distributed", dependencies: ["CMPI", "DataParallel", "SyntheticData"], swiftSettings: targetCPU),
        .target(name: "Plotting"),
        .target(
            name: "ConfigLoading",
            dependencies: ["LinearTraining", "SyntheticData", "DataParallel", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "lockstep",
            dependencies: [
                "LinearTraining", "SyntheticData", "DataParallel", "HardwareTopology", "Plotting", "CLockstepShims", "ConfigLoading",
                "Distributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Examples/: runnable programs using the library as a client would (built and run by ExamplesCLITests).
        .executableTarget(name: "model-lifecycle", dependencies: ["LinearTraining", "SyntheticData"], path: "Examples/ModelLifecycle"),
        .executableTarget(
            name: "generate-then-train", dependencies: ["LinearTraining", "SyntheticData"], path: "Examples/GenerateThenTrain"),
        .executableTarget(name: "thread-sweep", dependencies: ["LinearTraining", "SyntheticData"], path: "Examples/ThreadSweep"),
        .executableTarget(name: "own-data", dependencies: ["LinearTraining", "SyntheticData"], path: "Examples/OwnData"),
        .testTarget(name: "HardwareTopologyTests", dependencies: ["HardwareTopology"]),
        .testTarget(name: "DataParallelTests", dependencies: ["DataParallel"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SyntheticDataTests", dependencies: ["SyntheticData", "TestSupport"]),
        .testTarget(name: "LinearTrainingTests", dependencies: ["LinearTraining", "SyntheticData", "DataParallel", "TestSupport", "FusedKernels"]),
        .testTarget(name: "SweepTests", dependencies: ["LinearTraining", "SyntheticData", "DataParallel"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "TestSupport"]),
        .testTarget(name: "LockstepCLITests", dependencies: [
            "lockstep", "model-lifecycle", "generate-then-train", "thread-sweep", "own-data", "TestSupport",
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// LOCKSTEP_FUZZ=1 (set by `make fuzz`) adds the libFuzzer targets in Fuzz/; they have no main (libFuzzer
// provides it), so they only build with -sanitize=fuzzer and are left out of ordinary builds.
if ProcessInfo.processInfo.environment["LOCKSTEP_FUZZ"] != nil {
    package.targets += [
        .target(name: "LockstepFuzzDriver", path: "Fuzz/Driver"),
        .executableTarget(name: "lockstep-fuzz-npy", dependencies: ["SyntheticData", "LockstepFuzzDriver"], path: "Fuzz/NpyHeader"),
        .executableTarget(name: "lockstep-fuzz-config", dependencies: ["ConfigLoading", "LockstepFuzzDriver"], path: "Fuzz/Config"),
    ]
}
