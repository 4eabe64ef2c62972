"""The one-minute summary at the top of the report (aereport.summary): its counts are
the counts of the rows and findings the tables below show."""

from __future__ import annotations

import json
import re
from collections import Counter

from test_report_render import _parse, make_report_tree

from aereport import layout, render, sections
from aereport.merge import collect_metrics
from aereport.sections import fashion


def _summary(text):
    return text[text.index('id="summary"') : text.index('id="run-status"')]


def _tree(root):
    """The synthetic full report with the transfer accuracy 4 points under the paper."""
    runs, provenance = make_report_tree(root)
    path = root / "runs" / "05_fashion_transfer" / "metrics.json"
    metrics = json.loads(path.read_text())
    metrics["fashion.transfer.dense10.test_acc"] = metrics["fashion.transfer.test_acc"] = 0.85
    path.write_text(json.dumps(metrics))
    return runs, provenance


def test_summary_counts_rows_and_readings_of_a_known_tree(tmp_path):
    runs, provenance = _tree(tmp_path)
    text = render.render_report(tmp_path, runs, provenance).read_text(encoding="utf-8")
    page = _parse(text)
    assert "summary" in page.ids
    hrefs = [v for tag, name, v in page.attrs if tag == "a" and name == "href"]
    assert hrefs.index("#summary") < hrefs.index("#run-status")  # first in the contents
    assert text.index('id="summary"') < text.index('id="run-status"')
    summary = _summary(text)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", summary))
    # Baseline, d = 16, d = 2, improved, Fashion AE and CNN match; denoising (0.1010 vs
    # 0.1236) is better than the paper, the transfer row (85.00% vs 88.97%) worse.
    assert "6 of 8 rows" in words
    assert "1 is better than the paper and 1 worse" in words and "0 failed or not run" in words
    rows = summary[summary.index('id="tbl-summary-rows"') :]
    rows = rows[: rows.index("</table>")]
    assert rows.count("<tr") == 1 + 2
    denoise = rows[rows.index("Denoising Autoencoder") :]
    denoise = denoise[: denoise.index("</tr>")]
    assert "better than paper" in denoise and "no documented reading" in denoise
    assert 'href="#table-3-2-1-1"' in rows and 'href="#table-3-2-2-1"' in rows
    transfer = rows[rows.index("Transfer learning classification") :]
    assert 'href="#finding-transfer_head"' in transfer[: transfer.index("</tr>")]


def test_summary_counts_equal_the_tables_and_findings(tmp_path):
    runs, provenance = _tree(tmp_path)
    text = render.render_report(tmp_path, runs, provenance).read_text(encoding="utf-8")
    metrics = collect_metrics(runs, tmp_path)
    statuses = {r["name"]: r["status"] for r in runs}
    paper_rows = layout.mnist_reconstruction_table(metrics, statuses=statuses) + [
        r for r in fashion.fashion_table(metrics, statuses=statuses) if not r["extra"]
    ]
    verdicts = Counter(r["verdict"] for r in paper_rows)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _summary(text)))
    assert f"{verdicts['matches']} of {len(paper_rows)} rows" in words
    unmatched = [r for r in paper_rows if r["verdict"] != "matches"]
    table = _summary(text)[_summary(text).index('id="tbl-summary-rows"') :]
    assert table[: table.index("</table>")].count("<tr") == 1 + len(unmatched)
    # The findings counts, each a link to the findings table.
    found = _summary(text)[_summary(text).index('id="tbl-summary-findings"') :]
    found = found[: found.index("</table>")]
    counts = [int(n) for n in re.findall(r'<a href="#findings">(\d+)</a>', found)]
    expected = []
    for items in (sections.paper_findings(metrics), sections.extra_findings(metrics)):
        by_verdict = Counter(f["verdict"] for f in items)
        expected += [by_verdict[v] for v in ("agrees", "disagrees", "inconclusive", "not run")]
    assert counts == expected
    assert sum(counts) == len(sections.findings(metrics))
    # The same counts as the findings table's verdict badges.
    table = text[text.index('id="tbl-findings"') :]
    badges = Counter(re.findall(r'<span class="v v-([a-z-]+)">', table[: table.index("</table>")]))
    assert badges["agrees"] == expected[0] + expected[4]
    assert badges["disagrees"] == expected[1] + expected[5]
    assert badges["inconclusive"] == expected[2] + expected[6]
