"""Figures of notebook 07: the GAN's losses and samples during training, precision against
recall per generator, and accuracy with few labels. Imported as a module of its own
(`from aelib.figures import generators`), not re-exported by `aelib.figures`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_gan_losses", "plot_precision_recall", "plot_few_labels"]


def plot_gan_losses(histories: Mapping[str, Mapping], *, title: str | None = None) -> Figure:
    """Discriminator and generator loss at every step (thin) and their running mean over
    50 steps (thick), one panel per GAN.

    Args:
        histories: panel title -> a `aelib.models.gan.train_gan` history.
    """
    if not histories:
        raise ValueError("histories must not be empty")
    fig = Figure(figsize=(5.2 * len(histories), 3.4), layout="constrained")
    axes = fig.subplots(1, len(histories), squeeze=False)[0]
    for ax, (name, h) in zip(axes, histories.items(), strict=True):
        steps_per_epoch = len(h["d_step"]) / max(h["epochs_run"], 1)
        for key, label, color in (("d_step", "discriminator", "C0"), ("g_step", "generator", "C1")):
            values = np.asarray(h[key], dtype=float)
            epochs = np.arange(1, len(values) + 1) / steps_per_epoch
            ax.plot(epochs, values, color=color, alpha=0.2, lw=0.5)
            window = min(50, len(values))
            smooth = np.convolve(values, np.ones(window) / window, mode="valid")
            ax.plot(epochs[window - 1 :], smooth, color=color, lw=1.8, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (nats)")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def plot_precision_recall(
    scores: Mapping[str, Mapping[str, Mapping]], *, title: str | None = None
) -> Figure:
    """Precision against recall of every set of images, one panel per dataset.

    Args:
        scores: dataset title -> {label: a dict with "precision" and "recall"}.
    """
    if not scores:
        raise ValueError("scores must not be empty")
    fig = Figure(figsize=(4.6 * len(scores), 4.2), layout="constrained")
    axes = fig.subplots(1, len(scores), squeeze=False)[0]
    for ax, (dataset, sets) in zip(axes, scores.items(), strict=True):
        for i, (label, s) in enumerate(sets.items()):
            ax.scatter(s["recall"], s["precision"], color=f"C{i % 10}", s=40, label=label)
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("recall (diversity)")
        ax.set_ylabel("precision (realism)")
        ax.set_title(dataset, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    if title:
        fig.suptitle(title)
    return fig


def plot_few_labels(
    accuracy: Mapping[str, Mapping[str, Mapping[int, float]]],
    labels: Mapping[str, str],
    *,
    title: str | None = None,
) -> Figure:
    """Test accuracy against the number of labels, one line per method, one panel per
    dataset.

    Args:
        accuracy: dataset title -> {method: {n: accuracy}}.
        labels: method -> legend text.
    """
    if not accuracy:
        raise ValueError("accuracy must not be empty")
    fig = Figure(figsize=(4.6 * len(accuracy), 3.6), layout="constrained")
    axes = fig.subplots(1, len(accuracy), squeeze=False)[0]
    for ax, (dataset, by_method) in zip(axes, accuracy.items(), strict=True):
        for method, by_n in by_method.items():
            ns = sorted(by_n)
            ax.plot(ns, [100 * by_n[n] for n in ns], marker="o", label=labels.get(method, method))
        ax.set_xscale("log")
        ax.set_xlabel("labelled training images")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(dataset, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
