import SyntheticData

extension TrainingConfig {
    /// The resolved configuration in the config file's own shape and names, for summaries.
    /// `threads` is the worker count actually used; nil writes `auto` (so the text is valid input).
    public func json(threads: Int?) -> JSONValue {
        let data: JSONValue
        switch self.data {
        case let .synthetic(spec):
            data = .object([("synthetic", .object(spec.jsonPairs + [("materialize", .bool(true))]))])
        case let .onTheFly(spec):
            data = .object([("synthetic", .object(spec.jsonPairs + [("materialize", .bool(false))]))])
        case let .csv(path, target, dtype):
            data = .object([
                ("csv", .object([("path", .string(path)), ("target", .string(target))] + (dtype == .float32 ? [] : [("dtype", .string(dtype.rawValue))])))
            ])
        case let .npy(dir, convert):
            data = .object([("npy", .object([("dir", .string(dir)), ("convertFloat64", .bool(convert))]))])
        }
        var model: [(String, JSONValue)] = [("init", .string(self.model.name))]
        if case let .normal(std) = self.model { model.append(("std", .float(std))) }
        return .object([
            ("data", data),
            ("model", .object(model)),
            ("loss", loss == .huber
                ? .object([("kind", .string("huber")), ("delta", .float(huberDelta))]) : .string(loss.rawValue)),
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
                ("threads", threads.map { .int($0) } ?? .string("auto")),
                ("executor", .string(executor.rawValue)),
                ("chunkRows", chunkRows.map { .int($0) } ?? .string("auto")),
                ("kernel", .string(kernel?.rawValue ?? "auto")),
                ("bind", .bool(bindToCores)),
            ] + scheduleJSON)),
        ])
    }

    /// `training.schedule` with its interval, when there is a schedule.
    var scheduleJSON: [(String, JSONValue)] {
        guard let schedule, case let .object(pairs) = schedule.json else { return [] }
        return [("schedule", .object(pairs + [("interval", .string(scheduleInterval.rawValue))]))]
    }
}
