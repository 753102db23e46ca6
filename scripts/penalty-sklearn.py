#!/usr/bin/env python3
"""Makes Tests/Fixtures/penalty-sklearn.json, the oracle of `penalty: {alpha, l1Ratio}`.

scikit-learn's `ElasticNet` (and `Lasso`, l1_ratio = 1) minimises

    1/(2n)·‖y − Xw − b‖² + α·l1_ratio·‖w‖₁ + α(1 − l1_ratio)/2·‖w‖²

which is Lockstep's `squared` loss (mean of (z − y)²/2) plus its penalty. Each case holds the data
as float32 bit patterns (what Lockstep trains on; scikit-learn fits the same values in float64),
scikit-learn's optimum (coordinate descent to tol 1e-13), its objective, and which weights are
exactly zero. Cases are chosen so every zero weight is zero by a margin (the KKT gap
α·l1_ratio − |x_jᵀr|/n is at least 2 % of α·l1_ratio), so the pattern does not hinge on rounding.
Run once (numpy, scikit-learn); the JSON is committed.

    python3 scripts/penalty-sklearn.py > Tests/Fixtures/penalty-sklearn.json
"""
import json

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes, make_regression
from sklearn.linear_model import ElasticNet


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def standardized(X, y):
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    return X.astype(np.float32), y.astype(np.float32)


def case(name, X, y, alpha, l1_ratio):
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    n = len(y)
    m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=True, tol=1e-13, max_iter=10_000_000).fit(X64, y64)
    w, b = m.coef_, m.intercept_
    r = y64 - X64 @ w - b
    objective = (r @ r) / (2 * n) + alpha * l1_ratio * np.abs(w).sum() + alpha * (1 - l1_ratio) / 2 * (w @ w)
    zero = w == 0
    if l1_ratio > 0 and zero.any():
        gap = alpha * l1_ratio - np.abs(X64[:, zero].T @ r / n)
        assert gap.min() > 0.02 * alpha * l1_ratio, (name, gap.min())
    return {
        "name": name, "rows": n, "features": X.shape[1], "alpha": alpha, "l1Ratio": l1_ratio,
        "X": bits(X), "y": bits(y),
        "weights": [float(v) for v in w], "bias": float(b), "objective": float(objective),
        "zero": [bool(v) for v in zero],
    }


diabetes = standardized(*load_diabetes(return_X_y=True))
Xs, ys = make_regression(n_samples=400, n_features=20, n_informative=5, noise=5.0, random_state=7)
sparse = standardized(Xs, ys)
cases = [
    case("diabetes lasso alpha 0.05", *diabetes, 0.05, 1.0),
    case("diabetes elastic net alpha 0.02 l1Ratio 0.5", *diabetes, 0.02, 0.5),
    case("diabetes ridge alpha 0.1 l1Ratio 0", *diabetes, 0.1, 0.0),
    case("make_regression 5 of 20 informative, lasso alpha 0.1", *sparse, 0.1, 1.0),
]
print(json.dumps({"sklearn": sklearn.__version__, "cases": cases}, separators=(",", ":")))
