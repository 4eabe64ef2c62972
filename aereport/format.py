"""HTML building blocks of the report: escaping, numbers, verdict badges, tables.

Every section module builds its HTML from these, so one number looks the same in every
table: `num` (a value with its spread over seeds and the seed count), `diff` (a signed
difference), `verdict_badge` (a coloured verdict), `table` (a table from (html, class)
cells). `CSS` is the page's style sheet.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from aereport.verdicts import (
    VERDICT_BETTER,
    VERDICT_FAILED,
    VERDICT_MATCHES,
    VERDICT_NOT_RUN,
    VERDICT_WORSE,
)

__all__ = [
    "CSS",
    "NOT_RUN_IN_PAPER_PROFILE",
    "esc",
    "one_line",
    "pre",
    "num",
    "diff",
    "verdict_badge",
    "table",
    "value_cell",
    "fail_link",
    "VS_PAPER_HEADERS",
    "vs_paper_cells",
    "excess_cell",
    "stat_cell",
    "fixed",
    "missing_box",
    "notebook_page",
    "more_figures",
    "finding_line",
    "not_run_html",
    "fmt_seconds",
    "href",
    "jsonable",
]

# What the report says where a profile without the analyses beyond the paper (`paper`,
# see `aelib.params.PROFILES`) left a section, a column, a figure or a finding empty.
NOT_RUN_IN_PAPER_PROFILE = (
    "not run: the paper profile runs only the paper's experiments (run with --profile full "
    "for this section)"
)

CSS = """
main { max-width: 1150px; margin: 0 auto; }
.rep table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 13px;
  table-layout: auto; }
