import CLockstepShims
import DataParallel
import SyntheticData

/// Where a span's kernels read rows: X and y in memory, or (on-the-fly data) rows made into the
/// worker's own scratch space just before the kernel runs over them in order. The kernels' arithmetic
/// does not depend on how rows are addressed, so both give the same bits.
struct RowSource {
    /// The copy of the kernels that runs (see `Trainer.kernelTarget`).
    let target: GradientKernels.Target
    /// What the kernels sum per row (from the loss).
    let objective: GradientKernels.Objective
    /// X as float32 (unused when `xHalf` is set).
    let x: SharedPointer<Float>
    /// X as float16, when the dataset stores it so: the float16 kernels convert rows in registers.
    let xHalf: SharedPointer<Float16>?
    let y: SharedPointer<Float>
    /// The stored dataset's sample weights (nil: none, or data made on the fly).
    let weights: SharedPointer<Float>?
    /// Owned by the trainer (a pointer keeps this type, and the spans holding it, trivially copyable).
    let maker: SharedPointer<SyntheticRows>?
    /// On-the-fly float16 data: made rows are rounded through float16, so they hold the values a
    /// stored float16 dataset of the same spec holds (and the kernels give the same bits).
    let roundsToHalf: Bool
    /// Per worker: `scratchStride` floats, X rows then their y.
    let scratch: SharedPointer<Float>?
    let scratchStride: Int
    let scratchRows: Int

    /// Runs the kernel on `count` rows: positions `first…` of the permutation, or rows `first…`.
    @inline(__always)
    func accumulate(
        _ kind: GradientKernels.Kind, worker: Int, d: Int, first: Int, count: Int, permutation: SharedPointer<UInt32>?,
        rows: Int, w: UnsafePointer<Float>, b: Float, out: UnsafeMutablePointer<Float>
    ) {
        if let scratch {
            let sx = scratch.base + worker &* scratchStride, sy = sx + scratchRows &* d
            make(first: first, count: count, permutation: permutation, d: d, x: sx, y: sy)
            GradientKernels.accumulate(
                kind, target: target, x: sx, y: sy, d: d, first: 0, count: count, indices: nil, available: 0, w: w, b: b, out: out,
                objective: objective)
        } else if let xHalf {
            GradientKernels.accumulate(
                kind, target: target, x: xHalf.base, y: y.base, d: d, first: first, count: count,
                indices: permutation.map { UnsafePointer($0.base + first) }, available: rows &- first, w: w, b: b, out: out,
                objective: objective, sampleWeights: weights.map { UnsafePointer($0.base) })
        } else {
            GradientKernels.accumulate(
                kind, target: target, x: x.base, y: y.base, d: d, first: first, count: count,
                indices: permutation.map { UnsafePointer($0.base + first) }, available: rows &- first, w: w, b: b, out: out,
                objective: objective, sampleWeights: weights.map { UnsafePointer($0.base) })
        }
    }

    @inline(never)
    func make(
        first: Int, count: Int, permutation: SharedPointer<UInt32>?, d: Int, x: UnsafeMutablePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        guard let maker = maker?.base else { return }
        if let permutation {
            for i in 0..<count { maker.pointee.fill(row: Int(permutation.base[first &+ i]), x: x + i &* d, y: y + i) }
        } else {
            maker.pointee.fill(rows: first..<(first &+ count), x: x, y: y)
        }
        if roundsToHalf { HalfConversion.roundThroughHalf(x, count: count &* d) }
    }
}
