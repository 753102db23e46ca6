/// Per-chunk partial sums: `slots × stride` floats, row-major, 64-byte aligned, zero-initialised.
///
/// Slot `k` holds what chunk `k` of the current batch produced: `width` numbers (for linear
/// regression: Σ r·x over d features, Σ r, Σ loss) padded with zeros to `stride`, a multiple of 16,
/// so reductions run on whole SIMD16 vectors and slots never share a cache line.
/// Owned by one trainer; written by chunk `k`'s worker only, read by everyone after a barrier.
package final class GradientBuffers: @unchecked Sendable {
    /// How many slots: one per chunk of the largest batch (`ShardPlan.maxChunks`).
    package let slots: Int
    /// Floats a slot holds that mean something (for linear regression d + 2).
    package let width: Int
    /// Floats from one slot to the next: `width` rounded up to a multiple of 16.
    package let stride: Int
    /// The first float of slot 0; the buffer is `slots × stride` floats, freed with this object.
    package let base: UnsafeMutablePointer<Float>

    /// Zeroed buffers of `slots` slots of `width` floats each (both at least 1).
    package init(slots: Int, width: Int) {
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
    package func slot(_ k: Int) -> UnsafeMutablePointer<Float> { base + k &* stride }
}
