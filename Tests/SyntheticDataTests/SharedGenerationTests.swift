import Foundation
import SyntheticData
import Testing

/// `Dataset.generate(_:threads:sharedBy:)`: the processes of one machine make one copy together.
/// Threads stand in for the processes (`ThreadGroup`); each makes only its share of the rows, so a
/// member whose dataset equals the one-process dataset in every byte can only have it through
/// memory the others wrote.
@Suite("Shared generation", .serialized) struct SharedGenerationTests {
    /// R members as R threads: `broadcast` and `maximum` are collectives behind a barrier.
    final class ThreadGroup: @unchecked Sendable {
        let ranks: Int
        private let lock = NSCondition()
        private var arrived = 0, generation = 0
        private var texts: [String]
        private var values: [[UInt64]]

        init(ranks: Int) {
            self.ranks = ranks
            texts = Array(repeating: "", count: ranks)
            values = Array(repeating: [], count: ranks)
        }

        func barrier() {
            lock.lock()
            let g = generation
            arrived += 1
            if arrived == ranks {
                arrived = 0
                generation += 1
                lock.broadcast()
            } else {
                while generation == g { lock.wait() }
            }
            lock.unlock()
        }

        struct Member: GenerationGroup, @unchecked Sendable {
            let group: ThreadGroup
            let rank: Int
            var ranks: Int { group.ranks }

            func broadcast(_ text: String) -> String {
                if rank == 0 { group.lock.withLock { group.texts[0] = text } }
                group.barrier()
                let t = group.lock.withLock { group.texts[0] }
                group.barrier()
                return t
            }

            func maximum(_ values: inout [UInt64]) {
                let mine = values
                group.lock.withLock { group.values[rank] = mine }
                group.barrier()
                let all = group.lock.withLock { group.values }
                group.barrier()
                values = (0..<mine.count).map { j in all.map { $0[j] }.max()! }
            }
        }
    }

    static func bytes(_ d: Dataset) -> [UInt8] {
        var out: [UInt8] = []
        if d.dtype == .float16 {
            // X as float16 read back one value at a time (each float16 widens to float32 exactly).
            for r in 0..<d.rows { for j in 0..<d.features { withUnsafeBytes(of: d.value(row: r, feature: j)) { out += $0 } } }
        } else {
            d.xValues.withUnsafeBufferPointer { out += UnsafeRawBufferPointer($0) }
        }
        d.yValues.withUnsafeBufferPointer { out += UnsafeRawBufferPointer($0) }
        return out
    }

    /// Datasets made by `ranks` members of a group (every member's), and whether they were shared.
    static func make(_ spec: DatasetSpec, ranks: Int, threads: Int) throws -> [(Dataset, Bool)] {
        let group = ThreadGroup(ranks: ranks)
        let results = Results(count: ranks)
        let done = DispatchGroup()
        for rank in 0..<ranks {
            done.enter()
            Thread {
                defer { done.leave() }
                let r = Result { () throws -> (Dataset, Bool) in
                    let made = try Dataset.generate(spec, threads: threads, sharedBy: ThreadGroup.Member(group: group, rank: rank))
                    return (made.dataset, made.shared)
                }
                results.set(rank, r)
            }.start()
        }
        done.wait()
        return try results.all()
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Result<(Dataset, Bool), Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<(Dataset, Bool), Error>) { lock.withLock { values[i] = r } }
        func all() throws -> [(Dataset, Bool)] { try lock.withLock { try values.map { try $0!.get() } } }
    }

    static let specs: [DatasetSpec] = [
        DatasetSpec(rows: 70_000, features: 8, weights: .alternating, seed: 3),  // 3 generator chunks of 32768 rows
        DatasetSpec(rows: 40_000, features: 64, weights: .alternating, seed: 4, dtype: .float16),
        .softmax(rows: 20_000, features: 20, classes: 5, seed: 5),
    ]

    @Test(arguments: 0..<3)
    func everyMemberHoldsTheOneProcessBytes(_ k: Int) throws {
        let spec = Self.specs[k]
        let single = Self.bytes(try Dataset.generate(spec, threads: 1))
        for (ranks, threads) in [(2, 1), (3, 2), (4, 1)] {
            let made = try Self.make(spec, ranks: ranks, threads: threads)
            for (rank, (data, shared)) in made.enumerated() {
                #expect(shared, "\(ranks) members: shared")
                // The first differing byte, not the arrays (a failed == of megabytes makes the test framework diff them for minutes).
                let bytes = Self.bytes(data)
                let firstDiff = bytes.count == single.count ? (0..<bytes.count).first { bytes[$0] != single[$0] } : 0
                #expect(firstDiff == nil, "spec \(k), \(ranks) × \(threads): member \(rank) differs at byte \(firstDiff ?? -1)")
                #expect(data.trueWeights == spec.trueWeights)
            }
        }
    }

    /// The file is gone from /dev/shm once every member has mapped it (nothing left behind).
    @Test func theSharedFileIsUnlinked() throws {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? [])
        let made = try Self.make(Self.specs[0], ranks: 2, threads: 1)
        #expect(made.allSatisfy { $0.1 })
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? [])
        #expect(after.subtracting(before).filter { $0.hasPrefix("lockstep-") }.isEmpty, "\(after.subtracting(before))")
    }

    /// One member: an ordinary dataset, not shared.
    @Test func oneMemberMakesItsOwnCopy() throws {
        let made = try Self.make(Self.specs[0], ranks: 1, threads: 2)
        #expect(!made[0].1)
        #expect(Self.bytes(made[0].0).hashValue == Self.bytes(try Dataset.generate(Self.specs[0], threads: 1)).hashValue)
    }
}
