"""Run status and provenance: which runs the numbers come from, where and when they ran.

- `run_status_html`: the "Run status" section (counts, a box per failed run or failed
  last attempt, stale runs, metrics written twice with different values).
- `provenance_html`: the "Provenance" section (commit, profile, seeds, machines,
  per-run wall time and page, packages, data hashes).
- `generation_html`: the one line under the title that changes from one rendering of
  the same runs to the next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from aereport.format import esc, fmt_seconds, href, pre, table, verdict_badge

__all__ = ["run_status_html", "provenance_html", "generation_html", "listed"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_status_html(
    runs: Sequence[Mapping], n_notebooks: int, conflicts: Sequence[Mapping], out_dir: Path
) -> str:
    """The "Run status" section: what ran, each failure, stale runs and conflicts."""
    counts: dict[str, int] = {}
    for r in runs:
        # Executed now or reused, the results are the same: the page says "ok" for both,
        # so re-rendering the same runs gives the same page (the generated line says what
        # this invocation executed).
        status = "ok" if r.get("status") == "cached" else str(r.get("status"))
        if status == "ok" and r.get("last_attempt"):
            status = "ok from an earlier run (its last attempt failed)"
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no notebooks"
    seeds = list(dict.fromkeys(r.get("seed") for r in runs if r.get("seed") is not None))
    if len(seeds) > 1:
        what = (
            f"{len(runs)} runs ({n_notebooks} notebooks &times; {len(seeds)} seeds: "
            + ", ".join(esc(s) for s in seeds)
            + ")"
        )
    else:
        what = f"{len(runs)} notebooks"
    status_html = [f'<h2 id="run-status">Run status</h2><p>{what}: {esc(summary)}.</p>']
    failed = [r for r in runs if r.get("status") == "failed"]
    boxed: set[str] = set()
    for r in failed:
        # The first failure of a notebook owns the anchor the tables link to.
        first = str(r.get("name")) not in boxed
        boxed.add(str(r.get("name")))
        status_html.append(failure_box(r, first=first, several_seeds=len(seeds) > 1))
    for r in runs:
        if r.get("status") != "failed" and r.get("last_attempt"):
            status_html.append(attempt_box(r, out_dir, several_seeds=len(seeds) > 1))
    stale = [r for r in runs if r.get("stale") and r.get("status") in ("ok", "cached")]
    if stale:
        items = "".join(
            f"<li>{esc(r.get('name'))}"
            + (f" (seed {esc(r.get('seed'))})" if len(seeds) > 1 else "")
            + f": {esc(r['stale'])}</li>"
            for r in stale
        )
        status_html.append(
            "<p>Out of date (not selected in this invocation, so their last results are "
            f"shown; run them again to bring them up to date):</p><ul>{items}</ul>"
        )
    if conflicts:
        items = "".join(
            f"<li><code>{esc(c['id'])}</code>: kept {esc(c['kept'])} from "
            f"{esc(c['kept_from'])}, ignored {esc(c['ignored'])} from "
            f"{esc(c['ignored_from'])}</li>"
            for c in conflicts
        )
        status_html.append(f"<p>Metrics written twice with different values:</p><ul>{items}</ul>")
    return "\n".join(status_html)


def failure_box(run: Mapping, *, first: bool = True, several_seeds: bool = False) -> str:
    name = str(run.get("name", "?"))
    seed = run.get("seed")
    anchor = name if first or seed is None else f"{name}-seed{seed}"
    label = name + (f" (seed {seed})" if several_seeds and seed is not None else "")
    error = run.get("error") or {}
    cell = error.get("cell")
    ename, evalue = error.get("ename") or "Error", error.get("evalue") or ""
    traceback = _ANSI.sub("", str(error.get("traceback") or ""))
    lines = [ln for ln in traceback.splitlines() if ln.strip()]
    excerpt = "\n".join(lines[-15:])
    if len(excerpt) > 2500:
        excerpt = "..." + excerpt[-2500:]
    parts = [
        f'<div class="failure" id="fail-{esc(anchor)}">',
        f"<strong>{esc(label)} failed</strong>"
        + (f" ({esc(run['title'])})" if run.get("title") else ""),
        "<br>Failing cell: " + (esc(cell) if cell is not None else "unknown"),
        f"<br><code>{esc(ename)}: {esc(evalue)}</code>",
    ]
    if excerpt:
        parts.append(pre(excerpt))
    parts.append(
        '<span class="small">Its numbers show as "failed" in the tables and its '
        "figures are missing below.</span></div>"
    )
    return "".join(parts)


def attempt_box(run: Mapping, out_dir: Path, *, several_seeds: bool = False) -> str:
    """A failed attempt whose notebook still shows the numbers of an earlier good run."""
    attempt = run.get("last_attempt") or {}
    error = attempt.get("error") or {}
    seed = run.get("seed")
    label = str(run.get("name", "?")) + (
        f" (seed {seed})" if several_seeds and seed is not None else ""
    )
    link = href(str(attempt.get("page") or attempt.get("log") or ""), out_dir)
    return (
        '<div class="failure">'
        f"<strong>{esc(label)}: last attempt failed</strong>"
        + (f' (<a href="{esc(link)}">the failed attempt</a>)' if link else "")
        + f" at {esc(attempt.get('finished', 'unknown'))}, in cell "
        + f"{esc(error.get('cell') if error.get('cell') is not None else 'unknown')}: "
        + f"<code>{esc(error.get('ename') or 'Error')}: {esc(error.get('evalue') or '')}</code>"
        + '<br><span class="small">Its numbers, figures and page below come from the earlier '
        f"successful run of {esc(run.get('results_from') or 'an earlier invocation')}.</span>"
        "</div>"
    )


def status_html(run: Mapping, out_dir: Path) -> str:
    """A run's status cell: cached, stale, or a failed last attempt beside older results."""
    status = str(run.get("status"))
    shown = "ok" if status == "cached" else status  # see the run-status counts
    text = verdict_badge(status) if status in ("failed", "skipped") else esc(shown)
    if run.get("stale"):
        text += f' <span class="small">(stale: {esc(run["stale"])})</span>'
    proofs = list(run.get("rekeyed") or ())
    for proof in proofs[-1:]:  # the latest proof; its record keeps them all
        more = f"; {len(proofs)} re-keys in all, see its run.json" if len(proofs) > 1 else ""
        text += (
            f'; <span class="small">re-keyed at <code>{esc(str(proof.get("to_commit"))[:12])}'
            f"</code> from <code>{esc(str(proof.get('from_commit'))[:12])}</code>: the smoke "
            f"profile matched {esc(proof.get('metrics_matched'))} metrics and "
            f"{esc(proof.get('files_matched'))} result files ({esc(proof.get('when'))}"
            f"{esc(more)})</span>"
        )
    attempt = run.get("last_attempt")
    if attempt:
        link = href(str(attempt.get("page") or attempt.get("log") or ""), out_dir)
        failed = f'<a href="{esc(link)}">last attempt failed</a>' if link else "last attempt failed"
        text += f"; {failed}"
        if run.get("results_from"):
            text += f"; numbers from the earlier run of {esc(run['results_from'])}"
    return text


