/// The one audited way to hand a raw buffer to concurrently running workers.
///
/// Swift 6 cannot prove that workers write disjoint parts of a buffer; the step structure does
/// (chunk `k` is written only by the worker that owns it, coordinate slices are disjoint, and
/// barriers separate writes from reads). Every shared buffer crosses into a `@Sendable` closure
/// wrapped in this type, so `grep SharedPointer` finds every place that relies on that argument.
@usableFromInline package struct SharedPointer<Pointee>: @unchecked Sendable {
    /// The wrapped pointer; the caller, not this type, keeps the buffer alive and the writes disjoint.
    @usableFromInline package let base: UnsafeMutablePointer<Pointee>

    /// Wraps `base` for passing into `@Sendable` worker closures.
    @inlinable
    package init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
}
