"""Figures of the study. Every helper takes arrays and returns a matplotlib `Figure`.

The figures are built with `matplotlib.figure.Figure` directly, not through pyplot:
nothing is registered with a GUI backend, nothing is shown, and no figure stays alive
in pyplot's registry. In Jupyter, make a figure the last expression of a cell (or call
`display(fig)`) to see it; save it with `aelib.results.save_figure`.

Images may be given as `(n, h, w, 1)`, `(n, h, w)` or flat `(n, h*w)` (square) arrays
of floats in [0, 1]; they are drawn in grayscale with no ticks.

`tsne_embedding` (the 2-D projection behind the latent-space figures) also lives here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "plot_reconstructions",
    "plot_reconstruction_grid",
    "plot_denoising",
    "plot_loss_curves",
    "plot_latent_sweep",
    "plot_embedding",
    "plot_confusion_matrix",
    "tsne_embedding",
    "plot_denoise_sweep",
    "plot_roc",
    "plot_error_histograms",
    "plot_sample_grids",
    "plot_latent_manifold",
    "plot_code_panels",
    "plot_interpolations",
]


# ----------------------------------------------------------------------------- helpers


def _as_images(images, name: str) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    elif images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(
                f"{name}: flat images must have a square number of pixels, got {images.shape[1]}"
            )
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ValueError(
            f"{name} must be grayscale images (n, h, w[, 1]) or (n, h*w), got shape {images.shape}"
        )
    return images


def _check_n(n, available: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if available == 0:
        raise ValueError("no images to plot")
    return int(min(n, available))


def _image_rows(rows: Sequence[tuple[str, np.ndarray]], n: int, title: str | None) -> Figure:
    """A grid with one labelled row per (label, images) pair and `n` columns."""
    fig = Figure(
        figsize=(1.2 * n + 0.8, 1.3 * len(rows) + (0.4 if title else 0.0)), layout="constrained"
    )
    axes = fig.subplots(len(rows), n, squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(images[c], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(label, fontsize=10)
    if title:
        fig.suptitle(title)
    return fig


# ------------------------------------------------------------------------------ images


def plot_reconstructions(
    originals,
    reconstructions,
    *,
    n: int = 10,
    title: str | None = None,
    row_labels: Sequence[str] = ("Original", "Reconstructed"),
) -> Figure:
    """Two rows: the first `n` originals above their reconstructions.

    Args:
        originals: images `(N, 28, 28[, 1])` in [0, 1].
        reconstructions: the model's outputs for the same images, same order.
        n: number of columns (capped at the number of images).
        title: optional figure title.
        row_labels: labels of the two rows.

    Returns:
        A Figure with `2 * n` axes.
    """
    originals = _as_images(originals, "originals")
    reconstructions = _as_images(reconstructions, "reconstructions")
    if len(row_labels) != 2:
        raise ValueError(f"row_labels must have two entries, got {row_labels!r}")
    n = _check_n(n, min(len(originals), len(reconstructions)))
    return _image_rows([(row_labels[0], originals), (row_labels[1], reconstructions)], n, title)


def plot_reconstruction_grid(
    originals,
    reconstructions_by_name: Mapping[str, np.ndarray],
    *,
    n: int = 10,
    title: str | None = None,
) -> Figure:
    """Originals in the first row, then one row of reconstructions per model.

    Used to compare the same digits across latent sizes, e.g.
    `{"d=2": rec2, "d=16": rec16}` (row labels are the dict keys, in order).

    Returns:
        A Figure with `(1 + len(reconstructions_by_name)) * n` axes.
    """
    if not isinstance(reconstructions_by_name, Mapping) or not reconstructions_by_name:
        raise ValueError("reconstructions_by_name must be a non-empty dict name -> images")
    originals = _as_images(originals, "originals")
    rows = [("Original", originals)]
    rows += [
        (str(k), _as_images(v, f"reconstructions_by_name[{k!r}]"))
        for k, v in reconstructions_by_name.items()
    ]
    n = _check_n(n, min(len(images) for _, images in rows))
    return _image_rows(rows, n, title)


def plot_denoising(noisy, denoised, clean, *, n: int = 10, title: str | None = None) -> Figure:
    """Three rows: noisy inputs, the denoiser's outputs, the clean targets.

    Returns:
        A Figure with `3 * n` axes.
    """
    rows = [
        ("Noisy", _as_images(noisy, "noisy")),
        ("Denoised", _as_images(denoised, "denoised")),
        ("Clean", _as_images(clean, "clean")),
    ]
    n = _check_n(n, min(len(images) for _, images in rows))
    return _image_rows(rows, n, title)


# ------------------------------------------------------------------------------ curves


def plot_loss_curves(
    histories: Mapping[str, Mapping], *, title: str | None = None, metric: str = "loss"
) -> Figure:
    """Training (dashed) and validation (solid) curves per epoch, one colour per run.

    Args:
        histories: name -> history dict as returned by `aelib.training.train` (or
            read back from JSON): needs `metric`, optionally `"val_" + metric` and
            `"epoch"`.
        title: optional axes title.
        metric: which metric to draw, e.g. `"loss"` or `"accuracy"`.

    Returns:
        A Figure with one axes.
    """
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError("histories must be a non-empty dict name -> history")
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    for i, (name, history) in enumerate(histories.items()):
        if metric not in history and f"val_{metric}" not in history:
            raise ValueError(
                f"history {name!r} has no {metric!r} or 'val_{metric}' entry; "
                f"it has {sorted(history)}"
            )
        color = f"C{i % 10}"
        for key, style, suffix in ((metric, "--", "train"), (f"val_{metric}", "-", "val")):
            values = history.get(key)
            if not values:
                continue
            values = np.asarray([np.nan if v is None else v for v in values], dtype=float)
            epochs = history.get("epoch") or list(range(1, len(values) + 1))
            ax.plot(
                epochs[: len(values)],
                values,
                style,
                color=color,
                marker="o",
                markersize=3,
                label=f"{name} ({suffix})",
            )
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric.replace("_", " "))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_latent_sweep(
    latent_dims: Sequence[int],
    val_bce: Sequence[float],
    *,
    reference: Mapping[int, float] | None = None,
    baseline: float | Mapping[str, float] | None = None,
    extra_series: Mapping[str, Sequence[float]] | None = None,
    title: str | None = None,
    input_dim: int = 784,
    label: str = "this run",
) -> Figure:
    """Validation BCE against latent size (log2 x axis).

    Tick labels show each latent size d and its compression ratio `input_dim / d`.

    Args:
        latent_dims: latent sizes, e.g. `[2, 8, 16, 32]`.
        val_bce: measured validation BCE for each latent size.
        reference: optional published values d -> BCE, drawn as hollow markers
            labelled "paper".
        baseline: optional horizontal line(s): a number (labelled "baseline") or a dict
            label -> value (e.g. `{"conv baseline": 0.0734, "entropy floor": 0.05}`).
        extra_series: optional name -> values aligned with `latent_dims` (e.g. PCA);
            None entries are skipped.
        title: optional axes title.
        input_dim: pixels per image, for the compression ratio.
        label: legend label of `val_bce`.

    Returns:
        A Figure with one axes.
    """
    dims = [int(d) for d in latent_dims]
    if not dims or any(d <= 0 for d in dims):
        raise ValueError(f"latent_dims must be positive integers, got {latent_dims!r}")
    if len(val_bce) != len(dims):
        raise ValueError(
            f"val_bce must have one value per latent dim ({len(dims)}), got {len(val_bce)}"
        )
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.plot(dims, [np.nan if v is None else v for v in val_bce], "-o", color="C0", label=label)
    for i, (name, values) in enumerate((extra_series or {}).items(), start=2):
        if len(values) != len(dims):
            raise ValueError(
                f"extra_series[{name!r}] must have {len(dims)} values, got {len(values)}"
            )
        ax.plot(
            dims, [np.nan if v is None else v for v in values], "-s", color=f"C{i}", label=str(name)
        )
    if reference:
        ref = sorted((int(d), float(v)) for d, v in reference.items())
        ax.plot(
            [d for d, _ in ref],
            [v for _, v in ref],
            "o",
            markerfacecolor="none",
            markeredgecolor="C1",
            markersize=9,
            markeredgewidth=1.5,
            linestyle="none",
            label="paper",
        )
    if baseline is not None:
        lines = baseline if isinstance(baseline, Mapping) else {"baseline": baseline}
        for i, (name, value) in enumerate(lines.items()):
            ax.axhline(
                float(value),
                color="0.4",
                linestyle=(":", "--", "-.")[i % 3],
                linewidth=1,
                label=f"{name} ({float(value):.4f})",
            )
    ticks = sorted(set(dims) | {int(d) for d in (reference or {})})
    ax.set_xscale("log", base=2)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{d}\n{input_dim / d:.3g}:1" for d in ticks])
    ax.minorticks_off()
    ax.set_xlabel(f"latent dimension d (compression ratio {input_dim}/d)")
    ax.set_ylabel("validation BCE")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------- embedding


def _scatter_by_class(ax, points: np.ndarray, labels: np.ndarray, class_names) -> int:
    """Draw `points` on `ax`, one colour per class (tab10, or tab20 past ten classes).

    Small, semi-transparent markers (rasterized past 2,000 points) keep 10,000 points
    readable. Returns the marker size, for the legend's `markerscale`.
    """
    import matplotlib

    colors = matplotlib.colormaps["tab10" if len(class_names) <= 10 else "tab20"]
    size = 2 if len(points) > 2000 else 8
    for k, name in enumerate(class_names):
        mask = labels == k
        if mask.any():
            ax.scatter(
                points[mask, 0],
                points[mask, 1],
                s=size,
                alpha=0.5,
                color=colors(k % colors.N),
                label=str(name),
                linewidths=0,
                rasterized=len(points) > 2000,
            )
    return size


def plot_embedding(
    points_2d,
    labels,
    class_names: Sequence[str],
    *,
    title: str | None = None,
    max_points: int | None = None,
) -> Figure:
    """Scatter of 2-D points (t-SNE output or raw 2-D codes) coloured by class.

    Small, semi-transparent markers keep 10,000 points readable; the legend shows
    class names with full-size markers.

    Args:
        points_2d: `(N, 2)` coordinates.
        labels: `(N,)` integer class indices into `class_names`.
        class_names: one name per class.
        title: optional axes title.
        max_points: optionally draw only the first `max_points` points.

    Returns:
        A Figure with one axes.
    """
    points = np.asarray(points_2d, dtype=float)
    labels = np.asarray(labels).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points_2d must have shape (N, 2), got {points.shape}")
    if len(labels) != len(points):
        raise ValueError(f"labels must have one entry per point ({len(points)}), got {len(labels)}")
    if max_points is not None:
        points, labels = points[:max_points], labels[:max_points]
    fig = Figure(figsize=(7.0, 6.0), layout="constrained")
    ax = fig.subplots()
    size = _scatter_by_class(ax, points, labels, class_names)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(markerscale=8 if size == 2 else 2, fontsize=8, loc="best", framealpha=0.8)
    if title:
        ax.set_title(title)
    return fig


def plot_confusion_matrix(
    y_true, y_pred, class_names: Sequence[str], *, normalize: bool = True, title: str | None = None
) -> Figure:
    """Annotated confusion-matrix heatmap (rows: true class, columns: predicted).

    Args:
        y_true: `(N,)` integer labels.
        y_pred: `(N,)` predicted integer labels.
        class_names: one name per class.
        normalize: show row fractions (recall per class) instead of counts.
        title: optional axes title.

    Returns:
        A Figure with two axes (the heatmap and its colour bar).
    """
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred differ in length: {len(y_true)} vs {len(y_pred)}")
    k = len(class_names)
    matrix = confusion_matrix(
        y_true, y_pred, labels=list(range(k)), normalize="true" if normalize else None
    )
    fig = Figure(figsize=(1.0 + 0.75 * k, 0.6 + 0.65 * k), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(
        matrix,
        annot=True,
        fmt=".2f" if normalize else "d",
        cmap="Blues",
        xticklabels=class_names,
        yticklabels=class_names,
        ax=ax,
        vmin=0.0,
        vmax=1.0 if normalize else None,
        annot_kws={"fontsize": 7},
        square=True,
        cbar_kws={"shrink": 0.8},
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.tick_params(axis="x", labelrotation=45)
    ax.tick_params(axis="y", labelrotation=0)
    if title:
        ax.set_title(title)
    return fig


def tsne_embedding(
    codes, *, seed: int = 0, perplexity: float = 30.0, max_iter: int | None = None
) -> np.ndarray:
    """2-D t-SNE projection of latent codes (the paper's latent-space figure).

    Args:
        codes: `(N, ...)` codes; each is flattened to a vector (e.g. 7x7x8 -> 392).
        seed: `random_state` of scikit-learn's TSNE (PCA initialisation), so the
            projection repeats exactly.
        perplexity: TSNE perplexity; must be smaller than N.
        max_iter: optimisation steps (scikit-learn's default, 1000, when None; at
            least 250). Lower it only for smoke tests.

    Returns:
        `(N, 2)` float32 coordinates.
    """
    from sklearn.manifold import TSNE

    codes = np.asarray(codes, dtype=np.float32)
    codes = codes.reshape(len(codes), -1)
    if len(codes) <= perplexity:
        raise ValueError(
            f"perplexity ({perplexity}) must be smaller than the number of codes ({len(codes)})"
        )
    kwargs = {} if max_iter is None else {"max_iter": int(max_iter)}
    tsne = TSNE(
        n_components=2, perplexity=float(perplexity), init="pca", random_state=int(seed), **kwargs
    )
    return tsne.fit_transform(codes).astype(np.float32)


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
        sweep_by_kind: kind -> rows as returned by `aelib.quality.denoise_sweep`
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
            `aelib.anomaly.roc`.
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


# ------------------------------------------------------------------ generative models


def plot_sample_grids(
    samples_by_name: Mapping[str, np.ndarray],
    *,
    rows: int = 8,
    cols: int = 8,
    title: str | None = None,
) -> Figure:
    """Side-by-side grids of generated images, one panel per model.

    Args:
        samples_by_name: panel title -> images `(N, 28, 28[, 1])` in [0, 1]; the first
            `rows * cols` of each are drawn row by row.
        rows, cols: grid size of every panel.
        title: optional figure title.

    Returns:
        A Figure with one axes per panel (each image is a tile of one array).
    """
    if not isinstance(samples_by_name, Mapping) or not samples_by_name:
        raise ValueError("samples_by_name must be a non-empty dict name -> images")
    rows = _check_n(rows, rows if isinstance(rows, (int, np.integer)) and rows > 0 else 1)
    cols = _check_n(cols, cols if isinstance(cols, (int, np.integer)) and cols > 0 else 1)
    panels = []
    for name, images in samples_by_name.items():
        images = _as_images(images, f"samples_by_name[{name!r}]")
        if len(images) < rows * cols:
            raise ValueError(
                f"samples_by_name[{name!r}] has {len(images)} images, the grid needs {rows * cols}"
            )
        h, w = images.shape[1:]
        tiles = images[: rows * cols].reshape(rows, cols, h, w)
        panels.append((str(name), tiles.transpose(0, 2, 1, 3).reshape(rows * h, cols * w)))
    fig = Figure(
        figsize=(0.45 * cols * len(panels) + 0.4, 0.45 * rows + (0.8 if title else 0.5)),
        layout="constrained",
    )
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, mosaic) in zip(axes, panels, strict=True):
        ax.imshow(mosaic, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(name, fontsize=10)
    if title:
        fig.suptitle(title)
    return fig


def plot_latent_manifold(images, values, *, title: str | None = None) -> Figure:
    """The images decoded from an n x n grid of 2-D codes, as one mosaic with z axes.

    Args:
        images: `(n * n, 28, 28[, 1])`, decoded from `aelib.generative.latent_grid(n)`'s
            codes (row-major, second coordinate decreasing down the rows).
        values: `(n,)`, the grid's z values along each axis (increasing).
        title: optional axes title.

    Returns:
        A Figure with one axes, ticked with the z values.
    """
    images = _as_images(images, "images")
    values = np.asarray(values, dtype=float).reshape(-1)
    n = len(values)
    if n == 0 or len(images) != n * n:
        raise ValueError(
            f"images must hold n * n = {n * n} images for {n} values, got {len(images)}"
        )
    h, w = images.shape[1:]
    mosaic = images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)
    fig = Figure(figsize=(7.0, 7.0), layout="constrained")
    ax = fig.subplots()
    ax.imshow(mosaic, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    step = max(1, n // 8)
    ticks = np.arange(0, n, step)
    ax.set_xticks(ticks * w + w / 2 - 0.5, [f"{values[i]:.2f}" for i in ticks], fontsize=8)
    ax.set_yticks(ticks * h + h / 2 - 0.5, [f"{values[::-1][i]:.2f}" for i in ticks], fontsize=8)
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    if title:
        ax.set_title(title)
    return fig


def plot_code_panels(
    codes_by_name: Mapping[str, np.ndarray],
    labels,
    class_names: Sequence[str],
    *,
    title: str | None = None,
) -> Figure:
    """Side-by-side scatters of 2-D codes coloured by class, one panel per model.

    Each panel has its own axes scale (a VAE's codes sit near N(0, I), a plain
    autoencoder's anywhere). Same colours and markers as `plot_embedding`.

    Args:
        codes_by_name: panel title -> `(N, 2)` codes of the same N images.
        labels: `(N,)` integer classes of those images.
        class_names: one name per class.
        title: optional figure title.

    Returns:
        A Figure with one axes per panel.
    """

    if not isinstance(codes_by_name, Mapping) or not codes_by_name:
        raise ValueError("codes_by_name must be a non-empty dict name -> (N, 2) codes")
    labels = np.asarray(labels).reshape(-1)
    fig = Figure(figsize=(5.6 * len(codes_by_name), 5.2), layout="constrained")
    axes = fig.subplots(1, len(codes_by_name), squeeze=False)[0]
    for ax, (name, codes) in zip(axes, codes_by_name.items(), strict=True):
        points = np.asarray(codes, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) != len(labels):
            raise ValueError(
                f"codes_by_name[{name!r}] must be ({len(labels)}, 2), got {points.shape}"
            )
        size = _scatter_by_class(ax, points, labels, class_names)
        ax.set_title(str(name), fontsize=10)
        ax.set_xlabel("z[0]")
        ax.set_ylabel("z[1]")
        ax.grid(True, alpha=0.3)
    axes[-1].legend(markerscale=8 if size == 2 else 2, fontsize=8, loc="best", framealpha=0.8)
    if title:
        fig.suptitle(title)
    return fig


def plot_interpolations(
    rows: Sequence[tuple[str, np.ndarray]], *, title: str | None = None
) -> Figure:
    """Labelled rows of images, e.g. the decoded steps between two test digits per model.

    Each row is drawn as one strip (one axes per row, not per image: a figure of many
    rows stays quick to draw).

    Args:
        rows: (label, images) pairs, e.g. `[("AE", ae_steps), ("VAE", vae_steps)]`; each
            row shows all of its images (every row must have the same number).
        title: optional figure title.

    Returns:
        A Figure with one axes per row, labelled on the left.
    """
    if not rows:
        raise ValueError("rows must be a non-empty list of (label, images)")
    checked = [(str(label), _as_images(images, f"rows[{label!r}]")) for label, images in rows]
    steps = {len(images) for _, images in checked}
    if len(steps) != 1:
        raise ValueError(f"every row must have the same number of images, got {sorted(steps)}")
    n = steps.pop()
    fig = Figure(
        figsize=(0.9 * n + 1.6, 0.95 * len(checked) + (0.4 if title else 0.1)),
        layout="constrained",
    )
    axes = fig.subplots(len(checked), 1, squeeze=False)[:, 0]
    for ax, (label, images) in zip(axes, checked, strict=True):
        # A 1-pixel white gap between the images shows where one ends.
        h, w = images.shape[1:]
        strip = np.ones((h, n * (w + 1) - 1), dtype=np.float32)
        for k, image in enumerate(images):
            strip[:, k * (w + 1) : k * (w + 1) + w] = image
        ax.imshow(strip, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
