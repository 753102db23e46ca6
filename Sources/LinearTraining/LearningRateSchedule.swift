import SyntheticData

/// A learning-rate schedule with `torch.optim.lr_scheduler` semantics (config `training.schedule`),
/// plus scikit-learn's `invscaling`.
///
/// The schedule is computed in Double, as PyTorch computes it in Python floats, with PyTorch's own
/// recursive ("chainable") formulas, so the sequence of learning rates equals `get_last_lr()` of
/// the PyTorch scheduler bit for bit (tested against sequences PyTorch 2.13 made:
/// `scripts/lr-schedules-torch.py`). The trainer applies `Float(lr)`, as PyTorch's SGD converts the
/// Python float to the float32 parameters' type.
///
/// `interval` says what one scheduler step is: an epoch (PyTorch's usual `scheduler.step()` after
/// each epoch) or an SGD step (after each `optimizer.step()`). `plateau` steps once per epoch on the
/// epoch's loss only.
public indirect enum LearningRateSchedule: Sendable, Equatable {
    /// `StepLR(step_size, gamma)`: lr × gamma every `stepSize` scheduler steps.
    case step(stepSize: Int, gamma: Double)
    /// `MultiStepLR(milestones, gamma)`: lr × gamma^(times listed) at each milestone.
    case multiStep(milestones: [Int], gamma: Double)
    /// `ExponentialLR(gamma)`: lr × gamma every scheduler step.
    case exponential(gamma: Double)
    /// `CosineAnnealingLR(T_max, eta_min)`.
    case cosine(tMax: Int, etaMin: Double)
    /// `LinearLR(start_factor, end_factor, total_iters)`: the usual warm-up.
    case linear(startFactor: Double, endFactor: Double, totalIters: Int)
    /// `SequentialLR(schedulers, milestones)`: `schedules[i]` from milestone i − 1 on (a warm-up
    /// then a decay). Nested schedules may not be `sequential` or `plateau` (PyTorch refuses
    /// `ReduceLROnPlateau` there too).
    case sequential([LearningRateSchedule], milestones: [Int])
    /// `ReduceLROnPlateau(mode='min', …)` on the epoch loss (the validation loss when there is one).
    case plateau(Plateau)
    /// scikit-learn's `learning_rate='invscaling'`: eta = eta0 / t^powerT, t = 1, 2, … the
    /// scheduler steps (sklearn counts samples; one Lockstep step is one minibatch).
    case invScaling(powerT: Double)

    /// `ReduceLROnPlateau`'s settings (mode is always 'min': the metric is a loss).
    public struct Plateau: Sendable, Equatable {
        /// What lr is multiplied by at a plateau (PyTorch `factor`, in (0, 1)).
        public var factor: Double = 0.1
        /// Epochs without improvement tolerated before the lr is cut (PyTorch `patience`).
        public var patience: Int = 10
        /// How much better than the best a loss must be to count (PyTorch `threshold`; relative or absolute, see
        /// `relativeThreshold`).
        public var threshold: Double = 1e-4
        /// `rel`: better means < best · (1 − threshold); `abs`: < best − threshold.
        public var relativeThreshold: Bool = true
        /// Epochs after a cut during which bad epochs are not counted (PyTorch `cooldown`).
        public var cooldown: Int = 0
        /// The learning rate is never cut below this (PyTorch `min_lr`).
        public var minLR: Double = 0
        /// A cut smaller than this is skipped (PyTorch `eps`): the lr stays as it is.
        public var eps: Double = 1e-8

        /// The settings, with PyTorch's defaults; nothing is checked here (`LearningRateSchedule.validate(key:)`
        /// throws `TrainingError.invalidValue` for a value out of range).
        public init(
            factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, relativeThreshold: Bool = true,
            cooldown: Int = 0, minLR: Double = 0, eps: Double = 1e-8
        ) {
            self.factor = factor
            self.patience = patience
            self.threshold = threshold
            self.relativeThreshold = relativeThreshold
            self.cooldown = cooldown
            self.minLR = minLR
            self.eps = eps
        }
    }

    /// When a scheduler step happens.
    public enum Interval: String, Sendable, CaseIterable {
        /// One scheduler step after each epoch (PyTorch's usual `scheduler.step()` per epoch).
        case epoch
        /// One scheduler step after each SGD step (minibatch), as after each `optimizer.step()`.
        case step
    }

    /// The config names of the kinds.
    public static let kinds = ["step", "multistep", "exponential", "cosine", "linear", "sequential", "plateau", "invscaling"]

    /// The schedule's config name (one of `kinds`), as `training.schedule.kind` spells it.
    public var kind: String {
        switch self {
        case .step: return "step"
        case .multiStep: return "multistep"
        case .exponential: return "exponential"
        case .cosine: return "cosine"
        case .linear: return "linear"
        case .sequential: return "sequential"
        case .plateau: return "plateau"
        case .invScaling: return "invscaling"
        }
    }

    /// The schedules that run one after the other (one for all but `sequential`).
    var parts: [LearningRateSchedule] {
        if case let .sequential(parts, _) = self { return parts }
        return [self]
    }

    /// Checks the values (PyTorch's own checks, and what makes a schedule meaningless); `key` is
    /// the config path for messages.
    public func validate(key: String = "training.schedule") throws(TrainingError) {
        func bad(_ name: String, _ value: Any, _ fix: String) -> TrainingError {
            .invalidValue(key: key + "." + name, value: "\(value)", fix: fix)
        }
        func positive(_ name: String, _ v: Double) throws(TrainingError) {
            if !(v.isFinite && v > 0) { throw bad(name, v, "use a finite number > 0") }
        }
        switch self {
        case let .step(stepSize, gamma):
            if stepSize < 1 { throw bad("stepSize", stepSize, "use at least 1") }
            try positive("gamma", gamma)
        case let .multiStep(milestones, gamma):
            if milestones.isEmpty { throw bad("milestones", "[]", "list at least one scheduler step, e.g. [30, 80]") }
            if let m = milestones.first(where: { $0 < 1 }) { throw bad("milestones", m, "milestones are scheduler steps >= 1") }
            try positive("gamma", gamma)
        case let .exponential(gamma):
            try positive("gamma", gamma)
        case let .cosine(tMax, etaMin):
            if tMax < 1 { throw bad("tMax", tMax, "use at least 1 scheduler step") }
            if !(etaMin.isFinite && etaMin >= 0) { throw bad("etaMin", etaMin, "use a number >= 0") }
        case let .linear(start, end, total):
            if !(start > 0 && start <= 1) { throw bad("startFactor", start, "use a number in (0, 1] (as PyTorch's LinearLR)") }
            if !(end >= 0 && end <= 1) { throw bad("endFactor", end, "use a number in [0, 1] (as PyTorch's LinearLR)") }
            if total < 1 { throw bad("totalIters", total, "use at least 1 scheduler step") }
        case let .sequential(parts, milestones):
            if parts.isEmpty { throw bad("schedules", "[]", "list the schedules to run one after the other") }
            if milestones.count != parts.count - 1 {
                throw bad(
                    "milestones", milestones,
                    "give one milestone fewer than schedules (\(parts.count) schedules need \(parts.count - 1))")
            }
            for (i, m) in milestones.enumerated() where m < 1 || (i > 0 && m <= milestones[i - 1]) {
                throw bad("milestones", milestones, "use increasing scheduler steps >= 1")
            }
            for (i, part) in parts.enumerated() {
                if case .sequential = part { throw bad("schedules[\(i)].kind", "sequential", "nest no sequential schedule") }
                if case .plateau = part { throw bad("schedules[\(i)].kind", "plateau", "plateau cannot be part of a sequence (as in PyTorch)") }
                try part.validate(key: key + ".schedules[\(i)]")
            }
        case let .plateau(p):
            if !(p.factor > 0 && p.factor < 1) { throw bad("factor", p.factor, "use a number in (0, 1)") }
            if p.patience < 0 { throw bad("patience", p.patience, "use a whole number >= 0") }
            if !(p.threshold.isFinite && p.threshold >= 0) { throw bad("threshold", p.threshold, "use a number >= 0") }
            if p.cooldown < 0 { throw bad("cooldown", p.cooldown, "use a whole number >= 0") }
            if !(p.minLR.isFinite && p.minLR >= 0) { throw bad("minLr", p.minLR, "use a number >= 0") }
            if !(p.eps.isFinite && p.eps >= 0) { throw bad("eps", p.eps, "use a number >= 0") }
        case let .invScaling(powerT):
            if !(powerT.isFinite && powerT >= 0) { throw bad("powerT", powerT, "use a number >= 0 (scikit-learn's default is 0.25)") }
        }
    }

    /// The schedule in the config file's shape and names.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind))]
        switch self {
        case let .step(stepSize, gamma): pairs += [("stepSize", .int(stepSize)), ("gamma", .double(gamma))]
        case let .multiStep(milestones, gamma): pairs += [("milestones", .array(milestones.map { .int($0) })), ("gamma", .double(gamma))]
        case let .exponential(gamma): pairs += [("gamma", .double(gamma))]
        case let .cosine(tMax, etaMin): pairs += [("tMax", .int(tMax)), ("etaMin", .double(etaMin))]
        case let .linear(start, end, total):
            pairs += [("startFactor", .double(start)), ("endFactor", .double(end)), ("totalIters", .int(total))]
        case let .sequential(parts, milestones):
            pairs += [("schedules", .array(parts.map(\.json))), ("milestones", .array(milestones.map { .int($0) }))]
        case let .plateau(p):
            pairs += [
                ("factor", .double(p.factor)), ("patience", .int(p.patience)), ("threshold", .double(p.threshold)),
                ("thresholdMode", .string(p.relativeThreshold ? "rel" : "abs")), ("cooldown", .int(p.cooldown)),
                ("minLr", .double(p.minLR)), ("eps", .double(p.eps)),
            ]
        case let .invScaling(powerT): pairs += [("powerT", .double(powerT))]
        }
        return .object(pairs)
    }
}
