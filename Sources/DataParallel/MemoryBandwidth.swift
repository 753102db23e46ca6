import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The machine's read bandwidth, measured STREAM-style: workers each read their slice of a large
/// buffer (XOR of 64-bit words, which vectorises and cannot be skipped), best of several passes.
/// The ceiling a memory-bound training epoch is compared with.
package enum MemoryBandwidth {
    /// Below this, a region is too close to the caches to measure memory: `measureRead(over:)`
    /// callers with less data measure a buffer of this size instead.
    package static let smallestRegion = 256 << 20

    /// GB/s (10⁹ bytes) of reading a fresh `bytes` buffer with `threads` threads, the best of
    /// `passes` (the buffer is filled first, so its pages are real; it is freed before returning).
    package static func measureRead(bytes: Int = smallestRegion, threads: Int, passes: Int = 5) -> Double {
        let words = bytes / 8
        let raw = mmap(nil, words * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let raw, raw != MAP_FAILED else { return .nan }
        defer { munmap(raw, words * 8) }
        _ = madvise(raw, words * 8, MADV_HUGEPAGE)
        let base = SharedPointer(raw.bindMemory(to: UInt64.self, capacity: words))
        let workers = max(1, threads)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let range = ShardPlan.slice(words, worker: w, of: workers)
            for i in range { base.base[i] = UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15 }
        }
        return measureRead(over: UnsafeRawPointer(raw), bytes: words * 8, threads: threads, passes: passes)
    }

    /// GB/s of reading `bytes` at `start` (memory the caller already has, e.g. a dataset's X: no
    /// extra memory) with `threads` threads, the best of `passes`. Only whole 8-byte words are read;
    /// `start` need not be aligned.
    package static func measureRead(over start: UnsafeRawPointer, bytes: Int, threads: Int, passes: Int = 5) -> Double {
        let aligned = (Int(bitPattern: start) + 7) & ~7
        let words = (Int(bitPattern: start) + bytes - aligned) / 8
        guard words > 0, let first = UnsafePointer<UInt64>(bitPattern: aligned) else { return .nan }
        let base = SharedPointer(UnsafeMutablePointer(mutating: first))
        let workers = max(1, threads)
        let sink = UnsafeMutablePointer<UInt64>.allocate(capacity: 8 * workers)
        defer { sink.deallocate() }
        let out = SharedPointer(sink)
        var best = Double.infinity
        for _ in 0..<passes {
            let t0 = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let range = ShardPlan.slice(words, worker: w, of: workers)
                let p = UnsafePointer(base.base)
                var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
                var i = range.lowerBound
                while i &+ 4 <= range.upperBound {
                    a ^= p[i]
                    b ^= p[i &+ 1]
                    c ^= p[i &+ 2]
                    d ^= p[i &+ 3]
                    i &+= 4
                }
                while i < range.upperBound {
                    a ^= p[i]
                    i &+= 1
                }
                out.base[8 &* w] = a ^ b ^ c ^ d
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return Double(words * 8) / best / 1e9
    }
}
