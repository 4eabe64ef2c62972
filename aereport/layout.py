"""The report's page: its parts in order, each filled by walking the sections.

Title, banners and contents; the summary (`aereport.summary`); run status; Table
3.2.1.1 (rows from every section) and each section's tables of the paper's results;
"Beyond the paper" (each section's analyses); Figures 3.4.1-3.4.6 (each section's, in
figure-number order); further figures; the findings table (each section's checks);
provenance. What a section contributes is described in `aereport.section`; the
sections are listed in `aereport.sections.SECTIONS`. Nothing here names an
experiment.

At about 550 lines it is over the project's 500 on purpose: it is the page's order, top
to bottom, in one place; every piece it places is built elsewhere.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat

from aelib.paper import FIGURE_CAPTIONS
from aelib.params import PROFILES
from aereport.format import (
    NOT_RUN_IN_PAPER_PROFILE,
    VS_PAPER_HEADERS,
    esc,
    finding_line,
    not_run_html,
    one_line,
    table,
    value_cell,
    verdict_badge,
    vs_paper_cells,
)
from aereport.merge import collect_per_seed, merge_seeds
from aereport.provenance import generation_html, listed, provenance_html, run_status_html
from aereport.section import FURTHER_GROUPS, Analysis, Context, FigureSpec, Section
from aereport.sections import SECTIONS, extra_findings, headline_metrics, paper_findings
from aereport.summary import summary_data, summary_html
from aereport.verdicts import ACC_TOLERANCE, BCE_TOLERANCE, NOT_RUN

__all__ = [
    "REPORT_TITLE",
    "SMOKE_BANNER",
    "FIGURES",
    "EXTRA_FIGURES",
    "BEYOND_FIGURES",
    "REDRAWN_FIGURES",
    "PAPER_PROFILE_SKIPPED_FIGURES",
    "analyses",
    "build_report_notebook",
]

REPORT_TITLE = "Simple Autoencoder for MNIST: reproduction report"
SMOKE_BANNER = "Smoke run: tiny data and 1 epoch; numbers are not comparable to the paper."


# ------------------------------------------------------------ what the sections hold


def analyses(sections: Sequence[Section] = SECTIONS) -> list[tuple[Section, Analysis]]:
    """Every "Beyond the paper" subsection, with its section, in page order."""
    return [(s, a) for s in sections for a in s.analyses]


def _paper_figures(sections: Sequence[Section]) -> dict[str, tuple[str, str]]:
    """Paper figure number -> (notebook, file name), in figure-number order."""
    found = [(f.number, (s.notebook, f.filename)) for s in sections for f in s.figures]
    return dict(sorted(found, key=lambda item: tuple(int(p) for p in item[0].split("."))))


def _further_figures(sections: Sequence[Section], paper_only: bool) -> list[tuple[str, str, str]]:
    """(notebook, file name, title) of the further figures, in order: by group
    (`FURTHER_GROUPS`), then by section, then as each section lists them. `paper_only`:
    with the stand-ins for the charts of the analyses the paper profile skips."""
    found = [
        (FURTHER_GROUPS.index(f.group), i, j, (s.notebook, f.filename, f.title), f.profiles)
        for i, s in enumerate(sections)
        for j, f in enumerate(s.further_figures)
    ]
    return [spec for *_, spec, profiles in sorted(found) if profiles != "paper" or paper_only]


# Paper figure number -> (notebook, file name in <out>/runs/<notebook>/).
FIGURES: dict[str, tuple[str, str]] = _paper_figures(SECTIONS)

# Figures the paper does not have: (notebook, file name, title), outside the paper profile.
EXTRA_FIGURES: tuple[tuple[str, str, str], ...] = tuple(_further_figures(SECTIONS, False))

# Further figures that the paper profile does not make: analyses beyond the paper.
PAPER_PROFILE_SKIPPED_FIGURES: frozenset[tuple[str, str]] = frozenset(
    (s.notebook, f.filename) for s in SECTIONS for f in s.further_figures if f.profiles == "beyond"
)

# Notebook figures the report draws itself from the metrics of every seed, so they are
# not repeated under "Further figures": (notebook, file name).
REDRAWN_FIGURES: frozenset[tuple[str, str]] = frozenset(
    (s.notebook, a.drawn.replaces) for s, a in analyses() if a.drawn is not None
)

# Figures of the "Beyond the paper" sections: section anchor -> (notebook, file name,
# title, caption). They are shown inside their section, not under "Further figures".
BEYOND_FIGURES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    a.anchor: tuple((s.notebook, f.filename, f.title, f.caption) for f in a.figures)
    for s, a in analyses()
    if a.figures
}


# ------------------------------------------------------------------------ figures


def md(fragment: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(f'<div class="rep">\n{one_line(fragment)}\n</div>')


def _image_output(png: bytes, alt: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "display_data",
        data={"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt},
        metadata={"alt": alt},
    )


def image_cell(png: bytes, alt: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [_image_output(png, alt)]
    return cell


def run_dir(run: Mapping | None, out_dir: Path, notebook: str) -> Path:
    default = out_dir / "runs" / notebook
    if default.is_dir() or not run or not run.get("out_dir"):
        return default
    return Path(run["out_dir"])


def read_png(
    run: Mapping | None, out_dir: Path, notebook: str, filename: str, statuses: Mapping[str, str]
) -> bytes | None:
    # Figures of a failed or skipped notebook may be stale leftovers: not shown.
    if statuses.get(notebook) not in ("ok", "cached"):
        return None
    path = run_dir(run, out_dir, notebook) / filename
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None


def fig_path(run: Mapping | None, out_dir: Path, notebook: str, filename: str) -> str:
    """A figure's path relative to the report folder (absolute if outside it)."""
    path = run_dir(run, out_dir, notebook) / filename
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def missing_figure(notebook: str, filename: str, statuses: Mapping[str, str]) -> str:
    status = statuses.get(notebook)
    if status == "failed":
        text = (
            f"Not available: <strong>{esc(notebook)}</strong> failed "
            f'(<a href="#fail-{esc(notebook)}">see the failure</a>).'
        )
    elif status in ("ok", "cached"):
        text = (
            f"Figure file missing: <code>runs/{esc(notebook)}/{esc(filename)}</code> was not "
            f"written although {esc(notebook)} ran."
        )
    else:
        text = f"Not available: {esc(notebook)} was {esc(status or 'not run')}."
    return f'<div class="missing">{text}</div>'


