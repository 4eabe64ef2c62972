"""The reproduction report: one section per experiment over a small shared core.

Sections (`aelib.report.sections`, one module per experiment of the paper or analysis
group; `SECTIONS` lists them in page order): `baseline`, `latent`, `denoising`,
`improved`, `fashion`, `seed_spread`. Each holds its experiment's table rows, findings,
figures and prose, described by a `Section` (`aelib.report.section`).

The core:

- `aelib.report.merge`: the runs' metrics.json files merged (`collect_metrics`), and
  a value's mean, spread and count (`summarize`).
- `aelib.report.verdicts`: a value against the paper's (table rows) and a claim
  against the measurements (findings).
- `aelib.report.format`: HTML building blocks (numbers, verdict badges, tables, CSS).
- `aelib.report.seeds`: each metric under every seed; the helpers of the charts drawn
  across seeds.
- `aelib.report.provenance`: run status and provenance.
- `aelib.report.summary`: the one-minute summary at the top (paper rows matched, the
  documented reading of each row that is not, findings by verdict).
- `aelib.report.layout`: the page, part by part, filled from the sections.
- `aelib.report.export`: the offline HTML exporter, also for each executed notebook.
- `aelib.report.render`: `render_report` (index.html + metrics.json).

Inputs (written by run_all.py and the notebooks)::

    <out>/runs/seed<k>/<notebook>/metrics.json    # flat {metric_id: number}
    <out>/runs/seed<k>/<notebook>/*.png           # figures
    <out>/runs/seed<k>/<notebook>/executed.html   # the executed notebook's page
    <out>/runs/seed<k>/<notebook>/run.json        # its record (aelib.rundirs)
"""

from aelib.report.export import offline_html_exporter, render_notebook_html
from aelib.report.layout import mnist_reconstruction_table
from aelib.report.merge import collect_metrics
from aelib.report.render import render_report
from aelib.report.sections.fashion import fashion_table
from aelib.report.sections.latent import latent_sweep_table

__all__ = [
    "collect_metrics",
    "mnist_reconstruction_table",
    "latent_sweep_table",
    "fashion_table",
    "render_report",
    "offline_html_exporter",
    "render_notebook_html",
]
