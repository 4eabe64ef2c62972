"""Seed uncertainty: every metric per seed, and the helpers that draw charts across seeds.

`run_all.py --seeds 0,1,2` runs each notebook once per seed. The tables show the mean
and standard deviation; this module keeps the values behind them visible:

- `per_seed_metrics`: `{seed: {metric_id: value}}`, read from each seed's runs.
- `seed_rows`: one row per metric with its value under every seed, mean, standard
  deviation and range (the headline metrics first, see
  `aereport.sections.headline_metrics`).
- `metric_values`, `draw_spread` and `png_bytes`: what the charts the report draws
  from the metrics of every seed share (the latent sweep in
  `aereport.sections.latent`, label efficiency in `aereport.sections.fashion`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping, Sequence

from aereport.merge import collect_per_seed, is_number, summarize

__all__ = [
    "per_seed_metrics",
    "seed_rows",
    "metric_values",
    "draw_spread",
    "png_bytes",
]


def per_seed_metrics(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> dict:
    """`{seed: {metric_id: value}}` from each seed's usable runs, seeds in run order.

    Runs without a "seed" are grouped under None (a single-seed report).
    """
    return collect_per_seed(runs, out_dir)[0]


def _kind(metric_id: str) -> str:
    if metric_id.endswith("_acc"):
        return "acc"
    if metric_id.endswith("psnr"):
        return "db"
    if metric_id.endswith("ssim") or metric_id.endswith(".auc"):
        return "auc"
    return "bce"


def seed_rows(
    per_seed: Mapping, headline: Sequence[tuple[str, str, str]] = (), *, headline_only: bool = False
) -> list[dict]:
    """One row per metric: `{"id", "label", "kind", "values", "mean", "std", "n",
    "range", "headline"}`.

    `values` holds one entry per seed of `per_seed`, in its order (None where that
    seed has no such metric); `range` is max - min over the seeds that have it (None
    with fewer than two). The `headline` metrics, (id, label, kind) each (see
    `aereport.sections.headline_metrics`), come first in their order, then
    every other numeric metric sorted by id, unless `headline_only`. Metrics that are
    the same in every seed by construction (parameter counts, epochs, noise settings)
    are rows too: their range is 0.
    """
    seeds = list(per_seed)
    known = {mid: (label, kind) for mid, label, kind in headline}
    ids = [mid for mid, _, _ in headline]
    if not headline_only:
        others = {k for m in per_seed.values() for k in m if k not in known}
        ids += sorted(others)
    rows = []
    for mid in ids:
        values = [per_seed[s].get(mid) for s in seeds]
        values = [float(v) if is_number(v) else None for v in values]
        present = [v for v in values if v is not None]
        if not present:
            continue
        mean, std, n = summarize(present if len(present) > 1 else present[0])
        label, kind = known.get(mid, (mid, _kind(mid)))
        rows.append(
            {
                "id": mid,
                "label": label,
                "kind": kind,
                "values": values,
                "mean": mean,
                "std": std,
                "n": n,
                "range": max(present) - min(present) if len(present) > 1 else None,
                "headline": mid in known,
            }
        )
    return rows


def metric_values(metrics: Mapping, metric_id: str) -> list[float]:
    value = metrics.get(metric_id)
    if isinstance(value, list):
        return [float(v) for v in value if is_number(v)]
    return [float(value)] if is_number(value) else []


def png_bytes(fig) -> bytes:
    buf = io.BytesIO()
    # No software tag or date in the file: the same numbers give the same bytes.
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return buf.getvalue()


def draw_spread(ax, xs: Sequence, values: Sequence[list[float]], color: str) -> None:
    """A dot per seed and a bar of one standard deviation around each mean."""
    for x, vals in zip(xs, values, strict=True):
        if len(vals) > 1:
            mean, std, _ = summarize(vals)
            ax.plot([x] * len(vals), vals, ".", color=color, alpha=0.45, markersize=4)
            ax.errorbar([x], [mean], yerr=[std], fmt="none", ecolor=color, capsize=3)
