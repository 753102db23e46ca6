/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI, ext4 and Btrfs use it: the
/// checksum that makes a damaged or edited checkpoint detectable. Table-driven, one byte at a time
/// (a checkpoint is kilobytes; this is not on a hot path).
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32C of `bytes` (of "123456789": 0xE3069283).
    public static func of<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The CRC-32C of a string's UTF-8 bytes, as 8 lower-case hex digits.
    public static func hex(_ text: String) -> String {
        let s = String(of(text.utf8), radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}
