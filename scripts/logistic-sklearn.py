#!/usr/bin/env python3
"""Makes Tests/Fixtures/logistic-sklearn.json, the oracle of `loss: logistic` (+ `penalty`).

scikit-learn's `LogisticRegression` (labels {0, 1}, intercept unpenalised) minimises

    C·Σᵢ logloss(zᵢ, yᵢ) + r(w),   r = ½‖w‖² (l1_ratio 0) or (1 − ρ)/2·‖w‖² + ρ‖w‖₁ (ρ = l1_ratio)

and nothing but the logloss for C = inf (no penalty; scikit-learn 1.9 deprecates `penalty=` for
these spellings). Dividing by C·n gives mean logloss + α·ρ·‖w‖₁ + α(1 − ρ)/2·‖w‖² with
α = 1/(C·n): Lockstep's `logistic` loss (mean BCEWithLogits) plus its penalty. Each case holds the
data as float32 bit patterns (what Lockstep trains on; scikit-learn fits the same values in
float64), scikit-learn's optimum (lbfgs or saga, tol 1e-12, checked converged and checked against
the optimality conditions here: gradients below 1e-7), its objective and which weights are exactly zero. Elastic-net
cases are chosen so every zero weight is zero by a margin (the KKT gap α·ρ − |x_jᵀ(σ(z) − y)|/n is
at least 2 % of α·ρ). Unpenalised cases use data that is not linearly separable (label noise), so
the optimum is finite. Run once (numpy, scikit-learn); the JSON is committed.

    python3 scripts/logistic-sklearn.py > Tests/Fixtures/logistic-sklearn.json
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

warnings.simplefilter("error", ConvergenceWarning)


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def standardized(X, y):
    X = (X - X.mean(0)) / X.std(0)
    return X.astype(np.float32), y.astype(np.float32)


def softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def case(name, X, y, alpha, l1_ratio):
    """alpha 0: no penalty (C = inf). Otherwise C = 1/(alpha·n)."""
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    n = len(y)
    if alpha == 0:
        m = LogisticRegression(C=np.inf, solver="lbfgs", tol=1e-12, max_iter=1_000_000)
    elif l1_ratio == 0:
        m = LogisticRegression(C=1 / (alpha * n), l1_ratio=0.0, solver="lbfgs", tol=1e-12, max_iter=1_000_000)
    else:
        m = LogisticRegression(C=1 / (alpha * n), l1_ratio=l1_ratio, solver="saga", tol=1e-12, max_iter=1_000_000)
    m.fit(X64, y64)
    w, b = m.coef_.ravel(), float(m.intercept_[0])
    z = X64 @ w + b
    objective = np.mean(softplus(z) - y64 * z) + alpha * l1_ratio * np.abs(w).sum() + alpha * (1 - l1_ratio) / 2 * (w @ w)
    # Optimality: the gradient of the smooth part is zero for the bias and the non-zero weights
    # (plus α·ρ·sign(w)), and at most α·ρ in magnitude for the zero weights.
    g = X64.T @ (sigmoid(z) - y64) / n + alpha * (1 - l1_ratio) * w
    assert abs(np.mean(sigmoid(z) - y64)) < 1e-7, (name, "bias gradient")
    nz = w != 0
    kkt = g[nz] + alpha * l1_ratio * np.sign(w[nz])
    assert np.abs(kkt).max() < 1e-7, (name, np.abs(kkt).max())
    zero = ~nz
    if zero.any():
        gap = alpha * l1_ratio - np.abs(g[zero])
        assert gap.min() > 0.02 * alpha * l1_ratio, (name, gap.min())
    if alpha == 0:
        assert 0 < np.mean((z > 0) != (y64 == 1)), (name, "separable: the unpenalised optimum is not finite")
    return {
        "name": name, "rows": n, "features": X.shape[1], "alpha": alpha, "l1Ratio": l1_ratio,
        "solver": m.solver, "iterations": int(m.n_iter_[0]),
        "X": bits(X), "y": bits(y),
        "weights": [float(v) for v in w], "bias": b, "objective": float(objective),
        "zero": [bool(v) for v in zero],
    }


cancer = standardized(*load_breast_cancer(return_X_y=True))
Xc, yc = make_classification(n_samples=500, n_features=12, n_informative=4, n_redundant=2, flip_y=0.15,
                             class_sep=0.8, random_state=3)
noisy = standardized(Xc, yc)
cases = [
    case("breast_cancer l2 alpha 0.01", *cancer, 0.01, 0.0),
    case("breast_cancer elastic net alpha 0.02 l1Ratio 0.5", *cancer, 0.02, 0.5),
    case("make_classification noisy labels, no penalty", *noisy, 0.0, 0.0),
    case("make_classification l2 alpha 0.005", *noisy, 0.005, 0.0),
    case("make_classification elastic net alpha 0.03 l1Ratio 0.8", *noisy, 0.03, 0.8),
]
print(json.dumps({"sklearn": sklearn.__version__, "cases": cases}, separators=(",", ":")))
