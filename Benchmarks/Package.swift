// swift-tools-version:6.1
//
// Lockstep's benchmarks (ordo-one/benchmark), a package of their own so that the main package
// and its tests never build the benchmark framework. Run from the project root with `make bench`
// (which passes the CPU target), or here with `swift package benchmark`.
import Foundation
import PackageDescription

// A path dependency is named after its directory, which is whatever the clone is called.
let lockstep = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "LockstepBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "LockstepBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LinearTraining", package: lockstep),
                .product(name: "SyntheticData", package: lockstep),
                .product(name: "DataParallel", package: lockstep),
            ],
            path: "Benchmarks/LockstepBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
