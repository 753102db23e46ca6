import Foundation

/// The k class scores of one row for predictions, validation and evaluation, in float64 like
/// `linearScoreDouble`: z_c = Σ_j Double(x_j)·Double(W[j·lanes + c]) (features in order) + Double(b_c),
/// into `z[0..<k]`. Returns the most likely class (the first of equal scores) and log Σ_c e^{z_c}
/// (stable: m + log Σ e^{z_c − m}), so a row's cross-entropy is `logSumExp − z[y]`.
@inline(__always)
func softmaxRowScores<T: BinaryFloatingPoint>(
    _ x: UnsafePointer<T>, d: Int, k: Int, lanes: Int, w: UnsafePointer<Float>, biases: UnsafePointer<Float>,
    into z: UnsafeMutablePointer<Double>
) -> (best: Int, logSumExp: Double) {
    var best = 0
    for c in 0..<k {
        var s = 0.0
        for j in 0..<d { s += Double(x[j]) * Double(w[j * lanes + c]) }
        z[c] = s + Double(biases[c])
        if z[c] > z[best] { best = c }
    }
    let m = z[best]
    var sum = 0.0
    for c in 0..<k { sum += Foundation.exp(z[c] - m) }
    return (best, m + Foundation.log(sum))
}

extension LinearModel {
    /// The class probabilities softmax(x·W + b) of one row (k = `outputs` values), from the scores
    /// in float64, each rounded once.
    public func probabilities(_ x: [Float]) -> [Float] {
        precondition(x.count == features, "a row of \(x.count) values for a model of \(features) features")
        let k = outputs
        var z = [Double](repeating: 0, count: k)
        let lse = x.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { wp in
                biases.withUnsafeBufferPointer { bp in
                    z.withUnsafeMutableBufferPointer {
                        softmaxRowScores(xp.baseAddress!, d: features, k: k, lanes: k, w: wp.baseAddress!, biases: bp.baseAddress!, into: $0.baseAddress!)
                            .logSumExp
                    }
                }
            }
        }
        return z.map { Float(Foundation.exp($0 - lse)) }
    }

    /// The most likely class of one row (softmax models): the first of the largest scores.
    public func predictClass(_ x: [Float]) -> Int {
        let z = scores(x)
        var best = 0
        for c in z.indices where z[c] > z[best] { best = c }
        return best
    }
}
