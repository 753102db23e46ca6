import Foundation
import SyntheticData
import TestSupport
import Testing

@Suite("npy header") struct NpyHeaderTests {
    func parse(_ bytes: [UInt8], fileSize: Int? = nil) throws(NpyProblem) -> NpyHeader {
        let result = bytes.withUnsafeBytes { b in Result { () throws(NpyProblem) in try NpyHeader.parse(b, fileSize: fileSize ?? b.count) } }
        return try result.get()
    }

    func file(_ dict: String, version: UInt8 = 1, data: Int = 0) -> [UInt8] {
        var out = NpyHeader.magic + [version, 0]
        let body = Array(dict.utf8) + [0x0A]
        let n = body.count
        out += version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0]
        return out + body + [UInt8](repeating: 0, count: data)
    }

    @Test func encodedHeadersParseBackAndAlign() throws {
        for (shape, alignment) in [([1000, 2], 64), ([7], 64), ([4_194_304, 64], 4096)] {
            var bytes = NpyHeader.encode(descr: "<f4", shape: shape, alignment: alignment)
            #expect(bytes.count % alignment == 0 && bytes.last == 0x0A)
            let offset = bytes.count
            bytes += [UInt8](repeating: 0, count: min(shape.reduce(4, *), 64))
            let h = try parse(bytes, fileSize: offset + shape.reduce(4, *))
            #expect(h.descr == "<f4" && !h.fortranOrder && h.shape == shape && h.dataOffset == offset && h.major == 1)
        }
    }

    @Test func readsVersions2And3AndPython2Longs() throws {
        let v2 = try parse(file("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 2L), }", version: 2, data: 24))
        #expect(v2.major == 2 && v2.shape == [3, 2])
        let v3 = try parse(file("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}", version: 3, data: 8))
        #expect(v3.major == 3 && v3.shape == [2])
    }

    @Test(arguments: [
        ([0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0, 0, 0, 0, 0], NpyProblem.notNpy),
        (NpyHeader.magic + [4, 0, 0, 0], .version(4, 0)),
        (NpyHeader.magic + [1, 0, 0xFF], .truncated(need: 10, have: 9)),
        (NpyHeader.magic + [1, 0, 0xFF, 0x00, 0x7B], .truncated(need: 265, have: 11)),
    ])
    func rejectsBrokenPrefixes(bytes: [UInt8], problem: NpyProblem) {
        #expect(throws: problem) { try parse(bytes) }
    }

    @Test func rejectsMalformedDictsWithAReason() {
        let cases: [(String, String)] = [
            ("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key"),
            ("{'descr': '<f4', 'shape': (2,)}", "no 'fortran_order' key"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "value that is not"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': True}", "unexpected key 'extra'"),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", "structured dtype"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "not a whole number"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "too large"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", "too large"),
            ("{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,)}", "wrong type"),
            ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "repeats the key"),
            ("{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}", "expected ',' or '}'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", "text after the dict"),
            ("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", "expected ',' or '}'"),
            ("{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}", "expected ':'"),
            ("['descr']", "not a dict literal"),
        ]
        for (dict, reason) in cases {
            do {
                _ = try parse(file(dict, data: 8))
                Issue.record("accepted \(dict)")
            } catch {
                #expect(error.description.contains(reason), "\(dict): \(error.description)")
            }
        }
    }

    @Test func checksTheFileSizeAgainstTheShape() throws {
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"
        let short = #expect(throws: NpyProblem.self) { try parse(file(dict, data: 23)) }
        #expect(short?.description.contains("is truncated") == true, "\(String(describing: short))")
        let long = #expect(throws: NpyProblem.self) { try parse(file(dict, data: 25)) }
        #expect(long?.description.contains("1 bytes after the data") == true, "\(String(describing: long))")
        #expect(try parse(file(dict, data: 24)).shape == [3, 2])
    }
}

@Suite("npy files with numpy", .serialized) struct NpyNumpyTests {
    static let spec = DatasetSpec(rows: 5000, features: 7, weights: .alternating, bias: -1.5, noise: 0.05, seed: 11)

