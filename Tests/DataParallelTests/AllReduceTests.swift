import DataParallel
import Testing

/// Exact oracles in the style of Gloo's tests: integer-valued partials, so any missing, doubled or
/// misplaced term changes the exact result.
@Suite("AllReduce") struct AllReduceTests {
    static let sizes = [0, 1, 4, 100, 10_000]

    @Test(arguments: 1...16, sizes)
    func sumOfChunkIndicesIsExact(workers: Int, width: Int) {
        let chunks = 24
        let buffers = GradientBuffers(slots: chunks, width: max(width, 1))
        for k in 0..<chunks {
            for j in 0..<width { buffers.slot(k)[j] = Float(k + (j % 3)) }
        }
        let out = UnsafeMutablePointer<Float>.allocate(capacity: max(width, 1) + 16)
        defer { out.deallocate() }
        out.initialize(repeating: -1, count: max(width, 1) + 16)
        var covered = 0
        for w in 0..<workers {
            let slice = FixedOrderAllReduce.coordinateSlice(width: width, worker: w, of: workers)
            #expect(slice.lowerBound == covered, "slices are contiguous and ordered (worker \(w) of \(workers))")
            covered = slice.upperBound
            FixedOrderAllReduce().reduce(buffers, chunks: chunks, coordinates: slice, into: out)
        }
        #expect(covered == width, "the slices cover every coordinate")
        let base = chunks * (chunks - 1) / 2
        for j in 0..<width where out[j] != Float(base + chunks * (j % 3)) {
            Issue.record("coordinate \(j): \(out[j]) != \(base + chunks * (j % 3)) (workers \(workers), width \(width))")
            break
        }
        #expect(out[width] == -1, "nothing written past the width")
    }

    @Test(arguments: [1, 2, 7, 33])
    func matchesTheScalarReferenceBitForBit(chunks: Int) {
        let width = 70
        let buffers = GradientBuffers(slots: chunks, width: width)
        var state: UInt64 = 12345
        for k in 0..<chunks {
            for j in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                buffers.slot(k)[j] = Float(Int64(bitPattern: state >> 11) % 100_000) / 977.0
            }
        }
        let a = UnsafeMutablePointer<Float>.allocate(capacity: width)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer { a.deallocate(); b.deallocate() }
        FixedOrderAllReduce().reduce(buffers, chunks: chunks, coordinates: 0..<width, into: a)
        FixedOrderAllReduce.reduceReference(buffers, chunks: chunks, coordinates: 0..<width, into: b)
        for j in 0..<width { #expect(a[j].bitPattern == b[j].bitPattern, "coordinate \(j)") }
    }
}
