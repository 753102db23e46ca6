import LinearTraining

/// `training.schedule`: a learning-rate schedule with PyTorch's names and defaults, camelCased.
///
///     schedule: {kind: step, stepSize: 30, gamma: 0.1}                  # StepLR
///     schedule: {kind: multistep, milestones: [30, 80], gamma: 0.1}     # MultiStepLR
///     schedule: {kind: exponential, gamma: 0.95}                        # ExponentialLR
///     schedule: {kind: cosine, tMax: 100, etaMin: 0}                    # CosineAnnealingLR
///     schedule: {kind: linear, startFactor: 0.333, endFactor: 1, totalIters: 5}   # LinearLR
///     schedule: {kind: sequential, milestones: [5],                     # SequentialLR
///                schedules: [{kind: linear, totalIters: 5}, {kind: cosine, tMax: 95}]}
///     schedule: {kind: plateau, factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: rel,
///                cooldown: 0, minLr: 0, eps: 1e-8}                      # ReduceLROnPlateau (mode min)
///     schedule: {kind: invscaling, powerT: 0.25}                        # scikit-learn
///     # every kind: interval: epoch (default) or step
extension ConfigFile {
    static func applySchedule(_ node: ConfigNode, to config: inout TrainingConfig) throws(ConfigError) {
        config.schedule = try schedule(node, top: true)
        if let interval = try node.choice("interval", LearningRateSchedule.Interval.allCases.map(\.rawValue)) {
            config.scheduleInterval = LearningRateSchedule.Interval(rawValue: interval)!
        }
        do { try config.schedule?.validate(key: node.path) } catch {
            throw ConfigError(kind: .invalidValue, message: "\(node.file): \(error.description)")
        }
        if case .plateau = config.schedule, config.scheduleInterval == .step {
            throw node.invalid("interval", "plateau steps once per epoch, on the epoch's loss; use epoch")
        }
    }

    static func schedule(_ node: ConfigNode, top: Bool) throws(ConfigError) -> LearningRateSchedule {
        let common = top ? ["kind", "interval"] : ["kind"]
        guard let kind = try node.choice("kind", LearningRateSchedule.kinds) else {
            throw ConfigError(
                kind: .invalidValue,
                message: "\(node.file): '\(node.key("kind"))' is missing; use one of: \(LearningRateSchedule.kinds.joined(separator: ", "))")
        }
        func required<T>(_ key: String, _ value: T?, _ example: String) throws(ConfigError) -> T {
            guard let value else {
                throw ConfigError(kind: .invalidValue, message: "\(node.file): '\(node.key(key))' is missing; \(kind) needs it, e.g. \(key): \(example)")
            }
            return value
        }
        switch kind {
        case "step":
            try node.allow(common + ["stepSize", "gamma"])
            return .step(stepSize: try required("stepSize", try node.int("stepSize"), "30"), gamma: try node.double("gamma") ?? 0.1)
        case "multistep":
            try node.allow(common + ["milestones", "gamma"])
            return .multiStep(
                milestones: try required("milestones", try node.ints("milestones"), "[30, 80]"), gamma: try node.double("gamma") ?? 0.1)
        case "exponential":
            try node.allow(common + ["gamma"])
            return .exponential(gamma: try required("gamma", try node.double("gamma"), "0.95"))
        case "cosine":
            try node.allow(common + ["tMax", "etaMin"])
            return .cosine(tMax: try required("tMax", try node.int("tMax"), "100"), etaMin: try node.double("etaMin") ?? 0)
        case "linear":
            try node.allow(common + ["startFactor", "endFactor", "totalIters"])
            return .linear(
                startFactor: try node.double("startFactor") ?? 1.0 / 3, endFactor: try node.double("endFactor") ?? 1,
                totalIters: try node.int("totalIters") ?? 5)
        case "sequential":
            guard top else {
                throw ConfigError(kind: .invalidValue, message: "\(node.file): '\(node.key("kind"))' is sequential; a sequence cannot nest another")
            }
            try node.allow(common + ["schedules", "milestones"])
            guard let list = node.values["schedules"] as? [Any], !list.isEmpty else {
                throw node.wrongType("schedules", "a list of schedules, e.g. [{kind: linear, totalIters: 5}, {kind: cosine, tMax: 95}]")
            }
            var parts: [LearningRateSchedule] = []
            for (i, item) in list.enumerated() {
                let child = try ConfigNode(file: node.file, path: node.key("schedules[\(i)]"), value: item)
                parts.append(try schedule(child, top: false))
            }
            return .sequential(parts, milestones: try required("milestones", try node.ints("milestones"), "[5]"))
        case "plateau":
            try node.allow(common + ["factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"])
            var p = LearningRateSchedule.Plateau()
            if let v = try node.double("factor") { p.factor = v }
            if let v = try node.int("patience") { p.patience = v }
            if let v = try node.double("threshold") { p.threshold = v }
            if let v = try node.choice("thresholdMode", ["rel", "abs"]) { p.relativeThreshold = v == "rel" }
            if let v = try node.int("cooldown") { p.cooldown = v }
            if let v = try node.double("minLr") { p.minLR = v }
            if let v = try node.double("eps") { p.eps = v }
            return .plateau(p)
        default:  // invscaling
            try node.allow(common + ["powerT"])
            return .invScaling(powerT: try node.double("powerT") ?? 0.25)
        }
    }
}

extension ConfigNode {
    /// A list of whole numbers.
    func ints(_ k: String) throws(ConfigError) -> [Int]? {
        guard let v = values[k] else { return nil }
        guard let list = v as? [Any] else { throw wrongType(k, "a list of whole numbers") }
        var out: [Int] = []
        for item in list {
            if let i = item as? Int { out.append(i) } else if let d = item as? Double, d.rounded() == d, abs(d) < 9e15 {
                out.append(Int(d))
            } else {
                throw wrongType(k, "a list of whole numbers")
            }
        }
        return out
    }
}
