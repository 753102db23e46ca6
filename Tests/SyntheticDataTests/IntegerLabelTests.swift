import Foundation
import SyntheticData
import TestSupport
import Testing

/// y.npy as numpy's integer and boolean dtypes (class labels, counts): read exactly as float32, the
/// integers float32 cannot hold exactly refused naming the row, and X still float only.
@Suite("integer labels") struct IntegerLabelTests {
    /// A dataset directory with a float32 X (5 × 2) and `y` saved by numpy as `dtype`.
    func directory(y: String, dtype: String) throws -> String {
        let dir = tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = try python(
            """
            import numpy as np
            np.save('\(dir)/X.npy', np.arange(10, dtype=np.float32).reshape(5, 2))
            np.save('\(dir)/y.npy', np.array(\(y), dtype='\(dtype)'))
            """)
        return dir
    }

    @Test(arguments: ["<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1"])
    func everyIntegerDtypeReadsAsTheSameFloats(_ dtype: String) throws {
        let signed = !dtype.contains("u")
        let values: [Float] = signed ? [0, 1, -3, 7, 100] : [0, 1, 3, 7, 100]
        let dir = try directory(y: "\(values.map { Int($0) })", dtype: dtype)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try Dataset.loadNpy(directory: dir)
        #expect((0..<5).map { data.y[$0] } == values, "\(dtype)")
        #expect(data.value(row: 4, feature: 1) == 9)
    }

    @Test func booleansAreZeroAndOne() throws {
        let dir = try directory(y: "[True, False, False, True, True]", dtype: "|b1")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try Dataset.loadNpy(directory: dir)
        #expect((0..<5).map { data.y[$0] } == [1, 0, 0, 1, 1])
    }

    @Test func theLargestExactIntegersAreKeptAndTheNextRefusedNamingTheRow() throws {
        let ok = try directory(y: "[16777216, -16777216, 0, 1, 2]", dtype: "<i8")
        let bad = try directory(y: "[0, 1, 2, 16777217, 3]", dtype: "<i8")
        let huge = try directory(y: "[0, 18446744073709551615, 0, 0, 0]", dtype: "<u8")
        defer { for d in [ok, bad, huge] { try? FileManager.default.removeItem(atPath: d) } }
        let data = try Dataset.loadNpy(directory: ok)
        #expect(data.y[0] == 16_777_216 && data.y[1] == -16_777_216)
        #expect {
            try Dataset.loadNpy(directory: bad)
        } throws: { error in
            "\(error)".contains("row 3 (0-based) holds the integer 16777217, which float32 cannot hold exactly")
        }
        #expect {
            try Dataset.loadNpy(directory: huge)
        } throws: { error in
            "\(error)".contains("row 1 (0-based) holds the integer 18446744073709551615")
        }
    }

    @Test func integerFeaturesAndOtherLabelDtypesAreStillRefused() throws {
        let dir = try directory(y: "[0, 1, 0, 1, 1]", dtype: "<i8")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try python("import numpy as np; np.save('\(dir)/X.npy', np.arange(10, dtype=np.int64).reshape(5, 2))")
        #expect {
            try Dataset.loadNpy(directory: dir)
        } throws: { error in
            "\(error)".contains("X.npy has dtype '<i8'; lockstep trains on float32 ('<f4') or float16 ('<f2'): save x.astype")
        }
        _ = try python(
            """
            import numpy as np
            np.save('\(dir)/X.npy', np.zeros((5, 2), dtype=np.float32))
            np.save('\(dir)/y.npy', np.zeros(5, dtype=np.complex64))
            """)
        #expect {
            try Dataset.loadNpy(directory: dir)
        } throws: { error in
            "\(error)".contains("y.npy has dtype '<c8'; lockstep trains on float32 ('<f4') or float16 ('<f2') values, or integer")
        }
    }
}
