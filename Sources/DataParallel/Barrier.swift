import CLockstepShims

/// A reusable barrier for a fixed number of workers: spins briefly, then yields, then sleeps on a futex.
///
/// A step waits here twice (after compute, after update). With one worker per core the wait is
/// usually below a microsecond of spinning; when the machine is oversubscribed (more runnable
/// threads than cores) spinning would steal the time the late worker needs, so after `spinLimit`
/// pauses it yields, and after `yieldLimit` yields it sleeps until the last arrival wakes it.
public final class Barrier: @unchecked Sendable {
    /// How many workers must arrive before any is released; at least 1 (1 never waits).
    public let parties: Int
    /// Three 32-bit words on separate cache lines: arrivals, generation, sleepers.
    private let words: UnsafeMutablePointer<UInt32>
    private let spinLimit: Int
    private let yieldLimit: Int

    /// A barrier for `parties` workers that spins up to `spinLimit` pauses, then yields up to
    /// `yieldLimit` times, then sleeps on a futex until the last arrival.
    public init(parties: Int, spinLimit: Int = 4000, yieldLimit: Int = 200) {
        precondition(parties >= 1, "a barrier needs at least one party, got \(parties)")
        self.parties = parties
        self.spinLimit = spinLimit
        self.yieldLimit = yieldLimit
        words = UnsafeMutablePointer<UInt32>.allocate(capacity: 48)
        words.initialize(repeating: 0, count: 48)
    }

    deinit { words.deallocate() }

    private var arrivals: UnsafeMutablePointer<UInt32> { words }
    private var generation: UnsafeMutablePointer<UInt32> { words + 16 }
    private var sleepers: UnsafeMutablePointer<UInt32> { words + 32 }

    /// Blocks until all `parties` workers have called `arriveAndWait()` for this round.
    /// Returns the number of spin/yield/sleep rounds it waited (0 for the last to arrive).
    @discardableResult
    public func arriveAndWait() -> Int {
        if parties == 1 { return 0 }
        let gen = ls_load_acquire(generation)
        if ls_fetch_add(arrivals, 1) == UInt32(parties - 1) {
            ls_store_release(arrivals, 0)
            _ = ls_fetch_add(generation, 1)
            if ls_load_seq_cst(sleepers) != 0 { ls_futex_wake_all(generation) }
            return 0
        }
        var rounds = 0
        while ls_load_acquire(generation) == gen {
            rounds &+= 1
            if rounds < spinLimit {
                ls_cpu_pause()
            } else if rounds < spinLimit + yieldLimit {
                ls_sched_yield()
            } else {
                _ = ls_fetch_add(sleepers, 1)
                ls_futex_wait(generation, gen)
                _ = ls_fetch_sub(sleepers, 1)
            }
        }
        return rounds
    }
}
