/// Per-chunk partial sums: `slots × stride` floats, row-major, 64-byte aligned, zero-initialised.
///
/// Slot `k` holds what chunk `k` of the current batch produced: `width` numbers (for linear
/// regression: Σ r·x over d features, Σ r, Σ loss) padded with zeros to `stride`, a multiple of 16,
/// so reductions run on whole SIMD16 vectors and slots never share a cache line.
/// Owned by one trainer; written by chunk `k`'s worker only, read by everyone after a barrier.
public final class GradientBuffers: @unchecked Sendable {
    public let slots: Int
    public let width: Int
    public let stride: Int
    public let base: UnsafeMutablePointer<Float>

    public init(slots: Int, width: Int) {
        precondition(slots >= 1 && width >= 1, "slots \(slots), width \(width)")
        self.slots = slots
        self.width = width
        self.stride = (width + 15) / 16 * 16
        let raw = UnsafeMutableRawPointer.allocate(byteCount: slots * stride * 4, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: slots * stride)
        base.initialize(repeating: 0, count: slots * stride)
    }

    deinit { base.deallocate() }

    /// Start of slot `k`.
    @inlinable
    public func slot(_ k: Int) -> UnsafeMutablePointer<Float> { base + k &* stride }
}
