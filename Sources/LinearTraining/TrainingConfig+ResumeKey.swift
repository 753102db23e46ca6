import SyntheticData

extension TrainingConfig {
    /// The config values that decide a run's result, flattened to `path → JSON text`. Left out:
    /// threads, executor and core binding (results are bitwise identical for all of them), epochs
    /// (a resumed run may go further), and the data block (the data is identified by its fingerprint,
    /// so moved or re-generated files resume).
    public var resumeKey: [String: String] {
        var out: [String: String] = [:]
        func walk(_ v: JSONValue, _ path: String) {
            if case let .object(pairs) = v {
                for (k, child) in pairs { walk(child, path.isEmpty ? k : path + "." + k) }
            } else {
                out[path] = v.text()
            }
        }
        walk(json(threads: nil), "")
        // The data are identified by their fingerprints; of the validation block, the split's rule counts,
        // and standardising changes what is trained.
        for k in out.keys where k.hasPrefix("data.") && k != "data.validation.fraction" && k != "data.validation.seed"
            && k != "data.standardize" { out[k] = nil }
        for k in ["training.threads", "training.executor", "training.bind", "training.epochs"] { out[k] = nil }
        // The Double a schedule starts from can differ from the Float the config text shows.
        if schedule != nil { out["training.schedule.baseLr"] = "\(scheduleBaseLR)" }
        return out
    }
}
