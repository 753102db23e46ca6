import SyntheticData
import Testing

/// Bringing one's own data: datasets from arrays (copied, checked) and over one's own memory (no copy).
@Suite("datasets from arrays") struct ArrayDatasetTests {
    @Test func flatRowsNestedRowsAndAnyCollectionGiveTheSameValues() throws {
        let flat = try Dataset(features: 2, x: [1, 2, 3, 4, 5, 6], y: [0.5, 1.5, 2.5])
        let nested = try Dataset(rows: [[1, 2], [3, 4], [5, 6]], y: [0.5, 1.5, 2.5])
        let lazy = try Dataset(features: 2, x: (1...6).lazy.map { Float($0) }, y: [0.5, 1.5, 2.5][...])
        for data in [flat, nested, lazy] {
            #expect(data.rows == 3 && data.features == 2 && data.dtype == .float32 && data.source == "arrays")
            #expect((0..<3).flatMap { r in (0..<2).map { data.value(row: r, feature: $0) } } == [1, 2, 3, 4, 5, 6])
            #expect((0..<3).map { data.y[$0] } == [0.5, 1.5, 2.5])
        }
    }

    @Test func wrongCountsAndNonFiniteValuesAreRefusedNamingThem() {
        let cases: [(() throws(DataError) -> Dataset, String)] = [
            ({ () throws(DataError) in try Dataset(features: 2, x: [1, 2, 3], y: [0, 1]) }, "2 targets × 2 features need 4 values in x"),
            ({ () throws(DataError) in try Dataset(features: 0, x: [], y: [1]) }, "at least one feature"),
            ({ () throws(DataError) in try Dataset(features: 1, x: [], y: []) }, "at least one row"),
            ({ () throws(DataError) in try Dataset(features: 2, x: [1, 2, .nan, 4], y: [0, 1]) }, "row 1, column '0' is NaN"),
            ({ () throws(DataError) in try Dataset(features: 1, x: [1, 2], y: [0, .infinity]) }, "row 1, column 'y' is NaN or infinite"),
            ({ () throws(DataError) in try Dataset(rows: [[1, 2], [3]], y: [0, 1]) }, "invalid row 1 (1 values): every row needs 2 values"),
            ({ () throws(DataError) in try Dataset(rows: [[1], [3]], y: [0]) }, "one target per row: 2 rows"),
        ]
        for (make, fragment) in cases {
            #expect {
                _ = try make()
            } throws: { error in
                "\(error)".contains(fragment)
            }
        }
    }

    @Test func wrappingOwnMemoryReadsItWithoutACopy() {
        let x = UnsafeMutablePointer<Float>.allocate(capacity: 6)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: 3)
        defer { x.deallocate(); y.deallocate() }
        for i in 0..<6 { x[i] = Float(i) }
        for i in 0..<3 { y[i] = Float(10 + i) }
        let data = Dataset.unsafeWrapping(rows: 3, features: 2, x: x, y: y)
        #expect(data.xBytes == UnsafeMutableRawPointer(x) && data.y == y, "the same memory, not a copy")
        x[5] = 42
        #expect(data.value(row: 2, feature: 1) == 42 && data.y[2] == 12 && data.source == "memory")
    }

    /// The public read path: `Dataset.Values` views share the dataset's memory (no copy), index and
    /// slice as a collection, keep the dataset alive, and hand out a buffer only through the
    /// unsafe-named `withUnsafeBufferPointer`.
    @Test func readOnlyViewsShareTheMemoryAndOutliveTheirDatasetReference() throws {
        var x: Dataset.Values
        var y: Dataset.Values
        do {
            let data = try Dataset(rows: [[1, 2], [3, 4], [5, 6]], y: [0.5, 1.5, 2.5])
            x = data.xValues
            y = data.yValues
            #expect(x.withUnsafeBufferPointer { $0.baseAddress } == UnsafePointer(data.x), "a view, not a copy")
            #expect(data.sampleWeightValues == nil)
            let weighted = try data.weighted(by: [1, 0, 2])
            #expect(weighted.sampleWeightValues.map(Array.init) == [1, 0, 2])
        }
        #expect(Array(x) == [1, 2, 3, 4, 5, 6] && Array(y) == [0.5, 1.5, 2.5])
        #expect(x.count == 6 && Array(x[2...3]) == [3, 4] && y.reduce(0, +) == 4.5)
    }

    @Test func aSyntheticRowOnItsOwnHasTheBitsOfTheGeneratedDataset() throws {
        for features in [4, 5] {
            let spec = DatasetSpec(rows: 100, features: features, weights: .alternating, bias: 1, noise: 0.1, seed: 9)
            let data = try Dataset.generate(spec, threads: 2)
            let rows = try SyntheticRows(spec)
            for r in [0, 37, 99] {
                let (x, y) = rows.row(r)
                #expect(x.map(\.bitPattern) == data.values(ofRow: r).map(\.bitPattern))
                #expect(y.bitPattern == data.yValues[r].bitPattern)
            }
            var half = spec
            half.dtype = .float16
            let small = try Dataset.generate(half, threads: 2)
            let (x, y) = try SyntheticRows(half).row(37)
            #expect(small.values(ofRow: 37) == x.map { Float(Float16($0)) } && small.yValues[37] == y, "X rounded, y as made")
        }
    }
}
