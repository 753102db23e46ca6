import Dispatch
import Foundation
import Synchronization

/// How far a dataset write has got, for progress displays.
public struct WriteProgress: Sendable {
    /// Rows written so far.
    public var rowsDone: Int
    /// Rows the dataset has in all.
    public var rows: Int
    /// Bytes of X.npy and y.npy written so far.
    public var bytesDone: Int
    /// Bytes the two files will hold in all (headers included).
    public var bytes: Int
    /// Wall-clock seconds since the write began.
    public var seconds: Double
}

extension Dataset {
    /// Generates `spec`'s dataset straight into `dir` as `X.npy`, `y.npy` and `meta.json`, on
    /// `threads` threads, in bounded memory (each thread holds one piece of about 1 MiB).
    ///
    /// The bytes are the same for any thread count, and the same as `Dataset.generate` makes in
    /// memory. Everything is written under a temporary name beside `dir` and renamed into place at
    /// the end, so an interrupted or failed run leaves no half dataset behind; an existing non-empty
    /// `dir` is refused unless `overwrite`. `progress` is called from one worker about 10 times a
    /// second; `isCancelled` is polled between pieces (a cancelled run throws `.cancelled`).
    @discardableResult
    public static func generateNpy(
        _ spec: DatasetSpec, to dir: String, threads: Int = 1, overwrite: Bool = false,
        progress: (@Sendable (WriteProgress) -> Void)? = nil, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) throws(DataError) -> DatasetMeta {
        try generateNpy(
            spec, to: dir, group: SingleProcess(), threads: threads, overwrite: overwrite, progress: progress,
            isCancelled: isCancelled)!
    }

