"""Anomaly detection by reconstruction error, the use the paper's introduction names.

An autoencoder trained on one kind of image reconstructs that kind well and anything
else badly, so its per-image reconstruction error is an anomaly score. `roc` measures
how well a score separates normal images from anomalies (anomalies are the positive
class: a higher score should mean "more anomalous").
"""

from __future__ import annotations

import numpy as np

__all__ = ["reconstruction_errors", "roc"]

# Keras clips predictions to [eps, 1 - eps] in its binary cross-entropy.
_EPSILON = 1e-7
METRICS = ("bce", "mse")


def reconstruction_errors(
    model, x: np.ndarray, *, batch_size: int = 512, metric: str = "bce"
) -> np.ndarray:
    """Per-image reconstruction error of an autoencoder.

    Args:
        model: a Keras model (its `predict` is used) or a callable mapping a batch of
            images to reconstructions of the same size, probabilities in [0, 1].
        x: images `(n, ...)`, floats in [0, 1]; they are both input and target.
        batch_size: prediction batch size.
        metric: `"bce"` (mean per-pixel binary cross-entropy in nats, predictions
            clipped to [1e-7, 1 - 1e-7] as Keras does) or `"mse"` (mean squared error).

    Returns:
        float64 array `(n,)`, one error per image, >= 0.
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {list(METRICS)}, got {metric!r}")
    x = np.asarray(x)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x must be a non-empty batch of images (n, ...), got shape {x.shape}")
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    errors = []
    for start in range(0, len(x), batch_size):
        xb = x[start : start + batch_size]
        if hasattr(model, "predict"):
            from aelib.training import predict

            pb = predict(model, xb, batch_size=batch_size)
        else:
            pb = np.asarray(model(xb))
        t = xb.reshape(len(xb), -1).astype(np.float64)
        p = np.asarray(pb, dtype=np.float64).reshape(t.shape)
        if metric == "bce":
            p = np.clip(p, _EPSILON, 1.0 - _EPSILON)
            err = -(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
        else:
            err = (t - p) ** 2
        errors.append(err.mean(axis=1))
    return np.concatenate(errors)


def roc(normal_scores, anomaly_scores) -> dict:
    """ROC curve and its area for separating anomalies (positives) from normal images.

    Args:
        normal_scores: `(n,)` scores of normal images (e.g. reconstruction errors).
        anomaly_scores: `(m,)` scores of anomalies; higher should mean more anomalous.

    Returns:
        `{"fpr": (k,), "tpr": (k,), "thresholds": (k,), "auc": float}`: the arrays of
        `sklearn.metrics.roc_curve` and `roc_auc_score` (1.0: every anomaly scores
        above every normal image; 0.5: no better than chance).
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    normal = np.asarray(normal_scores, dtype=np.float64).reshape(-1)
    anomaly = np.asarray(anomaly_scores, dtype=np.float64).reshape(-1)
    if len(normal) == 0 or len(anomaly) == 0:
        raise ValueError("need at least one normal and one anomaly score")
    if not (np.isfinite(normal).all() and np.isfinite(anomaly).all()):
        raise ValueError("scores must be finite numbers")
    labels = np.concatenate([np.zeros(len(normal), int), np.ones(len(anomaly), int)])
    scores = np.concatenate([normal, anomaly])
    fpr, tpr, thresholds = roc_curve(labels, scores)
    return {
        "fpr": fpr,
        "tpr": tpr,
        "thresholds": thresholds,
        "auc": float(roc_auc_score(labels, scores)),
    }
