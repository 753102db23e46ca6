import LinearTraining
import Testing

/// SGD against PyTorch's `optim.SGD` update written out in Double for a scripted gradient sequence.
@Suite("SGD") struct OptimizerTests {
    struct Case: CustomStringConvertible, Sendable {
        var sgd: SGD
        var description: String {
            "lr \(sgd.lr) momentum \(sgd.momentum) dampening \(sgd.dampening) nesterov \(sgd.nesterov) wd \(sgd.weightDecay)"
        }
    }

    static let cases = [
        Case(sgd: SGD(lr: 0.1)),
        Case(sgd: SGD(lr: 0.1, momentum: 0.9)),
        Case(sgd: SGD(lr: 0.05, momentum: 0.9, dampening: 0.5)),
        Case(sgd: SGD(lr: 0.05, momentum: 0.8, nesterov: true)),
        Case(sgd: SGD(lr: 0.1, momentum: 0.9, weightDecay: 0.01)),
        Case(sgd: SGD(lr: 0.1, weightDecay: 0.1)),
    ]

    @Test(arguments: cases)
    func matchesPyTorchSemantics(_ c: Case) {
        let s = c.sgd
        let grads: [[Double]] = [[1, -2], [0.5, 0.25], [-1, 3], [2, 2]]
        var p: [Double] = [1, -1], buf: [Double] = [0, 0]
        let params = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        let mom = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        let g = UnsafeMutablePointer<Float>.allocate(capacity: 2)
        defer { params.deallocate(); mom.deallocate(); g.deallocate() }
        params[0] = 1; params[1] = -1; mom[0] = 0; mom[1] = 0
        for (step, grad) in grads.enumerated() {
            for j in 0..<2 {
                var d = grad[j] + Double(s.weightDecay) * p[j]
                if s.momentum != 0 {
                    buf[j] = step == 0 ? d : Double(s.momentum) * buf[j] + (1 - Double(s.dampening)) * d
                    d = s.nesterov ? d + Double(s.momentum) * buf[j] : buf[j]
                }
                p[j] -= Double(s.lr) * d
                g[j] = Float(grad[j])
            }
            s.apply(params: params, grads: g, momentumBuffer: mom, range: 0..<2, first: step == 0)
            for j in 0..<2 { #expect(abs(Double(params[j]) - p[j]) < 1e-5, "\(c) step \(step) param \(j)") }
        }
    }

    /// Each bad value is refused with a message that names its key (and a good set is accepted).
    @Test(arguments: [
        (SGD(lr: 0), "optimizer.lr"), (SGD(lr: -1), "optimizer.lr"), (SGD(lr: .nan), "optimizer.lr"),
        (SGD(lr: .infinity), "optimizer.lr"), (SGD(lr: 0.1, momentum: -1), "optimizer.momentum"),
        (SGD(lr: 0.1, momentum: .nan), "optimizer.momentum"), (SGD(lr: 0.1, dampening: .infinity), "optimizer.dampening"),
        (SGD(lr: 0.1, weightDecay: -0.1), "optimizer.weightDecay"), (SGD(lr: 0.1, nesterov: true), "optimizer.nesterov"),
        (SGD(lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true), "optimizer.nesterov"),
    ])
    func rejectsBadValuesNamingTheKey(_ sgd: SGD, key: String) {
        let error = #expect(throws: TrainingError.self) { try sgd.validate() }
        #expect(error?.description.contains(key) == true, "\(sgd): \(String(describing: error))")
    }

    @Test func acceptsGoodValues() throws {
        try SGD(lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01).validate()
        try SGD(lr: 0.1, momentum: 0.9, nesterov: true).validate()
    }
}
