/// The loss of a step, with exactly the semantics of the named references. z = x·w + b per row,
/// B the rows of the batch (the last partial batch: its own row count).
///
/// - `squared` (d2l from scratch): l = (z − y)²/2 per row, the mean over the batch;
///   w −= lr · (1/B) Σ (z − y)·x.
/// - `mse` (PyTorch `nn.MSELoss` + `optim.SGD`): l = mean (z − y)²; w −= lr · (2/B) Σ (z − y)·x.
/// - `logistic` (PyTorch `nn.BCEWithLogitsLoss`, mean): labels y ∈ {0, 1};
///   l = mean [softplus(z) − y·z] (= −y log σ(z) − (1 − y) log(1 − σ(z)), computed without
///   overflow for any z); w −= lr · (1/B) Σ (σ(z) − y)·x.
/// - `huber` (PyTorch `nn.HuberLoss(delta:)`, mean): e = z − y, l = mean [e²/2 if |e| ≤ δ else
///   δ(|e| − δ/2)]; w −= lr · (1/B) Σ clamp(e, ±δ)·x. δ is `TrainingConfig.huberDelta` (default 1).
/// - `softmax` (PyTorch `nn.CrossEntropyLoss`, mean): k classes (`TrainingConfig.classes`), labels
///   y ∈ {0, …, k−1}; W is d × k and b has k values, z = x·W + b per row; l = mean [log Σ_c e^{z_c}
///   − z_y] (computed as log Σ e^{z_c − m} − (z_y − m), m = max z: no overflow);
///   W −= lr · (1/B) Σ x·(softmax(z) − onehot(y))ᵀ, b −= lr · (1/B) Σ (softmax(z) − onehot(y)).
///
/// Workers produce sums (Σ g·x, Σ g, Σ l of the kernel's objective); a loss only says how to scale
/// them, once per step.
public enum Loss: String, Sendable, CaseIterable, Codable {
    /// `loss: squared` (the default): (z − y)²/2 per row, d2l's `squared_loss`.
    case squared
    /// `loss: mse`: (z − y)² per row, PyTorch's `nn.MSELoss` (twice `squared`'s gradient).
    case mse
    /// `loss: logistic`: binary cross-entropy on the logit z, `nn.BCEWithLogitsLoss`; labels 0 and 1 only,
    /// optionally class-weighted (`loss.classWeight`).
    case logistic
    /// `loss: huber` (or `{kind: huber, delta: δ}`): `nn.HuberLoss(delta: δ)`, δ > 0, default 1.
    case huber
    /// `loss: softmax` (or `{kind: softmax, classes: k}`): multinomial cross-entropy,
    /// `nn.CrossEntropyLoss`; labels 0…k−1, a d × k weight matrix and k biases.
    case softmax

    /// Factor turning Σ r·x over `rows` rows into the gradient of the mean loss.
    @inlinable
    public func gradientScale(rows: Int) -> Float {
        switch self {
        case .squared, .logistic, .huber, .softmax: return 1 / Float(rows)
        case .mse: return 2 / Float(rows)
        }
    }

    /// Factor turning the kernel's Σ l into the summed loss (before dividing by the number of rows).
    @inlinable
    public var lossFactor: Double {
        switch self {
        case .squared, .huber: return 0.5
        case .mse, .logistic, .softmax: return 1
        }
    }

    /// What the kernels compute per row for this loss (`classes`: softmax's k).
    public func objective(huberDelta: Float, classes: Int = 2) -> GradientKernels.Objective {
        switch self {
        case .squared, .mse: return .squaredError
        case .logistic: return .logistic
        case .huber: return .huber(delta: huberDelta)
        case .softmax: return .softmax(classes: classes)
        }
    }

    /// Whether the loss classifies (logistic, softmax): labels are class indices and the metric is accuracy.
    public var isClassification: Bool { self == .logistic || self == .softmax }

    /// Whether the labels must be 0 or 1.
    public var needsBinaryLabels: Bool { self == .logistic }
}
