#!/usr/bin/env python3
"""Makes Tests/Fixtures/classweight-sklearn.json, the oracle of `loss: {kind: logistic, classWeight: …}`.

scikit-learn's `LogisticRegression(class_weight=cw, C=C)` (l2) minimises

    C·Σ c_{y_i}·logloss_i + ½‖w‖²

which divided by C·n is Lockstep's logistic loss with class weights, mean(c_y · BCEWithLogits), plus
its penalty α/2‖w‖² (l1Ratio 0) with α = 1/(C·n). `balanced` is c_k = n / (2·n_k). Each case holds
the data as float32 bit patterns, scikit-learn's optimum (lbfgs to tol 1e-12, in float64) and its
objective in Lockstep's scale. Run once (numpy, scikit-learn); the JSON is committed.

    python3 scripts/classweight-sklearn.py > Tests/Fixtures/classweight-sklearn.json
"""
import json

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.linear_model import LogisticRegression


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def case(name, X, y, C, class_weight):
    X = X.astype(np.float32)
    y = y.astype(np.float32)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    n = len(y)
    m = LogisticRegression(C=C, class_weight=class_weight, tol=1e-12, max_iter=100_000).fit(X64, y64)
    w, b = m.coef_.ravel(), m.intercept_[0]
    if class_weight == "balanced":
        c = n / (2 * np.bincount(y.astype(int)))
    else:
        c = np.array([class_weight[0], class_weight[1]], dtype=np.float64)
    z = X64 @ w + b
    loss = np.maximum(z, 0) - y64 * z + np.log1p(np.exp(-np.abs(z)))
    alpha = 1 / (C * n)
    objective = (c[y.astype(int)] * loss).mean() + alpha / 2 * (w @ w)
    return {
        "name": name, "rows": n, "features": X.shape[1], "alpha": alpha,
        "classWeight": "balanced" if class_weight == "balanced" else [class_weight[0], class_weight[1]],
        "resolved": [float(c[0]), float(c[1])],
        "X": bits(X), "y": bits(y), "weights": [float(v) for v in w], "bias": float(b), "objective": float(objective),
    }


cancer = load_breast_cancer()
Xc = (cancer.data - cancer.data.mean(0)) / cancer.data.std(0)
Xm, ym = make_classification(n_samples=600, n_features=8, n_informative=5, weights=[0.9, 0.1], flip_y=0.05, random_state=3)
cases = [
    case("breast cancer, balanced, C 0.5", Xc, cancer.target, 0.5, "balanced"),
    case("make_classification 90/10, balanced, C 1", Xm, ym, 1.0, "balanced"),
    case("make_classification 90/10, {0: 1, 1: 4}, C 1", Xm, ym, 1.0, {0: 1.0, 1: 4.0}),
]
print(json.dumps({"generator": "scripts/classweight-sklearn.py", "sklearn": sklearn.__version__, "cases": cases}, indent=1))
