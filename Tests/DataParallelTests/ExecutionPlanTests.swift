import DataParallel
import HardwareTopology
import Testing

/// One place decides workers, mode, binding and why, from one core count (issue #21).
@Suite("Execution plans") struct ExecutionPlanTests {
    static let threshold = ExecutionPlan.parallelThresholdFloats

    @Test func autoWeighsTheStepAndOneWorkerIsSerial() {
        let small = ExecutionPlan(mode: .auto, threads: 2, stepFloats: Self.threshold - 1)
        #expect(small.mode == .serial && small.workers == 1 && small.reason == .belowParallelThreshold(stepFloats: Self.threshold - 1))
        #expect(small.summary.contains("below the parallel threshold of \(Self.threshold)"), "\(small.summary)")
        let large = ExecutionPlan(mode: .auto, threads: 2, stepFloats: Self.threshold)
        #expect(large.requested == .auto && large.reason == .parallelStep && large.workers == 2)
        #expect(large.mode == (large.hardwareThreads >= 2 ? .span : .perStep))
        for mode in ExecutionMode.allCases {
            let one = ExecutionPlan(mode: mode, threads: 1)
            #expect(one.mode == .serial && one.workers == 1, "\(mode) with one thread")
            #expect(one.reason == (mode == .serial ? .asked : .oneWorker), "\(mode)")
        }
        let perStep = ExecutionPlan(mode: .perStep, threads: 3, stepFloats: 1)
        #expect(perStep.mode == .perStep && perStep.workers == 3 && perStep.reason == .asked, "an explicit mode is not weighed")
    }

    @Test func aSpanWiderThanTheHardwareThreadsRunsPerStepAndSaysWhy() {
        let threads = ExecutionPlan.processCores.hardwareThreads
        let wide = ExecutionPlan(mode: .span, threads: threads + 1)
        #expect(wide.mode == .perStep && wide.workers == threads + 1 && wide.reason == .moreWorkersThanHardwareThreads)
        #expect(wide.summary.contains("a span needs all \(threads + 1) workers at once"), "\(wide.summary)")
        #expect(Executor(plan: wide).mode == .perStep && Executor(plan: wide).workers == threads + 1)
    }

    @Test func threadsDefaultToTheTopologysCoresAndBindingNeedsOne() throws {
        let topology = try Topology.current()
        let plan = ExecutionPlan(mode: .perStep, topology: topology)
        #expect(plan.cores == topology.physicalCores && plan.hardwareThreads >= plan.cores)
        #expect(plan.workers == (topology.physicalCores == 1 ? 1 : topology.physicalCores))
        #expect(plan.bindsToCores == (plan.workers > 1), "bound when there is a topology and several workers")
        #expect(!ExecutionPlan(mode: .perStep, threads: 2).bindsToCores, "nothing to bind with")
        #expect(!ExecutionPlan(mode: .perStep, threads: 2, topology: topology, bindToCores: false).bindsToCores)
        #expect(!ExecutionPlan(mode: .perStep, threads: topology.physicalCores + 1, topology: topology).bindsToCores, "more workers than cores")
        #expect(ExecutionPlan(mode: .auto).cores == ExecutionPlan.processCores.cores, "no topology: this process's, read once")
    }
}