def _figure_block(
    notebook: str, spec: FigureSpec, by_name: Mapping, out_dir: Path, statuses: Mapping[str, str]
) -> list[nbformat.NotebookNode]:
    filename, title, caption = spec.filename, spec.title, spec.caption
    png = read_png(by_name.get(notebook), out_dir, notebook, filename, statuses)
    cells = [md(f"<h4>{esc(title)}</h4>")]
    if png is None:
        cells.append(md(missing_figure(notebook, filename, statuses)))
        return cells
    cells.append(image_cell(png, title))
    path = fig_path(by_name.get(notebook), out_dir, notebook, filename)
    cells.append(
        md(
            f'<p class="caption">{esc(caption)}<br><span class="small">From '
            f"{esc(notebook)} (<code>{esc(path)}</code>).</span></p>"
        )
    )
    return cells


# ------------------------------------------------------------------------ parts


def _skips_beyond_paper(profile) -> bool:
    """True for a profile that runs only the paper's experiments (`paper`)."""
    return profile in PROFILES and not PROFILES[profile].get("beyond_paper", True)


def _paper_banner_html() -> str:
    """The banner of a report that ran only the paper's experiments: what it left out."""
    sections = "".join(
        f'<li><a href="#{esc(a.anchor)}">{esc(a.title)}</a></li>'
        for _, a in analyses()
        if not a.in_paper_profile
    )
    figures = ", ".join(
        esc(title) for nb, fn, title in EXTRA_FIGURES if (nb, fn) in PAPER_PROFILE_SKIPPED_FIGURES
    )
    return (
        '<div class="banner info" id="paper-banner">'
        "<strong>Paper profile: the paper&rsquo;s five experiments at its "
        "settings, and nothing beyond them.</strong> Tables 3.2.1.1 and 3.2.2.1 and Figures "
        "3.4.1-3.4.6 are complete. Not run (<code>--profile full</code> runs them):"
        f"<ul>{sections}<li>the PCA columns of the latent-size sweep and the Dense(128) "
        f"row of Table 3.2.2.1</li><li>further figures: {figures}</li></ul></div>"
    )


def mnist_reconstruction_table(
    metrics: Mapping, *, statuses: Mapping[str, str] | None = None
) -> list[dict]:
    """Table 3.2.1.1, MNIST reconstruction: validation BCE per experiment.

    Each section's rows (`Section.mnist_rows`) in section order: one row per row of the
    paper's table, plus its own row for the latent size 2 that the paper only gives in
    a note. Floors are `mnist.test.entropy_floor`.

    Args:
        metrics: merged metrics (see `aereport.merge.collect_metrics`).
        statuses: optional notebook name -> run status, so that a missing value reads
            "failed" rather than "not run" when its notebook failed.

    Returns:
        Row dicts (see `aereport.verdicts`), in the paper's order.
    """
    return [
        row for s in SECTIONS if s.mnist_rows for row in s.mnist_rows(metrics, statuses=statuses)
    ]