    @Test func numpyReadsWhatGenerateWritesAndTheBytesMatchMemory() throws {
        let one = tempDirectory(), three = tempDirectory()
        defer { for d in [one, three] { try? FileManager.default.removeItem(atPath: d) } }
        let meta = try Dataset.generateNpy(Self.spec, to: one, threads: 1)
        try Dataset.generateNpy(Self.spec, to: three, threads: 3)
        for f in ["X.npy", "y.npy"] {
            #expect(FileManager.default.contents(atPath: one + "/" + f) == FileManager.default.contents(atPath: three + "/" + f))
        }
        let memory = try Dataset.generate(Self.spec, threads: 2)
        let out = try python(
            """
            import numpy as np, zlib, json
            X = np.load('\(one)/X.npy', mmap_mode='r'); y = np.load('\(one)/y.npy', mmap_mode='r')
            m = json.load(open('\(one)/meta.json'))
            crc = lambda p: zlib.crc32(open(p, 'rb').read())
            print(X.shape, X.dtype, y.shape, y.dtype, X.flags['C_CONTIGUOUS'], type(X).__name__)
            print(zlib.crc32(X.tobytes()), zlib.crc32(y.tobytes()))
            print(crc('\(one)/X.npy') == m['files']['X.npy']['crc32'], crc('\(one)/y.npy') == m['files']['y.npy']['crc32'])
            w = np.array(m['trueWeights'], dtype=np.float64)
            r = y - (X.astype(np.float64) @ w + m['trueBias'])
            print(m['spec']['seed'], m['generator']['version'], round(float(r.std()), 2), round(float(X.std()), 1))
            """)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines[0] == "(5000, 7) float32 (5000,) float32 True memmap")
        let crcX = bytesOf(memory.x, 5000 * 7), crcY = bytesOf(memory.y, 5000)
        #expect(lines[1] == "\(crc32(crcX)) \(crc32(crcY))", "numpy's values are the in-memory generator's")
        #expect(lines[2] == "True True")
        #expect(lines[3] == "11 2 0.05 1.0")
        #expect(meta.rows == 5000 && meta.features == 7 && meta.trueBias == -1.5)
    }

    @Test func float64IsRefusedWithTheFixOrConvertedWhenAsked() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try python(
            """
            import numpy as np, os
            os.makedirs('\(dir)')
            X = np.arange(12, dtype=np.float64).reshape(6, 2) / 3; y = np.arange(6, dtype=np.float64)
            np.save('\(dir)/X.npy', X); np.save('\(dir)/y.npy', y)
            """)
        do {
            _ = try Dataset.loadNpy(directory: dir)
            Issue.record("float64 accepted")
        } catch {
            #expect(error.description.contains("X.npy holds float64") && error.description.contains("astype(numpy.float32)"))
        }
        let data = try Dataset.loadNpy(directory: dir, convertFloat64: true)
        #expect(data.x[5] == Float(5.0 / 3.0) && data.y[5] == 5 && data.features == 2)
        #expect(data.isWritable, "a converted copy is the dataset's own memory")
    }

    /// A mapped .npy dataset says it must not be written, and reads through the read-only views.
    @Test func mappedFilesAreReadOnlyAndReadThroughViews() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Dataset.generateNpy(Self.spec, to: dir, threads: 2)
        let mapped = try Dataset.loadNpy(directory: dir)
        let memory = try Dataset.generate(Self.spec, threads: 2)
        #expect(!mapped.isWritable && memory.isWritable)
        #expect(mapped.xValues.count == 5000 * 7 && mapped.yValues.count == 5000)
        #expect(Array(mapped.xValues) == Array(memory.xValues) && Array(mapped.yValues) == Array(memory.yValues))
        #expect(mapped.values(ofRow: 4999) == Array(memory.xValues[(4999 * 7)...]))
        let wrapped = Dataset.unsafeWrapping(rows: 5000, features: 7, x: UnsafeRawPointer(memory.x), y: memory.y, owner: memory)
        #expect(!wrapped.isWritable && wrapped.values(ofRow: 3) == memory.values(ofRow: 3))
    }

    @Test func badFilesAreClearErrorsNamingTheFile() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func write(_ script: String) throws {
            try? FileManager.default.removeItem(atPath: dir)
            _ = try python("import numpy as np, os\nos.makedirs('\(dir)')\n" + script)
        }
        func expectError(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                _ = try Dataset.loadNpy(directory: dir)
                Issue.record("accepted; expected \(fragment)", sourceLocation: sourceLocation)
            } catch {
                #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
            }
        }
        let x = "np.save('\(dir)/X.npy', np.ones((5, 2), np.float32))\n"
        try write(x + "np.save('\(dir)/y.npy', np.ones(4, np.float32))")
        expectError("y.npy has shape [4], but X.npy has 5 rows")
        try write("np.save('\(dir)/X.npy', np.asfortranarray(np.ones((5, 2), np.float32)))\nnp.save('\(dir)/y.npy', np.ones(5, np.float32))")
        expectError("X.npy is in Fortran (column-major) order")
        try write(x + "np.save('\(dir)/y.npy', np.ones(5, np.complex64))")
        expectError("y.npy has dtype '<c8'")
        try write(x + "np.save('\(dir)/y.npy', np.ones(5, '>f4'))")
        expectError("y.npy is big-endian")
        try write(x + "y = np.ones(5, np.float32); y[3] = np.nan; np.save('\(dir)/y.npy', y)")
        expectError("y.npy: row 3")
        try write(
            "X = np.ones((5, 2), np.float32); X[4, 1] = np.inf; np.save('\(dir)/X.npy', X)\nnp.save('\(dir)/y.npy', np.ones(5, np.float32))")
        expectError("X.npy: row 4, column 1 (0-based")
        try write(x + "np.save('\(dir)/y.npy', np.ones(5, np.float32))\nopen('\(dir)/y.npy', 'r+b').truncate(100)")
        expectError("y.npy is truncated")
        try write(x)
        expectError("y.npy does not exist")
        try write("np.save('\(dir)/X.npy', np.ones(5, np.float32))\nnp.save('\(dir)/y.npy', np.ones(5, np.float32))")
        expectError("X must be 2-D")
        try write(x + "open('\(dir)/y.npy', 'w').close()")
        expectError("y.npy is empty")
        #expect(throws: DataError.fileNotFound(path: dir + "/nothing")) { try Dataset.loadNpy(directory: dir + "/nothing") }
    }

    @Test func saveNpyRoundTripsAndRefusesToOverwrite() throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try Dataset.generate(Self.spec, threads: 1)
        try data.saveNpy(to: dir)
        let back = try Dataset.loadNpy(directory: dir)
        #expect(bytesOf(back.x, 5000 * 7) == bytesOf(data.x, 5000 * 7) && bytesOf(back.y, 5000) == bytesOf(data.y, 5000))
        #expect(back.trueWeights == data.trueWeights && back.trueBias == data.trueBias)
        #expect(throws: DataError.outputExists(path: dir)) { try data.saveNpy(to: dir) }
        try data.saveNpy(to: dir, overwrite: true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (dir as NSString).deletingLastPathComponent)
            .filter { $0.contains((dir as NSString).lastPathComponent + ".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func rowsMadeOneByOneEqualRowsMadeTogether() throws {
        for spec in [Self.spec, DatasetSpec(rows: 300, features: 64, weights: .alternating, seed: 2)] {
            let rows = try SyntheticRows(spec)
            let memory = try Dataset.generate(spec, threads: 1)
            var x = [Float](repeating: 0, count: spec.features), y: Float = 0
            for r in [0, 1, 17, spec.rows - 1] {
                rows.fill(row: r, x: &x, y: &y)
                #expect(x == Array(UnsafeBufferPointer(start: memory.row(r), count: spec.features)) && y == memory.y[r])
            }
        }
    }
}
