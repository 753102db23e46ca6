#!/usr/bin/env python3
"""Makes Tests/Fixtures/softmax-sklearn.json, the optimum oracle of `loss: softmax` (+ l2 penalty).

Lockstep's softmax objective (d features, k classes, labels 0 … k − 1, bias not penalised):

    F(W, b) = (1/n)·Σᵢ CE(xᵢ·W + b, yᵢ) + (α/2)·‖W‖²,   CE(z, y) = logsumexp(z) − z[y]

scikit-learn's multinomial `LogisticRegression` (lbfgs, k ≥ 3) minimises ½‖W‖² + C·Σᵢ CE; with
C = 1/(n·α) that is F times C·n, the same optimum. α = 0 is C = inf (no penalty). scikit-learn 1.9
deprecates `penalty=`; `l1_ratio=0.0` is its spelling of l2. Each fit uses tol 1e-12 and
max_iter 100000 and is checked here: converged, and the gradient of F (computed by this script in
float64) below 1e-7 in every component.

Softmax is invariant to adding one constant to all k biases, so the biases are stored CENTERED
(their mean subtracted); Lockstep starting from zeros keeps Σ_c b_c = 0 (the gradient of F with
respect to b sums to zero over the classes). With α > 0 the optimum W already has Σ_c W[j, c] = 0
for every feature j (the stationarity condition summed over classes); with α = 0, W is unique only
up to adding one vector v (v_j per feature) to every class's column, so each feature's k weights
are centered too (Lockstep from zeros also keeps Σ_c W[j, c] = 0, and centring changes no
prediction or loss). The unpenalised case uses data on which no pair of classes is linearly
separable (checked by a linear program per pair), so its optimum is finite.

Run once (numpy, scipy, scikit-learn); the JSON is committed:

    python3 scripts/softmax-sklearn.py > Tests/Fixtures/softmax-sklearn.json

Fields (top level): `sklearn`, `numpy` (versions), `layout`, `cases`. Per case:
  name, rows (n), features (d), classes (k), alpha (α; 0 = no penalty), C (as given to sklearn)
  iterations      lbfgs iterations
  X               n·d float32 bit patterns ("%08x" hex of the IEEE bits), row-major; standardised
                  in float64 (population std), then rounded to float32; sklearn fits these values
  y               n ints
  weights         d·k float64 (JSON numbers, round-trip exact), FEATURE-MAJOR: W[j*k + c]
                  (= sklearn coef_.T flattened row-major = torch linear.weight.T)
  biases          k float64, centered (sum 0)
  objective       F at (weights, biases) in float64 by this script (logsumexp with the max
                  subtracted; mean over rows; + α/2·Σ W²)
  meanCrossEntropy  the first term of F alone
  gradientMax     max |∂F/∂W|, |∂F/∂b| at the stored optimum (the check above)
  scipyMaxDifference  max |difference| to an independent scipy L-BFGS-B minimisation of F from
                  zeros (centered the same way); asserted below 1e-5
  accuracy        fraction of rows whose argmax z is y; confusion: k×k counts, row = true class
"""
import json
import warnings

import numpy as np
import scipy.optimize
import sklearn
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

warnings.simplefilter("error", ConvergenceWarning)


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def standardized(X):
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32)


def objective_and_gradient(X, y, k, W, b, alpha):
    n = len(y)
    z = X @ W + b
    z = z - z.max(1, keepdims=True)
    lse = np.log(np.exp(z).sum(1))
    ce = np.mean(lse - z[np.arange(n), y])
    P = np.exp(z - lse[:, None])
    P[np.arange(n), y] -= 1
    return ce + alpha / 2 * np.sum(W * W), ce, X.T @ P / n + alpha * W, P.mean(0)


def separable(Xa, Xb):
    """True when some (w, c) has w·x + c ≥ 1 on Xa and ≤ −1 on Xb (a linear program)."""
    d = Xa.shape[1]
    A = np.vstack([-np.hstack([Xa, np.ones((len(Xa), 1))]), np.hstack([Xb, np.ones((len(Xb), 1))])])
    r = scipy.optimize.linprog(np.zeros(d + 1), A_ub=A, b_ub=-np.ones(len(A)), bounds=[(None, None)] * (d + 1), method="highs")
    return r.status == 0


