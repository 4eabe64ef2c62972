"""Seed uncertainty: every metric under every seed (all notebooks), under "Beyond the paper".

With several seeds the tables show mean ± standard deviation; this section shows the
values behind them: the headline metrics (each section's `headline`) first, then every
metric in a collapsed table. With one seed it says how to get a spread. The paper
profile shows it too.
"""

from __future__ import annotations

from aereport import seeds as seed_spread
from aereport.format import esc, num, table
from aereport.section import Analysis, Context, Section

__all__ = ["SECTION"]


def _seed_spread_html(ctx: Context) -> str:
    per_seed = ctx.per_seed
    seeds = [s for s in per_seed if s is not None]
    if len(seeds) < 2:
        only = f" (seed {esc(seeds[0])})" if seeds else ""
        return (
            f"<p>This report ran one seed{only}, so it has no spread to show and every "
            "finding compares single runs. <code>python run_all.py --seeds 0,1,2</code> "
            "runs every notebook under each seed (seeds already run are reused from the "
            "cache); the tables then show mean &plusmn; standard deviation and this "
            "section each seed&rsquo;s value.</p>"
        )
    headers = (
        [("Metric", "")]
        + [(f"Seed {esc(s)}", "") for s in seeds]
        + [("Mean &plusmn; std", ""), ("Range (max &minus; min)", "")]
    )

    def body(rows: list[dict], *, by_id: bool) -> list[list[tuple[str, str]]]:
        out = []
        for r in rows:
            label = f"<code>{esc(r['id'])}</code>" if by_id else esc(r["label"])
            cells = [(label, "txt")]
            cells += [(num(v, r["kind"]), "num") for v in r["values"]]
            cells.append((num(r["mean"], r["kind"], r["std"], r["n"]), "num"))
            spread = r["range"]
            if spread is None:
                cells.append(("&ndash;", "num"))
            elif r["kind"] == "acc":
                cells.append((f"{100 * spread:.2f} pts", "num"))
            else:
                cells.append((num(spread, r["kind"]), "num"))
            out.append(cells)
        return out

    rows = seed_spread.seed_rows({s: per_seed[s] for s in seeds}, ctx.headline)
    headline = [r for r in rows if r["headline"]]
    n_all = len(rows)
    return (
        f"<p>Every notebook ran under {len(seeds)} seeds; each seed fixes the weight "
        "initialisation, the shuffling, the noise and the label subsets. The tables above "
        "show the mean &plusmn; sample standard deviation; the values behind them:</p>"
        + table(headers, body(headline, by_id=False), table_id="tbl-seeds")
        + f"<details><summary>All {n_all} metrics under each seed</summary>"
        + table(headers, body(rows, by_id=True), table_id="tbl-seeds-all")
        + "</details>"
        + '<p class="small">A metric that is the same under every seed by construction '
        "(parameter counts, epochs, noise settings) shows a range of 0. The d = 2 design "
        "variants run for the first seed only. <code>metrics.json</code> keeps these values "
        "under <code>metrics_per_seed</code> and the deviations under "
        "<code>metrics_std</code>.</p>"
    )


SECTION = Section(
    name="seed_spread",
    notebook=None,
    analyses=(
        Analysis(
            "seed-spread",
            "Seed uncertainty: each number under every seed",
            _seed_spread_html,
            in_paper_profile=True,
        ),
    ),
)
