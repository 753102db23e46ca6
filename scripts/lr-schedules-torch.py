#!/usr/bin/env python3
"""Makes Tests/Fixtures/lr-schedules-torch.json: the learning rates torch.optim.lr_scheduler gives,
step by step, for the schedules Lockstep implements. The oracle of Tests/LinearTrainingTests/
LearningRateScheduleTests.swift. Run once, in a scratch venv (torch is not a test dependency):

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch
    /tmp/torchvenv/bin/python scripts/lr-schedules-torch.py > Tests/Fixtures/lr-schedules-torch.json

Each case: the Lockstep schedule (as in training.schedule), the base lr, and `lrs`, the lr in force
before each scheduler step (get_last_lr()[0] after construction, then after each step()), as
Python floats (float64), with their bit patterns in hex. `plateau` cases also list the metric given
to each step(). invscaling is scikit-learn's formula eta0 / pow(t, power_t) (sklearn's
_sgd_fast.pyx, t = 1 at the first update), evaluated in Python floats.
"""
import json, math, struct, sys
import torch
from torch.optim import SGD, lr_scheduler as S

def bits(x):
    return struct.pack(">d", x).hex()

def optimizer(lr):
    return SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)

def make(opt, spec):
    k = spec["kind"]
    if k == "step": return S.StepLR(opt, step_size=spec["stepSize"], gamma=spec.get("gamma", 0.1))
    if k == "multistep": return S.MultiStepLR(opt, milestones=spec["milestones"], gamma=spec.get("gamma", 0.1))
    if k == "exponential": return S.ExponentialLR(opt, gamma=spec["gamma"])
    if k == "cosine": return S.CosineAnnealingLR(opt, T_max=spec["tMax"], eta_min=spec.get("etaMin", 0.0))
    if k == "linear":
        return S.LinearLR(opt, start_factor=spec.get("startFactor", 1.0 / 3), end_factor=spec.get("endFactor", 1.0),
                          total_iters=spec.get("totalIters", 5))
    if k == "sequential":
        return S.SequentialLR(opt, [make(opt, s) for s in spec["schedules"]], milestones=spec["milestones"])
    if k == "plateau":
        return S.ReduceLROnPlateau(opt, mode="min", factor=spec.get("factor", 0.1), patience=spec.get("patience", 10),
                                   threshold=spec.get("threshold", 1e-4), threshold_mode=spec.get("thresholdMode", "rel"),
                                   cooldown=spec.get("cooldown", 0), min_lr=spec.get("minLr", 0.0), eps=spec.get("eps", 1e-8))
    raise ValueError(k)

def run(name, spec, lr, steps, metrics=None):
    if spec["kind"] == "invscaling":
        p = spec.get("powerT", 0.25)
        lrs = [lr / pow(float(t), p) for t in range(1, steps + 1)]
    else:
        opt = optimizer(lr)
        sched = make(opt, spec)
        lrs = []
        for i in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            assert lrs[-1] == sched.get_last_lr()[0]
            opt.step()
            if metrics is not None: sched.step(metrics[i])
            else: sched.step()
    case = {"name": name, "schedule": spec, "lr": lr, "lrs": lrs, "bits": [bits(x) for x in lrs]}
    if metrics is not None: case["metrics"] = metrics
    return case

# A loss that falls, stalls, wobbles within the threshold, falls again and stalls.
plateau_metrics = [1.0, 0.5, 0.25, 0.2, 0.2, 0.19999, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
                   0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.049, 0.049, 0.049, 0.049, 0.049]
cases = [
    run("step", {"kind": "step", "stepSize": 3, "gamma": 0.5}, 0.1, 20),
    run("step default gamma, lr 0.03", {"kind": "step", "stepSize": 4}, 0.03, 20),
    run("multistep with a repeated milestone", {"kind": "multistep", "milestones": [2, 5, 5, 9], "gamma": 0.1}, 0.1, 15),
    run("exponential", {"kind": "exponential", "gamma": 0.9}, 0.1, 60),
    run("exponential, lr 0.03", {"kind": "exponential", "gamma": 0.97}, 0.03, 60),
    run("cosine past tMax (the restart branch)", {"kind": "cosine", "tMax": 10, "etaMin": 0.001}, 0.1, 45),
    run("cosine to zero", {"kind": "cosine", "tMax": 7}, 0.03, 30),
    run("linear warm-up (defaults)", {"kind": "linear"}, 0.1, 12),
    run("linear 0.1 to 1 over 4", {"kind": "linear", "startFactor": 0.1, "endFactor": 1.0, "totalIters": 4}, 0.03, 10),
    run("linear decay 1 to 0.25", {"kind": "linear", "startFactor": 1.0, "endFactor": 0.25, "totalIters": 6}, 0.1, 10),
    run("sequential warm-up then cosine",
        {"kind": "sequential", "milestones": [5],
         "schedules": [{"kind": "linear", "startFactor": 0.1, "totalIters": 5}, {"kind": "cosine", "tMax": 20}]}, 0.1, 40),
    run("sequential warm-up then exponential",
        {"kind": "sequential", "milestones": [3],
         "schedules": [{"kind": "linear", "totalIters": 3}, {"kind": "exponential", "gamma": 0.95}]}, 0.03, 20),
    run("sequential of three",
        {"kind": "sequential", "milestones": [4, 10],
         "schedules": [{"kind": "linear", "startFactor": 0.25, "totalIters": 4}, {"kind": "step", "stepSize": 3, "gamma": 0.5},
                       {"kind": "cosine", "tMax": 10, "etaMin": 0.0001}]}, 0.1, 30),
    run("plateau", {"kind": "plateau", "patience": 2, "cooldown": 1, "factor": 0.5}, 0.1, len(plateau_metrics), plateau_metrics),
    run("plateau abs threshold, minLr", {"kind": "plateau", "patience": 1, "threshold": 0.01, "thresholdMode": "abs",
                                          "minLr": 0.004, "factor": 0.3}, 0.03, len(plateau_metrics), plateau_metrics),
    run("invscaling (scikit-learn)", {"kind": "invscaling", "powerT": 0.25}, 0.01, 30),
    run("invscaling powerT 0.5", {"kind": "invscaling", "powerT": 0.5}, 0.1, 30),
]
json.dump({"torch": torch.__version__, "python": sys.version.split()[0], "cases": cases}, sys.stdout, indent=1)
print()
