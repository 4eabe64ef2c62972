"""Curves: training histories and the latent-size sweep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

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


# Readable names for the legend and the table, in the order they are compared.
METHOD_NAMES = {
    "transfer": "frozen MNIST encoder",
    "finetune": "fine-tuned MNIST encoder",
    "scratch": "CNN from scratch",
    "fashion_encoder": "frozen Fashion encoder",
}


def method_name(method: str) -> str:
    """A label-efficiency method's readable name (`METHOD_NAMES`), else its key."""
    return METHOD_NAMES.get(method, method)


def plot_label_efficiency(
    results: Mapping[str, Mapping[int, float]],
    *,
    title: str | None = None,
    reference: Mapping[str, float | tuple[int, float]] | None = None,
) -> Figure:
    """Test accuracy against the number of labelled training images (log x axis).

    Args:
        results: `{method: {n: test accuracy}}` (the `"test_acc"` part of
            `run_label_efficiency`'s result); known methods get readable legend names
            from `METHOD_NAMES`, others keep their key.
        title: optional axes title.
        reference: optional `{label: value}`: a number is drawn as a dashed horizontal
            line (e.g. a published full-data accuracy), an `(n, accuracy)` pair as a
            hollow marker at that label count.

    Returns:
        A Figure with one axes: one line with markers per method.
    """
    if not isinstance(results, Mapping) or not results:
        raise ValueError("results must be a non-empty dict of method -> {n: accuracy}")
    fig = Figure(figsize=(6.6, 4.2), layout="constrained")
    ax = fig.subplots()
    markers = "osD^vP"
    all_sizes: set[int] = set()
    for i, (method, acc) in enumerate(results.items()):
        if not isinstance(acc, Mapping) or not acc:
            raise ValueError(f"results[{method!r}] must be a non-empty dict of n -> accuracy")
        points = sorted((int(n), float(a)) for n, a in acc.items())
        if points[0][0] <= 0:
            raise ValueError(f"results[{method!r}]: label counts must be positive")
        all_sizes.update(n for n, _ in points)
        ax.plot(
            [n for n, _ in points],
            [a for _, a in points],
            marker=markers[i % len(markers)],
            color=f"C{i}",
            label=method_name(method),
        )
    for j, (label, value) in enumerate((reference or {}).items()):
        style = {"color": "0.35", "linewidth": 1.0, "linestyle": ["--", ":", "-."][j % 3]}
        if isinstance(value, (tuple, list)):
            ax.plot(
                [int(value[0])],
                [float(value[1])],
                "o",
                markerfacecolor="none",
                markeredgecolor=style["color"],
                markersize=9,
                label=str(label),
            )
        else:
            ax.axhline(float(value), label=str(label), **style)
    ax.set_xscale("log")
    ticks = sorted(all_sizes)
    ax.set_xticks(ticks, [f"{n:,d}" for n in ticks])
    ax.minorticks_off()
    ax.set_xlabel("labelled training images (class-balanced, log scale)")
    ax.set_ylabel("test accuracy")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    return fig
