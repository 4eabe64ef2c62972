"""Generative models: sample grids, the latent manifold, code panels, interpolations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from aelib.figures._common import _as_images, _check_n
from aelib.figures.embeddings import _scatter_by_class

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
        images: `(n * n, 28, 28[, 1])`, decoded from `aelib.evaluation.generative.latent_grid(n)`'s
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
