import Foundation

extension Dataset {
    /// Loads a CSV file (see `CSVReader` for what is parsed): a header line of column names, then
    /// one row of numbers per record.
    ///
    /// `target` names the column of y; every other column is a feature, in file order (or only
    /// `features`, in their order, when given; other columns are then not read). With `header`
    /// false the first record is data and the columns are named by their 0-based index ("0", "1",
    /// …). With `target` nil (predicting), there is no y column: y is all zeros and `features` must
    /// be given. The file is read into memory once, then scanned twice (count the rows, then parse
    /// them into the dataset): no String per line or field is made.
    public static func loadCSV(
        path: String, target: String? = "y", features: [String]? = nil, header: Bool = true
    ) throws(DataError) -> Dataset {
        let bytes = try readCSV(path: path)
        let loaded = bytes.withUnsafeBytes { raw in
            Result { () throws(DataError) -> Dataset in
                try loadCSV(bytes: raw, path: path, target: target, features: features, header: header)
            }
        }
        return try loaded.get()
    }

    /// A CSV with a sample-weight column: `target` is y, `weight` the weight of each row (finite,
    /// ≥ 0; see `Dataset.sampleWeightValues`), every other column a feature.
    public static func loadCSV(path: String, target: String, weight: String, header: Bool = true) throws(DataError) -> Dataset {
        let names = try csvHeader(path: path, header: header)
        guard names.contains(weight) else {
            throw .invalidSpec(
                field: "data.csv.weight", value: weight,
                fix: "\(path) has no such column (columns: \(names.prefix(12).joined(separator: ", ")))")
        }
        guard weight != target else {
            throw .invalidSpec(field: "data.csv.weight", value: weight, fix: "the weight column cannot be the target column")
        }
        let features = names.filter { $0 != target && $0 != weight }
        let data = try loadCSV(path: path, target: target, features: features, header: header)
        // The weight column read as a target (its values checked as y's are), beside one feature.
        let weights = try loadCSV(path: path, target: weight, features: Array(features.prefix(1)), header: header)
        do {
            return try data.weighted(by: weights.yValues)
        } catch let DataError.badSampleWeight(_, row, value) {
            throw .badSampleWeight(source: "\(path), column '\(weight)'", row: row, value: value)
        }
    }

