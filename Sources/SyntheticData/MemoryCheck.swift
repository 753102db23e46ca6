import Foundation

/// The check before a dataset is allocated: its bytes must fit in the memory this machine has
/// available now, with room to spare. Memory is mapped lazily (MAP_NORESERVE), so without this a
/// dataset too large would be "allocated" and then kill the process (the OOM killer) while it is
/// filled.
public enum MemoryCheck {
    /// The fraction of available memory a dataset may take.
    public static let usableFraction = 0.9

    /// Bytes the kernel says can be allocated without swapping (MemAvailable), or nil if unknown.
    public static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let kib = Int(parts[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// Throws `.outOfMemory` unless `rows × floatsPerRow` Floats fit (checked without overflow).
    public static func requireRoom(rows: Int, floatsPerRow: Int, available: Int? = availableBytes()) throws(DataError) {
        let (floats, o1) = rows.multipliedReportingOverflow(by: floatsPerRow)
        let (bytes, o2) = floats.multipliedReportingOverflow(by: 4)
        guard !o1 && !o2 && bytes >= 0 else { throw .outOfMemory(bytes: Int.max, available: available) }
        if let available, Double(bytes) > Double(available) * usableFraction {
            throw .outOfMemory(bytes: bytes, available: available)
        }
    }
}

/// A byte count for people: "512 B", "1.5 KiB", "23.2 GiB", "150 GiB".
public func byteCountText(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var v = Double(n), i = 0
    while v >= 1024 && i < units.count - 1 {
        v /= 1024
        i += 1
    }
    guard i > 0 else { return "\(n) B" }
    // C's vsnprintf, the same text as `String(format:)`: a run's first Foundation-formatted number
    // cost ~0.1 ms of start-up (this is in the `train` header).
    var buffer = [CChar](repeating: 0, count: 32)
    let written = withVaList([v]) { args in vsnprintf(&buffer, buffer.count, v >= 100 ? "%.0f " : "%.1f ", args) }
    guard written > 0 && written < buffer.count else { return "\(v) " + units[i] }
    return String(cString: buffer) + units[i]
}