    /// Generates `spec`'s dataset into `dir` with the other ranks of `group`: the same bytes as one
    /// process writes. Returns the meta on rank 0, nil on the others.
    ///
    /// Rank 0 makes the staging directory and both files (headers written, full size reserved) and
    /// sends the staging path to everyone; each rank then writes a contiguous run of the pieces
    /// (the same pieces as one process makes, so the same bytes) at their offsets with its own
    /// `threads`, and fsyncs. One collective then tells every rank whether all succeeded and gives
    /// rank 0 every piece's CRC-32; only then does rank 0 write meta.json and rename the directory
    /// into place. A rank that fails (or is cancelled) makes every rank throw and rank 0 remove the
    /// staging directory; a rank killed outright ends the job (mpirun), the directory is never renamed
    /// and the next run for the same target removes it. The directory must be on a file system every
    /// rank sees at the same path (one host, or a shared file system).
    public static func generateNpy(
        _ spec: DatasetSpec, to dir: String, group: any GenerationGroup, threads: Int = 1, overwrite: Bool = false,
        progress: (@Sendable (WriteProgress) -> Void)? = nil, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) throws(DataError) -> DatasetMeta? {
        let maker = try SyntheticRows(spec)
        let (n, d) = (spec.rows, spec.features)
        let dtype = spec.dtype, size = dtype.size
        let (rank, ranks) = (group.rank, group.ranks)
        // Rank 0 stages; "" tells the others it could not (its error is the one reported).
        var staging: StagingDirectory?
        var setupError: DataError?
        var files: (x: NpyOutputFile, y: NpyOutputFile)?
        if rank == 0 {
            do throws(DataError) {
                let s = try StagingDirectory(target: dir, overwrite: overwrite)
                staging = s
                files = (
                    try NpyOutputFile(path: s.path + "/X.npy", shape: [n, d], dtype: dtype),
                    try NpyOutputFile(path: s.path + "/y.npy", shape: [n])
                )
            } catch {
                setupError = error
                files = nil
                staging = nil  // removes the directory
            }
        }
        let stagingPath = group.broadcast(setupError == nil ? staging?.path ?? "" : "")
        if stagingPath.isEmpty { throw setupError ?? .otherRankFailed(path: dir) }
        var failure: DataError?
        if rank != 0 {
            do throws(DataError) {
                files = (
                    try NpyOutputFile(path: stagingPath + "/X.npy", shape: [n, d], dtype: dtype, existing: true),
                    try NpyOutputFile(path: stagingPath + "/y.npy", shape: [n], existing: true)
                )
            } catch {
                failure = error
            }
        }
        // Pieces of whole 4 KiB pages of X and y (a multiple of 1024 rows, 2048 for float16) while
        // that stays ≤ 16 MiB.
        let aligned = d <= 4096
        let rowMultiple = 4096 / size
        let pieceRows =
            aligned ? (max(1, (1 << 20) / (4 * d)) + rowMultiple - 1) / rowMultiple * rowMultiple : max(1, (1 << 22) / (4 * d))
        let pieces = (n + pieceRows - 1) / pieceRows
        // This rank's contiguous run of pieces.
        let own = (pieces * rank / ranks)..<(pieces * (rank + 1) / ranks)
        // Every piece's (x, y) CRC, then a failure flag: this rank fills its own, the maximum gives all.
        var table = [UInt64](repeating: 0, count: 2 * pieces + 1)
        if failure == nil, let files {
            do throws(DataError) {
                try writePieces(
                    own, pieceRows: pieceRows, maker: maker, n: n, d: d, dtype: dtype, files: files, threads: threads,
                    table: &table, progress: progress, isCancelled: isCancelled)
                try files.x.sync()
                try files.y.sync()
            } catch {
                failure = error
            }
        }
        if failure != nil { table[2 * pieces] = 1 }
        group.maximum(&table)
        if table[2 * pieces] != 0 {
            files = nil
            staging = nil  // rank 0: removes the staging directory
            throw failure ?? .otherRankFailed(path: dir)
        }
        guard rank == 0, let staging, let files else { return nil }
        let pieceSizes = (0..<pieces).map { k in min(pieceRows, n - k * pieceRows) }
        let meta = DatasetMeta(
            rows: n, features: d, spec: spec, trueWeights: spec.trueWeights, trueBias: spec.task == .softmax ? nil : spec.bias,
            trueBiases: spec.task == .softmax ? spec.trueBiases : nil,
            x: .init(
                shape: [n, d], bytes: files.x.total,
                crc32: files.x.fileCRC(pieces: (0..<pieces).map { (UInt32(table[2 * $0]), pieceSizes[$0] * d * size) }),
                dtype: dtype),
            y: .init(
                shape: [n], bytes: files.y.total,
                crc32: files.y.fileCRC(pieces: (0..<pieces).map { (UInt32(table[2 * $0 + 1]), pieceSizes[$0] * 4) })))
        try writeMeta(meta, into: staging.path)
        try staging.commit()
        return meta
    }

