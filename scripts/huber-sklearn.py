#!/usr/bin/env python3
"""Makes Tests/Fixtures/huber-sklearn.json, the oracle of `loss: {kind: huber, delta}`.

scikit-learn's `HuberRegressor(alpha=0, epsilon=ε)` minimises, jointly over w, b and a scale σ > 0,

    Σᵢ [σ + σ·H_ε(rᵢ/σ)],   rᵢ = yᵢ − xᵢ·w − b,   H_ε(t) = t² if |t| ≤ ε else 2ε|t| − ε².

With σ fixed at its optimum, (w, b) minimise Σ σ·H_ε(r/σ); times σ/2 that is r²/2 inside and
εσ|r| − (εσ)²/2 outside: PyTorch's HuberLoss with δ = ε·σ, Lockstep's `huber`. So Lockstep with
huberDelta = ε·scale_ must reach scikit-learn's coef_/intercept_. The script checks that
numerically (the gradient of the mean Huber_δ loss at scikit-learn's optimum is zero, and the
identity above holds row by row) before writing. δ is stored rounded to float32 (Lockstep's
huberDelta); the optimum moves by far less than the tests' tolerance. Each case holds the data as
float32 bit patterns (scikit-learn fits the same values in float64). Run once; the JSON is committed.

    python3 scripts/huber-sklearn.py > Tests/Fixtures/huber-sklearn.json
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import HuberRegressor

warnings.simplefilter("error", ConvergenceWarning)
EPSILON = 1.35


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def standardized(X, y):
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    return X.astype(np.float32), y.astype(np.float32)


def huber(e, delta):
    a = np.abs(e)
    return np.where(a <= delta, e * e / 2, delta * (a - delta / 2))


def case(name, X, y):
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    n = len(y)
    m = HuberRegressor(alpha=0, epsilon=EPSILON, tol=1e-14, max_iter=1_000_000).fit(X64, y64)
    w, b, sigma = m.coef_, float(m.intercept_), float(m.scale_)
    delta = float(np.float32(EPSILON * sigma))
    r = y64 - X64 @ w - b
    # The identity: σ·H_ε(r/σ)·σ/2 = Huber_{εσ}(r), row by row.
    t = r / sigma
    H = np.where(np.abs(t) <= EPSILON, t * t, 2 * EPSILON * np.abs(t) - EPSILON**2)
    assert np.allclose(sigma * H * sigma / 2, huber(r, EPSILON * sigma), rtol=1e-12, atol=1e-15), name
    # scikit-learn's L-BFGS-B stops on its objective's relative decrease (whatever tol): the mean
    # Huber_δ gradient (clamp(e, ±δ)·x, e = z − y) left at coef_ is ~1e-6. With δ fixed the problem
    # is piecewise quadratic, so Newton steps from coef_ end on the exact optimum (the rows outside δ
    # settle, then one step solves the quadratic): the oracle is that point, and the fixture keeps
    # how far coef_ is from it (scikit-learn's own convergence).
    A = np.hstack([X64, np.ones((n, 1))])
    theta = np.append(w, b)
    sk_gradient = np.abs(A.T @ np.clip(A @ theta - y64, -delta, delta) / n).max()
    for _ in range(100):
        e = A @ theta - y64
        grad = A.T @ np.clip(e, -delta, delta) / n
        if np.abs(grad).max() < 1e-14:
            break
        inside = np.abs(e) <= delta
        theta = theta - np.linalg.solve(A[inside].T @ A[inside] / n, grad)
    assert np.abs(grad).max() < 1e-14, (name, np.abs(grad).max())
    sk_w, sk_b = w, b
    w, b = theta[:-1], float(theta[-1])
    assert np.abs(theta - np.append(sk_w, sk_b)).max() < 1e-3, name
    r = y64 - X64 @ w - b
    outliers = int((np.abs(r) > delta).sum())
    assert outliers > 0, name
    objective = float(huber(r, delta).mean())
    return {
        "name": name, "rows": n, "features": X.shape[1], "epsilon": EPSILON, "scale": sigma, "delta": delta,
        "iterations": int(m.n_iter_), "rowsOutsideDelta": outliers,
        "X": bits(X), "y": bits(y),
        "weights": [float(v) for v in w], "bias": b, "objective": objective,
        "sklearnWeights": [float(v) for v in sk_w], "sklearnBias": sk_b, "sklearnGradient": float(sk_gradient),
    }


diabetes = standardized(*load_diabetes(return_X_y=True))
Xr, yr, = make_regression(n_samples=400, n_features=8, n_informative=6, noise=10.0, random_state=11)
rng = np.random.default_rng(5)
gross = rng.choice(400, size=20, replace=False)  # 5 % of y replaced by gross outliers
yr[gross] += rng.choice([-1, 1], size=20) * rng.uniform(5, 10, size=20) * yr.std()
contaminated = standardized(Xr, yr)
cases = [
    case("diabetes", *diabetes),
    case("make_regression with 5 % gross outliers in y", *contaminated),
]
print(json.dumps({"sklearn": sklearn.__version__, "cases": cases}, separators=(",", ":")))