def _mnist_table_html(rows: list[dict], statuses: Mapping[str, str]) -> str:
    headers = [
        ("Experiment", ""),
        ("Validation BCE (reproduced)", ""),
        *VS_PAPER_HEADERS,
        ("Notes", ""),
        ("Paper's note", "paper"),
    ]
    body = [
        [
            (esc(r["experiment"]), "txt"),
            (value_cell(r), "num"),
            *vs_paper_cells(r, statuses),
            (esc(r["note"]), "txt"),
            (esc(r["paper_note"]), "txt paper"),
        ]
        for r in rows
    ]
    return table(headers, body, table_id="tbl-mnist")


def _mnist_table_cell(ctx: Context, rows: list[dict]) -> nbformat.NotebookNode:
    tol = (
        f"Verdict tolerance: BCE within {BCE_TOLERANCE} of the paper counts as "
        "&ldquo;matches&rdquo;, lower by more as &ldquo;better than paper&rdquo;; accuracy "
        f"within {100 * ACC_TOLERANCE:.1f} points likewise, higher by more as "
        "&ldquo;better than paper&rdquo;. The entropy floor is the mean binary entropy "
        "of the test images, the lowest BCE any model can reach; the excess over it is "
        "the part of the loss a better model could remove. Means &plusmn; standard "
        "deviation are shown when a metric has one value per seed."
    )
    return md(
        '<h2 id="table-3-2-1-1">Table 3.2.1.1: MNIST reconstruction</h2>'
        + _mnist_table_html(rows, ctx.statuses)
        + f'<p class="small">{tol}</p>'
    )


def _findings_html(items: list[dict], extra: Sequence[dict] = ()) -> str:
    """The paper's claims, then (under a group row) the checks beyond the paper."""
    headers = [("Claim", ""), ("Paper", "paper"), ("Measured here", ""), ("Verdict", "")]
    body, classes, ids = [], [], []
    for group, group_items in (("The paper's claims", items), ("Beyond the paper", list(extra))):
        if not group_items:
            continue
        if extra:
            body.append([(esc(group), "txt", 'colspan="4"')])
            classes.append("group")
            ids.append("")
        for f in group_items:
            body.append(
                [
                    (esc(f["claim"]), "txt"),
                    (esc(f["paper"]), "txt paper"),
                    (esc(f["measured"]), "txt"),
                    (verdict_badge(f["verdict"]), "txt"),
                ]
            )
            classes.append("")
            ids.append(f"finding-{f['id']}")
    return table(headers, body, row_classes=classes, row_ids=ids, table_id="tbl-findings")


def _beyond_cells(
    ctx: Context, by_name: Mapping, out_dir: Path, extra: Sequence[Mapping]
) -> list[nbformat.NotebookNode]:
    """`ctx.paper_only`: the profile skipped these analyses; each section says so instead."""
    items = {f["id"]: f for f in extra}
    cells = [
        md(
            '<h2 id="beyond">Beyond the paper</h2><p>Experiments the paper did not run, '
            "added to test its wider statements. The paper&rsquo;s numbers appear only "
            "in columns labelled as reference; every verdict is computed from the "
            "metrics.</p>"
            + (
                "<p><strong>This report used the paper profile</strong>, which runs only "
                "the paper&rsquo;s five experiments: the sections below (all but the seed "
                "section) were not run.</p>"
                if ctx.paper_only
                else ""
            )
        )
    ]
    for section, analysis in analyses():
        heading = f'<h3 id="{esc(analysis.anchor)}">{esc(analysis.title)}</h3>'
        if ctx.paper_only and not analysis.in_paper_profile:
            cells.append(md(heading + not_run_html()))
            continue
        lines = "".join(finding_line(items.get(i)) for i in analysis.finding_ids)
        cells.append(md(heading + analysis.html(ctx) + lines))
        drawn, notebook = analysis.drawn, section.notebook
        if drawn is not None:
            png = drawn.draw(ctx.metrics)
            cells.append(md(f"<h4>{esc(drawn.title)}</h4>"))
            if png is None and ctx.statuses.get(notebook) in ("ok", "cached"):
                cells.append(
                    md(
                        f'<div class="missing">Nothing to draw: {esc(notebook)} wrote no such '
                        "results.</div>"
                    )
                )
            elif png is None:
                cells.append(md(missing_figure(notebook, "metrics.json", ctx.statuses)))
            else:
                cells.append(image_cell(png, drawn.title))
                cells.append(md(f'<p class="caption">{esc(drawn.caption)}</p>'))
        for spec in analysis.figures:
            cells += _figure_block(notebook, spec, by_name, out_dir, ctx.statuses)
    return cells


