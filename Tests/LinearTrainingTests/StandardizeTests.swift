import Foundation
import LinearTraining
import SyntheticData
import Testing

/// `data.standardize`: the scaling equals the two-pass float64 mean and population standard
/// deviation (numpy's and `StandardScaler`'s) for any thread count; a standardised run reaches the
/// ordinary least-squares optimum in the data's own units where the raw run diverges at the same
/// rate; its scaled weights are those of a run on an explicitly standardised copy; the saved model
/// carries the scaling, round-trips and refuses an edit.
@Suite("Standardize") struct StandardizeTests {
    /// Badly scaled columns, as real tables have them: an age, an income, a tiny measurement.
    /// y = 0.03·age − 2·10⁻⁴·income + 300·z + 5 + noise.
    static func skewed(rows n: Int, constantColumn: Bool = false, seed: UInt64 = 1) throws -> Dataset {
        var rng = RandomSource(seed: seed)
        var normals = [Float](repeating: 0, count: 4 * n)
        normals.withUnsafeMutableBufferPointer { rng.fillNormals($0.baseAddress!, count: 4 * n) }
        var rows: [[Float]] = [], y: [Float] = []
        for i in 0..<n {
            let age = Float(18 + 62 * rng.uniform()), income = 50_000 + 10_000 * normals[4 * i], z = 0.001 * normals[4 * i + 1]
            rows.append([age, income, z] + (constantColumn ? [7] : []))
            y.append(0.03 * age - 2e-4 * income + 300 * z + 5 + 0.1 * normals[4 * i + 2])
        }
        return try Dataset(rows: rows, y: y, source: "skewed")
    }

    /// Column j's mean and population standard deviation, two passes in float64.
    static func moments(_ data: Dataset, _ j: Int) -> (mean: Double, std: Double) {
        let d = data.features, n = data.rows
        var s = 0.0
        for i in 0..<n { s += Double(data.x[i * d + j]) }
        let mean = s / Double(n)
        var q = 0.0
        for i in 0..<n {
            let e = Double(data.x[i * d + j]) - mean
            q += e * e
        }
        return (mean, (q / Double(n)).squareRoot())
    }

    static func ulps(_ a: Float, _ b: Float) -> Int { abs(Int(a.bitPattern) - Int(b.bitPattern)) }

