"""The charts of the `generative` section, drawn from the metrics of every seed (see the
package)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from aelib.outputs import metric_ids
from aereport import seeds
from aereport.sections.generative.tables import (
    DATASETS,
    METHODS,
    SOURCES,
    datasets,
    label_counts,
    ladder_levels,
    written,
)


def precision_recall_png(metrics: Mapping) -> bytes | None:
    """Precision against recall of every set of images, per dataset: the mean over seeds
    with a bar of one standard deviation in each direction and a dot per seed."""
    from matplotlib.figure import Figure

    panels = [
        (prefix, label)
        for prefix, label in datasets(metrics)
        if seeds.metric_values(
            metrics, metric_ids.GEN_SCORES["precision"].id(dataset=prefix, source="real")
        )
    ]  # a dataset whose run wrote no precision (an older or partial run) has no panel
    if not panels:
        return None
    fig = Figure(figsize=(5.0 * len(panels), 4.4), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (prefix, label) in zip(axes, panels, strict=True):
        points = [("real training images", "real", metric_ids.GEN_SCORES, {"source": "real"})]
        points += [
            (f"real + noise {lv / 1000:g}", "ladder", metric_ids.LADDER_SCORES, {"level": lv})
            for lv in ladder_levels(metrics, prefix)
        ]
        points += [
            (name, "generator", metric_ids.GEN_SCORES, {"source": source})
            for source, name in SOURCES.items()
            if written(metrics, metric_ids.GEN_FRECHET, dataset=prefix, source=source)
        ]
        generator_colour = iter(f"C{i}" for i in range(10))
        for name, kind, templates, fields in points:
            p = seeds.metric_values(metrics, templates["precision"].id(dataset=prefix, **fields))
            r = seeds.metric_values(metrics, templates["recall"].id(dataset=prefix, **fields))
            if not p or not r:
                continue
            colour = {"real": "k", "ladder": "0.6"}.get(kind) or next(generator_colour)
            marker = {"real": "*", "ladder": "x"}.get(kind, "o")
            mean_p, mean_r = math.fsum(p) / len(p), math.fsum(r) / len(r)
            if len(p) > 1 and len(p) == len(r):
                ax.plot(r, p, ".", color=colour, alpha=0.4, markersize=4)
                ax.errorbar(
                    [mean_r],
                    [mean_p],
                    xerr=[_std(r)],
                    yerr=[_std(p)],
                    fmt="none",
                    ecolor=colour,
                    capsize=2,
                    lw=0.8,
                )
            if kind == "ladder":  # one legend entry for the ladder; each cross says its std
                ax.annotate(
                    name.removeprefix("real + noise "),
                    (mean_r, mean_p),
                    textcoords="offset points",
                    xytext=(5, 4),
                    fontsize=7,
                    color="0.4",
                )
                first = name == points[1][0]
                legend = "real + noise (its std)" if first else None
            else:
                legend = name
            ax.plot([mean_r], [mean_p], marker, color=colour, markersize=8, label=legend)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("recall (share of the real images covered)")
        ax.set_ylabel("precision (share of the samples that look real)")
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    return seeds.png_bytes(fig)


def _std(values: list[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def few_labels_png(metrics: Mapping) -> bytes | None:
    """Test accuracy of each few-label method against the label count, per dataset: the
    mean over seeds, a bar of one standard deviation and a dot per seed."""
    from matplotlib.figure import Figure

    panels = [(p, label) for p, label in DATASETS if label_counts(metrics, p)]
    if not panels:
        return None
    fig = Figure(figsize=(5.0 * len(panels), 3.9), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (prefix, label) in zip(axes, panels, strict=True):
        counts = label_counts(metrics, prefix)
        for i, (method, name) in enumerate(METHODS.items()):
            values = [
                seeds.metric_values(
                    metrics, metric_ids.FEW_TEST_ACC.id(dataset=prefix, method=method, n=n)
                )
                if written(metrics, metric_ids.FEW_TEST_ACC, dataset=prefix, method=method, n=n)
                else []
                for n in counts
            ]
            xs = [n for n, v in zip(counts, values, strict=True) if v]
            values = [v for v in values if v]
            if not values:
                continue
            # Shift the methods apart a little on the log axis so their bars do not overlap.
            shifted = [x * 1.06 ** (i - 1.5) for x in xs]
            ax.plot(
                shifted,
                [math.fsum(v) / len(v) for v in values],
                "o-" if method != "encoder" else "s--",
                color=f"C{i}",
                label=name,
            )
            seeds.draw_spread(ax, shifted, values, f"C{i}")
        ax.set_xscale("log")
        ax.set_xticks(counts, [f"{n:,}" for n in counts])
        ax.set_xlabel("labelled training images")
        ax.set_ylabel("test accuracy")
        ax.set_title(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="best")
    return seeds.png_bytes(fig)
