"""Render the reproduction report: one self-contained, offline HTML page plus metrics.json.

The page is built by `aereport.layout` from the sections of
`aereport.sections` and converted to HTML by `aereport.export` (offline: no
network request). This module writes both files.

Usage (from run_all.py):

    from aereport import render_report
    render_report("report", runs, provenance)   # -> report/index.html, report/metrics.json
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from aereport.export import (
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    atomic_write,
    offline_html_exporter,
    render_notebook_html,
)
from aereport.format import CSS, NOT_RUN_IN_PAPER_PROFILE, jsonable
from aereport.layout import (
    BEYOND_FIGURES,
    EXTRA_FIGURES,
    FIGURES,
    PAPER_PROFILE_SKIPPED_FIGURES,
    REDRAWN_FIGURES,
    build_report_notebook,
)
from aereport.merge import summarize

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "FIGURES",
    "EXTRA_FIGURES",
    "BEYOND_FIGURES",
    "REDRAWN_FIGURES",
    "PAPER_PROFILE_SKIPPED_FIGURES",
    "NOT_RUN_IN_PAPER_PROFILE",
    "offline_html_exporter",
    "render_notebook_html",
    "build_report_notebook",
    "render_report",
]


def render_report(out_dir: str | os.PathLike, runs: Sequence[Mapping], provenance: Mapping) -> Path:
    """Write `<out_dir>/index.html` and `<out_dir>/metrics.json`, each atomically.

    Args:
        out_dir: the report folder holding `runs/<notebook>/metrics.json` and figures.
        runs: one record per notebook, in order: `{"name", "title", "status"
            ("ok"|"cached"|"failed"|"skipped"), "wall_s", "error", "out_dir",
            "notebook_html"}` (see `aereport`).
        provenance: `{"generated", "git_commit", "git_dirty", "profile", "seeds",
            "python", "packages", "cpu", "cores", "data_hashes", "total_wall_s",
            "runs_wall_s"}`;
            missing keys show as "unknown".

    Returns:
        The path of index.html. metrics.json holds `{"profile", "metrics": {id: value},
        "provenance", "runs": [{"name", "status", "wall_s"}]}`.
    """
    out_dir = Path(out_dir)
    nb, metrics = build_report_notebook(out_dir, runs, provenance)
    exporter = offline_html_exporter(exclude_input=True)
    resources = {"metadata": {"name": "index", "path": str(out_dir)}, "report_css": CSS}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    means = {k: summarize(v)[0] if isinstance(v, list) else v for k, v in metrics.items()}
    summary = {
        "profile": provenance.get("profile"),
        "metrics": means,
        "provenance": provenance,
        "runs": [
            {
                "name": r.get("name"),
                "seed": r.get("seed"),
                "status": r.get("status"),
                "wall_s": r.get("wall_s"),
                **({"stale": r["stale"]} if r.get("stale") else {}),
                **({"last_attempt_failed": True} if r.get("last_attempt") else {}),
            }
            for r in runs
        ],
    }
    per_seed = {k: v for k, v in metrics.items() if isinstance(v, list)}
    if per_seed:
        # Several seeds: "metrics" holds the means; the values behind them are kept.
        summary["metrics_per_seed"] = per_seed
        summary["metrics_std"] = {k: summarize(v)[1] for k, v in per_seed.items()}
    atomic_write(
        out_dir / "metrics.json", json.dumps(jsonable(summary), indent=2, allow_nan=False) + "\n"
    )
    index = out_dir / "index.html"
    atomic_write(index, body)
    return index
