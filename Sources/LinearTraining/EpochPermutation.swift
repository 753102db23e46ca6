import SyntheticData

/// The order of the rows in one epoch: a pseudo-random permutation of `0..<rows` from (seed, epoch).
///
/// Index i maps to `permute(i)`, computed on its own: a keyed bijection of the k-bit integers
/// (k = bits of rows − 1; rounds of add-key, xorshift, odd multiply, xorshift), applied again while
/// the value is ≥ rows ("cycle walking", < 2 rounds on average). Because every index is computed
/// independently, workers fill disjoint slices of the permutation in parallel and the result is
/// the same for any thread count. Rejected: Fisher–Yates, which is inherently sequential (the C
/// yardstick spends a large part of a w3 epoch in it).
public struct EpochPermutation: Sendable {
    public let rows: Int
    let mask: UInt64
    let shift: UInt64
    let keys: (UInt64, UInt64, UInt64)
    let multipliers: (UInt64, UInt64, UInt64)
    /// The same constants cut to 32 bits, for `fill`: k ≤ 32, and the low k bits of sums, products
    /// and (k-bit) shifts depend only on the low k bits of their inputs, so the 32-bit rounds give
    /// exactly the 64-bit results, with twice the lanes per vector.
    let mask32: UInt32, shift32: UInt32
    let keys32: (UInt32, UInt32, UInt32)
    let multipliers32: (UInt32, UInt32, UInt32)

    public init(rows: Int, seed: UInt64, epoch: Int) {
        precondition(rows >= 1 && rows <= Int(UInt32.max), "rows must be in 1...\(UInt32.max), got \(rows)")
        self.rows = rows
        var bits: UInt64 = 1
        while (1 << bits) < UInt64(rows) { bits += 1 }
        mask = (1 << bits) - 1
        shift = max(1, (bits + 1) / 2)
        var state = seed ^ (UInt64(epoch) &* 0xD1B5_4A32_D192_ED03) ^ 0x7065_726D  // "perm"
        keys = (RandomSource.splitmix(&state), RandomSource.splitmix(&state), RandomSource.splitmix(&state))
        multipliers = (
            RandomSource.splitmix(&state) | 1, RandomSource.splitmix(&state) | 1, RandomSource.splitmix(&state) | 1
        )
        mask32 = UInt32(truncatingIfNeeded: mask)
        shift32 = UInt32(truncatingIfNeeded: shift)
        keys32 = (UInt32(truncatingIfNeeded: keys.0), UInt32(truncatingIfNeeded: keys.1), UInt32(truncatingIfNeeded: keys.2))
        multipliers32 = (
            UInt32(truncatingIfNeeded: multipliers.0), UInt32(truncatingIfNeeded: multipliers.1),
            UInt32(truncatingIfNeeded: multipliers.2)
        )
    }

    /// One round on k-bit values (k = bits of `mask`): add-key, xorshift, odd multiply, xorshift. One
    /// body for the 64-bit definition and the 32-bit fill.
    @inline(__always)
    static func round<T: FixedWidthInteger & UnsignedInteger>(_ v: T, key: T, mul: T, mask: T, shift: T) -> T {
        var x = (v &+ key) & mask
        x ^= x &>> shift
        x = (x &* mul) & mask
        x ^= x &>> shift
        return x
    }

    /// The three rounds, once (the bijection of the k-bit integers, before cycle walking).
    @inline(__always)
    func rounds(_ v: UInt64) -> UInt64 {
        let a = Self.round(v, key: keys.0, mul: multipliers.0, mask: mask, shift: shift)
        let b = Self.round(a, key: keys.1, mul: multipliers.1, mask: mask, shift: shift)
        return Self.round(b, key: keys.2, mul: multipliers.2, mask: mask, shift: shift)
    }

    /// `rounds` in 32-bit arithmetic (same values).
    @inline(__always)
    func rounds32(_ v: UInt32) -> UInt32 {
        let m = mask32, s = shift32
        let a = Self.round(v, key: keys32.0, mul: multipliers32.0, mask: m, shift: s)
        let b = Self.round(a, key: keys32.1, mul: multipliers32.1, mask: m, shift: s)
        return Self.round(b, key: keys32.2, mul: multipliers32.2, mask: m, shift: s)
    }

    /// The row visited at position `i` of the epoch.
    @inline(__always)
    public func permute(_ i: Int) -> UInt32 {
        var x = UInt64(i)
        repeat { x = rounds(x) } while x >= UInt64(rows)
        return UInt32(truncatingIfNeeded: x)
    }

    /// Continues `permute`'s cycle walk from a value that landed at or past `rows` (32-bit rounds).
    @inline(__always)
    func walk(from value: UInt32) -> UInt32 {
        let limit = UInt32(truncatingIfNeeded: rows)
        var x = value
        repeat { x = rounds32(x) } while x >= limit
        return x
    }

    /// Re-walks the positions in `range` whose three rounds landed at or past `rows`, found 16 at a
    /// time with a vector compare and a lane bitmask (a branch per position mispredicted on ~2 %).
    @inline(__always)
    func walkOutOfRange(_ out: UnsafeMutablePointer<UInt32>, _ range: Range<Int>) {
        let limit = UInt32(truncatingIfNeeded: rows)
        let limits = SIMD16<UInt32>(repeating: limit)
        let laneBits = SIMD16<UInt32>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
        var i = range.lowerBound
        while i &+ 16 <= range.upperBound {
            let v = UnsafeRawPointer(out + i).loadUnaligned(as: SIMD16<UInt32>.self)
            var bits = SIMD16<UInt32>(repeating: 0).replacing(with: laneBits, where: v .>= limits).wrappedSum()
            while bits != 0 {
                let lane = bits.trailingZeroBitCount
                out[i &+ lane] = walk(from: out[i &+ lane])
                bits &= bits &- 1
            }
            i &+= 16
        }
        while i < range.upperBound {
            if out[i] >= limit { out[i] = walk(from: out[i]) }
            i &+= 1
        }
    }

    /// Writes positions `range` of the permutation into `out[range]`.
    ///
    /// In blocks of 4096: first every position's three rounds with no branch, which LLVM vectorises
    /// (16 lanes of 32-bit multiplies with AVX-512), then the few values that land at or past `rows`
    /// are walked on one at a time. 12 % of a 1-thread w3 epoch went to the scalar loop before.
    public func fill(_ out: UnsafeMutablePointer<UInt32>, range: Range<Int>) {
        let limit = UInt64(rows)
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start &+ 4096, range.upperBound)
            for i in start..<end { out[i] = rounds32(UInt32(truncatingIfNeeded: i)) }
            if mask &+ 1 != limit { walkOutOfRange(out, start..<end) }
            start = end
        }
    }
}
