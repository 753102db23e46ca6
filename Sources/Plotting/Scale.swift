import Foundation

/// Maps data values on one axis to pixels: linear, or base-10 logarithmic for values spanning
/// decades. The domain is widened to whole ticks so the data never touches the frame.
public struct Scale: Sendable, Equatable {
    /// Linear, or logarithmic (base 10; positive values only).
    public enum Kind: Sendable, Equatable {
        /// Equal steps for equal differences.
        case linear
        /// Equal steps for equal ratios (base 10).
        case log
    }

    /// Linear or logarithmic.
    public let kind: Kind
    /// The data interval shown (for log, the values themselves, both > 0).
    public let domain: ClosedRange<Double>
    /// Pixels: `range.lowerBound` is where `domain.lowerBound` lands (it may be the larger number,
    /// as for a y axis that grows upwards).
    public let range: (Double, Double)
    /// The tick values: round numbers (1, 2 or 5 × 10ⁿ steps) inside the domain.
    public let ticks: [Double]
    /// For a linear scale over values that vary by less than 0.1 % of their size: by how much
    /// (the scale is then widened to ±1 % so they are drawn flat). nil otherwise.
    public private(set) var flatSpread: Double? = nil

    public static func == (a: Scale, b: Scale) -> Bool {
        a.kind == b.kind && a.domain == b.domain && a.range == b.range && a.ticks == b.ticks
    }

    /// A scale over `values` (non-finite ones ignored; for log, non-positive too), always including
    /// `include`. With `integerTicks` ticks fall on whole numbers only.
    public init(values: [Double], to range: (Double, Double), kind: Kind = .linear, include: [Double] = [], integerTicks: Bool = false) {
        self.range = range
        self.kind = kind
        let usable = (values + include).filter { $0.isFinite && (kind == .linear || $0 > 0) }
        var lo = usable.min() ?? (kind == .log ? 0.1 : 0)
        var hi = usable.max() ?? (kind == .log ? 10 : 1)
        switch kind {
        case .linear:
            if lo == hi {
                let pad = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= pad
                hi += pad
            } else if hi - lo < 1e-3 * max(abs(lo), abs(hi)) {
                // A series flat to three digits (the demo's loss: 1.5e-8 around 1e-4) is drawn
                // flat, as matplotlib does, not blown up into a V; `flatSpread` says by how much it
                // varies, for a note.
                flatSpread = hi - lo
                let c = (lo + hi) / 2, pad = abs(c) * 0.01
                lo = c - pad
                hi = c + pad
            }
            var step = Self.niceStep((hi - lo) / 6)
            if integerTicks { step = max(1, step.rounded()) }
            let first = (lo / step).rounded(.down) * step, last = (hi / step).rounded(.up) * step
            domain = first...last
            let count = Int(((last - first) / step).rounded())
            ticks = (0...count).map { first + Double($0) * step }.map { abs($0) < step * 1e-9 ? 0 : $0 }
        case .log:
            if lo == hi {
                lo /= 2
                hi *= 2
            }
            let e0 = log10(lo).rounded(.down), e1 = log10(hi).rounded(.up)
            domain = pow(10, e0)...pow(10, e1)
            let decades = Int(e1 - e0)
            var t: [Double] = []
            // Every decade; when there are few, also the 2s and 5s inside them.
            for e in 0...decades {
                let p = pow(10, e0 + Double(e))
                t.append(p)
                if decades <= 2 && e < decades { t += [2 * p, 5 * p] }
            }
            if decades > 8 {
                let every = (decades + 7) / 8
                t = t.enumerated().filter { $0.offset % every == 0 }.map(\.element)
            }
            ticks = t
        }
    }

    /// 1, 2 or 5 × 10^k, the smallest not below `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 && raw.isFinite else { return 1 }
        let p = pow(10, log10(raw).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * p >= raw * (1 - 1e-9) { return m * p }
        return 10 * p
    }

    /// The pixel of a data value (log scales clamp non-positive values to the bottom).
    public func pixel(_ v: Double) -> Double {
        let t: Double
        switch kind {
        case .linear:
            t = (v - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        case .log:
            let l0 = log10(domain.lowerBound), l1 = log10(domain.upperBound)
            t = v > 0 ? (log10(v) - l0) / (l1 - l0) : -0.05
        }
        return range.0 + t * (range.1 - range.0)
    }

    /// A tick's label: as few decimals as the step needs; powers of ten on log scales.
    public func label(_ v: Double) -> String {
        switch kind {
        case .log:
            let e = log10(v)
            if abs(e - e.rounded()) < 1e-9 {
                let k = Int(e.rounded())
                if k >= -3 && k <= 5 { return Self.decimal(v, decimals: max(0, -k)) }
                return "1e" + (k < 0 ? "−\(-k)" : "\(k)")
            }
            let k = Int(log10(v).rounded(.down))
            if k >= -3 && k <= 4 { return Self.decimal(v, decimals: max(0, -k)) }
            let m = v / pow(10, Double(k))
            return "\(Int(m.rounded()))e" + (k < 0 ? "−\(-k)" : "\(k)")
        case .linear:
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
            let decimals = max(0, Int(-log10(step).rounded(.down)))
            // One format per axis: scientific when the ticks are large or need many decimals, with
            // as many significant digits as the step needs, so neighbouring ticks differ.
            let top = ticks.map { abs($0) }.max() ?? abs(v)
            if top >= 1e6 || decimals > 5 {
                let digits = max(1, min(8, Int(log10(max(top, step) / step).rounded(.up))))
                return String(format: "%.\(digits)e", v).replacingOccurrences(of: "-", with: "−")
            }
            return Self.decimal(v, decimals: decimals)
        }
    }

    static func decimal(_ v: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", v).replacingOccurrences(of: "-", with: "−")
    }

    /// True when positive values span at least two decades, so a log axis reads better.
    public static func spansDecades(_ values: [Double]) -> Bool {
        let pos = values.filter { $0.isFinite && $0 > 0 }
        guard let lo = pos.min(), let hi = pos.max(), pos.count == values.filter(\.isFinite).count else { return false }
        return hi / lo >= 100
    }
}
