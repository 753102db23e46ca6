import LinearTraining
import SyntheticData
import Testing

/// What `shuffle` means: each epoch visits the rows in `EpochPermutation(rows, seed, epoch)`'s order
/// (a different order every epoch), and `shuffle: false` in storage order. Checked against a Double
/// oracle that walks the rows itself, so a trainer that ignored the flag, reused one epoch's order or
/// visited some rows twice would be off by far more than rounding.
@Suite("Shuffle", .serialized) struct ShuffleTests {
    /// 64 rows, d = 3, batches of 4: 16 steps an epoch, each step's gradient depends on which 4 rows it holds.
    static func config(shuffle: Bool, threads: Int = 1) -> TrainingConfig {
        var c = TrainingConfig(
            data: .synthetic(DatasetSpec(rows: 64, features: 3, weights: .explicit([1, -2, 0.5]), bias: 0.25, noise: 0.5, seed: 21)),
            model: .zeros, loss: .squared, optimizer: SGD(lr: 0.2), epochs: 3, batchSize: 4, shuffle: shuffle, seed: 9,
            chunkRows: 4)
        c.threads = threads
        c.executor = threads == 1 ? .serial : .span
        return c
    }

    /// Plain minibatch SGD in Double over `order(epoch)`, the squared loss (update by the mean of r·x).
    static func oracle(_ data: Dataset, epochs: Int, batch: Int, lr: Double, order: (Int) -> [Int]) -> [Double] {
        let d = data.features
        var w = [Double](repeating: 0, count: d + 1)
        for e in 0..<epochs {
            let rows = order(e)
            var s = 0
            while s < rows.count {
                let batchRows = rows[s..<min(s + batch, rows.count)]
                var g = [Double](repeating: 0, count: d + 1)
                for i in batchRows {
                    let x = data.row(i)
                    var r = w[d] - Double(data.y[i])
                    for j in 0..<d { r += w[j] * Double(x[j]) }
                    for j in 0..<d { g[j] += r * Double(x[j]) }
                    g[d] += r
                }
                for j in 0...d { w[j] -= lr * g[j] / Double(batchRows.count) }
                s += batch
            }
        }
        return w
    }

    static func trained(_ c: TrainingConfig, _ data: TrainingData) throws -> [Double] {
        let r = try Trainer(config: c, data: data).run()
        return r.model.weights.map(Double.init) + [Double(r.model.bias)]
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 * (abs($1) + 1) }
    }

    @Test(arguments: [1, 2])
    func shuffledEpochsFollowThePermutationOfTheirEpoch(threads: Int) throws {
        let c = Self.config(shuffle: true, threads: threads)
        guard case let .synthetic(spec) = c.data else { return }
        let dataset = try Dataset.generate(spec)
        let got = try Self.trained(c, .stored(dataset))
        let permuted = Self.oracle(dataset, epochs: 3, batch: 4, lr: 0.2) { e in
            let p = EpochPermutation(rows: 64, seed: 9, epoch: e)
            return (0..<64).map { Int(p.permute($0)) }
        }
        #expect(Self.close(got, permuted), "\(threads) thread(s): trained \(got), the permuted oracle \(permuted)")
        // The oracles it must not match: storage order, and epoch 0's order every epoch.
        let storage = Self.oracle(dataset, epochs: 3, batch: 4, lr: 0.2) { _ in Array(0..<64) }
        let sameOrder = Self.oracle(dataset, epochs: 3, batch: 4, lr: 0.2) { _ in
            let p = EpochPermutation(rows: 64, seed: 9, epoch: 0)
            return (0..<64).map { Int(p.permute($0)) }
        }
        #expect(!Self.close(storage, permuted) && !Self.close(sameOrder, permuted), "the oracles tell the orders apart")
    }

    @Test func storageOrderIsStorageOrderAndDiffersFromShuffled() throws {
        let c = Self.config(shuffle: false)
        guard case let .synthetic(spec) = c.data else { return }
        let dataset = try Dataset.generate(spec)
        let got = try Self.trained(c, .stored(dataset))
        let storage = Self.oracle(dataset, epochs: 3, batch: 4, lr: 0.2) { _ in Array(0..<64) }
        #expect(Self.close(got, storage), "trained \(got), the storage-order oracle \(storage)")
        let shuffled = try Self.trained(Self.config(shuffle: true), .stored(dataset))
        #expect(got.map { Float($0).bitPattern } != shuffled.map { Float($0).bitPattern }, "shuffle true and false give other weights")
    }
}
