#if canImport(Glibc)
    import Glibc
#endif

/// `printf`-style formatting of one Double through C's `vsnprintf`: the same text as
/// `String(format:)`, at a fraction of the cost. Foundation's formatter took ~3 µs a call (10 µs on
/// the first), which the d2l lesson's three epoch lines put inside its 20 µs of training.
func cFormat(_ format: StaticString, _ value: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
        let written = withVaList([value]) { args in
            format.withUTF8Buffer { f in
                f.withMemoryRebound(to: CChar.self) { vsnprintf(buffer.baseAddress, 64, $0.baseAddress, args) }
            }
        }
        guard written >= 0 && written < 64 else { return "\(value)" }
        return String(cString: buffer.baseAddress!)
    }
}