def _contents() -> str:
    """The contents, nested: a section's subsections under it."""
    results: list[tuple[str, str, list[tuple[str, str]]]] = [
        ("table-3-2-1-1", "Table 3.2.1.1: MNIST reconstruction", [])
    ]
    for block in (b for s in SECTIONS for b in s.results):
        label = block.toc or block.title
        if block.level == 2:
            results.append((block.anchor, label, []))
        else:
            results[-1][2].append((block.anchor, label))
    toc = [
        ("summary", "Summary", []),
        ("run-status", "Run status", []),
        *results,
        ("beyond", "Beyond the paper", [(a.anchor, a.title) for _, a in analyses()]),
        ("figures", "Figures 3.4.1-3.4.6", []),
        ("extra-figures", "Further figures", []),
        ("findings", "Findings: the paper's claims checked", []),
        ("provenance", "Provenance", []),
    ]
    entries = []
    for anchor, title, children in toc:
        sub = (
            (
                "<ol>"
                + "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in children)
                + "</ol>"
            )
            if children
            else ""
        )
        entries.append(f'<li><a href="#{anchor}">{esc(title)}</a>{sub}</li>')
    return "<nav><strong>Contents</strong><ol>" + "".join(entries) + "</ol></nav>"


def _figure_cells(
    runs: Sequence[Mapping], ctx: Context, by_name: Mapping, out_dir: Path, seeds: list
) -> list[nbformat.NotebookNode]:
    """Figures 3.4.1-3.4.6, then the further figures (and any other PNG a run left)."""
    statuses, paper_only = ctx.statuses, ctx.paper_only
    cells = []
    first_seed_note = (
        f'<p class="small">With {len(seeds)} seeds these figures come from the first, seed '
        f"{esc(seeds[0])}; the tables, the seed section and the two charts drawn by the report "
        "use every seed.</p>"
        if len(seeds) > 1
        else ""
    )
    cells.append(md('<h2 id="figures">Figures 3.4.1-3.4.6</h2>' + first_seed_note))
    for number, (notebook, filename) in FIGURES.items():
        anchor = "figure-" + number.replace(".", "-")
        png = read_png(by_name.get(notebook), out_dir, notebook, filename, statuses)
        cells.append(md(f'<h3 id="{anchor}">Figure {esc(number)}</h3>'))
        if png is None:
            cells.append(md(missing_figure(notebook, filename, statuses)))
        else:
            cells.append(image_cell(png, f"Figure {number}"))
        cells.append(
            md(
                f'<p class="caption"><span class="paper-caption">Paper&rsquo;s caption: '
                f"{esc(FIGURE_CAPTIONS.get(number, ''))}</span><br>"
                f'<span class="small">From {esc(notebook)} '
                f"(<code>{esc(fig_path(by_name.get(notebook), out_dir, notebook, filename))}"
                "</code>).</span></p>"
            )
        )

    # Further figures: the sections' lists, then any other PNG the notebooks left.
    cells.append(md('<h2 id="extra-figures">Further figures</h2>' + first_seed_note))
    shown = (
        {(nb, fn) for nb, fn in FIGURES.values()}
        | {(spec[0], spec[1]) for specs in BEYOND_FIGURES.values() for spec in specs}
        | REDRAWN_FIGURES
    )
    extras = _further_figures(SECTIONS, paper_only)
    for run in runs:
        name = str(run.get("name"))
        if run.get("status") not in ("ok", "cached"):
            continue
        folder = run_dir(run, out_dir, name)
        known = (
            shown
            | {(nb, fn) for nb, fn, _ in extras}
            | {(s.notebook, fn) for s in SECTIONS for fn in s.page_only}
        )
        for path in sorted(folder.glob("*.png")) if folder.is_dir() else []:
            if (name, path.name) not in known:
                extras.append((name, path.name, f"{name}: {path.stem}"))
    for notebook, filename, title in extras:
        png = read_png(by_name.get(notebook), out_dir, notebook, filename, statuses)
        cells.append(md(f"<h3>{esc(title)}</h3>"))
        if png is None and paper_only and (notebook, filename) in PAPER_PROFILE_SKIPPED_FIGURES:
            cells.append(md(not_run_html()))
        elif png is None:
            cells.append(md(missing_figure(notebook, filename, statuses)))
        else:
            cells.append(image_cell(png, title))
            path = fig_path(by_name.get(notebook), out_dir, notebook, filename)
            cells.append(md(f'<p class="small">From <code>{esc(path)}</code>.</p>'))
    return cells