    @Test func theScalingIsTheFloat64MomentsForAnyThreadCount() throws {
        let data = try Self.skewed(rows: 20_000, constantColumn: true)  // 5 chunks of 4096 rows
        let one = FeatureScaling.fit(.stored(data), threads: 1)
        for t in [2, 3, 8] { #expect(FeatureScaling.fit(.stored(data), threads: t) == one, "\(t) threads") }
        for j in 0..<3 {
            let (mean, std) = Self.moments(data, j)
            #expect(Self.ulps(one.mean[j], Float(mean)) <= 1, "mean of column \(j): \(one.mean[j]) vs \(mean)")
            #expect(Self.ulps(one.scale[j], Float(std)) <= 1, "scale of column \(j): \(one.scale[j]) vs \(std)")
        }
        #expect(one.mean[3] == 7 && one.scale[3] == 1, "a constant column: mean 7, scale 1 (as StandardScaler)")
    }

    @Test func dataMadeOnTheFlyScalesAsStoredData() throws {
        let spec = DatasetSpec(rows: 9000, features: 5, weights: .alternating, seed: 3)
        let stored = FeatureScaling.fit(.stored(try Dataset.generate(spec, threads: 2)), threads: 2)
        #expect(FeatureScaling.fit(.generated(try SyntheticRows(spec)), threads: 3) == stored)
    }

    static func fullBatch(_ standardize: Bool, lr: Float = 0.5, epochs: Int = 300, threads: Int = 1) -> TrainingConfig {
        var c = TrainingConfig(
            model: .zeros, loss: .squared, optimizer: SGD(lr: lr), epochs: epochs, batchSize: nil, shuffle: false, threads: threads,
            executor: threads > 1 ? .span : .serial, chunkRows: 64)
        c.standardize = standardize
        return c
    }

    /// The least-squares optimum in float64 from the centred normal equations (Gauss–Jordan).
    static func ordinaryLeastSquares(_ data: Dataset) -> (w: [Double], b: Double) {
        let d = data.features, n = data.rows
        let mx = (0..<d).map { moments(data, $0).mean }
        let my = (0..<n).reduce(0.0) { $0 + Double(data.y[$1]) } / Double(n)
        var a = [[Double]](repeating: [Double](repeating: 0, count: d + 1), count: d)
        for i in 0..<n {
            let x = (0..<d).map { Double(data.x[i * d + $0]) - mx[$0] }, y = Double(data.y[i]) - my
            for r in 0..<d {
                for c in 0..<d { a[r][c] += x[r] * x[c] }
                a[r][d] += x[r] * y
            }
        }
        for p in 0..<d {
            for r in 0..<d where r != p {
                let f = a[r][p] / a[p][p]
                for c in p...d { a[r][c] -= f * a[p][c] }
            }
        }
        let w = (0..<d).map { a[$0][d] / a[$0][$0] }
        return (w, my - zip(mx, w).reduce(0) { $0 + $1.0 * $1.1 })
    }

    @Test func aStandardizedRunReachesTheLeastSquaresOptimumWhereTheRawOneDiverges() throws {
        let data = try Self.skewed(rows: 3000)
        let ols = Self.ordinaryLeastSquares(data)
        let report = try Trainer(config: Self.fullBatch(true), dataset: data).run()
        for j in 0..<3 {
            let w = Double(report.model.weights[j])
            #expect(abs(w - ols.w[j]) <= 2e-4 * abs(ols.w[j]), "w\(j): \(w) vs least squares \(ols.w[j])")
        }
        #expect(abs(Double(report.model.bias) - ols.b) <= 2e-3, "b: \(report.model.bias) vs \(ols.b)")
        #expect(report.scaling != nil && report.scaledModel != nil)
        #expect(report.scaling!.originalUnits(report.scaledModel!) == report.model)
        #expect(throws: TrainingError.self) { _ = try Trainer(config: Self.fullBatch(false), dataset: data).run() }
        // Several workers, several chunks: the same bits.
        for t in [2, 3] {
            let other = try Trainer(config: Self.fullBatch(true, threads: t), dataset: data).run()
            #expect(other.model == report.model && other.epochLosses == report.epochLosses, "\(t) threads")
        }
    }

    @Test func theScaledWeightsAreThoseOfARunOnAStandardizedCopy() throws {
        let data = try Self.skewed(rows: 2000)
        let s = FeatureScaling.fit(.stored(data))
        let d = data.features
        let copy = try Dataset(rows: data.rows, features: d, source: "standardized copy")
        for i in 0..<data.rows {
            for j in 0..<d { copy.x[i * d + j] = (data.x[i * d + j] - s.mean[j]) / s.scale[j] }
            copy.y[i] = data.y[i]
        }
        var config = TrainingConfig(
            model: .zeros, loss: .squared, optimizer: SGD(lr: 0.05, momentum: 0.9), epochs: 4, batchSize: 100, seed: 4,
            threads: 2, executor: .span, chunkRows: 16)
        config.penalty = Penalty(alpha: 0.05, l1Ratio: 1)
        let plain = try Trainer(config: config, dataset: copy).run()
        config.standardize = true
        let scaled = try #require(try Trainer(config: config, dataset: data).run().scaledModel)
        for j in 0..<d {
            #expect(abs(scaled.weights[j] - plain.model.weights[j]) <= 1e-4 * max(1, abs(plain.model.weights[j])),
                    "w′\(j): \(scaled.weights[j]) vs \(plain.model.weights[j])")
        }
        #expect(abs(scaled.bias - plain.model.bias) <= 1e-4 * max(1, abs(plain.model.bias)))
        #expect(scaled.weights.map { $0 == 0 } == plain.model.weights.map { $0 == 0 }, "the lasso's zeros")
    }

    @Test func aSavedModelCarriesTheScalingAndRefusesAnEdit() throws {
        let data = try Self.skewed(rows: 1000)
        let trainer = try Trainer(config: Self.fullBatch(true, epochs: 50), dataset: data)
        let report = try trainer.run()
        let saved = SavedModel(trainer: trainer, report: report)
        let back = try SavedModel(text: saved.text, path: "model.json")
        #expect(back == saved && back.scaling == report.scaling && back.scaledModel == report.scaledModel)
        // Predictions use the data's units.
        let predictions = try back.predict(data)
        #expect(predictions[7] == report.model.predict((0..<3).map { data.x[7 * 3 + $0] }))
        // A warm start from it takes the scaled weights bit for bit.
        let again = try Trainer(config: Self.fullBatch(true, epochs: 1), dataset: data)
        try again.start(from: back)
        #expect(again.scaledModel == report.scaledModel)
        // A file whose scaled bias was changed without the weights (each value's bits consistent) is refused.
        var tampered = saved
        tampered.scaledModel!.bias = tampered.scaledModel!.bias.nextUp
        let edited = tampered.text
        let error = #expect(throws: TrainingError.self) { _ = try SavedModel(text: edited, path: "model.json") }
        #expect(error?.description.contains("edited") == true, "\(String(describing: error))")
    }
}
