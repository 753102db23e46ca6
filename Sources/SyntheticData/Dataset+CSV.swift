import Foundation

extension Dataset {
    /// Loads a small CSV: a header line of column names, then one row of numbers per line.
    ///
    /// `target` names the column of y; every other column is a feature, in file order (or only
    /// `features`, when given). Empty lines and lines starting with `#` are skipped. For data of
    /// more than a few million values use the .npy format. With `target` nil (predicting), there
    /// is no y column: y is all zeros and `features` must be given.
    public static func loadCSV(path: String, target: String? = "y", features: [String]? = nil) throws(DataError) -> Dataset {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path: path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: "not UTF-8 text or not readable (\(error.localizedDescription))")
        }
        var lines: [(number: Int, text: Substring)] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty || t.hasPrefix("#") { continue }
            lines.append((i + 1, Substring(t)))
        }
        guard let header = lines.first else { throw .emptyFile(path: path) }
        let names = header.text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var targetIndex: Int?
        if let target {
            guard let i = names.firstIndex(of: target) else { throw .missingColumn(path: path, column: target, available: names) }
            targetIndex = i
        }
        var featureIndices: [Int] = []
        if let features {
            for f in features {
                guard let i = names.firstIndex(of: f) else { throw .missingColumn(path: path, column: f, available: names) }
                featureIndices.append(i)
            }
        } else {
            featureIndices = names.indices.filter { $0 != targetIndex }
        }
        if featureIndices.isEmpty {
            throw .malformedCSV(path: path, line: header.number, reason: "no feature column besides the target '\(target ?? "")'")
        }
        let body = lines.dropFirst()
        if body.isEmpty { throw .malformedCSV(path: path, line: header.number, reason: "a header but no data rows") }
        let data = try Dataset(rows: body.count, features: featureIndices.count, source: "csv \(path)")
        var values = [Float](repeating: 0, count: names.count)
        for (r, line) in body.enumerated() {
            let fields = line.text.split(separator: ",", omittingEmptySubsequences: false)
            if fields.count != names.count {
                throw .malformedCSV(
                    path: path, line: line.number, reason: "\(fields.count) fields, but the header has \(names.count)")
            }
            for (c, field) in fields.enumerated() {
                let t = field.trimmingCharacters(in: .whitespaces)
                guard let v = Float(t) else {
                    throw .malformedCSV(path: path, line: line.number, reason: "'\(t)' in column '\(names[c])' is not a number")
                }
                if !v.isFinite { throw .nonFinite(path: path, row: r + 1, column: names[c]) }
                values[c] = v
            }
            for (j, c) in featureIndices.enumerated() { data.x[r * data.features + j] = values[c] }
            data.y[r] = targetIndex.map { values[$0] } ?? 0
        }
        return data
    }

    /// The column names of a CSV file's header (its first line that is neither empty nor a `#` comment).
    public static func csvHeader(path: String) throws(DataError) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .fileNotFound(path: path) }
        defer { try? handle.close() }
        // A header is short; 64 KiB holds any real one without reading a large file whole.
        let head = String(decoding: (try? handle.read(upToCount: 1 << 16)) ?? Data(), as: UTF8.self)
        for line in head.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty || t.hasPrefix("#") { continue }
            return t.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        throw .emptyFile(path: path)
    }
}
