import Dispatch
import Foundation

extension Dataset {
    /// Opens a dataset directory: `dir/X.npy` (float32 or float16, C order, shape (N, D)), `dir/y.npy`
    /// (shape (N,) or (N, 1): float32, float16, float64 with `convertFloat64`, or integer or boolean
    /// labels — numpy's `<i8`, `<i4`, `<i2`, `|i1`, unsigned `<u8`…`|u1` and `|b1`, converted exactly to
    /// float32 in memory; an integer beyond ±2²⁴, which float32 cannot hold exactly, is refused) and, when present, `dir/meta.json` (written by `lockstep generate`; gives
    /// the true weights and bias for reports). A float16 X is mapped as it is (half the bytes; the
    /// kernels convert rows in registers); a float16 y is converted to float32 in memory.
    ///
    /// X and y are memory-mapped, never copied: training reads the page cache directly. Every header
    /// is checked (magic, version 1.0/2.0/3.0, dtype, order, shapes, file sizes) and the data are
    /// scanned once, on `threads` threads, for NaN and infinity. Float64 files are refused unless
    /// `convertFloat64` is set, which converts them into memory (a copy, half the size).
    ///
    /// With `labels: false` (predicting), y.npy may be absent; y is then all zeros. `dir/w.npy`, when
    /// present (and `labels`), holds one sample weight per row (finite, ≥ 0; see `sampleWeights`).
    public static func loadNpy(directory dir: String, convertFloat64: Bool = false, threads: Int = 1, labels: Bool = true)
        throws(DataError) -> Dataset
    {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else { throw .fileNotFound(path: dir) }
        guard isDir.boolValue else {
            throw .npy(path: dir, problem: "is a file; give the directory that holds X.npy and y.npy")
        }
        let xPath = dir + "/X.npy", yPath = dir + "/y.npy"
        let xArray = try NpyArray(path: xPath, convertFloat64: convertFloat64)
        let yArray =
            !labels && !FileManager.default.fileExists(atPath: yPath)
            ? nil : try NpyArray(path: yPath, convertFloat64: convertFloat64, integers: true)
        let shape = xArray.header.shape
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
            let hint = shape.count == 1 ? " (for one feature, save x.reshape(-1, 1))" : ""
            throw .npy(path: xPath, problem: "has shape \(shape); X must be 2-D (rows, features) with both >= 1\(hint)")
        }
        let (rows, d) = (shape[0], shape[1])
        let yShape = yArray?.header.shape ?? [rows]
        guard yShape == [rows] || yShape == [rows, 1] else {
            throw .npy(
                path: yPath,
                problem: "has shape \(yShape), but X.npy has \(rows) rows; y must have shape (\(rows),) or (\(rows), 1)")
        }
        let meta = try DatasetMeta.readIfPresent(directory: dir)
        if let meta, meta.rows != rows || meta.features != d {
            throw .npy(
                path: dir + "/meta.json",
                problem: "describes \(meta.rows) × \(meta.features) data, but X.npy is \(rows) × \(d); "
                    + "regenerate the directory or remove the stale meta.json")
        }
        let y: (pointer: UnsafeMutablePointer<Float>, owner: AnyObject)
        if let yArray {
            y = try yArray.floats(threads: threads)
        } else {
            let zeros = try MappedMemory(byteCount: rows * 4)  // anonymous memory: zero-filled
            y = (zeros.base.assumingMemoryBound(to: Float.self), zeros)
        }
        let x: (pointer: UnsafeMutableRawPointer, owner: AnyObject), dtype: DType
        if xArray.header.descr == "<f2" {
            dtype = .float16
            x = (UnsafeMutableRawPointer(mutating: xArray.file.base + xArray.header.dataOffset), xArray.file)
            if let bad = firstNonFiniteHalf(x.pointer.assumingMemoryBound(to: UInt16.self), count: rows * d) {
                throw .nonFiniteNpy(path: xPath, row: bad / d, column: bad % d)
            }
        } else {
            dtype = .float32
            let floats = try xArray.floats(threads: threads)
            x = (UnsafeMutableRawPointer(floats.pointer), floats.owner)
            if let bad = firstNonFinite(floats.pointer, count: rows * d, threads: threads) {
                throw xArray.badValue(at: bad, columns: d)
            }
        }
        if let bad = firstNonFinite(y.pointer, count: rows, threads: threads) {
            throw yArray!.badValue(at: bad, columns: 1)
        }
        var source = "npy \(dir)"
        if let spec = meta?.spec { source += " (\(spec.summary))" } else if dtype == .float16 { source += " (float16)" }
        let data = Dataset(
            rows: rows, features: d, dtype: dtype, x: x.pointer, y: y.pointer, owners: [x.owner, y.owner],
            trueWeights: meta?.trueWeights, trueBias: meta?.trueBias, trueBiases: meta?.trueBiases, source: source,
            writable: !(x.owner is MappedFile) && !(y.owner is MappedFile))
        // Sample weights, when the directory has them: w.npy, shape (N,) or (N, 1), any dtype y may have.
        let wPath = dir + "/w.npy"
        guard labels, FileManager.default.fileExists(atPath: wPath) else { return data }
        let wArray = try NpyArray(path: wPath, convertFloat64: convertFloat64, integers: true)
        guard wArray.header.shape == [rows] || wArray.header.shape == [rows, 1] else {
            throw .npy(
                path: wPath,
                problem: "has shape \(wArray.header.shape), but X.npy has \(rows) rows; the sample weights must have shape (\(rows),)")
        }
        let w = try wArray.floats(threads: threads)
        do {
            return try withExtendedLifetime(w.owner) { () throws(DataError) -> Dataset in
                try data.weighted(by: UnsafeBufferPointer(start: w.pointer, count: rows))
            }
        } catch let DataError.badSampleWeight(_, row, value) {
            throw .badSampleWeight(source: wPath, row: row, value: value)
        }
    }

    /// The flat index of the first NaN or infinity among `p[0..<count]`, scanning on `threads`
    /// threads in blocks that only look closer when a block has one.
    static func firstNonFinite(_ p: UnsafePointer<Float>, count: Int, threads: Int) -> Int? {
        let block = 1 << 16
        let blocks = (count + block - 1) / block
        let workers = max(1, min(threads, blocks))
        let found = UnsafeMutablePointer<Int>.allocate(capacity: workers)
        found.initialize(repeating: Int.max, count: workers)
        defer { found.deallocate() }
        let shared = SendablePointer(found)
        let data = SendablePointer(UnsafeMutablePointer(mutating: p))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let p = UnsafePointer(data.pointer)
            let raw = UnsafeRawPointer(p).assumingMemoryBound(to: UInt32.self)
            for b in (blocks * w / workers)..<(blocks * (w + 1) / workers) {
                let lo = b * block, hi = min(lo + block, count)
                // An exponent of all ones is NaN or infinity; OR-ing the test keeps the loop branch-free.
                var any: UInt32 = 0
                for i in lo..<hi { any |= (raw[i] & 0x7F80_0000) == 0x7F80_0000 ? 1 : 0 }
                if any != 0, let i = (lo..<hi).first(where: { !p[$0].isFinite }) {
                    shared.pointer[w] = i
                    return
                }
            }
        }
        let first = (0..<workers).map { found[$0] }.min()!
        return first == Int.max ? nil : first
    }
}