.rep th, .rep td { border: 1px solid #d0d0d0; padding: 3px 8px; vertical-align: top; }
.rep th { background: #eef1f5; text-align: center; }
.rep td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rep td.txt { text-align: left; }
.rep th.paper { background: #f3f3f3; color: #666; font-style: italic; font-weight: normal; }
.rep td.paper { background: #f8f8f8; color: #555; }
.rep tr.reference td { background: #f8f8f8; color: #555; }
.rep tr.extra td { border-top: 2px dashed #999; font-style: italic; }
.rep .v { font-weight: bold; white-space: nowrap; }
.rep .v-matches, .rep .v-agrees { color: #1b7a2b; }
.rep .v-better { color: #1f5fa8; }
.rep .v-worse, .rep .v-disagrees { color: #b35900; }
.rep .v-failed { color: #b00020; }
.rep .v-not-run, .rep .v-inconclusive, .rep .v-none { color: #777; }
.rep .banner { border: 3px solid #b00020; background: #fdecea; color: #7a0014;
  padding: 10px 14px; font-size: 18px; font-weight: bold; margin: 10px 0; }
.rep .banner.info { border-color: #1f5fa8; background: #eef4fb; color: #123c6b;
  font-size: 14px; font-weight: normal; }
.rep .banner.info ul { margin: 4px 0 0; }
.rep .failure { border: 2px solid #b00020; background: #fff5f5; padding: 8px 12px;
  margin: 10px 0; }
.rep .failure pre { background: #fff; border: 1px solid #eee; padding: 6px; font-size: 12px;
  max-height: 22em; overflow: auto; white-space: pre-wrap; }
.rep .missing { border: 1px dashed #999; color: #666; padding: 8px 12px; margin: 8px 0; }
.rep .caption { color: #333; margin: 4px 0 18px; }
.rep .caption .paper-caption { color: #666; font-style: italic; }
.rep .small { color: #666; font-size: 12px; }
.rep nav ol { margin: 0; }
.rep code { font-size: 12px; }
.rep tr.group td { background: #eef1f5; font-weight: bold; text-align: left; }
.rep tr.trained td { background: #fffbe6; }
.rep nav ol ol, .rep nav ol ul { margin: 0; padding-left: 1.4em; }
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def one_line(fragment: str) -> str:
    """HTML with no blank lines, so markdown treats a cell as one raw HTML block."""
    return "\n".join(line for line in fragment.splitlines() if line.strip())


def pre(text: str) -> str:
    # Newlines as character references: a <pre> inside a markdown HTML block must not
    # contain blank lines, or markdown would end the block there.
    return "<pre>" + esc(text).replace("\n", "&#10;") + "</pre>"


# kind: (scale, decimals, unit, whether a spread is shown); any other kind is a loss.
_NUMBER_KINDS = {
    "acc": (100, 2, "%", True),
    "ratio": (1, 1, "", False),
    "db": (1, 2, " dB", True),
    "ssim": (1, 3, "", True),
}
_LOSS_KIND = (1, 4, "", True)


def num(value: float | None, kind: str, std: float | None = None, n: int = 1) -> str:
    if value is None:
        return "&ndash;"
    scale, decimals, unit, spread = _NUMBER_KINDS.get(kind, _LOSS_KIND)
    text = f"{scale * value:.{decimals}f}"
    if spread and std is not None and n > 1:
        text += f" ± {scale * std:.{decimals}f}"
    text += unit
    if n > 1:
        text += f' <span class="small">(n={n})</span>'
    return text


def diff(value: float | None, kind: str) -> str:
    if value is None:
        return "&ndash;"
    return f"{100 * value:+.2f} pts" if kind == "acc" else f"{value:+.4f}"


def verdict_badge(verdict: str) -> str:
    key = {
        VERDICT_MATCHES: "matches",
        VERDICT_BETTER: "better",
        VERDICT_WORSE: "worse",
        VERDICT_FAILED: "failed",
        VERDICT_NOT_RUN: "not-run",
    }.get(verdict, verdict.replace(" ", "-") if verdict else "none")
    return f'<span class="v v-{esc(key)}">{esc(verdict)}</span>' if verdict else ""


def table(
    headers: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[tuple[str, str]]],
    row_classes: Sequence[str] | None = None,
    table_id: str = "",
    row_ids: Sequence[str] | None = None,
) -> str:
    """headers: (html, class); rows: lists of (html, class) or (html, class, attributes)."""
    out = [f'<table id="{esc(table_id)}">' if table_id else "<table>", "<thead><tr>"]
    out += [f'<th class="{cls}">{text}</th>' for text, cls in headers]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes else ""
        rid = row_ids[i] if row_ids else ""
        attrs = (f' class="{cls}"' if cls else "") + (f' id="{esc(rid)}"' if rid else "")
        out.append(f"<tr{attrs}>")
        for cell in row:
            text, c = cell[0], cell[1]
            extra = f" {cell[2]}" if len(cell) > 2 else ""
            out.append(f'<td class="{c}"{extra}>{text}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def value_cell(row: Mapping) -> str:
    if row["value"] is None:
        return verdict_badge(row["verdict"])
    return num(row["value"], row["kind"], row["std"], row["n_seeds"])


def fail_link(notebook: str | None, statuses: Mapping[str, str]) -> str:
    if notebook and statuses.get(notebook) == "failed":
        return f' <a href="#fail-{esc(notebook)}">(see failure)</a>'
    return ""


# The columns every table against the paper shares, after the reproduced value.
VS_PAPER_HEADERS = [
    ("Paper (reference)", "paper"),
    ("Difference (reproduced &minus; paper)", ""),
    ("Entropy floor (test targets)", ""),
    ("Excess over floor", ""),
    ("Verdict", ""),
]


def excess_cell(r: Mapping) -> str:
    return diff(r["excess"], "bce") if r["excess"] is not None else "&ndash;"


def vs_paper_cells(
    r: Mapping, statuses: Mapping[str, str], *, kind: str = "bce", no_paper: str = "&ndash;"
) -> list[tuple[str, str]]:
    """Paper value, difference, entropy floor, excess over it and verdict of a row."""
    return [
        (num(r["paper"], kind) if r["paper"] is not None else no_paper, "num paper"),
        (diff(r["difference"], kind), "num"),
        (num(r["floor"], "bce"), "num"),
        (excess_cell(r), "num"),
        (verdict_badge(r["verdict"]) + fail_link(r["notebook"], statuses), "txt"),
    ]


def stat_cell(st: Mapping, kind: str, missing: str = "") -> str:
    """A `stat` dict as a cell; a missing value as its verdict or a dash."""
    if st["value"] is None:
        return verdict_badge(missing) if missing else "&ndash;"
    return num(st["value"], kind, st["std"], st["n_seeds"])


def fixed(st: Mapping, digits: int) -> str:
    """A `stat` dict with `digits` decimals, its spread over seeds and their count."""
    if st["value"] is None:
        return "&ndash;"
    text = f"{st['value']:.{digits}f}"
    if st["std"] is not None and st["n_seeds"] > 1:
        text += f' ± {st["std"]:.{digits}f} <span class="small">(n={st["n_seeds"]})</span>'
    return text


def missing_box(what: str, notebook: str, statuses: Mapping[str, str]) -> str:
    """The box a section shows instead of a table when `notebook` wrote none of its
    numbers: "failed" with a link to the failure when it failed, else "not run"."""
    failed = statuses.get(notebook) == "failed"
    return (
        f'<div class="missing">No {what}: '
        + (verdict_badge(VERDICT_FAILED) + fail_link(notebook, statuses) if failed else "not run")
        + ".</div>"
    )


def notebook_page(notebook: str) -> str:
    """The first seed's page of `notebook`, relative to index.html."""
    return f"runs/seed0/{notebook}/executed.html"


def more_figures(what: str, notebook: str) -> str:
    """A line linking figures a section leaves on its notebook's own page (its
    `page_only`: index.html stays under 5 MB)."""
    return (
        f'<p class="small">{what}: on the notebook&rsquo;s own page '
        f'(<a href="{notebook_page(notebook)}">first seed</a>).</p>'
    )


def finding_line(item: Mapping | None) -> str:
    if item is None:
        return ""
    return (
        f"<p>Checked: {esc(item['claim'])} &rarr; {verdict_badge(item['verdict'])} "
        f'(<a href="#finding-{esc(item["id"])}">details in the findings</a>).</p>'
    )


def not_run_html() -> str:
    return f'<div class="missing paper-not-run">{esc(NOT_RUN_IN_PAPER_PROFILE)}.</div>'


def fmt_seconds(seconds) -> str:
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "&ndash;"
    if seconds < 90:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def href(path: str, out_dir: Path) -> str | None:
    """A relative link to `path`, or None for anything that would leave the report."""
    if not path or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", path):
        return None
    p = Path(path)
    if p.is_absolute():
        try:
            p = Path(os.path.relpath(p, out_dir))
        except ValueError:
            return None
    return p.as_posix()


def jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "item"):  # NumPy scalars
        return jsonable(value.item())
    return str(value)
