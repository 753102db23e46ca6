import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Dataset {
    /// Makes the synthetic dataset of `spec` once for all the processes of `group` (the ranks of an
    /// `mpirun` job on one machine), in memory they share: each process makes its share of the rows
    /// on `threads` threads, and every process gets the whole dataset, the same bytes as
    /// `generate(_:threads:)`. Memory on the machine does not grow with its processes.
    ///
    /// The memory is a file in `/dev/shm` that process 0 creates and reserves (`posix_fallocate`,
    /// so a full `/dev/shm` is an error here, not a SIGBUS later); every process maps it, and it is
    /// unlinked as soon as all have, so nothing is left behind once the processes end (unless one is
    /// killed in the few collectives between). When the file cannot be made or mapped on some
    /// process, every process makes its own copy instead and `shared` is false.
    ///
    /// A collective: every process of `group` calls it with the same spec, or none returns.
    public static func generate(
        _ spec: DatasetSpec, threads: Int = 1, sharedBy group: some GenerationGroup
    ) throws(DataError) -> (dataset: Dataset, shared: Bool) {
        guard group.ranks > 1 else { return (try generate(spec, threads: threads), false) }
        let rows = try SyntheticRows(spec)
        let d = spec.features
        let xBytes = spec.rows * d * spec.dtype.size
        let yOffset = (xBytes + 63) / 64 * 64
        let total = yOffset + spec.rows * 4
        // Process 0 makes and reserves the file; the others learn its name ("" for none).
        var made = ""
        if group.rank == 0 { made = (try? SharedFile.create(bytes: total, rows: spec.rows, floatsPerRow: (d * spec.dtype.size + 3) / 4 + 1)) ?? "" }
        let path = group.broadcast(made)
        var mapping = path.isEmpty ? nil : SharedFile.map(path, bytes: total)
        if let mapping {
            // Bound once to the types the dataset reads (float32 or float16 X, float32 y).
            _ = mapping.base.bindMemory(to: UInt8.self, capacity: total)
        }
        var failed: [UInt64] = [mapping == nil ? 1 : 0]
        group.maximum(&failed)  // every process has mapped it (or failed) before it is unlinked
        if group.rank == 0 && !path.isEmpty { unlink(path) }
        guard failed[0] == 0, let memory = mapping else {
            mapping = nil
            return (try generate(spec, threads: threads), false)
        }
        // This process's chunks: every `ranks`-th, from its rank; each chunk's bytes depend only on its rows.
        let chunk = generatorChunkRows(features: d)
        let chunks = (spec.rows + chunk - 1) / chunk
        let rank = group.rank, ranks = group.ranks
        let mine = chunks > rank ? (chunks - rank + ranks - 1) / ranks : 0
        let workers = max(1, min(threads, mine))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let x = memory.base, y = (memory.base + yOffset).assumingMemoryBound(to: Float.self)
            let scratch = spec.dtype == .float16 ? UnsafeMutablePointer<Float>.allocate(capacity: chunk * d) : nil
            defer { scratch?.deallocate() }
            var i = worker
            while i < mine {
                let first = (rank + i * ranks) * chunk
                let range = first..<min(first + chunk, spec.rows)
                if let scratch {
                    rows.fill(rows: range, x: scratch, y: y + first)
                    HalfConversion.narrow(
                        scratch, count: range.count * d, into: (x + first * d * 2).assumingMemoryBound(to: Float16.self))
                } else {
                    rows.fill(rows: range, x: (x + first * d * 4).assumingMemoryBound(to: Float.self), y: y + first)
                }
                i += workers
            }
        }
        var done: [UInt64] = [0]
        group.maximum(&done)  // every share is written before anyone reads a row
        let data = Dataset(
            rows: spec.rows, features: d, dtype: spec.dtype, x: memory.base,
            y: (memory.base + yOffset).bindMemory(to: Float.self, capacity: spec.rows), owners: [memory], trueWeights: spec.trueWeights,
            trueBias: spec.task == .softmax ? nil : spec.bias, trueBiases: spec.task == .softmax ? spec.trueBiases : nil,
            source: spec.summary, writable: true)
        return (data, true)
    }
}

/// The `/dev/shm` file behind a dataset shared by the processes of one machine, and its mapping.
final class SharedFile: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    private init(base: UnsafeMutableRawPointer, byteCount: Int) {
        self.base = base
        self.byteCount = byteCount
    }

    deinit { munmap(base, byteCount) }

    /// Creates a new file of `bytes` bytes, reserved, readable by its owner only; its path.
    static func create(bytes: Int, rows: Int, floatsPerRow: Int) throws(DataError) -> String {
        try MemoryCheck.requireRoom(rows: rows, floatsPerRow: floatsPerRow)
        var random = SystemRandomNumberGenerator()
        let path = "/dev/shm/lockstep-\(getpid())-\(String(random.next() as UInt64, radix: 16)).data"
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let reserved = posix_fallocate(fd, 0, off_t(bytes))
        guard reserved == 0 else {
            unlink(path)
            throw .outOfMemory(bytes: bytes, available: nil)
        }
        return path
    }

    /// Maps the file at `path` (made by `create`) for reading and writing; nil when it cannot.
    static func map(_ path: String, bytes: Int) -> SharedFile? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) == bytes else { return nil }
        let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { return nil }
        return SharedFile(base: p, byteCount: bytes)
    }
}
