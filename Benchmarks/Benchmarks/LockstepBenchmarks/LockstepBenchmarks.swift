import Benchmark
@_spi(Benchmarks) import DataParallel
import Foundation
import LinearTraining
@_spi(Benchmarks) import SyntheticData

// The reference workloads of ../shared/reference (one benchmark iteration = one epoch, or for w4
// one full-batch step), the fixed-order all-reduce of 16 chunk partials (allreduce/…/workers=W
// runs the W workers' coordinate slices one after another: the work of one reduction, split as a
// step splits it), and the generator. Data are made once, on first use, outside the measurement.

let w34 = try! Dataset.generate(.reference(rows: 1 << 22, features: 64), threads: 2)
let w5 = try! Dataset.generate(.reference(rows: 1 << 18, features: 1024), threads: 2)

func workload(_ name: String, threads: Int) -> (TrainingConfig, Dataset) {
    var c = TrainingConfig(model: .zeros, loss: .mse, epochs: 1, shuffle: true, threads: threads)
    switch name {
    case "w3":
        c.optimizer = SGD(lr: 0.1)
        c.batchSize = 4096
        return (c, w34)
    case "w4":
        c.optimizer = SGD(lr: 0.5)
        c.batchSize = nil
        c.shuffle = false
        return (c, w34)
    default:
        c.optimizer = SGD(lr: 0.05)
        c.batchSize = 1024
        return (c, w5)
    }
}

let benchmarks: @Sendable () -> Void = {
    let steps = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .peakMemoryResident], warmupIterations: 1, maxDuration: .seconds(5),
        maxIterations: 10)
    for name in ["w3", "w4", "w5"] {
        for threads in [1, 2] {
            Benchmark("step/\(name)/threads=\(threads)", configuration: steps) { benchmark in
                let (config, data) = workload(name, threads: threads)
                let trainer = try Trainer(config: config, dataset: data)
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(try trainer.run(evaluateEachEpoch: false)) }
                benchmark.stopMeasurement()
            }
        }
    }

    let reduce = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .kilo, maxDuration: .seconds(2))
    for d in [2, 64, 1024] {
        for workers in [1, 2] {
            Benchmark("allreduce/d=\(d)/workers=\(workers)", configuration: reduce) { benchmark in
                let chunks = 16, width = d + 2
                // The trainer's partial-sum layout (GradientBuffers, package-only): slots of `width`
                // floats padded to a multiple of 16, 64-byte aligned.
                let stride = (width + 15) / 16 * 16
                let partials = UnsafeMutableRawPointer.allocate(byteCount: chunks * stride * 4, alignment: 64)
                    .bindMemory(to: Float.self, capacity: chunks * stride)
                defer { partials.deallocate() }
                for i in 0..<(chunks * stride) { partials[i] = Float(i % 7) }
                let totals = UnsafeMutablePointer<Float>.allocate(capacity: stride)
                defer { totals.deallocate() }
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    for w in 0..<workers {
                        let coords = BenchmarkSupport.coordinateSlice(width: width, worker: w, of: workers)
                        BenchmarkSupport.fixedOrderSum(
                            partials, stride: stride, chunks: chunks, coordinates: coords, into: totals)
                    }
                    blackHole(totals[0])
                }
                benchmark.stopMeasurement()
            }
        }
    }

    let generate = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 10)
    Benchmark("generate/normals/n=2^20", configuration: generate) { benchmark in
        let out = UnsafeMutablePointer<Float>.allocate(capacity: 1 << 20)
        defer { out.deallocate() }
        let key = NormalSampler.key(seed: 1, stream: 1)
        for i in benchmark.scaledIterations {
            NormalSampler.fill(key: key, start: UInt64(i) << 19, pairs: 1 << 19, into: out)
            blackHole(out[0])
        }
    }
    for threads in [1, 2] {
        Benchmark("generate/memory/256MiB/threads=\(threads)", configuration: generate) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Dataset.generate(.reference(rows: 1 << 20, features: 64), threads: threads))
            }
        }
    }
    Benchmark("generate/npy/1GiB/threads=2", configuration: generate) { benchmark in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lockstep-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for _ in benchmark.scaledIterations {
            blackHole(try Dataset.generateNpy(.reference(rows: 1 << 22, features: 64), to: dir, threads: 2, overwrite: true))
        }
    }
}
