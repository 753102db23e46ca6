/// How X's values are stored: IEEE float32 (numpy `<f4`, the default) or IEEE float16 (`<f2`:
/// half the bytes; training converts each row to float32 in registers and computes in float32).
/// y is float32 either way.
public enum DType: String, Sendable, Equatable, CaseIterable, Codable {
    /// IEEE 754 binary32, 4 bytes a value (numpy `<f4`); training reads it as it is.
    case float32
    /// IEEE 754 binary16, 2 bytes a value (numpy `<f2`); magnitudes above 65504 cannot be stored
    /// (`DataError.outOfRange`).
    case float16

    /// Bytes per value.
    public var size: Int { self == .float32 ? 4 : 2 }

    /// numpy's dtype string, as in a `.npy` header and meta.json.
    public var npyDescr: String { self == .float32 ? "<f4" : "<f2" }

    /// The type named `float32`/`float16` (or numpy's `<f4`/`<f2`, `f4`/`f2`).
    public init?(name: String) {
        switch name {
        case "float32", "<f4", "f4": self = .float32
        case "float16", "<f2", "f2": self = .float16
        default: return nil
        }
    }
}

extension Float16 {
    /// The float16 nearest to `value` (ties to even), or nil when `value` is outside float16's
    /// finite range (|value| ≥ 65520 rounds to infinity): such data are refused, never saturated.
    @inlinable
    public init?(finiteRounding value: Float) {
        let h = Float16(value)
        guard h.isFinite || !value.isFinite else { return nil }
        self = h
    }
}

/// float32 ↔ float16 for whole buffers (row by row in the generators and the on-the-fly trainer).
package enum HalfConversion {
    /// `destination[i] = Float16(source[i])`, rounded to nearest-even (finite inputs of generated
    /// data are far inside float16's range; loaders check the range first, see `firstOutOfRange`).
    @inlinable
    package static func narrow(
        _ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<Float16>
    ) {
        for i in 0..<count { destination[i] = Float16(source[i]) }
    }

    /// Each value replaced by its float16 rounding, as float32: the values a float16 copy holds.
    @inlinable
    package static func roundThroughHalf(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { values[i] = Float(Float16(values[i])) }
    }

    /// The index of the first value that float16 cannot hold (rounds to infinity), if any.
    package static func firstOutOfRange(_ values: UnsafePointer<Float>, count: Int) -> Int? {
        (0..<count).first { Float16(finiteRounding: values[$0]) == nil }
    }
}
