/// The loss of a linear regression step, with exactly the semantics of the two reference lessons.
///
/// - `squared` (d2l from scratch): l = (ŷ − y)²/2 per row; update w −= lr · (1/B) Σ r·x.
/// - `mse` (PyTorch `nn.MSELoss` + `optim.SGD`): l = mean (ŷ − y)²; update w −= lr · (2/B) Σ r·x.
///
/// Workers produce sums (Σ r·x, Σ r, Σ r²); a loss only says how to scale them, once per step.
public enum Loss: String, Sendable, CaseIterable, Codable {
    case squared
    case mse

    /// Factor turning Σ r·x over `rows` rows into the gradient of the mean loss.
    @inlinable
    public func gradientScale(rows: Int) -> Float {
        switch self {
        case .squared: return 1 / Float(rows)
        case .mse: return 2 / Float(rows)
        }
    }

    /// Factor turning Σ r² into the summed loss (before dividing by the number of rows).
    @inlinable
    public var lossFactor: Double {
        switch self {
        case .squared: return 0.5
        case .mse: return 1
        }
    }
}