def ran_on(host) -> str:
    """Where a run executed: host, Dask worker and threads (from its record)."""
    if not isinstance(host, Mapping) or not host.get("host"):
        return "&ndash;"
    text = esc(host["host"])
    details = [str(host["worker"])] if host.get("worker") else []
    if host.get("threads"):
        details.append(f"{host['threads']} thread(s)")
    if details:
        text += f' <span class="small">({esc(", ".join(details))})</span>'
    return text


def listed(value) -> str:
    """One value, or several joined (runs that executed on different machines)."""
    if value is None:
        return "unknown"
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def generation_html(generation: Mapping) -> str:
    """The one line that changes when the same runs are rendered again: when, by which
    commit, how long it took and what this invocation executed."""
    executed = generation.get("executed_runs")
    return (
        '<p class="small" id="generated">Rendered '
        f"{esc(generation.get('generated', 'unknown'))} by commit "
        f"<code>{esc(str(generation.get('git_commit', 'unknown'))[:12])}</code> in "
        f"{fmt_seconds(generation.get('total_wall_s'))}; this invocation executed "
        f"{esc(executed if executed is not None else 'an unknown number of')} run(s) "
        f"({fmt_seconds(generation.get('executed_wall_s'))}), the others were reused.</p>"
    )


def provenance_html(provenance: Mapping, runs: Sequence[Mapping], out_dir: Path) -> str:
    p = provenance
    seeds = p.get("seeds")
    seeds_text = ", ".join(str(s) for s in seeds) if isinstance(seeds, (list, tuple)) else seeds
    # Already HTML (&ndash; when unknown).
    timed = {
        "Execution time of every run, summed (a cold run without cache)": fmt_seconds(
            p.get("runs_wall_s")
        ),
    }
    general = [
        (
            "Git commit of the runs",
            listed(p.get("git_commit")) + (" (uncommitted changes)" if p.get("git_dirty") else ""),
        ),
        ("Profile", p.get("profile")),
        ("Seeds", seeds_text),
        *timed.items(),
        ("Python", listed(p.get("python"))),
        ("CPU", listed(p.get("cpu"))),
        ("Cores", listed(p.get("cores"))),
    ]
    out = [
        '<h2 id="provenance">Provenance</h2>',
        table(
            [("Item", ""), ("Value", "")],
            [
                [
                    (esc(k), "txt"),
                    (v if k in timed else esc(v if v is not None else "unknown"), "txt"),
                ]
                for k, v in general
            ],
        ),
        "<h3>Notebooks</h3>",
    ]
    seeds = list(dict.fromkeys(r.get("seed") for r in runs if r.get("seed") is not None))
    several = len(seeds) > 1
    # One row per (notebook, seed), grouped by notebook: its name and title span its rows.
    groups: dict[str, list[Mapping]] = {}
    for run in runs:
        groups.setdefault(str(run.get("name")), []).append(run)
    rows = []
    for name, group in groups.items():
        span = f'rowspan="{len(group)}"' if len(group) > 1 else ""
        for i, run in enumerate(group):
            link = href(str(run.get("notebook_html") or ""), out_dir)
            row = []
            if i == 0:
                row += [(esc(name), "txt", span), (esc(run.get("title") or ""), "txt", span)]
            if several:
                row.append((esc(run.get("seed", "")), "num"))
            row += [
                (status_html(run, out_dir), "txt"),
                (fmt_seconds(run.get("wall_s")), "num"),
                (ran_on(run.get("host")), "txt"),
                (f'<a href="{esc(link)}">executed notebook</a>' if link else "&ndash;", "txt"),
            ]
            rows.append(row)
    headers = (
        [("Notebook", ""), ("Title", "")]
        + ([("Seed", "")] if several else [])
        + [("Status", ""), ("Wall time", ""), ("Ran on", ""), ("Page", "")]
    )
    out.append(table(headers, rows))
    out.append(
        '<p class="small">Each run\'s results and wall time come from its own run directory; '
        "the line under the title says how many runs the invocation that rendered this "
        "page executed, the others were reused from earlier runs with the same inputs. A run "
        "marked re-keyed ran with code that has changed since: <code>run_all.py --rekey</code> "
        "ran the smoke profile with the code it was keyed at and with the code after, found "
        "every metric and result file the same and every changed function executed, and "
        'recorded the new code\'s key (README, "changing the code without re-training").</p>'
    )
    packages = p.get("packages") or {}
    if packages:
        out.append("<h3>Packages</h3>")
        out.append(
            table(
                [("Package", ""), ("Version", "")],
                [[(esc(k), "txt"), (esc(v), "txt")] for k, v in sorted(packages.items())],
            )
        )
    hashes = p.get("data_hashes") or {}
    if hashes:
        out.append("<h3>Data (SHA-256 of the arrays used)</h3>")
        hash_rows = []
        for dataset, arrays in sorted(hashes.items()):
            items = arrays.items() if isinstance(arrays, Mapping) else [("", arrays)]
            for array, digest in sorted(items):
                hash_rows.append(
                    [
                        (esc(dataset), "txt"),
                        (esc(array), "txt"),
                        (f"<code>{esc(digest)}</code>", "txt"),
                    ]
                )
        out.append(table([("Dataset", ""), ("Array", ""), ("SHA-256", "")], hash_rows))
    return "\n".join(out)
