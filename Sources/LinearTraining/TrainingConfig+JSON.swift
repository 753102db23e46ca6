import SyntheticData

extension TrainingConfig {
    /// The resolved configuration in the config file's own shape and names, for summaries.
    /// `threads` is the worker count actually used.
    public func json(threads: Int) -> JSONValue {
        let data: JSONValue
        switch self.data {
        case let .synthetic(spec):
            let weights: JSONValue
            switch spec.weights {
            case .alternating: weights = .string("alternating")
            case let .explicit(w): weights = .floats(w)
            }
            data = .object([
                ("synthetic", .object([
                    ("rows", .int(spec.rows)), ("features", .int(spec.features)), ("weights", weights),
                    ("bias", .float(spec.bias)), ("noise", .float(spec.noise)), ("seed", .number("\(spec.seed)")),
                ]))
            ])
        case let .csv(path, target):
            data = .object([("csv", .object([("path", .string(path)), ("target", .string(target))]))])
        }
        var model: [(String, JSONValue)] = [("init", .string(self.model.name))]
        if case let .normal(std) = self.model { model.append(("std", .float(std))) }
        return .object([
            ("data", data),
            ("model", .object(model)),
            ("loss", .string(loss.rawValue)),
            ("optimizer", .object([
                ("lr", .float(optimizer.lr)), ("momentum", .float(optimizer.momentum)),
                ("dampening", .float(optimizer.dampening)), ("nesterov", .bool(optimizer.nesterov)),
                ("weightDecay", .float(optimizer.weightDecay)),
            ])),
            ("training", .object([
                ("epochs", .int(epochs)),
                ("batchSize", batchSize.map { .int($0) } ?? .string("full")),
                ("shuffle", .bool(shuffle)),
                ("seed", .number("\(seed)")),
                ("threads", .int(threads)),
                ("executor", .string(executor.rawValue)),
                ("chunkRows", chunkRows.map { .int($0) } ?? .string("auto")),
                ("kernel", .string(kernel?.rawValue ?? "auto")),
                ("bind", .bool(bindToCores)),
            ])),
        ])
    }
}