# ------------------------------------------------------------------------ the page


def build_report_notebook(
    out_dir: str | os.PathLike, runs: Sequence[Mapping], provenance: Mapping
) -> tuple[nbformat.NotebookNode, dict]:
    """The report as an nbformat notebook, and the merged metrics it shows.

    See `aereport.render_report`; exposed so the content can be inspected or tested
    without HTML.
    """
    out_dir = Path(out_dir)
    runs = list(runs)
    # Figures come from the first seed's run of each notebook; a notebook counts as
    # failed when any of its seeds failed.
    by_name: dict = {}
    statuses: dict[str, str] = {}
    for r in runs:
        name = str(r.get("name"))
        by_name.setdefault(name, r)
        if statuses.get(name) != "failed":
            statuses[name] = str(r.get("status"))
    per_seed, conflicts = collect_per_seed(runs, out_dir)
    metrics = merge_seeds(per_seed)
    profile = provenance.get("profile", "unknown")
    paper_only = _skips_beyond_paper(profile)
    ctx = Context(metrics, statuses, per_seed, paper_only, headline_metrics())
    seeds = list(dict.fromkeys(r.get("seed") for r in runs if r.get("seed") is not None))
    cells = []

    # Title, banners, contents.
    head = [f"<h1>{esc(REPORT_TITLE)}</h1>"]
    if profile == "smoke":
        head.append(f'<div class="banner" id="smoke-banner">{esc(SMOKE_BANNER)}</div>')
    if paper_only:
        head.append(_paper_banner_html())
    head.append(
        f"<p>Profile <strong>{esc(profile)}</strong>; the runs executed from commit "
        f"<code>{esc(listed(provenance.get('git_commit')))}</code>"
        + (" (with uncommitted changes)" if provenance.get("git_dirty") else "")
        + ". Every number below was read from the "
        "notebooks' <code>metrics.json</code> files; the paper's numbers appear only in the "
        "grey columns labelled <em>Paper (reference)</em>.</p>"
    )
    head.append(generation_html(provenance.get("generation") or {}))
    head.append(_contents())
    cells.append(md("\n".join(head)))

    # Findings beyond the paper: "not run" in a profile that skipped their analyses.
    claims = paper_findings(metrics)
    extra = extra_findings(metrics)
    if paper_only:  # their analyses were skipped: say so instead of "missing" values
        extra = [
            {**f, "measured": NOT_RUN_IN_PAPER_PROFILE + ".", "verdict": NOT_RUN} for f in extra
        ]
    mnist_rows = mnist_reconstruction_table(metrics, statuses=statuses)
    cells.append(md(summary_html(summary_data(SECTIONS, ctx, mnist_rows, claims, extra))))

    cells.append(md(run_status_html(runs, len(by_name), conflicts, out_dir)))

    # The paper's tables: Table 3.2.1.1, then each section's.
    cells.append(_mnist_table_cell(ctx, mnist_rows))
    for block in (b for s in SECTIONS for b in s.results):
        heading = f'<h{block.level} id="{esc(block.anchor)}">{esc(block.title)}</h{block.level}>'
        cells.append(md(heading + block.html(ctx)))

    # Beyond the paper: each section's analyses, tables, figures and verdict lines.
    cells += _beyond_cells(ctx, by_name, out_dir, extra)

    cells += _figure_cells(runs, ctx, by_name, out_dir, seeds)

    cells.append(
        md(
            '<h2 id="findings">Findings: the paper&rsquo;s claims checked</h2>'
            "<p>Each verdict is computed from the numbers above. With one value per seed, a "
            "difference within the combined standard deviation is &ldquo;inconclusive&rdquo;; "
            "with a single run every difference counts.</p>" + _findings_html(claims, extra)
        )
    )

    cells.append(md(provenance_html(provenance, runs, out_dir)))

    # Fixed cell ids (nbformat draws random ones) so the same inputs give the same page.
    for i, cell in enumerate(cells):
        cell.id = f"report-{i:03d}"
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["title"] = REPORT_TITLE
    return nb, metrics
