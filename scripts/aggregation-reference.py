#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Reference values for test/gtest/aggregation-rules-test.cc, computed with numpy.

Run by hand (Debian's python3-numpy, which python3-torch of scripts/install-deps.sh pulls in):

    /usr/bin/python3 scripts/aggregation-reference.py

and paste what it prints into the test where the comments say so. It writes the formulas of
the papers and of Flower's strategies (flwr/serverapp/strategy/fedopt.py, fedadam.py,
fedyogi.py, fedadagrad.py, fedavgm.py, multikrum.py, dp_fixed_clipping.py and
flwr/common/differential_privacy.py) in numpy, independently of the C++ code. Only the
FedAvg step is written to follow hffm's float32 arithmetic (a_i = float32(w_i / W), sums in
float32, in order), so that the values are exact rather than approximate; every later step
is float64 and rounded to float32 once, as the rules document.
"""

import numpy as np

F32 = np.float32


def fedavg_f32(states, weights):
    """Sample-weighted mean in hffm's float32 arithmetic (WeightedMean())."""
    total = 0.0
    for w in weights:
        total += w
    out = np.zeros_like(states[0], dtype=F32)
    for x, w in zip(states, weights):
        a = F32(w / total)
        out = (out + (a * x).astype(F32)).astype(F32)
    return out


def fmt(values):
    """A C++ initializer list of float literals that round-trip to the same float32."""
    return "{" + ", ".join("%.9gF" % float(v) for v in values) + "}"


# ---- server optimizers: two rounds on one module --------------------------------------

CURRENT = np.array([0.5, -1.0, 2.0, 0.0], dtype=F32)
ROUNDS = [
    # (contributions, sample weights)
    (
        [
            np.array([0.7, -0.8, 1.5, 0.1], dtype=F32),
            np.array([0.2, -1.3, 2.6, -0.2], dtype=F32),
            np.array([0.9, -0.6, 2.1, 0.4], dtype=F32),
        ],
        [10.0, 30.0, 20.0],
    ),
    (
        [
            np.array([0.6, -0.7, 1.9, 0.3], dtype=F32),
            np.array([0.1, -1.1, 2.2, 0.05], dtype=F32),
        ],
        [25.0, 15.0],
    ),
]


def fedavgm(lr, momentum):
    """Flower's FedAvgM: pg = x - avg; v = pg, then momentum v + pg; x - lr v."""
    x = CURRENT.copy()
    velocity = None
    outs = []
    for states, weights in ROUNDS:
        avg = fedavg_f32(states, weights).astype(np.float64)
        pg = x.astype(np.float64) - avg
        if momentum > 0.0:
            velocity = pg if velocity is None else momentum * velocity + pg
            pg = velocity
        x = (x.astype(np.float64) - lr * pg).astype(F32)
        outs.append(x)
    return outs


def fedopt(kind, eta, beta1, beta2, tau):
    """Flower's FedOpt family; t is the module's aggregation count, from 1."""
    x = CURRENT.copy()
    m = np.zeros(x.shape)
    v = np.zeros(x.shape)
    outs = []
    for t, (states, weights) in enumerate(ROUNDS, start=1):
        avg = fedavg_f32(states, weights).astype(np.float64)
        delta = avg - x.astype(np.float64)
        m = beta1 * m + (1.0 - beta1) * delta
        if kind == "adam":
            v = beta2 * v + (1.0 - beta2) * (delta * delta)
            step = eta * np.sqrt(1.0 - beta2 ** (t + 1.0)) / (1.0 - beta1 ** (t + 1.0))
        elif kind == "yogi":
            v = v - (1.0 - beta2) * (delta * delta) * np.sign(v - delta * delta)
            step = eta
        else:  # adagrad
            v = v + delta * delta
            step = eta
        x = (x.astype(np.float64) + step * m / (np.sqrt(v) + tau)).astype(F32)
        outs.append(x)
    return outs


