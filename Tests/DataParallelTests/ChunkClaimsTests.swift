import DataParallel
import Dispatch
import Foundation
import Testing

@Suite("ChunkClaims", .serialized) struct ChunkClaimsTests {
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// Every chunk of every step goes to exactly one worker: the claim counts add up to the chunks,
    /// and every chunk's slot was written this step (the slots are cleared between steps).
    @Test(arguments: [1, 2, 3, cores, 2 * cores + 1])
    func everyChunkIsClaimedOncePerStep(workers: Int) {
        let claims = ChunkClaims.allocate(workers: workers)
        defer { claims.deallocate() }
        for chunks in [0, 1, 5, 16, 1000] {
            let claimer = UnsafeMutablePointer<Int>.allocate(capacity: max(chunks, 1))
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: workers * 8)
            defer { claimer.deallocate(); counts.deallocate() }
            let claimerSlots = SharedPointer(claimer), countSlots = SharedPointer(counts)
            for step in 0..<20 {
                claimer.initialize(repeating: -1, count: max(chunks, 1))
                counts.initialize(repeating: 0, count: workers * 8)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    claims.forEach(chunks: chunks, worker: w, of: workers) { k in
                        claimerSlots.base[k] = w
                        countSlots.base[w &* 8] &+= 1
                    }
                }
                DispatchQueue.concurrentPerform(iterations: workers) { claims.reset(worker: $0) }
                let total = (0..<workers).reduce(0) { $0 + counts[$1 * 8] }
                #expect(total == chunks, "\(workers) workers, \(chunks) chunks, step \(step): \(total) claims")
                for k in 0..<chunks where claimer[k] < 0 {
                    Issue.record("\(workers) workers, \(chunks) chunks, step \(step): chunk \(k) not claimed")
                }
            }
        }
    }

    /// A worker alone takes its own share first, in order, then the others' shares in worker order;
    /// the workers after it find nothing left. One worker of one takes every chunk in order.
    @Test func aLoneWorkerTakesItsShareThenTheOthersInOrder() {
        let claims = ChunkClaims.allocate(workers: 3)
        defer { claims.deallocate() }
        var order: [Int] = []
        claims.forEach(chunks: 10, worker: 1, of: 3) { order.append($0) }
        #expect(order == [3, 4, 5, 6, 7, 8, 9, 0, 1, 2])  // shares 0..<3, 3..<6, 6..<10
        for w in [0, 2] { claims.forEach(chunks: 10, worker: w, of: 3) { _ in Issue.record("worker \(w) got a chunk") } }
        for w in 0..<3 { claims.reset(worker: w) }
        order = []
        claims.forEach(chunks: 10, worker: 2, of: 3) { order.append($0) }
        #expect(order == [6, 7, 8, 9, 0, 1, 2, 3, 4, 5], "after the reset every share is claimable again")
        order = []
        claims.forEach(chunks: 7, worker: 0, of: 1) { order.append($0) }
        #expect(order == Array(0..<7))
    }

    /// The point of claiming: a worker that starts late finds its share already done by the other.
    @Test func aLateWorkersShareIsTakenByTheOther() {
        let claims = ChunkClaims.allocate(workers: 2)
        defer { claims.deallocate() }
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        counts.initialize(repeating: 0, count: 16)
        defer { counts.deallocate() }
        let slots = SharedPointer(counts)
        let done = DispatchGroup()
        for w in 0..<2 {
            done.enter()
            Thread {
                if w == 1 { Thread.sleep(forTimeInterval: 0.3) }
                claims.forEach(chunks: 64, worker: w, of: 2) { _ in slots.base[w &* 8] &+= 1 }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(counts[0] == 64 && counts[8] == 0, "worker 0 took \(counts[0]), the late worker \(counts[8])")
    }
}
