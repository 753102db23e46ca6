import DataParallel
import Testing

@Suite("ShardPlan") struct ShardPlanTests {
    @Test(arguments: [0, 1, 5, 16, 1000])
    func slicesCoverEveryItemOnceInOrder(count: Int) {
        for workers in 1...17 {
            var next = 0
            for w in 0..<workers {
                let s = ShardPlan.slice(count, worker: w, of: workers)
                #expect(s.lowerBound == next, "count \(count), worker \(w) of \(workers)")
                #expect(s.count <= (count + workers - 1) / workers)
                next = s.upperBound
            }
            #expect(next == count, "count \(count), workers \(workers)")
        }
    }

    @Test func chunkSizeDependsOnlyOnBatchAndFeatures() {
        #expect(ShardPlan(batchRows: 4096, features: 64).chunkRows == 256)
        #expect(ShardPlan(batchRows: 1024, features: 1024).chunkRows == 64)
        #expect(ShardPlan(batchRows: 10, features: 2).chunkRows == 10)
        #expect(ShardPlan(batchRows: 50, features: 1).chunkRows == 50)
        #expect(ShardPlan(batchRows: 4_194_304, features: 64).chunkRows == 4096)
        #expect(ShardPlan(batchRows: 100, features: 3, chunkRows: 7).chunkCount(rows: 100) == 15)
        #expect(ShardPlan(batchRows: 100, features: 3, chunkRows: 500).chunkRows == 100)
    }
}
