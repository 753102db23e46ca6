import Foundation
import LinearTraining

#if canImport(Glibc)
    import Glibc
#endif

/// The files a run reads (its config, its data, the checkpoint it resumes), so that no output of
/// the same run can overwrite one of them, whatever path, symbolic link or hard link names it: an
/// output is compared with the inputs by device and inode, as `cp` and `rsync` refuse to copy a
/// file onto itself.
struct InputFiles {
    private var files: [(path: String, role: String, dev: UInt64, ino: UInt64)] = []

    /// No files yet.
    init() {}

    /// The config file and the data files of `config`.
    init(configPath: String?, config: TrainingConfig) {
        if let configPath { add(configPath, role: "the config file") }
        switch config.data {
        case let .csv(path, _, _, _, _): add(path, role: "the CSV being trained on")
        case let .npy(dir, _):
            for name in ["X.npy", "y.npy", "meta.json"] { add(dir + "/" + name, role: "the data file") }
        case .synthetic, .onTheFly: break
        }
    }

    mutating func add(_ path: String, role: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        files.append((path, role, UInt64(st.st_dev), UInt64(st.st_ino)))
    }

    /// Refuses (exit 64) an output path that is one of the inputs. Paths that do not exist yet, `-`
    /// and descriptors are never inputs.
    func refuse(output path: String, flag: String) throws(CLIError) {
        var st = stat()
        guard path != "-", stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return }
        if let input = files.first(where: { $0.dev == UInt64(st.st_dev) && $0.ino == UInt64(st.st_ino) }) {
            let same = input.path == path ? "" : " (\(input.path))"
            throw CLIError(
                message: "\(flag) \(path) is \(input.role)\(same) of this run; writing it would destroy the input: choose another path",
                status: .usage)
        }
    }

    /// `refuse(output:)` for each file a directory output would hold.
    func refuse(directory dir: String, files names: [String], flag: String) throws(CLIError) {
        for name in names { try refuse(output: dir + "/" + name, flag: flag) }
    }

    /// Refuses two outputs of one run on the same path (the second would replace the first).
    static func refuseDuplicates(_ outputs: [(flag: String, path: String?)]) throws(CLIError) {
        var seen: [String: String] = [:]
        for case let (flag, path?) in outputs where path != "-" {
            var st = stat()
            if stat(path, &st) == 0 && st.st_mode & S_IFMT != S_IFREG { continue }  // /dev/null twice is fine
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            if let other = seen[key] {
                throw CLIError(message: "\(other) and \(flag) name the same file \(path); give each its own path", status: .usage)
            }
            seen[key] = flag
        }
    }
}
