"""What the figure modules share: image-array checks and rows of images."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

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
