import LinearTraining
import Foundation
import SyntheticData
import TestSupport
import Testing

/// Full-batch gradient descent against the closed-form least-squares solution (normal equations
/// in Double, solved by Gaussian elimination with partial pivoting).
@Suite("Least squares") struct LeastSquaresTests {
    static func normalEquations(_ data: Dataset) -> [Double] {
        let n = data.features + 1
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for i in 0..<data.rows {
            var row = (0..<data.features).map { Double(data.row(i)[$0]) }
            row.append(1)
            for r in 0..<n {
                for c in 0..<n { a[r][c] += row[r] * row[c] }
                a[r][n] += row[r] * Double(data.y[i])
            }
        }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            for r in 0..<n where r != col {
                let f = a[r][col] / a[col][col]
                for c in col...n { a[r][c] -= f * a[col][c] }
            }
        }
        return (0..<n).map { a[$0][n] / a[$0][$0] }
    }

    @Test(arguments: [1, 2, 3])
    func fullBatchGradientDescentReachesTheClosedForm(threads: Int) throws {
        let spec = DatasetSpec(rows: 300, features: 4, weights: .explicit([0.5, -1, 2, 0.25]), bias: -1, noise: 0.3, seed: 3)
        let data = try Dataset.generate(spec)
        let exact = Self.normalEquations(data)
        let config = TrainingConfig(
            data: .synthetic(spec), model: .zeros, loss: .mse, optimizer: SGD(lr: 0.1), epochs: 2000, batchSize: nil,
            shuffle: false, threads: threads, executor: threads > 1 ? .span : .auto, chunkRows: 64)
        let r = try Trainer(config: config, dataset: data).run()
        for j in 0..<4 { #expect(abs(Double(r.model.weights[j]) - exact[j]) < 1e-4, "w[\(j)]: \(r.model.weights[j]) vs \(exact[j])") }
        #expect(abs(Double(r.model.bias) - exact[4]) < 1e-4)
        // The noise makes the exact fit differ from the true weights by more than the tolerance above.
        #expect(abs(exact[0] - 0.5) > 1e-4 || abs(exact[4] + 1) > 1e-4)
    }

    /// numpy writes the files (each .npy format version) and solves the least squares itself.
    @Test(arguments: [1, 2, 3])
    func trainsOnFilesNumpyWroteToNumpysLeastSquares(version: Int) throws {
        let dir = tempDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try python(
            """
            import numpy as np, os
            os.makedirs('\(dir)')
            rng = np.random.default_rng(3)
            X = rng.standard_normal((400, 3)).astype(np.float32)
            y = (X @ np.array([0.5, -2.0, 1.0]) + 0.25 + 0.3 * rng.standard_normal(400)).astype(np.float32)
            for name, a in (('X', X), ('y', y)):
                with open('\(dir)/' + name + '.npy', 'wb') as f:
                    np.lib.format.write_array(f, a, version=(\(version), 0))
            A = np.hstack([X.astype(np.float64), np.ones((400, 1))])
            print(' '.join(repr(float(v)) for v in np.linalg.lstsq(A, y.astype(np.float64), rcond=None)[0]))
            """)
        let exact = out.split(separator: " ").map { Double($0)! }
        let config = TrainingConfig(
            data: .npy(dir: dir, convertFloat64: false), model: .zeros, loss: .mse, optimizer: SGD(lr: 0.1),
            epochs: 1000, batchSize: nil, shuffle: false, threads: 2, executor: .span, chunkRows: 64)
        let r = try Trainer(config: config, data: try config.data.load(threads: 2)).run()
        for j in 0..<3 { #expect(abs(Double(r.model.weights[j]) - exact[j]) < 1e-4, "w[\(j)]: \(r.model.weights[j]) vs \(exact[j])") }
        #expect(abs(Double(r.model.bias) - exact[3]) < 1e-4)
    }
}
