import Foundation
import SyntheticData

/// The running state of a `LearningRateSchedule`: the learning rate in force and what PyTorch's
/// scheduler objects keep (`last_epoch` of each, `ReduceLROnPlateau`'s best, bad epochs and
/// cooldown), stepped exactly as `torch.optim.lr_scheduler` steps them.
///
/// `lr` after `init` is the rate of the first scheduler step's span (LinearLR's `lr · startFactor`),
/// and each `step(metric:)` is one `scheduler.step()`. Every formula is PyTorch's recursive
/// (chainable) one, evaluated in Double in Python's order of operations, because the closed forms
/// give other bits (ExponentialLR's `lr · γ` repeated n times is not `base · γⁿ`).
///
/// Not in a training step: the trainer steps a copy ahead of each span into a table of Float rates
/// that the span's steps read (no allocation, no dispatch per step).
public struct LearningRateScheduler: Sendable, Equatable {
    /// The schedule being stepped (as given; nested schedules of a sequential one are stepped inside).
    public let schedule: LearningRateSchedule
    /// The optimizer's configured rate (PyTorch's `initial_lr` / `base_lrs[0]`; sklearn's eta0).
    public let baseLR: Double
    /// The rate in force now (PyTorch's `get_last_lr()[0]`).
    public private(set) var lr: Double
    /// `last_epoch` of each scheduler (one; or one per part of a sequential schedule).
    public private(set) var lastEpochs: [Int]
    /// `SequentialLR.last_epoch` (unused otherwise).
    public private(set) var sequenceEpoch: Int
    /// `ReduceLROnPlateau`'s best metric so far (`best`; +∞ before the first epoch).
    public private(set) var best: Double = .infinity
    /// `ReduceLROnPlateau`'s count of epochs in a row without improvement (`num_bad_epochs`).
    public private(set) var badEpochs = 0
    /// `ReduceLROnPlateau`'s epochs left in the cooldown after a cut (`cooldown_counter`).
    public private(set) var cooldownCounter = 0

    /// A fresh scheduler: as PyTorch constructs it (which makes its initial step).
    public init(schedule: LearningRateSchedule, baseLR: Double) {
        self.schedule = schedule
        self.baseLR = baseLR
        lr = baseLR
        sequenceEpoch = 0
        let parts = schedule.parts
        // SequentialLR: every part was constructed and then "undone" to last_epoch −1; only the
        // first makes its initial step (at last_epoch 0, from the reset initial_lr).
        lastEpochs = Array(repeating: -1, count: parts.count)
        if case .plateau = schedule {
            lastEpochs[0] = 0
            return
        }
        lastEpochs[0] = 0
        lr = Self.next(parts[0], lastEpoch: 0, lr: baseLR, base: baseLR, initial: true)
    }

    /// One `scheduler.step()`; `metric` is the loss `plateau` watches (ignored by the others).
    public mutating func step(metric: Double = .nan) {
        switch schedule {
        case let .plateau(p):
            stepPlateau(p, metric: metric)
        case let .sequential(parts, milestones):
            sequenceEpoch += 1
            var idx = 0
            while idx < milestones.count && milestones[idx] <= sequenceEpoch { idx += 1 }  // bisect_right
            if idx > 0 && milestones[idx - 1] == sequenceEpoch {
                lastEpochs[idx] = 0
                lr = Self.closedFormAtZero(parts[idx], base: baseLR)
            } else {
                lastEpochs[idx] += 1
                lr = Self.next(parts[idx], lastEpoch: lastEpochs[idx], lr: lr, base: baseLR, initial: false)
            }
        default:
            lastEpochs[0] += 1
            lr = Self.next(schedule, lastEpoch: lastEpochs[0], lr: lr, base: baseLR, initial: false)
        }
    }

