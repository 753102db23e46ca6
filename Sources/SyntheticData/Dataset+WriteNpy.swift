import Dispatch
import Foundation
import Synchronization

/// How far a dataset write has got, for progress displays.
public struct WriteProgress: Sendable {
    public var rowsDone: Int
    public var rows: Int
    public var bytesDone: Int
    public var bytes: Int
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
        let maker = try SyntheticRows(spec)
        let staging = try StagingDirectory(target: dir, overwrite: overwrite)
        let (n, d) = (spec.rows, spec.features)
        let dtype = spec.dtype, size = dtype.size
        let xFile = try NpyOutputFile(path: staging.path + "/X.npy", shape: [n, d], dtype: dtype)
        let yFile = try NpyOutputFile(path: staging.path + "/y.npy", shape: [n])
        // Pieces of whole 4 KiB pages of X and y (a multiple of 1024 rows, 2048 for float16) while
        // that stays ≤ 16 MiB.
        let aligned = d <= 4096
        let rowMultiple = 4096 / size
        let pieceRows =
            aligned ? (max(1, (1 << 20) / (4 * d)) + rowMultiple - 1) / rowMultiple * rowMultiple : max(1, (1 << 22) / (4 * d))
        let pieces = (n + pieceRows - 1) / pieceRows
        let crcs = UnsafeMutablePointer<(x: UInt32, y: UInt32)>.allocate(capacity: pieces)
        defer { crcs.deallocate() }
        let shared = SendablePointer(crcs)
        let next = Atomic<Int>(0), rowsDone = Atomic<Int>(0)
        let failure = Mutex<DataError?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        let totalBytes = xFile.total + yFile.total
        @Sendable func report(_ rows: Int) -> WriteProgress {
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            return WriteProgress(
                rowsDone: rows, rows: n, bytesDone: Int(Double(totalBytes) * Double(rows) / Double(n)), bytes: totalBytes,
                seconds: s)
        }
        let workers = max(1, min(threads, pieces))
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
                if k >= pieces || failure.withLock({ $0 != nil }) { break }
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
                shared.pointer[k] = (NpyOutputFile.crc(xOut, count: count * d * size), NpyOutputFile.crc(y, count: count * 4))
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
        try xFile.sync()
        try yFile.sync()
        let pieceSizes = (0..<pieces).map { k in min(pieceRows, n - k * pieceRows) }
        let meta = DatasetMeta(
            rows: n, features: d, spec: spec, trueWeights: spec.trueWeights, trueBias: spec.bias,
            x: .init(
                shape: [n, d], bytes: xFile.total,
                crc32: xFile.fileCRC(pieces: (0..<pieces).map { (crcs[$0].x, pieceSizes[$0] * d * size) }), dtype: dtype),
            y: .init(
                shape: [n], bytes: yFile.total,
                crc32: yFile.fileCRC(pieces: (0..<pieces).map { (crcs[$0].y, pieceSizes[$0] * 4) })))
        try writeMeta(meta, into: staging.path)
        try staging.commit()
        progress?(report(n))
        return meta
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
            rows: rows, features: features, spec: nil, trueWeights: trueWeights, trueBias: trueBias, x: files[0],
            y: files[1])
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
