"""The runs' metrics merged into one dict, and a metric's mean, spread and count.

Every number of the report comes from the `metrics.json` files the notebooks wrote. A
metric value is either a number or a list of numbers (one per seed); `summarize` turns
either into mean, standard deviation and count, so the tables and the findings work
unchanged once runs are repeated over seeds.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "collect_metrics",
    "collect_per_seed",
    "merge_seeds",
    "summarize",
    "stat",
    "difference",
    "is_number",
]

# Statuses whose metrics.json is trusted.
_USABLE = ("ok", "cached")


def instances(template, metrics: Iterable[str]) -> list[dict]:
    """The field values of every id in `metrics` that `template` (an
    `aelib.outputs.metric_ids.MetricId`) declares, in their order: which label counts,
    noise levels, designs or code sizes a run wrote."""
    return [v for v in (template.match(k) for k in metrics) if v is not None]


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _clean_value(value):
    """A finite number, a non-empty list of finite numbers, or None (unusable)."""
    if is_number(value):
        return value
    if isinstance(value, (list, tuple)) and value and all(is_number(v) for v in value):
        return [v for v in value]
    return None


def _same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)) or len(a) != len(b):
            return False
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _metrics_path(run: Mapping, out_dir: Path) -> Path | None:
    """Where a run's metrics.json is: the record's out_dir, else `<out>/runs/<name>/`.

    The record's folder comes first: with several seeds every seed has its own folder.
    """
    candidates = [Path(run["out_dir"]) / "metrics.json"] if run.get("out_dir") else []
    candidates.append(out_dir / "runs" / str(run.get("name", "")) / "metrics.json")
    for path in candidates:
        if path.is_file():
            return path
    return None


def _collect(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> tuple[dict, list[dict]]:
    """`collect_metrics`, also returning the conflicts it resolved.

    Runs carrying a "seed" are merged per seed first; a metric that differs between
    seeds becomes a list with one value per seed (in seed order), one that is the same
    in every seed (a parameter count, a compression ratio) stays a number.
    """
    per_seed, conflicts = collect_per_seed(runs, out_dir)
    return merge_seeds(per_seed), conflicts


def collect_per_seed(
    runs: Iterable[Mapping], out_dir: str | os.PathLike
) -> tuple[dict, list[dict]]:
    """`{seed: {metric_id: value}}` in run order (runs without a seed under None), and
    the conflicts resolved within each seed (tagged with it when there are several)."""
    runs = list(runs)
    seeds = list(dict.fromkeys(run.get("seed") for run in runs))
    per_seed, conflicts = {}, []
    for seed in seeds:
        merged, found = _collect_one([r for r in runs if r.get("seed") == seed], out_dir)
        per_seed[seed] = merged
        conflicts += [{**c, "seed": seed} for c in found] if len(seeds) > 1 else found
    return per_seed, conflicts


def merge_seeds(per_seed: Mapping) -> dict:
    """One dict of metrics: a value per seed as a list, or a number where all agree."""
    if len(per_seed) <= 1:
        return dict(next(iter(per_seed.values()), {}))
    combined: dict = {}
    for key in dict.fromkeys(k for merged in per_seed.values() for k in merged):
        values = [merged[key] for merged in per_seed.values() if key in merged]
        if any(isinstance(v, list) for v in values):
            continue
        combined[key] = values[0] if all(v == values[0] for v in values) else values
    return combined


def _collect_one(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> tuple[dict, list[dict]]:
    out_dir = Path(out_dir)
    merged: dict = {}
    origin: dict[str, str] = {}
    conflicts: list[dict] = []
    for run in runs:
        if run.get("status") not in _USABLE:
            continue
        path = _metrics_path(run, out_dir)
        if path is None:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warnings.warn(f"unreadable metrics file {path}: {exc}", stacklevel=3)
            continue
        if not isinstance(data, Mapping):
            warnings.warn(f"metrics file {path} is not a JSON object; ignored", stacklevel=3)
            continue
        for key, raw in data.items():
            value = _clean_value(raw)
            if value is None:
                continue
            if key in merged:
                if not _same(merged[key], value):
                    conflicts.append(
                        {
                            "id": key,
                            "kept": merged[key],
                            "kept_from": origin[key],
                            "ignored": value,
                            "ignored_from": run.get("name"),
                        }
                    )
                    warnings.warn(
                        f"metric {key!r}: {run.get('name')} wrote {value!r}, "
                        f"{origin[key]} wrote {merged[key]!r}; keeping the first",
                        stacklevel=3,
                    )
                continue
            merged[key] = value
            origin[key] = str(run.get("name"))
    return merged, conflicts


def collect_metrics(runs: Iterable[Mapping], out_dir: str | os.PathLike) -> dict:
    """Merge the metrics.json of every run whose status is "ok" or "cached".

    Args:
        runs: run records (dicts with at least "name" and "status"), in order.
        out_dir: the report folder; each run's file is `<out_dir>/runs/<name>/metrics.json`
            (falling back to the record's own "out_dir").

    Returns:
        A flat dict id -> number (or list of numbers, one per seed). Failed or skipped
        runs, missing or unreadable files and non-numeric values contribute nothing.
        When two runs write the same id with different values the first is kept and a
        warning is issued.
    """
    return _collect(runs, out_dir)[0]


def summarize(value) -> tuple[float | None, float | None, int]:
    """Mean, standard deviation and count of a metric value.

    Args:
        value: a number, a list of numbers (one per seed), or None.

    Returns:
        `(mean, std, n)`: for a number `(value, None, 1)`; for a list the mean and the
        sample standard deviation (ddof=1; None for a single-element list); for None
        or an unusable value `(None, None, 0)`.
    """
    value = _clean_value(value)
    if value is None:
        return None, None, 0
    if not isinstance(value, list):
        return float(value), None, 1
    n = len(value)
    mean = math.fsum(value) / n
    if n == 1:
        return mean, None, 1
    var = math.fsum((v - mean) ** 2 for v in value) / (n - 1)
    return mean, math.sqrt(var), n


def stat(metrics: Mapping, metric_id: str) -> dict:
    """One metric as `{"id", "value", "std", "n_seeds"}` (value None when missing)."""
    value, std, n = summarize(metrics.get(metric_id))
    return {"id": metric_id, "value": value, "std": std, "n_seeds": n}


def difference(a: Mapping, b: Mapping) -> dict:
    """`a - b` of two `stat` dicts; spreads add in quadrature (as in the findings)."""
    if a["value"] is None or b["value"] is None:
        return {"value": None, "std": None, "n_seeds": 0}
    stds = [s for s in (a["std"], b["std"]) if s is not None]
    return {
        "value": a["value"] - b["value"],
        "std": math.hypot(*stds) if stds else None,
        "n_seeds": min(a["n_seeds"], b["n_seeds"]),
    }
