import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A directory written under a temporary name beside its target and renamed into place when
/// complete, so the target is either absent, the old one, or the whole new one — never half.
///
/// The temporary is `.NAME.partial-PID` in the target's parent; it is removed when the writer fails
/// or is dropped without `commit()`, and leftovers of killed runs (their PID gone) are removed by
/// the next run for the same target.
final class StagingDirectory {
    /// What a Lockstep dataset directory holds (all of it, for `--force` to replace it).
    static let datasetFiles: Set<String> = ["X.npy", "y.npy", "meta.json"]

    let target: String
    let path: String
    let overwrite: Bool
    private let parent: String
    private let name: String
    private var committed = false

    init(target: String, overwrite: Bool) throws(DataError) {
        let url = URL(fileURLWithPath: target).standardizedFileURL
        self.target = url.path
        self.overwrite = overwrite
        name = url.lastPathComponent
        parent = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: self.target, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw .outputInTheWay(path: target, reason: "exists and is a file, not a directory; choose another output directory")
            }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: self.target)) ?? []
            if !entries.isEmpty && !overwrite {
                throw .outputExists(path: target)
            }
            // --force replaces a previous dataset only: a directory of exactly Lockstep's files.
            let foreign = entries.filter { !Self.datasetFiles.contains($0) }.sorted()
            if !foreign.isEmpty {
                throw .outputInTheWay(
                    path: target,
                    reason: "is not a lockstep dataset (it holds \(foreign.prefix(4).joined(separator: ", "))"
                        + "\(foreign.count > 4 ? ", … (\(foreign.count) in all)" : "")); only a directory holding "
                        + "nothing but X.npy, y.npy and meta.json may be replaced (overwrite; --force): choose another output directory")
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: parent, reason: "cannot create the parent directory (\(error.localizedDescription))")
        }
        path = parent + "/.\(name).partial-\(getpid())"
        Self.removeLeftovers(parent: parent, name: name)
        try? FileManager.default.removeItem(atPath: path)
        guard mkdir(path, 0o755) == 0 else {
            throw .writeFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Makes the staged directory the target: fsync it, rename it into place (moving an old target
    /// aside first when overwriting), fsync the parent so the rename itself is durable.
    func commit() throws(DataError) {
        try Self.fsyncPath(path)
        var old: String?
        if FileManager.default.fileExists(atPath: target) {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
            if entries.isEmpty {
                _ = rmdir(target)
            } else {
                guard overwrite else { throw .writeFailed(path: target, reason: "it appeared while writing; nothing was replaced") }
                let aside = parent + "/.\(name).old-\(getpid())"
                guard rename(target, aside) == 0 else { throw .writeFailed(path: target, reason: String(cString: strerror(errno))) }
                old = aside
            }
        }
        guard rename(path, target) == 0 else { throw .writeFailed(path: target, reason: String(cString: strerror(errno))) }
        committed = true
        try Self.fsyncPath(parent)
        if let old { try? FileManager.default.removeItem(atPath: old) }
    }

    static func fsyncPath(_ path: String) throws(DataError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .writeFailed(path: path, reason: "fsync: \(String(cString: strerror(errno)))") }
    }

    /// Removes `.NAME.partial-PID` and `.NAME.old-PID` of processes that no longer run.
    private static func removeLeftovers(parent: String, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries {
            for marker in [".\(name).partial-", ".\(name).old-"] where entry.hasPrefix(marker) {
                guard let pid = Int32(entry.dropFirst(marker.count)), pid != getpid() else { continue }
                if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: parent + "/" + entry) }
            }
        }
    }
}
