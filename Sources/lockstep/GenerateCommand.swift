import DataParallel
import ArgumentParser
import ConfigLoading
import Distributed
import Foundation
import LinearTraining
import SyntheticData

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic dataset as NumPy files: DIR/X.npy, DIR/y.npy and DIR/meta.json.",
        discussion: """
            y = X·w + b + noise·ε with X and ε standard normal (--task regression, the default); --task logistic \
            draws 0/1 labels from σ(X·w + b), and --task softmax --classes k draws class labels 0 … k−1 from \
            softmax(X·W + b), W (D × k) standard normal from the seed unless --weights gives its D·k values \
            (feature-major), b = log(--priors) (0 without). The options are the keys of a config's \
            data.synthetic block (--config reads that block; flags override it). The bytes are the same for any \
            --threads and the same as training makes from that block in memory or on the fly. Generation streams \
            to disk in bounded memory, under a temporary name renamed into place at the end: an interrupted run \
            (Ctrl-C: exit 130) leaves no half dataset. meta.json records the spec, the true weights and bias (softmax: \
            the D·k weights and k biases, the classes and priors), the generator version and the CRC-32 of each file (Python: zlib.crc32(open(path, 'rb').read())).

            Under mpirun (mpirun -np R lockstep generate …) the ranks write the same bytes together: rank 0 \
            makes the files, each rank writes its run of rows at its offset, rank 0 writes meta.json and renames \
            the directory into place once every rank has finished; only rank 0 prints. The output must be on a \
            file system every rank sees at the same path. A failed or killed rank leaves no dataset.

            Example: lockstep generate --rows 4194304 --features 64 --out data/w3
            Then:    lockstep train --config configs/w3-minibatch.yaml --data data/w3
            Softmax: add --task softmax --classes 3 --priors 0.5,0.3,0.2 (labels 0, 1, 2)
            """)

    @Option(name: .long, help: "Rows (N).")
    var rows: Int?

    @Option(name: .long, help: "Features per row (D).")
    var features: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: "True weights: D comma-separated numbers (D·k for softmax, feature-major: w[j·k + c]), 'alternating' (the default with --features) or 'normal' (N(0, 1) from the seed; the default for softmax).")
    var weights: String?

    @Option(name: .long, parsing: .unconditional, help: "True bias (default 4.2; not for softmax, whose biases are log(--priors)).")
    var bias: Double?

    @Option(name: .long, help: "What y is: regression (default), logistic (labels 0/1) or softmax (labels 0 … k−1, with --classes).")
    var task: String?

    @Option(name: .long, help: "Classes k of --task softmax (at least 2).")
    var classes: Int?

    @Option(
        name: .long, parsing: .unconditional,
        help: "Class priors of --task softmax: k comma-separated positive numbers (normalised to sum to 1); biases b_c = log π_c (default: all 0).")
    var priors: String?

    @Option(name: .long, parsing: .unconditional, help: "Standard deviation of the noise on y (default 0.01).")
    var noise: Double?

    @Option(name: .long, parsing: .unconditional, help: "Seed of the data, a whole number from 0 to 18446744073709551615 (default 0).")
    var seed: String?

    @Option(
        name: .long,
        help: "How X is stored: float32 (default) or float16 (numpy '<f2', half the bytes: the float32 values rounded to nearest-even; y stays float32).")
    var dtype: String?

    @Option(name: .long, help: "Threads (default: the physical cores). The bytes do not depend on it.")
    var threads: Int?

    @Option(name: .long, help: "Take the data.synthetic block of this config; the flags above override it.")
    var config: String?

    @Option(name: .long, help: "The output directory (created; must not exist or be empty unless --force).")
    var out: String

    @Flag(name: .long, help: "Replace an existing dataset directory (only once the new one is complete).")
    var force = false

    @Flag(name: .long, help: "No progress line and no summary.")
    var quiet = false

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
        if let r = rows, r < 1 { throw ValidationError("--rows must be at least 1, got \(r)") }
        if let f = features, f < 1 { throw ValidationError("--features must be at least 1, got \(f)") }
        if let n = noise, !(n.isFinite && n >= 0) { throw ValidationError("--noise must be a standard deviation >= 0, got \(n)") }
        if let b = bias, !b.isFinite { throw ValidationError("--bias must be a finite number, got \(b)") }
        if let s = seed, UInt64(s) == nil {
            throw ValidationError("--seed must be a whole number from 0 to \(UInt64.max), got '\(s.prefix(40))'")
        }
        if config == nil && (rows == nil || features == nil) && weights == nil {
            throw ValidationError("give --rows and --features (or --weights, or --config with a data.synthetic block)")
        }
    }

    /// The flags as a data.synthetic block over the config's, read by the same strict reader.
    func spec() throws -> DatasetSpec {
        var block: [String: Any] = [:]
        let file = config ?? "the command line"
        if let config {
            let node = try ConfigFile.syntheticBlock(path: config)
            block = node.values
        }
        if let rows { block["rows"] = rows }
        if let task { block["task"] = task }
        if let classes { block["classes"] = classes }
        let softmax = block["task"] as? String == "softmax"
        if let features {
            block["features"] = features
            if weights == nil, block["weights"] is [Any] { block["weights"] = softmax ? "normal" : "alternating" }
        }
        if let weights {
            if weights == "alternating" || weights == "normal" {
                block["weights"] = weights
            } else {
                let parts = weights.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                var list: [Double] = []
                for p in parts {
                    guard let v = Double(p), v.isFinite else {
                        throw CLIError(
                            message: "--weights must be comma-separated numbers, 'alternating' or 'normal'; '\(p)' is not a finite number",
                            status: .usage)
                    }
                    list.append(v)
                }
                block["weights"] = list
            }
        }
        if let priors {
            var list: [Double] = []
            for p in priors.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let v = Double(p), v.isFinite else {
                    throw CLIError(message: "--priors must be comma-separated numbers; '\(p)' is not a finite number", status: .usage)
                }
                list.append(v)
            }
            block["priors"] = list
        }
        if let bias { block["bias"] = bias }
        if let noise { block["noise"] = noise }
        if let seed { block["seed"] = UInt64(seed)! }
        if let dtype { block["dtype"] = dtype }
        return try ConfigFile.syntheticSpec(ConfigNode(file: file, path: "data.synthetic", value: block))
    }

    func run() throws {
        // Started by mpirun: this process is one rank of the job (docs/distributed.md).
        var world: MPIWorld?
        try runReportingErrors { world = try MPIWorld.startIfLaunched() }
        if let world { return try generate(world: world) }
        try runReportingErrors {
            let spec = try spec()
            let threads = self.threads ?? ExecutionPlan.processCores.cores
            let lock = try lockOutput()
            defer { DirectoryLock.release(lock, removeFile: true) }
            let line = ProgressLine(quiet: quiet)
            Interruption.watch()
            let start = Date()
            do {
                let meta = try Dataset.generateNpy(
                    spec, to: out, threads: threads, overwrite: force, progress: progress(line),
                    isCancelled: { Interruption.isRequested })
                line.finish()
                if !quiet { printSummary(meta, spec: spec, threads: threads, seconds: Date().timeIntervalSince(start)) }
            } catch DataError.cancelled {
                line.finish()
                printError("interrupted: nothing was written to \(out) (run the same command again to start over)")
                throw ExitCode(Interruption.exitCode)
            }
        }
    }

    /// One writer per target: a lock file beside it (the target itself is renamed into place).
    func lockOutput() throws -> String {
        let target = URL(fileURLWithPath: out).standardizedFileURL
        let parent = target.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw CLIError(message: "cannot create \(parent): \(error.localizedDescription)", status: .ioError)
        }
        let lock = parent + "/.\(target.lastPathComponent).lock"
        try DirectoryLock.acquire(lock, for: "output directory \(out)")
        return lock
    }

    func progress(_ line: ProgressLine) -> @Sendable (WriteProgress) -> Void {
        { p in
            let rate = Double(p.bytesDone) / max(p.seconds, 1e-9)
            line.update(
                ProgressBar(
                    label: "generate", done: p.rowsDone, total: p.rows, unit: "rows", elapsed: p.seconds,
                    extras: [String(format: "%.2f GB/s", rate / 1e9)], color: line.color
                ).text)
        }
    }

    /// Under mpirun: every rank writes its run of rows into the files rank 0 made (the bytes of one
    /// process); rank 0 alone prints, holds the lock and commits. Every way out is reached by all
    /// ranks together (a collective tells them), so a failing rank never leaves the others waiting;
    /// a killed one ends the job (mpirun) before anything is renamed into place.
    func generate(world: MPIWorld) throws {
        defer { world.finish() }
        let lead = world.rank == 0
        let spec: DatasetSpec
        do {
            spec = try self.spec()
        } catch {
            // Every rank read the same flags and config: every rank fails alike (rank 0 says why).
            let e = CLIError.from(error)
            if lead { printError("error: \(e.message)") }
            throw ExitCode(e.status.rawValue)
        }
        guard world.allAgree(FNV1a.of(JSONValue.object(spec.jsonPairs).text() + out + "\(force)")) else {
            if lead { printError("error: the ranks of this job were not given the same dataset; give every rank the same flags and config") }
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        var lock: String?
        var status: ExitStatus = .ok
        if lead {
            do {
                lock = try lockOutput()
            } catch {
                let e = CLIError.from(error)
                printError("error: \(e.message)")
                status = e.status
            }
        }
        defer { if let lock { DirectoryLock.release(lock, removeFile: true) } }
        let agreed = Int32(truncatingIfNeeded: world.broadcast(UInt64(status.rawValue)))
        if agreed != 0 { throw ExitCode(agreed) }
        let threads = self.threads ?? ExecutionPlan.processCores.cores
        let line = ProgressLine(quiet: quiet || !lead)
        Interruption.watch()
        let start = Date()
        do {
            let meta = try Dataset.generateNpy(
                spec, to: out, group: MPIGenerationGroup(world: world), threads: threads, overwrite: force,
                progress: lead ? progress(line) : nil, isCancelled: { Interruption.isRequested })
            line.finish()
            if let meta, !quiet {
                printSummary(meta, spec: spec, threads: threads, ranks: world.size, seconds: Date().timeIntervalSince(start))
            }
        } catch DataError.cancelled {
            line.finish()
            if lead { printError("interrupted: nothing was written to \(out) (run the same command again to start over)") }
            throw ExitCode(Interruption.exitCode)
        } catch DataError.otherRankFailed(let path) {
            line.finish()
            // The rank that failed says why and exits with its status, which becomes the job's
            // (mpirun's status is the first non-zero one): the others must not get there first.
            if !lead { throw ExitCode(0) }
            printError("error: \(DataError.otherRankFailed(path: path).description)")
            throw ExitCode(ExitStatus.ioError.rawValue)
        } catch {
            line.finish()
            let e = CLIError.from(error)
            printError("error: \(lead ? "" : "rank \(world.rank): ")\(e.message)")
            throw ExitCode(e.status.rawValue)
        }
    }

    func printSummary(_ meta: DatasetMeta, spec: DatasetSpec, threads: Int, ranks: Int = 1, seconds s: Double) {
        let bytes = meta.x.bytes + meta.y.bytes
        let workers = ranks > 1 ? "\(ranks) ranks × \(threads) thread(s)" : "\(threads) thread(s)"
        print(
            "wrote \(out): \(spec.summary)\(spec.task == .softmax ? "" : ", bias \(spec.bias), noise \(spec.noise)"); \(byteCountText(bytes)) in "
                + "\(seconds(s)) on \(workers) (\(String(format: "%.2f", Double(bytes) / s / 1e9)) GB/s)")
        print("  X.npy  (\(meta.rows), \(meta.features)) \(meta.x.dtype.rawValue)  \(byteCountText(meta.x.bytes))  crc32 \(meta.x.crc32)")
        print("  y.npy  (\(meta.rows),) float32  \(byteCountText(meta.y.bytes))  crc32 \(meta.y.crc32)")
        print("  meta.json")
        if let peak = peakResidentBytes() { print("peak memory \(byteCountText(peak))") }
    }
}

/// `GenerationGroup` over this job's ranks (SyntheticData never imports MPI).
struct MPIGenerationGroup: GenerationGroup {
    let world: MPIWorld
    var rank: Int { world.rank }
    var ranks: Int { world.size }
    func broadcast(_ text: String) -> String { world.broadcast(text) }
    func maximum(_ values: inout [UInt64]) { world.maximum(&values) }
}
