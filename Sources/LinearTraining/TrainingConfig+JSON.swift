import SyntheticData

extension TrainingConfig {
    /// The resolved configuration in the config file's own shape and names, for summaries.
    /// `threads` is the worker count actually used; nil writes `auto` (so the text is valid input).
    public func json(threads: Int?) -> JSONValue {
        var data = Self.sourceJSON(self.data)
        if let validation, case let .object(pairs) = data {
            let v: JSONValue
            switch validation {
            case let .split(split):
                v = .object([("fraction", .double(split.fraction))] + (split.seed.map { [("seed", .number("\($0)"))] } ?? []))
            case let .source(source): v = Self.sourceJSON(source)
            }
            data = .object(pairs + [("validation", v)])
        }
        // Only when set, so configs without it keep their hash.
        if standardize, case let .object(pairs) = data { data = .object(pairs + [("standardize", .bool(true))]) }
        var model: [(String, JSONValue)] = [("init", .string(self.model.name))]
        if case let .normal(std) = self.model { model.append(("std", .float(std))) }
        return .object([
            ("data", data),
            ("model", .object(model)),
            ("loss", lossJSON),
            ("optimizer", .object([
                ("lr", .float(optimizer.lr)), ("momentum", .float(optimizer.momentum)),
                ("dampening", .float(optimizer.dampening)), ("nesterov", .bool(optimizer.nesterov)),
                ("weightDecay", .float(optimizer.weightDecay)),
            ])),
        ] + penaltyJSON + [
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
            ] + scheduleJSON + earlyStoppingJSON)),
        ] + distributedJSON)
    }

    /// `loss`: its name, or `{kind, delta}` for huber, `{kind, classes}` for softmax with classes given, and `{kind, classWeight}` with class weights.
    var lossJSON: JSONValue {
        if loss == .huber { return .object([("kind", .string("huber")), ("delta", .float(huberDelta))]) }
        if loss == .softmax, let classes { return .object([("kind", .string("softmax")), ("classes", .int(classes))]) }
        switch classWeight {
        case nil: return .string(loss.rawValue)
        case .balanced?: return .object([("kind", .string(loss.rawValue)), ("classWeight", .string("balanced"))])
        case let .weights(w0, w1)?:
            return .object([("kind", .string(loss.rawValue)), ("classWeight", .object([("0", .float(w0)), ("1", .float(w1))]))])
        }
    }

    /// `distributed`, only when not the default (so configs without it keep their hash).
    var distributedJSON: [(String, JSONValue)] {
        reduction == .exact ? [] : [("distributed", .object([("reduction", .string(reduction.rawValue))]))]
    }

    /// A data source in the config's shape: `{synthetic: …}`, `{csv: …}` or `{npy: …}`.
    static func sourceJSON(_ source: DataSource) -> JSONValue {
        switch source {
        case let .synthetic(spec):
            return .object([("synthetic", .object(spec.jsonPairs + [("materialize", .bool(true))]))])
        case let .onTheFly(spec):
            return .object([("synthetic", .object(spec.jsonPairs + [("materialize", .bool(false))]))])
        case let .csv(path, target, dtype, header, weight):
            // dtype and header only when not the default, so older configs keep their hash.
            let options: [(String, JSONValue)] =
                (dtype == .float32 ? [] : [("dtype", .string(dtype.rawValue))]) + (header ? [] : [("header", .bool(false))])
                + (weight.map { [("weight", .string($0))] } ?? [])
            return .object([("csv", .object([("path", .string(path)), ("target", .string(target))] + options))])
        case let .npy(dir, convert):
            return .object([("npy", .object([("dir", .string(dir)), ("convertFloat64", .bool(convert))]))])
        }
    }

    /// `penalty`, when there is one.
    var penaltyJSON: [(String, JSONValue)] {
        guard let penalty else { return [] }
        return [("penalty", .object([("alpha", .float(penalty.alpha)), ("l1Ratio", .float(penalty.l1Ratio))]))]
    }

    /// `training.schedule` with its interval, when there is a schedule.
    var scheduleJSON: [(String, JSONValue)] {
        guard let schedule, case let .object(pairs) = schedule.json else { return [] }
        return [("schedule", .object(pairs + [("interval", .string(scheduleInterval.rawValue))]))]
    }

    /// `training.earlyStopping`, when set.
    var earlyStoppingJSON: [(String, JSONValue)] {
        guard let e = earlyStopping else { return [] }
        return [("earlyStopping", .object([("patience", .int(e.patience)), ("minDelta", .double(e.minDelta)), ("restoreBest", .bool(e.restoreBest))]))]
    }
}
