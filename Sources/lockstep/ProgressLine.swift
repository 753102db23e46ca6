import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One status line on stderr, redrawn in place at most ~10 times a second; silent when stderr is
/// not a terminal (pipes, CI logs) or when asked to be quiet.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private let lock = NSLock()

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// Redraws the line with `text` unless the last draw was under 100 ms ago (or `force`).
    func update(_ text: @autoclosure () -> String, force: Bool = false) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard force || now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text()).utf8))
    }

    /// Clears the line, so what follows starts on a clean line.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        drawn = false
    }
}

/// "1.2M", "950k", "12".
func compactCount(_ n: Int) -> String {
    let v = Double(n)
    if v >= 1e9 { return String(format: "%.1fG", v / 1e9) }
    if v >= 1e6 { return String(format: "%.1fM", v / 1e6) }
    if v >= 1e4 { return String(format: "%.0fk", v / 1e3) }
    return "\(n)"
}

/// "0:07", "1:02:03".
func clock(_ seconds: Double) -> String {
    guard seconds.isFinite && seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}
