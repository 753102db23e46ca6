import LinearTraining

#if canImport(Glibc)
    import Glibc
#endif

/// The memory-mapped data files of a run (X.npy, y.npy) as they were when loaded: device, inode,
/// size and modification time. A file rewritten in place at the same size raises no SIGBUS, so
/// before each checkpoint and before the outputs the files are compared again: a run never saves
/// a state computed from data that changed under it.
struct MappedInputs {
    private var files: [(path: String, dev: UInt64, ino: UInt64, size: Int64, mtime: Int64, nsec: Int64)] = []

    init(_ data: DataSource) {
        guard case let .npy(dir, _) = data else { return }
        for name in ["X.npy", "y.npy"] {
            var st = stat()
            guard stat(dir + "/" + name, &st) == 0 else { continue }
            files.append((dir + "/" + name, UInt64(st.st_dev), UInt64(st.st_ino), Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec)))
        }
    }

    /// nil when every file is as loaded; otherwise a sentence naming the file and what changed.
    func change() -> String? {
        for f in files {
            var st = stat()
            guard stat(f.path, &st) == 0 else { return "\(f.path) was removed while the run used it" }
            if UInt64(st.st_dev) != f.dev || UInt64(st.st_ino) != f.ino { return "\(f.path) was replaced while the run used it" }
            if Int64(st.st_size) != f.size { return "\(f.path) changed size while the run used it (\(f.size) → \(st.st_size) bytes)" }
            if Int64(st.st_mtim.tv_sec) != f.mtime || Int64(st.st_mtim.tv_nsec) != f.nsec { return "\(f.path) was modified while the run used it" }
        }
        return nil
    }

    /// Throws (exit 74) when a file changed: no checkpoint or output of this state is written.
    func check() throws(TrainingError) {
        if let change = change() {
            throw .checkpointWriteFailed("\(change); no checkpoint written. Keep data files unchanged while a run uses them, then run again")
        }
    }
}
