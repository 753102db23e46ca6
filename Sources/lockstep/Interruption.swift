import CLockstepShims
import LinearTraining

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT, SIGTERM and SIGHUP turned into a flag that long jobs poll between pieces of work, so they can
/// stop cleanly (save a checkpoint or remove temporaries, say what happened) and exit 130 or 143
/// as a shell expects. The handler is a C one (signals.c) that only records the signal and sets a
/// trainer's stop word: it runs even while every worker thread is busy inside a training span.
enum Interruption {
    /// Starts watching (idempotent): the signals no longer kill the process by themselves.
    static func watch() {
        _ = ls_watch_signals()
    }

    /// While reading the config and the data nothing is written yet: a signal then ends the
    /// process at once (a line on stderr, exit 130/143/129) instead of being noticed only when a
    /// long parse or load has finished. Turned off before the first output is made.
    static func exitAtOnce(_ on: Bool) {
        ls_set_exit_on_signal(on ? 1 : 0)
    }

    /// Makes a signal also ask `progress`'s run to stop after the step in progress (nil: no longer).
    static func stopOnSignal(_ progress: TrainingProgress?) {
        ls_set_stop_word(progress?.stopWord)
        if isRequested { progress?.requestStop() }  // a signal that came before
    }

    /// The signal received since `watch()`, or nil.
    static var receivedSignal: Int32? {
        let s = ls_received_signal()
        return s == 0 ? nil : s
    }

    static var isRequested: Bool { ls_received_signal() != 0 }

    /// 128 + the signal: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
    static var exitCode: Int32 { 128 + (receivedSignal ?? SIGINT) }

    static var signalName: String {
        switch receivedSignal {
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "SIGINT"
        }
    }
}