# ---- DP-FedAvg with noise 0: clipping --------------------------------------------------

DP_CURRENT = np.array([1.0, 1.0, 1.0, 1.0], dtype=F32)
DP_STATES = [
    np.array([1.3, 0.6, 1.0, 1.0], dtype=F32),  # update norm 0.5: kept as it is
    np.array([4.0, 5.0, 1.0, 1.0], dtype=F32),  # update norm 5: scaled to 1
    np.array([1.0, 1.0, -1.0, 1.0], dtype=F32),  # update norm 2: scaled to 1
]


def dp_fedavg(clip):
    x = DP_CURRENT.astype(np.float64)
    total = np.zeros(x.shape)
    for y in DP_STATES:
        u = y.astype(np.float64) - x
        norm = np.sqrt(np.sum(u * u))
        total = total + u * min(1.0, clip / norm)
    return (x + total / len(DP_STATES)).astype(F32)


# ---- Krum and Multi-Krum -------------------------------------------------------------

KRUM_STATES = [
    np.array([1.0, 2.0, 3.0], dtype=F32),
    np.array([1.1, 2.05, 3.0], dtype=F32),
    np.array([0.9, 1.8, 3.2], dtype=F32),
    np.array([1.2, 2.2, 3.1], dtype=F32),
    np.array([0.8, 2.0, 2.8], dtype=F32),
    np.array([-10.0, 20.0, 30.0], dtype=F32),  # attacker
    np.array([5.0, -5.0, 0.0], dtype=F32),  # attacker
]
KRUM_WEIGHTS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
KRUM_F = 2


def krum_scores(states, f):
    n = len(states)
    flat = np.stack([s.astype(np.float64) for s in states])
    d = ((flat[:, None, :] - flat[None, :, :]) ** 2).sum(axis=2)
    nearest = max(1, n - f - 2)
    return [np.sort(np.delete(d[i], i))[:nearest].sum() for i in range(n)]


def main():
    print("// FedAvgM, ServerLearningRate 0.7, Momentum 0.9: rounds 1 and 2")
    for out in fedavgm(0.7, 0.9):
        print(fmt(out))
    print("// FedAvgM, ServerLearningRate 0.7, Momentum 0: rounds 1 and 2")
    for out in fedavgm(0.7, 0.0):
        print(fmt(out))
    print("// FedAdam, Flower's defaults (eta 0.1, beta1 0.9, beta2 0.99, tau 1e-3)")
    for out in fedopt("adam", 0.1, 0.9, 0.99, 1e-3):
        print(fmt(out))
    print("// FedYogi, Flower's defaults (eta 0.01, beta1 0.9, beta2 0.99, tau 1e-3)")
    for out in fedopt("yogi", 1e-2, 0.9, 0.99, 1e-3):
        print(fmt(out))
    print("// FedAdagrad, Flower's defaults (eta 0.1, tau 1e-3)")
    for out in fedopt("adagrad", 0.1, 0.0, 0.0, 1e-3):
        print(fmt(out))
    print("// DP-FedAvg, ClipNorm 1, NoiseMultiplier 0")
    print(fmt(dp_fedavg(1.0)))
    scores = krum_scores(KRUM_STATES, KRUM_F)
    order = sorted(range(len(scores)), key=lambda i: (scores[i], i))
    print("// Krum F=%d: scores %s; ranking %s" % (KRUM_F, ["%.6g" % s for s in scores], order))
    keep = order[:3]
    kept = sorted(keep)
    avg = fedavg_f32([KRUM_STATES[i] for i in kept], [KRUM_WEIGHTS[i] for i in kept])
    print("// Multi-Krum F=%d M=3 keeps %s, weight %g:" % (
        KRUM_F, kept, sum(KRUM_WEIGHTS[i] for i in kept)))
    print(fmt(avg))


if __name__ == "__main__":
    main()