    /// Makes and writes the pieces `own` on `threads` threads, recording each piece's CRCs in
    /// `table` (x at 2k, y at 2k + 1). Progress is this rank's, scaled to the whole job.
    private static func writePieces(
        _ own: Range<Int>, pieceRows: Int, maker: SyntheticRows, n: Int, d: Int, dtype: DType,
        files: (x: NpyOutputFile, y: NpyOutputFile), threads: Int, table: inout [UInt64],
        progress: (@Sendable (WriteProgress) -> Void)?, isCancelled: @escaping @Sendable () -> Bool
    ) throws(DataError) {
        let size = dtype.size
        let (xFile, yFile) = files
        let next = Atomic<Int>(own.lowerBound), rowsDone = Atomic<Int>(0)
        let failure = Mutex<DataError?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        let totalBytes = xFile.total + yFile.total
        let ownRows = own.isEmpty ? 0 : min(n, own.upperBound * pieceRows) - own.lowerBound * pieceRows
        @Sendable func report(_ rows: Int) -> WriteProgress {
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let job = ownRows == n ? rows : min(n, Int(Double(rows) * Double(n) / Double(max(ownRows, 1))))
            return WriteProgress(
                rowsDone: job, rows: n, bytesDone: Int(Double(totalBytes) * Double(job) / Double(n)), bytes: totalBytes,
                seconds: s)
        }
        let count = own.count
        guard count > 0 else { return }
        let crcs = UnsafeMutablePointer<(x: UInt32, y: UInt32)>.allocate(capacity: count)
        defer { crcs.deallocate() }
        let shared = SendablePointer(crcs)
        let workers = max(1, min(threads, count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // float32 rows, y, and (float16) the rows rounded: each part 4 KiB aligned for O_DIRECT.
            let xBytes = pieceRows * d * 4, yBytes = (pieceRows * 4 + 4095) / 4096 * 4096
            let halfBytes = dtype == .float16 ? (pieceRows * d * 2 + 4095) / 4096 * 4096 : 0
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: xBytes + yBytes + halfBytes, alignment: 4096)
            defer { buffer.deallocate() }
            let x = buffer.bindMemory(to: Float.self, capacity: pieceRows * d)
            let y = (buffer + xBytes).bindMemory(to: Float.self, capacity: pieceRows)
            let half = (buffer + xBytes + yBytes).bindMemory(to: Float16.self, capacity: pieceRows * d)
            let xOut = UnsafeRawPointer(dtype == .float16 ? UnsafeMutableRawPointer(half) : UnsafeMutableRawPointer(x))
            var lastReport = DispatchTime.now().uptimeNanoseconds
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                if k >= own.upperBound || failure.withLock({ $0 != nil }) { break }
                if isCancelled() {
                    failure.withLock { if $0 == nil { $0 = .cancelled } }
                    break
                }
                let first = k * pieceRows, count = min(pieceRows, n - first)
                maker.fill(rows: first..<(first + count), x: x, y: y)
                if dtype == .float16 { HalfConversion.narrow(x, count: count * d, into: half) }
                do throws(DataError) {
                    try xFile.write(xOut, count: count * d * size, at: xFile.header.count + first * d * size)
                    try yFile.write(y, count: count * 4, at: yFile.header.count + first * 4)
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    break
                }
                shared.pointer[k - own.lowerBound] = (
                    NpyOutputFile.crc(xOut, count: count * d * size), NpyOutputFile.crc(y, count: count * 4)
                )
                let done = rowsDone.add(count, ordering: .relaxed).newValue
                if worker == 0, let progress {
                    let now = DispatchTime.now().uptimeNanoseconds
                    if now - lastReport >= 100_000_000 {
                        lastReport = now
                        progress(report(done))
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        for k in own {
            table[2 * k] = UInt64(crcs[k - own.lowerBound].x)
            table[2 * k + 1] = UInt64(crcs[k - own.lowerBound].y)
        }
        progress?(report(rowsDone.load(ordering: .relaxed)))
    }

    /// Saves this dataset as `dir/X.npy`, `dir/y.npy` and `dir/meta.json` (numpy's 64-byte
    /// aligned headers), atomically as `generateNpy` does.
    @discardableResult
    public func saveNpy(to dir: String, overwrite: Bool = false) throws(DataError) -> DatasetMeta {
        let staging = try StagingDirectory(target: dir, overwrite: overwrite)
        var files: [DatasetMeta.File] = []
        let parts: [(String, UnsafeRawPointer, [Int], DType)] = [
            ("X.npy", UnsafeRawPointer(xBytes), [rows, features], dtype), ("y.npy", UnsafeRawPointer(y), [rows], .float32),
        ]
        for (name, pointer, shape, type) in parts {
            let file = try NpyOutputFile(path: staging.path + "/" + name, shape: shape, dtype: type, headerAlignment: 64)
            let bytes = shape.reduce(type.size, *)
            try file.write(pointer, count: bytes, at: file.header.count)
            try file.sync()
            files.append(
                .init(
                    shape: shape, bytes: file.total, crc32: file.fileCRC(pieces: [(NpyOutputFile.crc(pointer, count: bytes), bytes)]),
                    dtype: type))
        }
        let meta = DatasetMeta(
            rows: rows, features: features, spec: nil, trueWeights: trueWeights, trueBias: trueBias,
            trueBiases: trueBiases, x: files[0], y: files[1])
        try Self.writeMeta(meta, into: staging.path)
        try staging.commit()
        return meta
    }

    static func writeMeta(_ meta: DatasetMeta, into dir: String) throws(DataError) {
        let path = dir + "/" + DatasetMeta.fileName
        do {
            try Data((meta.json.text(pretty: true) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
        try StagingDirectory.fsyncPath(path)
    }
}