    /// The column names of a CSV file: its header's, or "0", "1", … with `header` false (from the
    /// first record's width). Reads only the start of a large file.
    public static func csvHeader(path: String, header: Bool = true) throws(DataError) -> [String] {
        try InputFile.requireRegular(path)  // a FIFO would block FileHandle's open for ever
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if !FileManager.default.fileExists(atPath: path) { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: "not readable")
        }
        defer { try? handle.close() }
        // A header is short; 1 MiB holds any real one without reading a large file whole.
        let limit = 1 << 20
        let head = (try? handle.read(upToCount: limit)) ?? Data()
        let names = head.withUnsafeBytes { raw in
            Result { () throws(DataError) -> [String]? in
                var reader = CSVReader(bytes: raw, path: path)
                do throws(DataError) {
                    let (names, _) = try columnNames(&reader, header: header, path: path)
                    return head.count < limit || !reader.endedAtEnd ? names : nil
                } catch {
                    if head.count < limit { throw error }
                    return nil
                }
            }
        }
        if let names = try names.get() { return names }
        // The first record is longer than the start read: read it all.
        let whole = try readCSV(path: path)
        return try whole.withUnsafeBytes { raw in
            Result { () throws(DataError) -> [String] in
                var reader = CSVReader(bytes: raw, path: path)
                return try columnNames(&reader, header: header, path: path).names
            }
        }.get()
    }

    /// The whole file's bytes.
    static func readCSV(path: String) throws(DataError) -> Data {
        try InputFile.requireRegular(path)
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: "not readable (\(error.localizedDescription))")
        }
    }

    /// The column names and the line of the header (with `header` false: of the first record,
    /// which is left unread); duplicate names are refused.
    static func columnNames(_ reader: inout CSVReader, header: Bool, path: String) throws(DataError) -> (names: [String], line: Int) {
        if !header {
            var first = reader
            guard try first.next() else { throw .emptyFile(path: path) }
            return ((0..<first.fields.count).map(String.init), first.recordLine)
        }
        guard try reader.next() else { throw .emptyFile(path: path) }
        let names = (0..<reader.fields.count).map(reader.string)
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if let j = seen[name] {
                if names.allSatisfy({ Float($0) != nil }) {
                    throw .malformedCSV(
                        path: path, line: reader.recordLine,
                        reason: "the first line looks like data; set header: false (columns are then named by index: 0, 1, …)")
                }
                throw .malformedCSV(
                    path: path, line: reader.recordLine,
                    reason: "the header names two columns \(CSVReader.quoted(name)), columns \(j + 1) and \(i + 1) "
                        + "(counting from 1); rename one of them")
            }
            seen[name] = i
        }
        return (names, reader.recordLine)
    }

    /// `loadCSV` over the file's bytes.
    static func loadCSV(
        bytes: UnsafeRawBufferPointer, path: String, target: String?, features: [String]?, header: Bool
    ) throws(DataError) -> Dataset {
        var reader = CSVReader(bytes: bytes, path: path)
        let (names, headerLine) = try columnNames(&reader, header: header, path: path)
        let (featureIndices, targetIndex) = try columns(
            names, target: target, features: features, header: header, path: path, headerLine: headerLine)
        let width = header ? "the header has \(names.count)" : "the first record has \(names.count)"

        // Pass 1: count the rows and check their widths, so the dataset is allocated once.
        var counter = reader
        var rows = 0
        while try counter.next() {
            if counter.fields.count != names.count {
                throw .malformedCSV(path: path, line: counter.recordLine, reason: "\(counter.fields.count) fields, but \(width)")
            }
            rows += 1
        }
        if rows == 0 { throw .malformedCSV(path: path, line: headerLine, reason: "a header but no data rows") }

        // Pass 2: parse the columns used straight into X and y.
        let data = try Dataset(rows: rows, features: featureIndices.count, source: "csv \(path)")
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: CSVReader.numberBufferSize)
        defer { buffer.deallocate() }
        func value(_ c: Int, row: Int) throws(DataError) -> Float {
            guard let v = reader.float(c, buffer: buffer) else {
                throw .malformedCSV(
                    path: path, line: reader.recordLine,
                    reason: "\(CSVReader.quoted(reader.string(c))) in column \(CSVReader.quoted(names[c])) is not a number")
            }
            if !v.isFinite { throw .nonFinite(path: path, row: row + 1, column: names[c]) }
            return v
        }
        let x = data.x
        let d = featureIndices.count
        for r in 0..<rows {
            _ = try reader.next()
            for (j, c) in featureIndices.enumerated() { x[r * d + j] = try value(c, row: r) }
            data.y[r] = try targetIndex.map { (c) throws(DataError) in try value(c, row: r) } ?? 0
        }
        return data
    }

    /// The indices of the feature columns and of the target; refuses names not in `names`, a
    /// target among the features, and a first line of numbers taken for a header.
    static func columns(
        _ names: [String], target: String?, features: [String]?, header: Bool, path: String, headerLine: Int
    ) throws(DataError) -> (features: [Int], target: Int?) {
        func index(_ name: String) throws(DataError) -> Int {
            if let i = names.firstIndex(of: name) { return i }
            if header && names.allSatisfy({ Float($0) != nil }) {
                throw .malformedCSV(
                    path: path, line: headerLine,
                    reason: "no column \(CSVReader.quoted(name)): the first line looks like data; set header: false "
                        + "(columns are then named by index: 0, 1, …)")
            }
            let shown = names.prefix(20).map { $0.count > 80 ? String($0.prefix(80)) + "…" : $0 }
            throw .missingColumn(path: path, column: name, available: shown + (names.count > 20 ? ["… (\(names.count) in all)"] : []))
        }
        let targetIndex = try target.map { (t) throws(DataError) in try index(t) }
        var featureIndices: [Int] = []
        if let features {
            for f in features {
                let i = try index(f)
                if i == targetIndex {
                    throw .malformedCSV(
                        path: path, line: headerLine,
                        reason: "the target column \(CSVReader.quoted(f)) is also listed among the features; a column is one or the other")
                }
                featureIndices.append(i)
            }
        } else {
            featureIndices = names.indices.filter { $0 != targetIndex }
            if let unnamed = featureIndices.first(where: { names[$0].isEmpty }) {
                throw .malformedCSV(
                    path: path, line: headerLine,
                    reason: "column \(unnamed + 1) (counting from 1) has no name; it is often row numbers (R's write.csv "
                        + "writes them unless row.names = FALSE, pandas' to_csv unless index=False): drop it, or name it")
            }
        }
        if featureIndices.isEmpty {
            throw .malformedCSV(path: path, line: headerLine, reason: "no feature column besides the target '\(target ?? "")'")
        }
        return (featureIndices, targetIndex)
    }
}
