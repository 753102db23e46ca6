/// The storage types a row of X may have: IEEE float32 (numpy `<f4`) or IEEE float16 (`<f2`).
/// Kernels are generic over it and specialised for each, so a float16 row is converted to float32
/// in registers as it is loaded and every sum is the float32 arithmetic of the float32 kernel over
/// the converted values: a float16 dataset gives exactly the bits its float32 conversion gives.
///
/// float16 → float32 is exact (every float16 is a float32), so there is no rounding choice to make.
/// The AVX-512 copy (`LOCKSTEP_F16C`) lets LLVM use `vcvtph2ps` (16 values per instruction); the
/// portable copy converts with integer operations on the bit patterns (no per-value library call),
/// checked against `Float(Float16)` for all 65 536 patterns in the tests.
protocol XElement {
    /// 16 consecutive values, as float32.
    static func load16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
    /// 8 consecutive values, as float32.
    static func load8(_ p: UnsafePointer<Self>) -> SIMD8<Float>
    /// The interleaved pairs (x0, x1) of the 8 rows `indices[k..<k+8]` of a d = 2 X, as 16 float32
    /// values: row l's x0 in lane 2l, its x1 in lane 2l + 1.
    static func gatherPairs(_ x: UnsafePointer<Self>, _ indices: UnsafePointer<UInt32>, _ k: Int) -> SIMD16<Float>
    /// This value as float32.
    var float: Float { get }
}

extension Float: XElement {
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) static func gatherPairs(
        _ x: UnsafePointer<Float>, _ indices: UnsafePointer<UInt32>, _ k: Int
    ) -> SIMD16<Float> {
        let raw = UnsafeRawPointer(x)
        var both = SIMD8<UInt64>()
        for l in 0..<8 { both[l] = raw.loadUnaligned(fromByteOffset: Int(indices[k &+ l]) &* 8, as: UInt64.self) }
        return unsafeBitCast(both, to: SIMD16<Float>.self)
    }
    @inline(__always) var float: Float { self }
}

extension Float16: XElement {
    @inline(__always) static func load16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> {
        halfToFloat(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self))
    }
    @inline(__always) static func load8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
        let v = halfToFloat(SIMD16(lowHalf: UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt16>.self), highHalf: .zero))
        return v.lowHalf
    }
    @inline(__always) static func gatherPairs(
        _ x: UnsafePointer<Float16>, _ indices: UnsafePointer<UInt32>, _ k: Int
    ) -> SIMD16<Float> {
        let raw = UnsafeRawPointer(x)
        var both = SIMD8<UInt32>()
        for l in 0..<8 { both[l] = raw.loadUnaligned(fromByteOffset: Int(indices[k &+ l]) &* 4, as: UInt32.self) }
        return halfToFloat(unsafeBitCast(both, to: SIMD16<UInt16>.self))
    }
    @inline(__always) var float: Float { Float(self) }
}

/// 16 float16 bit patterns as float32 values, exactly.
@inline(__always)
func halfToFloat(_ h: SIMD16<UInt16>) -> SIMD16<Float> {
    #if LOCKSTEP_F16C
        // Lane by lane, which LLVM turns into one vcvtph2ps (the stdlib's SIMD-to-SIMD initialiser
        // is an out-of-line generic call instead).
        let f16 = unsafeBitCast(h, to: SIMD16<Float16>.self)
        var f = SIMD16<Float>()
        for i in 0..<16 { f[i] = Float(f16[i]) }
        return f
    #else
        // Without F16C, `Float(Float16)` is a library call per value. Instead: the magnitude's bits
        // shifted into a float32's place are that value × 2^-112 (a normal float16 becomes a normal
        // float32 with the exponent rebased, a subnormal one a float32 subnormal); one exact
        // multiply by 2^112 rescales both. Infinities and NaNs (exponent 31) take the float32
        // maximum exponent with their payload; then the sign goes back on.
        var u = SIMD16<UInt32>()
        for i in 0..<16 { u[i] = UInt32(h[i]) }
        let magnitude = (u & 0x7fff) &<< 13
        let scaled = unsafeBitCast(magnitude, to: SIMD16<Float>.self) * SIMD16<Float>(repeating: 0x1p112)
        var bits = unsafeBitCast(scaled, to: SIMD16<UInt32>.self)
        bits.replace(with: magnitude | 0x7f80_0000, where: (u & 0x7c00) .== SIMD16<UInt32>(repeating: 0x7c00))
        bits |= (u & 0x8000) &<< 16
        return unsafeBitCast(bits, to: SIMD16<Float>.self)
    #endif
}
