"""The one-minute summary at the top of the report, computed from the same rows and
findings as the tables below it.

- The paper's rows: every row of Table 3.2.1.1 and of each section's other paper
  tables (`Block.rows`) that has a paper value, counted by verdict. "Better than
  paper" (beyond the tolerance, in the model's favour) is counted apart from "matches":
  it is not a reproduction of the paper's number, but not a failure to reach it either.
- Each row that does not match, with the documented reading that accounts for it: the
  findings its section names for that row (`Section.readings`), linked to the findings
  table, or "no documented reading".
- The findings counted by verdict, the paper's claims and the checks beyond the paper
  apart, each count linked to the findings table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aereport.format import diff, esc, num, table, value_cell, verdict_badge
from aereport.section import Context, Section
from aereport.verdicts import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    NOT_RUN,
    VERDICT_BETTER,
    VERDICT_MATCHES,
    VERDICT_WORSE,
)

__all__ = ["FINDING_VERDICTS", "paper_rows", "summary_data", "summary_html"]

# The columns of the findings counts, in order.
FINDING_VERDICTS = (AGREES, DISAGREES, INCONCLUSIVE, NOT_RUN)

MNIST_TABLE = ("table-3-2-1-1", "Table 3.2.1.1")


def paper_rows(
    sections: Sequence[Section], ctx: Context, mnist_rows: Sequence[dict]
) -> list[tuple[str, str, dict]]:
    """(table anchor, table name, row) of every row of the paper's tables with a paper
    value: Table 3.2.1.1's, then each section's paper tables (`Block.rows`)."""
    found = [(*MNIST_TABLE, r) for r in mnist_rows]
    for block in (b for s in sections for b in s.results if b.rows is not None):
        name = block.title.split(":")[0]
        found += [(block.anchor, name, r) for r in block.rows(ctx)]
    return [(a, n, r) for a, n, r in found if r["paper"] is not None and not r.get("extra")]


def summary_data(
    sections: Sequence[Section],
    ctx: Context,
    mnist_rows: Sequence[dict],
    paper_findings: Sequence[Mapping],
    extra_findings: Sequence[Mapping],
) -> dict:
    """What the summary shows, as plain data.

    Returns:
        `{"rows": n, "verdicts": {verdict: n}, "unmatched": [{"anchor", "table", "row",
        "readings": [finding, ...]}], "findings": {"paper"|"beyond": {verdict: n}}}`;
        `verdicts` counts the paper rows by their verdict ("matches", "better than
        paper", "worse than paper", "failed", "not run").
    """
    rows = paper_rows(sections, ctx, mnist_rows)
    verdicts: dict[str, int] = {}
    for _, _, r in rows:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
    by_id = {f["id"]: f for f in (*paper_findings, *extra_findings)}
    readings = {k: v for s in sections for k, v in s.readings.items()}
    unmatched = [
        {
            "anchor": anchor,
            "table": name,
            "row": r,
            "readings": [by_id[i] for i in readings.get(r["id"], ()) if i in by_id],
        }
        for anchor, name, r in rows
        if r["verdict"] != VERDICT_MATCHES
    ]

    def count(items: Sequence[Mapping]) -> dict[str, int]:
        return {v: sum(f["verdict"] == v for f in items) for v in FINDING_VERDICTS}

    return {
        "rows": len(rows),
        "verdicts": verdicts,
        "unmatched": unmatched,
        "findings": {"paper": count(paper_findings), "beyond": count(extra_findings)},
    }


def _reading_html(readings: Sequence[Mapping]) -> str:
    if not readings:
        return '<span class="small">no documented reading</span>'
    return "<br>".join(
        f'<a href="#finding-{esc(f["id"])}">{esc(f["claim"])}</a> &rarr; '
        + verdict_badge(f["verdict"])
        for f in readings
    )


def summary_html(data: Mapping) -> str:
    """The summary section: `<h2 id="summary">` and what `summary_data` computed."""
    verdicts, n_rows = data["verdicts"], data["rows"]
    matches = verdicts.get(VERDICT_MATCHES, 0)
    better, worse = verdicts.get(VERDICT_BETTER, 0), verdicts.get(VERDICT_WORSE, 0)
    missing = n_rows - matches - better - worse
    out = [
        '<h2 id="summary">Summary</h2>',
        f'<p id="summary-rows"><strong>{matches} of {n_rows}</strong> rows of the paper&rsquo;s '
        'tables (<a href="#table-3-2-1-1">Table 3.2.1.1</a>, '
        '<a href="#table-3-2-2-1">Table 3.2.2.1</a>; every row with a paper value) match '
        "the paper within the tolerance; "
        f"{better} {'is' if better == 1 else 'are'} better than the paper and {worse} worse, "
        "by more than the tolerance (better is counted apart: it is not the paper&rsquo;s "
        f"number, but no failure to reach it); {missing} failed or not run.</p>",
    ]
    if data["unmatched"]:
        body = [
            [
                (
                    f'<a href="#{esc(u["anchor"])}">{esc(u["row"]["experiment"])}</a> '
                    f'<span class="small">({esc(u["table"])})</span>',
                    "txt",
                ),
                (value_cell(u["row"]), "num"),
                (num(u["row"]["paper"], u["row"]["kind"]), "num paper"),
                (diff(u["row"]["difference"], u["row"]["kind"]), "num"),
                (verdict_badge(u["row"]["verdict"]), "txt"),
                (_reading_html(u["readings"]), "txt"),
            ]
            for u in data["unmatched"]
        ]
        headers = [
            ("Row that does not match", ""),
            ("Reproduced", ""),
            ("Paper", "paper"),
            ("Difference", ""),
            ("Verdict", ""),
            ("Documented reading that accounts for it", ""),
        ]
        out.append(table(headers, body, table_id="tbl-summary-rows"))
    groups = (("paper", "The paper&rsquo;s claims"), ("beyond", "Beyond the paper"))
    body = [
        [(label, "txt")]
        + [(f'<a href="#findings">{data["findings"][key][v]}</a>', "num") for v in FINDING_VERDICTS]
        for key, label in groups
    ]
    out.append("<p><strong>Findings</strong> (checked claims, by verdict):</p>")
    out.append(
        table(
            [("", "")] + [(esc(v), "") for v in FINDING_VERDICTS],
            body,
            table_id="tbl-summary-findings",
        )
    )
    return "".join(out)
