"""What a section of the report is: one experiment's tables, findings, figures and prose.

Each module of `aereport.sections` describes one experiment of the paper (or one
analysis group, such as the seed spread) as a `Section` named `SECTION`, and
`aereport.sections.SECTIONS` lists them in order. The page layout
(`aereport.layout`) walks that list for each part of the page, so a section's
pieces appear where a reader of the paper expects them:

- `mnist_rows`: its rows of Table 3.2.1.1, the paper's one table that spans
  experiments (the layout draws the table, its columns and its note);
- `results`: its tables of the paper's results (`Block`s: a level-2 block is a
  top-level entry of the contents, a level-3 block nests under the one before it);
- `analyses`: its "Beyond the paper" subsections (`Analysis`: a table and prose, the
  findings it checks, a chart the report draws from the metrics, the notebook's own
  figures);
- `figures`: the paper's figures it makes (`PaperFigure`, shown in figure-number
  order) and `further_figures` (`FurtherFigure`: samples, training curves,
  diagnostics, shown grouped by `FURTHER_GROUPS`);
- `paper_findings` / `extra_findings`: its checks of the paper's claims and of the
  claims beyond it (see `aereport.verdicts.finding`);
- `headline`: the metrics the seed table lists first (the analyses add theirs);
- `readings`: for a row of the paper's tables, the findings that test a reading of the
  paper accounting for its difference (the summary at the top links them).

Every figure file is read from the section's own notebook's run folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "FURTHER_GROUPS",
    "Context",
    "Block",
    "PaperFigure",
    "FigureSpec",
    "DrawnFigure",
    "FurtherFigure",
    "Analysis",
    "Section",
]

# The order of the groups under "Further figures": charts that stand in for a section
# the profile did not run, samples of what the models produce, training curves, then
# diagnostics of the classifiers.
FURTHER_GROUPS = ("charts", "samples", "training", "diagnostics")

# (metric id, label, kind): a row of the seed table; kind is "bce", "acc", "db" or "auc".
Headline = tuple[tuple[str, str, str], ...]
Findings = Callable[[Mapping], list[dict]]


@dataclass(frozen=True)
class Context:
    """What a section's HTML is built from.

    Attributes:
        metrics: the merged metrics, id -> number or list of numbers (one per seed).
        statuses: notebook -> run status ("ok", "cached", "failed", "skipped"); a
            notebook counts as failed when any of its seeds failed.
        per_seed: `{seed: {metric_id: value}}`, each seed's own metrics.
        paper_only: True for a profile that runs only the paper's experiments.
        headline: every section's headline metrics, in order (see `Section`).
    """

    metrics: Mapping
    statuses: Mapping[str, str]
    per_seed: Mapping
    paper_only: bool
    headline: Headline = ()


@dataclass(frozen=True)
class Block:
    """A titled table of the paper's results: `<h{level} id=anchor>title</h>` + html(ctx).

    `toc` is its label in the contents (the title when empty). A block that reproduces
    a table of the paper gives its row dicts as `rows`: the summary counts them.
    """

    anchor: str
    title: str
    html: Callable[[Context], str]
    level: int = 3
    toc: str = ""
    rows: Callable[[Context], list[dict]] | None = None


@dataclass(frozen=True)
class PaperFigure:
    """One of the paper's Figures 3.4.x (`number` "3.4.1"), as the notebook saved it."""

    number: str
    filename: str


@dataclass(frozen=True)
class FigureSpec:
    """A notebook's figure shown inside an analysis, with its title and caption."""

    filename: str
    title: str
    caption: str


@dataclass(frozen=True)
class DrawnFigure:
    """A chart the report draws from the metrics of every seed (PNG bytes or None).

    `replaces` is the notebook's own version of the chart (one seed), which is then
    not repeated under "Further figures".
    """

    draw: Callable[[Mapping], bytes | None]
    title: str
    caption: str
    replaces: str


@dataclass(frozen=True)
class FurtherFigure:
    """A figure the paper does not have, shown under "Further figures".

    `group` is one of `FURTHER_GROUPS`. `profiles`: "all"; "beyond" for a figure of an
    analysis beyond the paper (the paper profile shows "not run" in its place); "paper"
    for one shown only in the paper profile, standing in for a chart of an analysis
    that profile skips.
    """

    filename: str
    title: str
    group: str
    profiles: str = "all"


@dataclass(frozen=True)
class Analysis:
    """A subsection of "Beyond the paper".

    `finding_ids` are the findings it checks (a line each links to the findings table);
    `headline` the metrics it adds to the seed table; `in_paper_profile` is True for an
    analysis the paper profile still shows (the seed spread), False for one it skips.
    """

    anchor: str
    title: str
    html: Callable[[Context], str]
    finding_ids: tuple[str, ...] = ()
    drawn: DrawnFigure | None = None
    figures: tuple[FigureSpec, ...] = ()
    headline: Headline = ()
    in_paper_profile: bool = False


@dataclass(frozen=True)
class Section:
    """One experiment (or analysis group) of the report; see the module docstring.

    `notebook` is the notebook whose metrics and figures the section shows (None for a
    section drawn from every notebook); `metric_prefixes` the metric ids it writes.
    `readings`: row metric id -> the ids of the findings that test a reading of the
    paper which accounts for that row's difference (the summary links them).
    """

    name: str
    notebook: str | None
    metric_prefixes: tuple[str, ...] = ()
    mnist_rows: Callable[..., list[dict]] | None = None
    results: tuple[Block, ...] = ()
    analyses: tuple[Analysis, ...] = ()
    figures: tuple[PaperFigure, ...] = ()
    further_figures: tuple[FurtherFigure, ...] = ()
    paper_findings: Findings | None = None
    extra_findings: Findings | None = None
    headline: Headline = ()
    readings: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Figures of the notebook shown only on its own page (linked from the section), not
    # embedded in index.html, which must stay under 5 MB.
    page_only: tuple[str, ...] = ()
