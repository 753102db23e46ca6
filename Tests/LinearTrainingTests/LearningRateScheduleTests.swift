import Foundation
import LinearTraining
import SyntheticData
import Testing

/// The schedules against PyTorch's own sequences (Tests/Fixtures/lr-schedules-torch.json, made
/// once by scripts/lr-schedules-torch.py with torch 2.13.0 on Python floats, i.e. float64): every
/// rate equal bit for bit, step by step.
@Suite("Learning-rate schedules") struct LearningRateScheduleTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lr-schedules-torch.json")

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var schedule: LearningRateSchedule
        var lr: Double
        var bits: [UInt64]
        var metrics: [Double]?
        var description: String { name }
    }

    /// The fixture's schedule in Lockstep's terms, with PyTorch's defaults for the keys left out.
    static func schedule(_ d: [String: Any]) -> LearningRateSchedule {
        func num(_ k: String, _ def: Double) -> Double { (d[k] as? NSNumber)?.doubleValue ?? def }
        func int(_ k: String) -> Int { (d[k] as! NSNumber).intValue }
        func ints(_ k: String) -> [Int] { (d[k] as! [NSNumber]).map(\.intValue) }
        switch d["kind"] as! String {
        case "step": return .step(stepSize: int("stepSize"), gamma: num("gamma", 0.1))
        case "multistep": return .multiStep(milestones: ints("milestones"), gamma: num("gamma", 0.1))
        case "exponential": return .exponential(gamma: num("gamma", .nan))
        case "cosine": return .cosine(tMax: int("tMax"), etaMin: num("etaMin", 0))
        case "linear":
            return .linear(startFactor: num("startFactor", 1.0 / 3), endFactor: num("endFactor", 1), totalIters: d["totalIters"] == nil ? 5 : int("totalIters"))
        case "sequential":
            return .sequential((d["schedules"] as! [[String: Any]]).map(schedule), milestones: ints("milestones"))
        case "plateau":
            return .plateau(.init(
                factor: num("factor", 0.1), patience: d["patience"] == nil ? 10 : int("patience"), threshold: num("threshold", 1e-4),
                relativeThreshold: (d["thresholdMode"] as? String ?? "rel") == "rel", cooldown: d["cooldown"] == nil ? 0 : int("cooldown"),
                minLR: num("minLr", 0), eps: num("eps", 1e-8)))
        default: return .invScaling(powerT: num("powerT", 0.25))
        }
    }

    static let cases: [Case] = {
        let doc = try! JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as! [String: Any]
        return (doc["cases"] as! [[String: Any]]).map { c in
            Case(
                name: c["name"] as! String, schedule: schedule(c["schedule"] as! [String: Any]), lr: (c["lr"] as! NSNumber).doubleValue,
                bits: (c["bits"] as! [String]).map { UInt64($0, radix: 16)! }, metrics: (c["metrics"] as? [NSNumber])?.map(\.doubleValue))
        }
    }()

    @Test func theFixtureCoversEveryKind() {
        #expect(Set(Self.cases.map(\.schedule.kind)) == Set(LearningRateSchedule.kinds))
    }

    @Test(arguments: cases)
    func equalsPyTorchStepByStep(_ c: Case) throws {
        try c.schedule.validate()
        var s = LearningRateScheduler(schedule: c.schedule, baseLR: c.lr)
        for (i, expected) in c.bits.enumerated() {
            #expect(s.lr.bitPattern == expected, "\(c.name): step \(i): \(s.lr) vs torch \(Double(bitPattern: expected))")
            s.step(metric: c.metrics?[i] ?? .nan)
        }
    }

    @Test(arguments: cases)
    func theStateSurvivesItsWordsAtEveryStep(_ c: Case) throws {
        var s = LearningRateScheduler(schedule: c.schedule, baseLR: c.lr)
        for i in 0..<c.bits.count {
            var back = try #require(LearningRateScheduler(schedule: c.schedule, baseLR: c.lr, words: s.stateWords))
            #expect(back == s, "\(c.name): step \(i)")
            back.step(metric: c.metrics?[i] ?? .nan)
            s.step(metric: c.metrics?[i] ?? .nan)
            #expect(back.lr.bitPattern == s.lr.bitPattern)
        }
    }

    @Test func badSchedulesAreRefusedNamingTheKey() {
        let bad: [(LearningRateSchedule, String)] = [
            (.step(stepSize: 0, gamma: 0.1), "training.schedule.stepSize"),
            (.exponential(gamma: 0), "training.schedule.gamma"),
            (.cosine(tMax: 0, etaMin: 0), "training.schedule.tMax"),
            (.linear(startFactor: 0, endFactor: 1, totalIters: 5), "training.schedule.startFactor"),
            (.linear(startFactor: 0.5, endFactor: 1.5, totalIters: 5), "training.schedule.endFactor"),
            (.multiStep(milestones: [], gamma: 0.1), "training.schedule.milestones"),
            (.sequential([.linear(startFactor: 0.5, endFactor: 1, totalIters: 5)], milestones: [5]), "training.schedule.milestones"),
            (.sequential([.exponential(gamma: 0.9), .plateau(.init())], milestones: [3]), "training.schedule.schedules[1].kind"),
            (.plateau(.init(factor: 1)), "training.schedule.factor"),
            (.invScaling(powerT: -1), "training.schedule.powerT"),
        ]
        for (schedule, key) in bad {
            #expect(throws: TrainingError.self, "\(schedule)") { try schedule.validate() }
            do { try schedule.validate() } catch { #expect(error.description.contains(key), "\(error.description)") }
        }
    }
}
