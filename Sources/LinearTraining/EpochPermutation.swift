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
    /// Number of rows permuted: the permutation is of 0..<rows.
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

    /// The permutation of `0..<rows` for `epoch` of a run seeded `seed`: the same three inputs give the same order
    /// on every machine and thread count. `rows` must be in 1...UInt32.max (a precondition).
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

    /// `rounds32` on 16 lanes (same values, lane by lane).
    @inline(__always)
    func rounds(lanes v: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let a = Self.round(lanes: v, key: keys32.0, mul: multipliers32.0, mask: mask32, shift: shift32)
        let b = Self.round(lanes: a, key: keys32.1, mul: multipliers32.1, mask: mask32, shift: shift32)
        return Self.round(lanes: b, key: keys32.2, mul: multipliers32.2, mask: mask32, shift: shift32)
    }

    /// `round` on 16 lanes. (Concrete on purpose: generic over `SIMD`, the same code runs the
    /// stdlib's lane-by-lane fallbacks, and `SIMD64` spills to a 146 KiB stack frame; both are
    /// about 1000× slower.)
    @inline(__always)
    static func round(lanes v: SIMD16<UInt32>, key: UInt32, mul: UInt32, mask: UInt32, shift: UInt32) -> SIMD16<UInt32> {
        var x = (v &+ key) & mask
        x ^= x &>> shift
        x = (x &* mul) & mask
        x ^= x &>> shift
        return x
    }

    /// Writes positions `range` of the permutation into `out[range]`.
    ///
    /// In vector registers: the three rounds on every lane, then, while any lane is at or past
    /// `rows`, the rounds again on those lanes only (a masked blend) until none is. A cycle walk is
    /// needed on 2–5 % of lanes for most sizes (up to half just past a power of two); a block takes
    /// as many passes as its worst lane. Blocks of 64 positions (four registers side by side, which
    /// hides the multiplies' latency and takes a quarter of the branches), then of 16, then one at
    /// a time.
    ///
    /// ns a position at 1000 / 1025 / 4M rows: finding the out-of-range lanes with a lane bitmask
    /// and walking them one at a time in scalar code, 0.60 / 4.6 / 1.25; 16 lanes with the masked
    /// blend, 0.48 / 2.5 / 1.05; blocks of 64, 0.55 / 2.2 / 0.66.
    package func fill(_ out: UnsafeMutablePointer<UInt32>, range: Range<Int>) {
        typealias V = SIMD16<UInt32>
        let limits = V(repeating: UInt32(truncatingIfNeeded: rows))
        let walks = mask &+ 1 != UInt64(rows)
        var positions = V(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &+ UInt32(truncatingIfNeeded: range.lowerBound)
        var i = range.lowerBound
        while i &+ 64 <= range.upperBound {
            var v0 = rounds(lanes: positions), v1 = rounds(lanes: positions &+ 16)
            var v2 = rounds(lanes: positions &+ 32), v3 = rounds(lanes: positions &+ 48)
            if walks {
                var o0 = v0 .>= limits, o1 = v1 .>= limits, o2 = v2 .>= limits, o3 = v3 .>= limits
                while any(o0 .| o1 .| o2 .| o3) {
                    v0.replace(with: rounds(lanes: v0), where: o0)
                    v1.replace(with: rounds(lanes: v1), where: o1)
                    v2.replace(with: rounds(lanes: v2), where: o2)
                    v3.replace(with: rounds(lanes: v3), where: o3)
                    o0 = v0 .>= limits
                    o1 = v1 .>= limits
                    o2 = v2 .>= limits
                    o3 = v3 .>= limits
                }
            }
            let at = UnsafeMutableRawPointer(out + i)
            at.storeBytes(of: v0, as: V.self)
            at.storeBytes(of: v1, toByteOffset: 64, as: V.self)
            at.storeBytes(of: v2, toByteOffset: 128, as: V.self)
            at.storeBytes(of: v3, toByteOffset: 192, as: V.self)
            positions &+= 64
            i &+= 64
        }
        while i &+ 16 <= range.upperBound {
            var v = rounds(lanes: positions)
            if walks {
                var over = v .>= limits
                while any(over) {
                    v.replace(with: rounds(lanes: v), where: over)
                    over = v .>= limits
                }
            }
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: V.self)
            positions &+= 16
            i &+= 16
        }
        let limit = UInt32(truncatingIfNeeded: rows)
        while i < range.upperBound {
            let v = rounds32(UInt32(truncatingIfNeeded: i))
            out[i] = v < limit ? v : walk(from: v)
            i &+= 1
        }
    }
}