def case(name, X, y, alpha):
    X64 = X.astype(np.float64)
    n, d = X.shape
    k = int(y.max()) + 1
    assert len(np.unique(y)) == k >= 3
    if alpha == 0:
        for a in range(k):
            for c in range(a + 1, k):
                assert not separable(X64[y == a], X64[y == c]), (name, "classes separable", a, c)
        m = LogisticRegression(C=np.inf, solver="lbfgs", tol=1e-12, max_iter=100000)
    else:
        m = LogisticRegression(C=1 / (n * alpha), l1_ratio=0.0, solver="lbfgs", tol=1e-12, max_iter=100000)
    m.fit(X64, y)
    assert m.coef_.shape == (k, d)
    W = m.coef_.T.copy()  # d × k
    b = m.intercept_ - m.intercept_.mean()
    if alpha == 0:
        W = W - W.mean(1, keepdims=True)
    else:
        assert np.abs(W.sum(1)).max() < 1e-7, (name, "penalised optimum not centered", np.abs(W.sum(1)).max())
    F, ce, gW, gb = objective_and_gradient(X64, y, k, W, b, alpha)
    gmax = max(np.abs(gW).max(), np.abs(gb).max())
    assert gmax < 1e-7, (name, gmax)
    # Centring changes nothing: the same objective as sklearn's own (uncentered) solution.
    F0 = objective_and_gradient(X64, y, k, m.coef_.T, m.intercept_, alpha)[0]
    assert abs(F - F0) < 1e-12, (name, F, F0)
    # An independent minimisation of F (scipy's L-BFGS on this script's own gradient, from zeros)
    # reaches the same (centered) point.
    def f(theta):
        Wt, bt = theta[:d * k].reshape(d, k), theta[d * k:]
        F_, _, gW_, gb_ = objective_and_gradient(X64, y, k, Wt, bt, alpha)
        return F_, np.concatenate([gW_.ravel(), gb_])
    r = scipy.optimize.minimize(f, np.zeros(d * k + k), jac=True, method="L-BFGS-B",
                                options={"gtol": 1e-11, "ftol": 1e-15, "maxiter": 100000, "maxcor": 30})
    W2, b2 = r.x[:d * k].reshape(d, k), r.x[d * k:]
    W2, b2 = W2 - W2.mean(1, keepdims=True), b2 - b2.mean()
    agree = max(np.abs(W2 - W).max(), np.abs(b2 - b).max())
    assert agree < 1e-5, (name, "scipy disagrees", agree)
    pred = np.argmax(X64 @ W + b, 1)
    confusion = np.zeros((k, k), int)
    np.add.at(confusion, (y, pred), 1)
    return {
        "name": name, "rows": n, "features": d, "classes": k, "alpha": alpha, "C": None if alpha == 0 else 1 / (n * alpha),
        "iterations": int(m.n_iter_.max()),
        "X": bits(X), "y": [int(v) for v in y],
        "weights": [float(v) for v in W.ravel()], "biases": [float(v) for v in b],
        "objective": float(F), "meanCrossEntropy": float(ce), "gradientMax": float(gmax), "scipyMaxDifference": float(agree),
        "accuracy": float(np.mean(pred == y)), "confusion": confusion.tolist(),
    }


def noisy(n, d, k, seed):
    """Gaussian blobs around k random centres, 20 % of the labels replaced by random ones."""
    rng = np.random.default_rng(seed)
    centres = 1.5 * rng.standard_normal((k, d))
    y = rng.integers(0, k, n)
    X = centres[y] + rng.standard_normal((n, d))
    flip = rng.random(n) < 0.2
    y = np.where(flip, rng.integers(0, k, n), y)
    return standardized(X), y


iris_X, iris_y = load_iris(return_X_y=True)
wine_X, wine_y = load_wine(return_X_y=True)
iris, wine = standardized(iris_X), standardized(wine_X)
Xs, ys = noisy(300, 5, 4, seed=2)
cases = [
    case("iris standardized, l2 alpha 0.01", iris, iris_y, 0.01),
    case("iris standardized, l2 alpha 0.001", iris, iris_y, 0.001),
    case("wine standardized, l2 alpha 0.01", wine, wine_y, 0.01),
    case("noisy blobs 300x5x4 (no pair of classes separable), no penalty", Xs, ys, 0.0),
]
layout = ("weights: d x k feature-major W[j*k + c] (sklearn coef_.T row-major), float64; biases: k float64, centered; "
          "X: float32 bit patterns as %08x hex, row-major")
print(json.dumps({"sklearn": sklearn.__version__, "numpy": np.__version__, "layout": layout, "cases": cases},
                 separators=(",", ":")))
