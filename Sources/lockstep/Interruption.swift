import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM turned into a flag that long jobs poll between pieces of work, so they can
/// stop cleanly (remove temporaries, say what happened) and exit 130 or 143 as a shell expects.
enum Interruption {
    private static let received = Atomic<Int32>(0)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Starts watching (once per process): the signals no longer kill the process by themselves.
    static func watch() {
        guard sources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { _ = received.compareExchange(expected: 0, desired: sig, ordering: .relaxed) }
            source.resume()
            sources.append(source)
        }
    }

    /// The signal received since `watch()`, or nil.
    static var receivedSignal: Int32? {
        let s = received.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    static var isRequested: Bool { received.load(ordering: .relaxed) != 0 }

    /// 128 + the signal: 130 for SIGINT, 143 for SIGTERM.
    static var exitCode: Int32 { 128 + (receivedSignal ?? SIGINT) }
}
