import ArgumentParser
import Foundation
import HardwareTopology
import LinearTraining
import SyntheticData

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train the same job at several thread counts and report speedup, efficiency and bitwise equality.",
        discussion: """
            The data is made once; every thread count trains from the same initial model for the same \
            epochs. epochSeconds covers each epoch's shuffle and steps (not the loss evaluation, which runs \
            once at the end). bitwiseEqualToOneThread compares the final weights, bias and loss with a \
            1-thread run (made as well when 1 is not in the list).

            Example: lockstep sweep --config configs/w3-minibatch.yaml --threads 1,2,3,4 --epochs 3 --json sweep.json
            """)

    @OptionGroup var options: TrainingOptions

    @Option(name: .long, help: "Thread counts, comma or space separated (default: 1…cores, then 2×cores).")
    var threads: String?

    @Option(name: .long, help: "Write the sweep's JSON here.")
    var json: String?

    func validate() throws {
        if let t = threads { _ = try Self.parseThreads(t) }
    }

    static func parseThreads(_ text: String) throws -> [Int] {
        let parts = text.split(whereSeparator: { $0 == "," || $0 == " " })
        let values = parts.compactMap { Int($0) }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads must list whole numbers >= 1, like 1,2,4; got '\(text)'")
        }
        return values
    }

    struct Run {
        var threads: Int
        var report: TrainingReport
        var finalLoss: Double
    }

    func run() throws {
        try runReportingErrors {
            let config = try options.resolved()
            let topology = try? Topology.current()
            let cores = topology?.physicalCores ?? 1
            let list = try threads.map(Self.parseThreads) ?? (Array(1...cores) + [2 * cores])
            printError("sweep: making the data (\(config.data.summary))")
            let data = try config.data.load(threads: cores)
            var runs: [Int: Run] = [:]
            func train(_ t: Int) throws -> Run {
                if let r = runs[t] { return r }
                var c = config
                c.threads = t
                let trainer = try Trainer(config: c, data: data, topology: topology)
                printError("sweep: \(t) thread(s), \(c.epochs) epoch(s) …")
                let report = try trainer.run(evaluateEachEpoch: false)
                let r = Run(threads: t, report: report, finalLoss: report.finalLoss)
                runs[t] = r
                return r
            }
            var ordered: [Run] = []
            for t in list { ordered.append(try train(t)) }
            let base = try train(1)
            let baseMedian = median(base.report.epochSeconds)
            let bestOne = base.report.epochSeconds.min() ?? baseMedian
            let bytesPerEpoch = Double(data.rows) * Double(data.features) * 4
            var results: [JSONValue] = []
            print("threads  executor  median epoch   samples/s   GB/s of X  speedup  efficiency  bitwise=1T")
            for r in ordered {
                let m = median(r.report.epochSeconds)
                let speedup = baseMedian / m
                let same = r.report.model.weights.map(\.bitPattern) == base.report.model.weights.map(\.bitPattern)
                    && r.report.model.bias.bitPattern == base.report.model.bias.bitPattern
                    && r.finalLoss.bitPattern == base.finalLoss.bitPattern
                let sps = Double(data.rows) / m
                let gbps = bytesPerEpoch / m / 1e9
                print(
                    String(format: "%7d  %-8@  %12@  %10.3g  %10.2f  %7.2f  %10.2f  %@", r.threads,
                           r.report.executor.rawValue as NSString, seconds(m) as NSString, sps, gbps, speedup,
                           speedup / Double(r.threads), (same ? "yes" : "NO") as NSString))
                results.append(.object([
                    ("threads", .int(r.threads)),
                    ("executor", .string(r.report.executor.rawValue)),
                    ("epochSeconds", .doubles(r.report.epochSeconds)),
                    ("medianEpochSeconds", .double(m)),
                    ("samplesPerSecond", .double(sps)),
                    ("xGBPerSecond", .double(gbps)),
                    ("speedup", .double(speedup)),
                    ("efficiency", .double(speedup / Double(r.threads))),
                    ("beatsBestOneThread", .bool(m < bestOne)),
                    ("bitwiseEqualToOneThread", .bool(same)),
                    ("finalLoss", .double(r.finalLoss)),
                    ("weights", .floats(r.report.model.weights)),
                    ("bias", .float(r.report.model.bias)),
                ]))
            }
            let cost = ordered.first { median($0.report.epochSeconds) < bestOne }?.threads
            if let json {
                let doc = JSONValue.object([
                    ("config", config.json(threads: 0)),
                    ("rows", .int(data.rows)), ("features", .int(data.features)),
                    ("cost", cost.map { .int($0) } ?? .null),
                    ("results", .array(results)),
                ])
                try OutputFile.write(doc.text(pretty: true) + "\n", to: json)
            }
        }
    }
}

func median(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