extension Dataset {
    /// The flat index of the first NaN or infinity (exponent bits all ones) among `count` float16
    /// bit patterns: one branch-free pass per block, a closer look only in a block that has one.
    static func firstNonFiniteHalf(_ p: UnsafePointer<UInt16>, count: Int) -> Int? {
        let block = 1 << 16
        var lo = 0
        while lo < count {
            let hi = min(lo + block, count)
            var any: UInt16 = 0
            for i in lo..<hi { any |= (p[i] & 0x7C00) == 0x7C00 ? 1 : 0 }
            if any != 0 { return (lo..<hi).first { (p[$0] & 0x7C00) == 0x7C00 } }
            lo = hi
        }
        return nil
    }
}

/// A pointer handed to the workers of one `concurrentPerform`, each writing its own part.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { pointer = p }
}

/// One mapped .npy file of float32 (or, when allowed, float64 to convert).
struct NpyArray {
    let path: String
    let file: MappedFile
    let header: NpyHeader
    let convertFloat64: Bool

    /// numpy's integer and boolean dtypes that labels (y) may have, little-endian or single-byte.
    static let integerDescrs: Set<String> = ["|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8"]

    /// `integers`: whether integer and boolean dtypes are accepted (for y: class labels, counts).
    init(path: String, convertFloat64: Bool, integers: Bool = false) throws(DataError) {
        self.path = path
        self.convertFloat64 = convertFloat64
        file = try MappedFile(path: path)
        do {
            header = try NpyHeader.parse(file.bytes, fileSize: file.size)
        } catch {
            throw .npy(path: path, problem: error.description)
        }
        switch header.descr {
        case "<f4", "<f2": break
        case let d where integers && Self.integerDescrs.contains(d): break
        case "<f8" where convertFloat64: break
        case "<f8":
            throw .npy(
                path: path,
                problem: "holds float64 ('<f8'); lockstep trains on float32. Convert it with "
                    + "numpy.save(path, numpy.load(path).astype(numpy.float32)), or set data.npy.convertFloat64: true "
                    + "(or --convert-float64) to convert into memory")
        case ">f4", ">f8":
            throw .npy(
                path: path,
                problem: "is big-endian (\(quoted(header.descr))); convert it with numpy.save(path, numpy.load(path).astype('<f4'))")
        default:
            throw .npy(
                path: path,
                problem: "has dtype \(quoted(header.descr)); lockstep trains on float32 ('<f4') or float16 ('<f2')"
                    + (integers ? " values, or integer ('<i8', '<i4', …) and boolean labels" : "") + ": save x.astype(numpy.float32)")
        }
        if header.fortranOrder {
            throw .npy(
                path: path,
                problem: "is in Fortran (column-major) order; save numpy.ascontiguousarray(x) instead")
        }
        if header.dataOffset % (header.itemSize ?? 4) != 0 {
            throw .npy(path: path, problem: "has its data at byte \(header.dataOffset), not aligned to its items; re-save it with numpy.save")
        }
    }