    /// `ReduceLROnPlateau.step(metrics)` in mode 'min'.
    private mutating func stepPlateau(_ p: LearningRateSchedule.Plateau, metric current: Double) {
        lastEpochs[0] += 1
        let better = p.relativeThreshold ? current < best * (1.0 - p.threshold) : current < best - p.threshold
        if better {
            best = current
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > p.patience {
            let newLR = max(lr * p.factor, p.minLR)
            if lr - newLR > p.eps { lr = newLR }
            cooldownCounter = p.cooldown
            badEpochs = 0
        }
    }

    /// `get_lr()` of one (non-sequential, non-plateau) scheduler at `lastEpoch`, from the current
    /// group lr; `initial` is PyTorch's `_is_initial` (the constructor's step).
    static func next(_ s: LearningRateSchedule, lastEpoch e: Int, lr: Double, base: Double, initial: Bool) -> Double {
        switch s {
        case let .step(stepSize, gamma):
            if e == 0 || e % stepSize != 0 { return lr }
            return lr * gamma
        case let .multiStep(milestones, gamma):
            var count = 0
            for m in milestones where m == e { count += 1 }
            if count == 0 { return lr }
            return lr * pow(gamma, Double(count))
        case let .exponential(gamma):
            if initial { return lr }
            return lr * gamma
        case let .cosine(tMax, etaMin):
            if initial { return lr }
            let t = Double(tMax)
            if (e - 1 - tMax) % (2 * tMax) == 0 {
                return lr + (base - etaMin) * (1 - cos(Double.pi / t)) / 2
            }
            return (1 + cos(Double.pi * Double(e) / t)) / (1 + cos(Double.pi * Double(e - 1) / t)) * (lr - etaMin) + etaMin
        case let .linear(start, end, total):
            if e == 0 { return lr * start }
            if initial || e > total { return lr }
            return lr * (1.0 + (end - start) / (Double(total) * start + Double(e - 1) * (end - start)))
        case let .invScaling(powerT):
            // sklearn: eta = eta0 / pow(t, power_t), t = 1 at the first update.
            return base / pow(Double(e + 1), powerT)
        case .sequential, .plateau:
            preconditionFailure("\(s.kind) is not a part schedule")
        }
    }

    /// `_get_closed_form_lr()` at last_epoch 0: what SequentialLR sets when a part starts.
    static func closedFormAtZero(_ s: LearningRateSchedule, base: Double) -> Double {
        switch s {
        case let .step(_, gamma): return base * pow(gamma, 0)
        case let .multiStep(_, gamma): return base * pow(gamma, 0)
        case let .exponential(gamma): return base * pow(gamma, 0)
        case let .cosine(tMax, etaMin): return etaMin + (base - etaMin) * (1 + cos(Double.pi * 0 / Double(tMax))) / 2
        case let .linear(start, end, total): return base * (start + (end - start) * Double(min(total, 0)) / Double(total))
        case let .invScaling(powerT): return base / pow(1, powerT)
        case .sequential, .plateau: preconditionFailure("\(s.kind) is not a part schedule")
        }
    }

    // MARK: - Checkpoints

    /// The state as words (checkpoints keep them as hex): lr and best as Double bit patterns, then
    /// sequenceEpoch, badEpochs, cooldownCounter and each lastEpoch as two's-complement integers.
    public var stateWords: [UInt64] {
        [lr.bitPattern, best.bitPattern, UInt64(bitPattern: Int64(sequenceEpoch)), UInt64(badEpochs), UInt64(cooldownCounter)]
            + lastEpochs.map { UInt64(bitPattern: Int64($0)) }
    }

    /// Readable copies of the state, for people reading a checkpoint.
    public var stateJSON: JSONValue {
        .object([
            ("kind", .string(schedule.kind)), ("lr", .double(lr)), ("lastEpochs", .array(lastEpochs.map { .int($0) })),
            ("sequenceEpoch", .int(sequenceEpoch)), ("best", .double(best)), ("badEpochs", .int(badEpochs)),
            ("cooldownCounter", .int(cooldownCounter)),
        ])
    }

    /// Restores the state `stateWords` gave; nil when the words do not fit this schedule.
    public init?(schedule: LearningRateSchedule, baseLR: Double, words: [UInt64]) {
        self.init(schedule: schedule, baseLR: baseLR)
        guard words.count == 5 + lastEpochs.count, words[3] < 1 << 40, words[4] < 1 << 40 else { return nil }
        lr = Double(bitPattern: words[0])
        best = Double(bitPattern: words[1])
        sequenceEpoch = Int(Int64(bitPattern: words[2]))
        badEpochs = Int(words[3])
        cooldownCounter = Int(words[4])
        lastEpochs = words[5...].map { Int(Int64(bitPattern: $0)) }
        guard lr.isFinite, lastEpochs.allSatisfy({ $0 >= -1 }), sequenceEpoch >= 0 else { return nil }
    }
}
