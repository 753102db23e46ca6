#!/usr/bin/env python3
"""Makes Tests/Fixtures/metrics-sklearn.json, the oracle of `lockstep evaluate` and `predict`.

Data, weights and expectations no one in Lockstep computed: numpy's float64 scores rounded to
float32 (the predictions `predict` must reproduce to <= 1 ulp) and scikit-learn's metrics on those
predictions. Run once (numpy, scikit-learn); the JSON is committed. Float32 values are stored as
8-hex-digit bit patterns so they are read back exactly.

    python3 scripts/metrics-sklearn.py > Tests/Fixtures/metrics-sklearn.json
"""
import json

import numpy as np
import sklearn
from sklearn import metrics


def bits(a):
    return ["%08x" % v for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def case(name, rows, d, seed, classification):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, d)) * rng.uniform(0.5, 3, d)
    if classification:
        # Some rows far out, so probabilities round to 0 and 1 and log_loss's clipping counts.
        X[: rows // 20] *= 40
    X = X.astype(np.float32)
    w = rng.standard_normal(d).astype(np.float32)
    b = np.float32(rng.standard_normal())
    z = X.astype(np.float64) @ w.astype(np.float64) + np.float64(b)
    if classification:
        z_true = z + rng.standard_normal(rows)
        y = (z_true > 0).astype(np.float32)
        p = (1 / (1 + np.exp(-z))).astype(np.float32)
        labels = (z > 0).astype(np.int64)  # sklearn predict: decision_function > 0
        prf = metrics.precision_recall_fscore_support(y.astype(np.int64), labels, labels=[0, 1], zero_division=0)
        expected = {
            "accuracy": metrics.accuracy_score(y.astype(np.int64), labels),
            "logLoss": float(metrics.log_loss(y.astype(np.int64), p, labels=[0, 1])),
            "precision": prf[0].tolist(), "recall": prf[1].tolist(), "f1": prf[2].tolist(),
            "support": prf[3].tolist(),
            "confusion": metrics.confusion_matrix(y.astype(np.int64), labels, labels=[0, 1]).tolist(),
            "probabilities": bits(p),
        }
    else:
        y = (z + 0.5 * rng.standard_normal(rows)).astype(np.float32)
        pred = z.astype(np.float32).astype(np.float64)
        t = y.astype(np.float64)
        expected = {
            "mse": metrics.mean_squared_error(t, pred),
            "rmse": metrics.root_mean_squared_error(t, pred),
            "mae": metrics.mean_absolute_error(t, pred),
            "r2": metrics.r2_score(t, pred),
        }
    # Float64 results also as bit patterns (JSON readers differ in their last digit of a double).
    for key in ["mse", "rmse", "mae", "r2", "accuracy", "logLoss", "precision", "recall", "f1"]:
        if key in expected:
            expected[key + "Bits"] = ["%016x" % v for v in np.atleast_1d(np.asarray(expected[key], dtype=np.float64)).view(np.uint64)]
    expected["values"] = bits(z.astype(np.float32))
    return {"name": name, "rows": rows, "features": d, "classification": classification,
            "X": bits(X), "y": bits(y), "weights": bits(w), "bias": bits([b])[0], "expected": expected}


if __name__ == "__main__":
    cases = [
        case("regression d5", 3000, 5, 1, False),
        case("regression d64", 600, 64, 2, False),
        case("classification d7", 3000, 7, 3, True),
        case("classification d19", 600, 19, 4, True),
    ]
    print(json.dumps({"numpy": np.__version__, "sklearn": sklearn.__version__, "cases": cases}))
