/// Failures while making, reading or checking a dataset. Each message names the file or value and the fix.
public enum DataError: Error, CustomStringConvertible, Equatable {
    /// The input file `path` does not exist (or a directory on its way is missing).
    case fileNotFound(path: String)
    /// The input `path` exists but could not be opened or read; `reason` is the system's explanation (`strerror`).
    case unreadable(path: String, reason: String)
    /// An input that is not a regular file (a FIFO, device, socket or directory): reading it could
    /// wait for ever. `kind` says what it is ("a FIFO (named pipe)"). See `InputFile`.
    case notRegularFile(path: String, kind: String)
    /// The input `path` holds no bytes (for CSV: not even a header line).
    case emptyFile(path: String)
    /// The CSV file `path` cannot be parsed at `line` (1-based line of the file); `reason` says what was found.
    case malformedCSV(path: String, line: Int, reason: String)
    /// The CSV file `path` has no column named `column`; `available` lists the header's columns, for the message.
    case missingColumn(path: String, column: String, available: [String])
    /// A NaN or infinity in the input `path`: for a CSV file `row` is the 1-based data row (header not
    /// counted) and `column` the column's name; for arrays (`Dataset(features:x:y:source:)`) `path` is the source's
    /// description, `row` 0-based and `column` the feature index or "y".
    case nonFinite(path: String, row: Int, column: String)
    /// A NaN or infinity in a .npy file; `row` and `column` are numpy's 0-based indices.
    case nonFiniteNpy(path: String, row: Int, column: Int)
    /// A sample weight that is negative, NaN or infinite (row 0-based), or weights that sum to 0
    /// (row -1).
    case badSampleWeight(source: String, row: Int, value: Float)
    /// A finite float64 value of a .npy file that float32 cannot hold (|v| > 3.4e38); 0-based indices.
    case outOfFloat32Range(path: String, row: Int, column: Int, value: Double)
    /// A value that the dtype it is converted to cannot hold (float16: |v| > 65504 after rounding).
    case outOfRange(path: String, row: Int, column: String, value: Float, dtype: DType)
    /// A value the dataset cannot be made from: `field` names it (a spec field such as `rows`, or `row 3`,
    /// `y`), `value` is what was given and `fix` a sentence saying what is accepted.
    case invalidSpec(field: String, value: String, fix: String)
    /// `available`: what the machine had free (nil: unknown, the allocation itself failed).
    case outOfMemory(bytes: Int, available: Int?)
    /// A .npy file (or its directory) that cannot be used; `problem` completes "PATH …".
    case npy(path: String, problem: String)
    /// Writing a dataset failed.
    case writeFailed(path: String, reason: String)
    /// The output directory exists and holds files, and replacing it was not asked for.
    case outputExists(path: String)
    /// The output path holds something that is not ours to replace (a file, or a directory that is
    /// not a Lockstep dataset); `reason` completes "PATH …".
    case outputInTheWay(path: String, reason: String)
    /// Stopped on request (a signal) before the end; nothing was left behind.
    case cancelled
    /// Another rank of an mpirun job failed while the ranks wrote one dataset together (that rank
    /// says why); nothing was written.
    case otherRankFailed(path: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "data file \(path) does not exist; check the path (relative paths are resolved from the current directory)"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .notRegularFile(path, kind):
            return "\(path) is \(kind), not a regular file; lockstep reads its inputs only from regular files "
                + "(a pipe or device could keep it waiting for ever): save the input to a file and give that path"
        case let .emptyFile(path):
            return "\(path) is empty; a CSV needs a header line and at least one data row"
        case let .malformedCSV(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .missingColumn(path, column, available):
            return "\(path) has no column '\(column)' (columns: \(available.joined(separator: ", "))); "
                + "set data.csv.target to one of them"
        case let .nonFinite(path, row, column):
            return "\(path): row \(row), column '\(column)' is NaN or infinite; clean the data first"
        case let .badSampleWeight(source, row, value):
            if row < 0 { return "\(source): the sample weights sum to \(value); give at least one row a weight > 0" }
            return "\(source): the sample weight of row \(row) (0-based) is \(value); weights must be finite and >= 0"
        case let .nonFiniteNpy(path, row, column):
            return "\(path): row \(row), column \(column) (0-based, as numpy's x[\(row), \(column)]) is NaN or infinite; clean the data first"
        case let .outOfFloat32Range(path, row, column, value):
            return "\(path): row \(row), column \(column) (0-based, as numpy's x[\(row), \(column)]) is \(value), out of float32 range "
                + "(±3.4e38); scale the data before converting it to float32"
        case let .outOfRange(path, row, column, value, dtype):
            return "\(path): row \(row), column '\(column)' is \(value), outside \(dtype.rawValue)'s range (±65504); "
                + "keep these data in float32, or scale them first"
        case let .invalidSpec(field, value, fix):
            return "invalid \(field) \(value): \(fix)"
        case let .outOfMemory(bytes, available):
            let need = bytes == Int.max ? "more bytes than can be addressed" : byteCountText(bytes)
            let have = available.map { ", and this machine has \(byteCountText($0)) available" } ?? ""
            return "the dataset needs \(need) in memory\(have); use fewer rows or features, or keep it out of memory: "
                + "make the rows on the fly (a config's materialize: false) or store them as .npy files and map them "
                + "(Dataset.generateNpy and loadNpy; lockstep generate, then --data DIR)"
        case let .npy(path, problem):
            return "\(path) \(problem)"
        case let .writeFailed(path, reason):
            return "cannot write \(path): \(reason)"
        case let .outputExists(path):
            return "\(path) exists and is not empty; choose another output directory, or ask to replace it (overwrite; --force)"
        case let .outputInTheWay(path, reason):
            return "\(path) \(reason)"
        case .cancelled:
            return "interrupted; nothing was written"
        case let .otherRankFailed(path):
            return "another rank of this job failed (its own message says why); nothing was written to \(path)"
        }
    }
}