    /// The error for the NaN or infinity found at flat index `i` of the float32 values: a finite
    /// float64 that became infinite is out of float32's range, not "NaN or infinite".
    func badValue(at i: Int, columns d: Int) -> DataError {
        if header.descr == "<f8" {
            let v = (file.base + header.dataOffset).assumingMemoryBound(to: Double.self)[i]
            if v.isFinite { return .outOfFloat32Range(path: path, row: i / d, column: i % d, value: v) }
        }
        return .nonFiniteNpy(path: path, row: i / d, column: i % d)
    }

    /// The values as float32: the mapping itself, or for float64 or float16 a converted copy in memory.
    func floats(threads: Int) throws(DataError) -> (pointer: UnsafeMutablePointer<Float>, owner: AnyObject) {
        let data = UnsafeMutableRawPointer(mutating: file.base + header.dataOffset)
        if header.descr == "<f4" { return (data.assumingMemoryBound(to: Float.self), file) }
        let n = header.count
        try MemoryCheck.requireRoom(rows: n, floatsPerRow: 1)
        let memory = try MappedMemory(byteCount: n * 4)
        let out = SendablePointer(memory.base.assumingMemoryBound(to: Float.self))
        switch header.descr {
        case "|b1", "|u1": try exactly(UInt8.self, data, n, into: out.pointer)
        case "|i1": try exactly(Int8.self, data, n, into: out.pointer)
        case "<i2": try exactly(Int16.self, data, n, into: out.pointer)
        case "<u2": try exactly(UInt16.self, data, n, into: out.pointer)
        case "<i4": try exactly(Int32.self, data, n, into: out.pointer)
        case "<u4": try exactly(UInt32.self, data, n, into: out.pointer)
        case "<i8": try exactly(Int64.self, data, n, into: out.pointer)
        case "<u8": try exactly(UInt64.self, data, n, into: out.pointer)
        default: break
        }
        if Self.integerDescrs.contains(header.descr) { return (memory.base.assumingMemoryBound(to: Float.self), memory) }
        let workers = max(1, min(threads, n / 65536 + 1))
        if header.descr == "<f2" {
            let source = SendablePointer(data.assumingMemoryBound(to: Float16.self))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in (n * w / workers)..<(n * (w + 1) / workers) { out.pointer[i] = Float(source.pointer[i]) }
            }
            return (memory.base.assumingMemoryBound(to: Float.self), memory)
        }
        let source = SendablePointer(data.assumingMemoryBound(to: Double.self))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in (n * w / workers)..<(n * (w + 1) / workers) { out.pointer[i] = Float(source.pointer[i]) }
        }
        return (memory.base.assumingMemoryBound(to: Float.self), memory)
    }

    /// `n` integers of type `T` as float32, each exactly: a value beyond ±2²⁴ (float32's 24-bit
    /// significand) would be rounded, so it is refused, naming its row. A boolean (`|b1`) is a byte 0 or 1.
    func exactly<T: FixedWidthInteger>(_: T.Type, _ data: UnsafeRawPointer, _ n: Int, into out: UnsafeMutablePointer<Float>)
        throws(DataError)
    {
        let values = data.assumingMemoryBound(to: T.self)
        let limit = 1 << (Float.significandBitCount + 1)  // 2^24
        for i in 0..<n {
            let v = values[i]
            guard v.magnitude <= limit else {
                throw .npy(
                    path: path,
                    problem: "row \(i) (0-based) holds the integer \(v), which float32 cannot hold exactly (integers up to "
                        + "±\(limit) can); labels and targets beyond that must be rescaled or saved as float32")
            }
            if header.descr == "|b1", v > 1 {
                throw .npy(path: path, problem: "row \(i) (0-based) holds the byte \(v), not a boolean (0 or 1)")
            }
            out[i] = Float(v)
        }
    }
}
