"""Embeddings and classes: scatter plots of codes, t-SNE, the confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

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
