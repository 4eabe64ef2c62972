"""Quality and anomalies: the denoising sweep, ROC curves, error histograms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

# ---------------------------------------------------------------- quality and anomalies

_KIND_LABELS = {
    "gaussian": ("Gaussian noise", "noise factor (std)"),
    "salt_pepper": ("Salt-and-pepper noise", "amount (fraction of pixels)"),
}


def plot_denoise_sweep(
    sweep_by_kind: Mapping[str, Sequence[Mapping]],
    *,
    metric: str = "psnr",
    title: str | None = None,
    trained_levels: Mapping[str, float] | None = None,
) -> Figure:
    """Image quality against noise strength: one panel per noise kind.

    Each panel has three lines: the noisy input, the classical filter and the
    autoencoder, each scored against the clean images. A vertical dotted line marks the
    level the autoencoder was trained at.

    Args:
        sweep_by_kind: kind -> rows as returned by `aelib.evaluation.quality.denoise_sweep`
            (each with `"level"`, `"noisy_<metric>"`, `"filter_<metric>"`,
            `"ae_<metric>"`), e.g. `{"gaussian": [...], "salt_pepper": [...]}`.
        metric: `"psnr"` (dB) or `"ssim"`.
        title: optional figure title.
        trained_levels: optional kind -> training noise level to mark.

    Returns:
        A Figure with one axes per kind.
    """
    if metric not in ("psnr", "ssim"):
        raise ValueError(f"metric must be 'psnr' or 'ssim', got {metric!r}")
    if not isinstance(sweep_by_kind, Mapping) or not sweep_by_kind:
        raise ValueError("sweep_by_kind must be a non-empty dict kind -> sweep rows")
    fig = Figure(
        figsize=(4.6 * len(sweep_by_kind), 3.9 + (0.3 if title else 0.0)), layout="constrained"
    )
    axes = fig.subplots(1, len(sweep_by_kind), squeeze=False)[0]
    series = (
        ("noisy", "noisy input", "C7", "o:"),
        ("filter", "classical filter", "C1", "s--"),
        ("ae", "autoencoder", "C0", "D-"),
    )
    for ax, (kind, rows) in zip(axes, sweep_by_kind.items(), strict=True):
        rows = sorted(rows, key=lambda r: r["level"])
        if not rows:
            raise ValueError(f"sweep_by_kind[{kind!r}] has no rows")
        levels = [float(r["level"]) for r in rows]
        for prefix, label, color, style in series:
            key = f"{prefix}_{metric}"
            if any(key not in r for r in rows):
                raise ValueError(f"sweep_by_kind[{kind!r}] rows lack {key!r}")
            ax.plot(
                levels, [float(r[key]) for r in rows], style, color=color, label=label, markersize=4
            )
        name, xlabel = _KIND_LABELS.get(kind, (str(kind), "noise level"))
        if trained_levels and kind in trained_levels:
            level = float(trained_levels[kind])
            ax.axvline(
                level, color="0.4", linestyle=":", linewidth=1, label=f"trained at {level:g}"
            )
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("PSNR (dB)" if metric == "psnr" else "SSIM")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_roc(curves: Mapping[str, Mapping], *, title: str | None = None) -> Figure:
    """ROC curves with their AUC in the legend, and the chance diagonal.

    Args:
        curves: name -> dict with `"fpr"`, `"tpr"` arrays and `"auc"` as returned by
            `aelib.evaluation.anomaly.roc`.
        title: optional axes title.

    Returns:
        A Figure with one square axes, both rates in [0, 1].
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty dict name -> roc dict")
    fig = Figure(figsize=(5.0, 4.8), layout="constrained")
    ax = fig.subplots()
    for i, (name, curve) in enumerate(curves.items()):
        if any(k not in curve for k in ("fpr", "tpr", "auc")):
            raise ValueError(f"curves[{name!r}] needs 'fpr', 'tpr' and 'auc'")
        ax.plot(
            np.asarray(curve["fpr"]),
            np.asarray(curve["tpr"]),
            color=f"C{i % 10}",
            linewidth=1.8,
            label=f"{name} (AUC {float(curve['auc']):.3f})",
        )
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.6", linewidth=1, label="chance (AUC 0.5)")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("false positive rate (normal flagged)")
    ax.set_ylabel("true positive rate (anomalies caught)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title)
    return fig


def plot_error_histograms(
    scores_by_name: Mapping[str, np.ndarray],
    *,
    bins: int = 60,
    title: str | None = None,
    log_x: bool = False,
    xlabel: str = "per-image reconstruction error",
) -> Figure:
    """Overlaid density histograms of per-image scores, one colour per group.

    All groups share the same bin edges (log-spaced with `log_x`) and each is normalised
    to area 1 (with `log_x`, per decade of the score, so that equal areas on the log
    axis hold equal counts); their shapes can be compared even when the groups differ
    in size.

    Args:
        scores_by_name: name -> `(n,)` scores, e.g. `{"MNIST": e1, "Fashion-MNIST": e2}`.
        bins: number of bins, >= 1.
        title: optional axes title.
        log_x: log-scaled x axis (scores must then be > 0).
        xlabel: x-axis label.

    Returns:
        A Figure with one axes.
    """
    if not isinstance(scores_by_name, Mapping) or not scores_by_name:
        raise ValueError("scores_by_name must be a non-empty dict name -> scores")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive integer, got {bins!r}")
    arrays = {str(k): np.asarray(v, dtype=float).reshape(-1) for k, v in scores_by_name.items()}
    values = np.concatenate(list(arrays.values()))
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("no finite scores to plot")
    low, high = float(values.min()), float(values.max())
    if log_x:
        if low <= 0:
            raise ValueError("log_x needs scores > 0")
        edges = np.geomspace(low, high if high > low else low * 1.01, int(bins) + 1)
    else:
        edges = np.linspace(low, high if high > low else low + 1e-6, int(bins) + 1)
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    for i, (name, scores) in enumerate(arrays.items()):
        color = f"C{i % 10}"
        scores = scores[np.isfinite(scores)]
        if log_x:
            # density per decade: on a log axis, area is then proportional to count
            width = np.log10(edges[1] / edges[0])
            kwargs = {"weights": np.full(len(scores), 1.0 / (max(len(scores), 1) * width))}
        else:
            kwargs = {"density": True}
        ax.hist(
            scores,
            bins=edges,
            alpha=0.45,
            color=color,
            label=f"{name} (n={len(scores)}, mean {np.mean(scores):.4g})",
            **kwargs,
        )
        ax.hist(scores, bins=edges, histtype="step", color=color, linewidth=1.2, **kwargs)
    if log_x:
        from matplotlib.ticker import FuncFormatter, StrMethodFormatter

        ax.set_xscale("log")
        # plain numbers, not 6.6x10^-1; label some minor ticks (all of them within a
        # decade, the 2s and 5s within two), or a short axis keeps only one label
        decades = np.log10(edges[-1] / edges[0])
        shown = set(range(1, 10)) if decades < 1 else {2, 5} if decades < 2 else set()

        def minor_label(value, _pos):
            mantissa = int(round(value / 10 ** np.floor(np.log10(value) + 1e-9)))
            return f"{value:g}" if mantissa in shown else ""

        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
        ax.xaxis.set_minor_formatter(FuncFormatter(minor_label))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density per decade" if log_x else "density")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig
