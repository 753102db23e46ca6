import Foundation

/// Numbers for people: three significant digits with an SI prefix, one convention everywhere the CLI
/// prints a rate or a count ("1.45 G", "21.3 M", "812 k", "950"). A prefix is picked so the mantissa
/// is in [1, 1000); rounding that would print "1000" moves up a prefix ("1.00 M").
func engineeringText(_ value: Double) -> String {
    guard value.isFinite else { return "?" }
    if value < 0 { return "-" + engineeringText(-value) }
    let prefixes = ["", " k", " M", " G", " T", " P"]
    var scaled = value, index = 0
    while index + 1 < prefixes.count && scaled.roundedTo3Significant >= 1000 {
        scaled /= 1000
        index += 1
    }
    if index == 0 && scaled == scaled.rounded() { return cFormat("%.0f", scaled) }
    let r = scaled.roundedTo3Significant
    let mantissa = r >= 100 ? cFormat("%.0f", scaled) : r >= 10 ? cFormat("%.1f", scaled) : cFormat("%.2f", scaled)
    return mantissa + prefixes[index]
}

/// "1.45 G samples/s", "950 samples/s": a rate in engineering units.
func engineeringRate(_ perSecond: Double, unit: String) -> String {
    guard perSecond.isFinite && perSecond > 0 else { return "? \(unit)/s" }
    return engineeringText(perSecond) + " \(unit)/s"
}

extension Double {
    /// The value rounded to three significant digits (for choosing a prefix and a format).
    fileprivate var roundedTo3Significant: Double {
        guard self > 0 else { return self }
        let magnitude = (Foundation.log10(self)).rounded(.down)
        let scale = Foundation.pow(10, 2 - magnitude)
        return (self * scale).rounded() / scale
    }
}
