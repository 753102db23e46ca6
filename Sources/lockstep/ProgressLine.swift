import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One status line on stderr, redrawn in place at most ~10 times a second; silent when stderr is
/// not a terminal (pipes, CI logs) or when asked to be quiet. Lines printed through `printAbove`
/// go to stdout above it, so results and the bar never garble each other.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    /// ANSI colour in the bar: on unless NO_COLOR is set (https://no-color.org) or TERM is dumb.
    let color: Bool
    private var lastDraw: UInt64 = 0
    private var lastText = ""
    private var drawn = false
    private let lock = NSLock()

    init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
        let env = ProcessInfo.processInfo.environment
        color = enabled && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
    }

    /// Redraws the line with `text` unless the last draw was under 100 ms ago (or `force`).
    func update(_ text: @autoclosure () -> String, force: Bool = false) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        guard force || now - lastDraw >= 100_000_000 else { return }
        lastDraw = now
        lastText = Self.fit(text(), columns: Self.terminalColumns())
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + lastText).utf8))
    }

    /// Prints `text` on stdout; with the bar showing, clears it first and redraws it below.
    func printAbove(_ text: String) {
        guard enabled else {
            print(text)
            return
        }
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        print(text)
        fflush(nil)  // every C stream: stdout, where print wrote
        if drawn { FileHandle.standardError.write(Data(lastText.utf8)) }
    }

    /// Clears the line, so what follows starts on a clean line.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        drawn = false
    }

    /// The terminal's width (80 when unknown).
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Cuts `text` to fit in `columns - 1` visible characters (a wrapped line cannot be redrawn in
    /// place), leaving ANSI colour sequences whole.
    static func fit(_ text: String, columns: Int) -> String {
        var visible = 0, out = "", inEscape = false
        for c in text {
            if c == "\u{1B}" { inEscape = true }
            if !inEscape {
                if visible >= columns - 1 { break }
                visible += 1
            }
            out.append(c)
            if inEscape && c.isLetter { inEscape = false }
        }
        return out + (text.contains("\u{1B}") ? "\u{1B}[0m" : "")
    }
}

/// Redraws a `ProgressLine` from a timer while the calling thread is busy (inside a training span):
/// `render` is called ~10 times a second on a background queue until `stop()`.
final class ProgressTicker: @unchecked Sendable {
    private let timer: DispatchSourceTimer?
    private let line: ProgressLine

    init(line: ProgressLine, render: @escaping @Sendable () -> String) {
        self.line = line
        guard line.enabled else {
            timer = nil
            return
        }
        let t = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        t.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100))
        t.setEventHandler { line.update(render()) }
        t.resume()
        timer = t
    }

    /// Stops the timer and clears the line.
    func stop() {
        timer?.cancel()
        line.finish()
    }
}

/// "1.2M", "950k", "12".
func compactCount(_ n: Int) -> String {
    let v = Double(n)
    if v >= 1e9 { return String(format: "%.1fG", v / 1e9) }
    if v >= 1e6 { return String(format: "%.1fM", v / 1e6) }
    if v >= 1e4 { return String(format: "%.0fk", v / 1e3) }
    if v >= 1e3 { return String(format: "%.2fk", v / 1e3) }
    return "\(n)"
}
