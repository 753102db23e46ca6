import Foundation
import SyntheticData
import TestSupport
import Testing

/// float16 X: the generator's float32 values rounded to nearest-even (numpy's own rounding is the
/// oracle), the same bytes for any thread count, in memory and on disk, read back by mapping.
@Suite("float16 data", .serialized) struct Float16DataTests {
    static let spec = DatasetSpec(rows: 3001, features: 9, weights: .alternating, bias: 0.5, noise: 0.1, seed: 7, dtype: .float16)

    static func float32Twin() -> DatasetSpec {
        var s = spec
        s.dtype = .float32
        return s
    }

    @Test func float16IsTheFloat32GeneratorRoundedToNearestEvenForAnyThreadCount() throws {
        let wide = try Dataset.generate(Self.float32Twin(), threads: 2)
        let n = Self.spec.rows * Self.spec.features
        for threads in [1, 2, 3] {
            let half = try Dataset.generate(Self.spec, threads: threads)
            #expect(half.dtype == .float16 && half.byteCount == Self.spec.rows * (9 * 2 + 4))
            var wrong = 0
            for i in 0..<n where half.xHalf[i].bitPattern != Float16(wide.x[i]).bitPattern { wrong += 1 }
            #expect(wrong == 0, "\(threads) thread(s): \(wrong) values differ from Float16(float32 value)")
            #expect(bytesOf(half.y, Self.spec.rows) == bytesOf(wide.y, Self.spec.rows), "y is the float32 generator's")
        }
    }

    @Test func generateWritesNumpyFloat16ThatMapsBackBitForBit() throws {
        let one = tempDirectory(), three = tempDirectory()
        defer { for d in [one, three] { try? FileManager.default.removeItem(atPath: d) } }
        let meta = try Dataset.generateNpy(Self.spec, to: one, threads: 1)
        try Dataset.generateNpy(Self.spec, to: three, threads: 3)
        for f in ["X.npy", "y.npy", "meta.json"] {
            #expect(FileManager.default.contents(atPath: one + "/" + f) == FileManager.default.contents(atPath: three + "/" + f), "\(f)")
        }
        #expect(meta.x.dtype == .float16 && meta.x.bytes == 3001 * 9 * 2 + 4096)
        let memory = try Dataset.generate(Self.spec, threads: 2)
        let wide = try Dataset.generate(Self.float32Twin(), threads: 2)
        let n = 3001 * 9
        try Data(bytes: wide.x, count: n * 4).write(to: URL(fileURLWithPath: one + "/wide.bin"))
        // numpy: dtype and mapping, its own float32 → float16 rounding equals ours, the meta CRC.
        let out = try python(
            """
            import numpy as np, zlib, json
            X = np.load('\(one)/X.npy', mmap_mode='r'); m = json.load(open('\(one)/meta.json'))
            wide = np.fromfile('\(one)/wide.bin', dtype='<f4').reshape(X.shape)
            print(X.dtype, X.shape, type(X).__name__, m['files']['X.npy']['dtype'], m['spec']['dtype'])
            print(bool((wide.astype(np.float16).view(np.uint16) == X.view(np.uint16)).all()))
            print(zlib.crc32(open('\(one)/X.npy', 'rb').read()) == m['files']['X.npy']['crc32'], zlib.crc32(X.tobytes()))
            """)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "float16 (3001, 9) memmap <f2 float16")
        #expect(lines[1] == "True", "numpy's astype(float16) rounds exactly as the generator")
        #expect(lines[2] == "True \(crc32(Data(bytes: memory.xHalf, count: n * 2)))", "the file holds the in-memory bytes")

        let loaded = try Dataset.loadNpy(directory: one, threads: 2)
        #expect(loaded.dtype == .float16 && loaded.rows == 3001 && loaded.features == 9)
        #expect(Data(bytes: loaded.xHalf, count: n * 2) == Data(bytes: memory.xHalf, count: n * 2))
        #expect(loaded.trueWeights == memory.trueWeights && loaded.source.contains("float16"))
    }

    @Test func float16NaNOrInfinityInXIsRefusedNamingTheRowAndAFloat16YIsConverted() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try python(
            """
            import numpy as np, os
            os.makedirs('\(dir)')
            X = (np.arange(12).reshape(6, 2) / 4).astype(np.float16); y = np.arange(6).astype(np.float16) / 2
            np.save('\(dir)/X.npy', X); np.save('\(dir)/y.npy', y)
            """)
        let data = try Dataset.loadNpy(directory: dir)
        #expect(data.value(row: 5, feature: 1) == 11.0 / 4 && data.y[5] == 2.5 && data.dtype == .float16)
        _ = try python(
            """
            import numpy as np
            X = np.load('\(dir)/X.npy'); X[4, 1] = np.inf; np.save('\(dir)/X.npy', X)
            """)
        #expect {
            _ = try Dataset.loadNpy(directory: dir)
        } throws: { error in
            (error as? DataError) == .nonFiniteNpy(path: dir + "/X.npy", row: 4, column: 1)
        }
    }

    @Test func convertingToFloat16RefusesWhatItCannotHoldAndRoundsTheRest() throws {
        let data = try Dataset(rows: 3, features: 2, source: "csv t.csv")
        let values: [Float] = [1, 65504, -65519, 0.1, 3, 1e-8]
        for i in 0..<6 { data.x[i] = values[i] }
        let half = try data.converted(to: .float16, columns: ["a", "b"])
        #expect((0..<6).map { half.value(row: $0 / 2, feature: $0 % 2) } == values.map { Float(Float16($0)) })
        data.x[3] = 65520  // rounds to infinity in float16
        #expect(throws: DataError.outOfRange(path: "csv t.csv", row: 1, column: "b", value: 65520, dtype: .float16)) {
            _ = try data.converted(to: .float16, columns: ["a", "b"])
        }
        #expect(DataError.outOfRange(path: "p", row: 1, column: "b", value: 65520, dtype: .float16).description.contains("float16's range"))
    }
}
