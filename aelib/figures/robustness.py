"""Robustness figures (notebook 08): error and accuracy against the attack's radius.

Import the module itself (`from aelib.figures import robustness`); `aelib.figures` does
not re-export it, so the other notebooks' cache keys do not count it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from aelib.figures._common import _as_images, _image_rows

__all__ = ["plot_error_by_radius", "plot_accuracy_by_radius", "plot_attack_examples"]


def _check_curves(curves: Mapping[str, Mapping[float, float]], name: str) -> None:
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(f"{name} must be a non-empty dict label -> {{epsilon: value}}")
    for label, points in curves.items():
        if not isinstance(points, Mapping) or not points:
            raise ValueError(f"{name}[{label!r}] must be a non-empty dict epsilon -> value")


def _curves(ax, curves, styles) -> None:
    for i, (label, points) in enumerate(curves.items()):
        eps = sorted(points)
        style = styles.get(label, {}) if styles else {}
        ax.plot(
            eps,
            [points[e] for e in eps],
            style.get("fmt", "o-"),
            label=label,
            color=style.get("color", f"C{i}"),
        )
    ax.set_xlabel("L-infinity radius epsilon")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def plot_error_by_radius(
    curves: Mapping[str, Mapping[float, float]],
    *,
    ylabel: str = "reconstruction BCE",
    floor: float | None = None,
    title: str | None = None,
    styles: Mapping[str, Mapping] | None = None,
) -> Figure:
    """A denoiser's error against the perturbation radius, one line per (model, attack).

    Args:
        curves: label -> {epsilon: error}, e.g. "standard, PGD" -> {0.05: 0.14, ...}.
        ylabel: what the error is.
        floor: a horizontal dotted line (the entropy floor of the clean images).
        title: optional.
        styles: label -> {"fmt": "s--", "color": "C1"}, for lines that belong together.
    """
    _check_curves(curves, "curves")
    fig = Figure(figsize=(6.2, 4.2 + (0.3 if title else 0.0)), layout="constrained")
    ax = fig.subplots()
    _curves(ax, curves, styles)
    if floor is not None:
        ax.axhline(floor, color="k", ls=":", lw=1)
        ax.annotate("entropy floor", (ax.get_xlim()[0], floor), fontsize=8, va="bottom")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return fig


def plot_accuracy_by_radius(
    panels: Mapping[str, Mapping[str, Mapping[float, float]]],
    *,
    title: str | None = None,
    styles: Mapping[str, Mapping] | None = None,
) -> Figure:
    """Attacked accuracy against the radius: one panel per attack, one line per set-up.

    Args:
        panels: panel title (the attack) -> {set-up label -> {epsilon: accuracy}}.
        title: optional.
        styles: as for `plot_error_by_radius`.
    """
    if not isinstance(panels, Mapping) or not panels:
        raise ValueError("panels must be a non-empty dict attack -> curves")
    for name, curves in panels.items():
        _check_curves(curves, f"panels[{name!r}]")
    fig = Figure(figsize=(4.8 * len(panels), 4.2 + (0.3 if title else 0.0)), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, curves) in zip(axes, panels.items(), strict=True):
        _curves(ax, curves, styles)
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("test accuracy")
        ax.set_title(name, fontsize=10)
    if title:
        fig.suptitle(title)
    return fig


def plot_attack_examples(rows: Sequence[tuple[str, object]], *, n: int = 8, title=None) -> Figure:
    """Rows of images (label, images): clean, perturbed and what the models make of them."""
    if not rows:
        raise ValueError("rows must be a non-empty list of (label, images)")
    checked = [(label, _as_images(images, f"rows[{label!r}]")) for label, images in rows]
    n = min(n, *(len(images) for _, images in checked))
    return _image_rows(checked, n, title)
