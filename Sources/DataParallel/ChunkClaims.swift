import CLockstepShims

/// Which worker computes which chunk of a step: each worker starts on its own contiguous share
/// (`ShardPlan.slice`), claiming its chunks one at a time from the front; when its share is done it
/// takes the unclaimed chunks of the other shares. A worker on a slower, busier or descheduled core
/// then holds a step up by at most the chunk it is in, not by the rest of its share.
///
/// Which worker computes a chunk never changes its partial sum (slot `k` is chunk `k`'s, reduced in
/// chunk order), so the bits are the same as with a fixed split, for any thread count.
///
/// One 32-bit counter per worker, a cache line each: claims on a worker's own share touch only its
/// own line; another worker's line is only read (and then written) once the reader runs out of work.
/// A counter is the number of its share's chunks claimed (or tried) this step. Each worker resets its
/// own counter in the phase after the claims (`reset(worker:)`); barriers before and after that phase
/// keep a reset from racing a claim.
///
/// A plain pointer, so the step programs holding it stay trivially copyable; the owner allocates
/// with `allocate(workers:)` and frees with `deallocate()`.
package struct ChunkClaims: @unchecked Sendable {
    @usableFromInline let counters: UnsafeMutablePointer<UInt32>

    @usableFromInline static var stride: Int { 16 }

    /// Counters for up to `workers` workers, all zero.
    package static func allocate(workers: Int) -> ChunkClaims {
        precondition(workers >= 1, "chunk claims need at least one worker, got \(workers)")
        let raw = UnsafeMutableRawPointer.allocate(byteCount: workers * stride * 4, alignment: 64)
        let counters = raw.bindMemory(to: UInt32.self, capacity: workers * stride)
        counters.initialize(repeating: 0, count: workers * stride)
        return ChunkClaims(counters: counters)
    }

    /// Frees the counters; no copy of these claims may be used after it (call once, by the owner).
    package func deallocate() { counters.deallocate() }

    /// Calls `body(k)` for the chunks of `0..<chunks` this worker claims: every chunk goes to exactly
    /// one of the `workers` workers calling this in the same phase. One worker takes them all in order,
    /// without atomics.
    @inlinable @inline(__always)
    package func forEach(chunks: Int, worker: Int, of workers: Int, _ body: (Int) -> Void) {
        if workers == 1 {
            for k in 0..<chunks { body(k) }
            return
        }
        var owner = worker
        repeat {
            let share = ShardPlan.slice(chunks, worker: owner, of: workers)
            let counter = counters + owner &* Self.stride
            // Another's exhausted share is only read: no write to pull its line away from its owner.
            if owner == worker || Int(ls_load_acquire(counter)) < share.count {
                while true {
                    let k = share.lowerBound &+ Int(ls_fetch_add(counter, 1))
                    if k >= share.upperBound { break }
                    body(k)
                }
            }
            owner = owner &+ 1 == workers ? 0 : owner &+ 1
        } while owner != worker
    }

    /// Makes this worker's share claimable again, for the next step. Call it between the barrier
    /// that ends a phase of claims and the one before the next.
    @inlinable @inline(__always)
    package func reset(worker: Int) {
        ls_store_release(counters + worker &* Self.stride, 0)
    }
}
