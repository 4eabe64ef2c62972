"""Seed uncertainty: every metric per seed, and the latent sweep drawn across seeds.

`run_all.py --seeds 0,1,2` runs each notebook once per seed. The tables show the mean
and standard deviation; this module keeps the values behind them visible:

- `per_seed_metrics`: `{seed: {metric_id: value}}`, read from each seed's runs.
- `seed_rows`: one row per metric with its value under every seed, mean, standard
  deviation and range (the headline metrics first, see `HEADLINE_METRICS`).
- `latent_sweep_png`: validation BCE against latent size for the autoencoder and PCA,
  mean with a standard-deviation bar and a dot per seed, the paper's points and the
  entropy floor, drawn from the metrics rather than from one seed's figure.
- `label_efficiency_png`: test accuracy against the number of labels, likewise.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence

from aelib.paper import PAPER_LATENT_SWEEP, PAPER_VALUES
from aelib.report import tables

__all__ = [
    "HEADLINE_METRICS",
    "per_seed_metrics",
    "seed_rows",
    "latent_sweep_png",
    "label_efficiency_png",
]

# (metric id, label, kind): the numbers of the paper's tables and the main answers of
# the sections beyond it. kind is "bce", "acc", "db" or "auc".
HEADLINE_METRICS: tuple[tuple[str, str, str], ...] = (
    ("mnist.baseline.val_bce", "Baseline autoencoder, val BCE", "bce"),
    *((f"mnist.latent_{d}.val_bce", f"Latent d = {d}, val BCE", "bce") for d in (2, 8, 16, 32)),
    ("mnist.denoise.val_bce", "Denoising (mixed noise), val BCE", "bce"),
    ("mnist.improved.val_bce", "Improved autoencoder, val BCE", "bce"),
    ("fashion.ae.val_bce", "Fashion-MNIST autoencoder, val BCE", "bce"),
    ("fashion.transfer.test_acc", "Transfer, frozen encoder + Dense(10), test acc", "acc"),
    ("fashion.transfer.dense128.test_acc", "Transfer, Dense(128) head, test acc", "acc"),
    ("fashion.cnn.test_acc", "CNN from scratch, test acc", "acc"),
    ("mnist.denoise.gaussian.psnr", "Denoised PSNR, Gaussian noise", "db"),
    ("mnist.denoise.salt_pepper.psnr", "Denoised PSNR, salt-and-pepper", "db"),
    ("mnist.anomaly.auc", "Anomaly detection ROC AUC", "auc"),
    ("fashion.label_eff.transfer.100.test_acc", "100 labels: frozen MNIST encoder", "acc"),
    ("fashion.label_eff.scratch.100.test_acc", "100 labels: CNN from scratch", "acc"),
    ("fashion.label_eff.finetune.60000.test_acc", "60k labels: fine-tuned encoder", "acc"),
)


def per_seed_metrics(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> dict:
    """`{seed: {metric_id: value}}` from each seed's usable runs, seeds in run order.

    Runs without a "seed" are grouped under None (a single-seed report).
    """
    return tables._collect_per_seed(runs, out_dir)[0]


def _kind(metric_id: str) -> str:
    if metric_id.endswith("_acc"):
        return "acc"
    if metric_id.endswith("psnr"):
        return "db"
    if metric_id.endswith("ssim") or metric_id.endswith(".auc"):
        return "auc"
    return "bce"


def seed_rows(per_seed: Mapping, *, headline_only: bool = False) -> list[dict]:
    """One row per metric: `{"id", "label", "kind", "values", "mean", "std", "n",
    "range", "headline"}`.

    `values` holds one entry per seed of `per_seed`, in its order (None where that
    seed has no such metric); `range` is max - min over the seeds that have it (None
    with fewer than two). Headline metrics come first in `HEADLINE_METRICS` order, then
    every other numeric metric sorted by id, unless `headline_only`. Metrics that are
    the same in every seed by construction (parameter counts, epochs, noise settings)
    are rows too: their range is 0.
    """
    seeds = list(per_seed)
    known = {mid: (label, kind) for mid, label, kind in HEADLINE_METRICS}
    ids = [mid for mid, _, _ in HEADLINE_METRICS]
    if not headline_only:
        others = {k for m in per_seed.values() for k in m if k not in known}
        ids += sorted(others)
    rows = []
    for mid in ids:
        values = [per_seed[s].get(mid) for s in seeds]
        values = [float(v) if tables._is_number(v) else None for v in values]
        present = [v for v in values if v is not None]
        if not present:
            continue
        mean, std, n = tables.summarize(present if len(present) > 1 else present[0])
        label, kind = known.get(mid, (mid, _kind(mid)))
        rows.append(
            {
                "id": mid,
                "label": label,
                "kind": kind,
                "values": values,
                "mean": mean,
                "std": std,
                "n": n,
                "range": max(present) - min(present) if len(present) > 1 else None,
                "headline": mid in known,
            }
        )
    return rows


def _values(metrics: Mapping, metric_id: str) -> list[float]:
    value = metrics.get(metric_id)
    if isinstance(value, list):
        return [float(v) for v in value if tables._is_number(v)]
    return [float(value)] if tables._is_number(value) else []


def latent_sweep_png(
    metrics: Mapping, latent_sizes: Sequence[int] = tables.LATENT_SIZES, input_dim: int = 784
) -> bytes | None:
    """Validation BCE against latent size, across seeds, as PNG bytes.

    The notebooks' chart (`aelib.plots.plot_latent_sweep`) drawn from the means of the
    autoencoder and of PCA, with the paper's points and the entropy floor of the MNIST
    test images; each mean gets a bar of one standard deviation each side when there
    are several seeds, and a small dot per seed. Returns None when no autoencoder value
    exists.
    """
    from aelib import plots

    series = {"ae": "mnist.latent_{d}.val_bce", "pca": "mnist.pca_{d}.val_bce"}
    values = {
        name: [_values(metrics, pattern.format(d=d)) for d in latent_sizes]
        for name, pattern in series.items()
    }
    if not any(values["ae"]):
        return None
    stats = {name: [tables.summarize(v) for v in vals] for name, vals in values.items()}
    n_seeds = max(n for name in stats for _, _, n in stats[name])
    floor = _values(metrics, "mnist.test.entropy_floor")
    fig = plots.plot_latent_sweep(
        list(latent_sizes),
        [mean for mean, _, _ in stats["ae"]],
        reference=PAPER_LATENT_SWEEP,
        baseline={"entropy floor": math.fsum(floor) / len(floor)} if floor else None,
        extra_series={"PCA (same d)": [mean for mean, _, _ in stats["pca"]]},
        title="Validation BCE against latent size"
        + (f" (mean ± std, {n_seeds} seeds)" if n_seeds > 1 else ""),
        input_dim=input_dim,
        label="autoencoder",
    )
    # The same colours as plot_latent_sweep's lines: C0 the autoencoder, C2 the first
    # extra series.
    for name, color in (("ae", "C0"), ("pca", "C2")):
        _spread(fig.axes[0], latent_sizes, values[name], color)
    return _png(fig)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    # No software tag or date in the file: the same numbers give the same bytes.
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def _spread(ax, xs: Sequence, values: Sequence[list[float]], color: str) -> None:
    """A dot per seed and a bar of one standard deviation around each mean."""
    for x, vals in zip(xs, values):
        if len(vals) > 1:
            mean, std, _ = tables.summarize(vals)
            ax.plot([x] * len(vals), vals, ".", color=color, alpha=0.45, markersize=4)
            ax.errorbar([x], [mean], yerr=[std], fmt="none", ecolor=color, capsize=3)


def label_efficiency_png(metrics: Mapping) -> bytes | None:
    """Test accuracy against the number of labels, across seeds, as PNG bytes.

    The notebook's chart (`aelib.label_efficiency.plot_label_efficiency`) drawn from the
    mean of each method at each label count, with the paper's full-data accuracies as
    reference lines, plus a bar of one standard deviation and a dot per seed when there
    are several seeds. Returns None when there is no label-efficiency metric.
    """
    from aelib.label_efficiency import plot_label_efficiency

    sizes = tables.label_efficiency_sizes(metrics)
    if not sizes:
        return None
    methods = [r["method"] for r in tables.label_efficiency_table(metrics)]
    values = {
        m: {n: _values(metrics, f"fashion.label_eff.{m}.{n}.test_acc") for n in sizes}
        for m in methods
    }
    values = {m: {n: v for n, v in by_n.items() if v} for m, by_n in values.items()}
    values = {m: by_n for m, by_n in values.items() if by_n}
    n_seeds = max(len(v) for by_n in values.values() for v in by_n.values())
    fig = plot_label_efficiency(
        {m: {n: math.fsum(v) / len(v) for n, v in by_n.items()} for m, by_n in values.items()},
        title="Fashion-MNIST: test accuracy against labels"
        + (f" (mean ± std, {n_seeds} seeds)" if n_seeds > 1 else ""),
        reference={
            "paper: transfer, all labels": PAPER_VALUES["fashion.transfer.test_acc"],
            "paper: CNN, all labels": PAPER_VALUES["fashion.cnn.test_acc"],
        },
    )
    ax = fig.axes[0]
    for i, by_n in enumerate(values.values()):  # plot_label_efficiency colours C0, C1, ...
        _spread(ax, list(by_n), list(by_n.values()), f"C{i}")
    return _png(fig)
