"""Image figures: reconstructions, their grid, denoising rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from aelib.figures._common import _as_images, _check_n, _image_rows

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
