"""The reproduction report: one section per experiment over a small shared core.

Sections (`aereport.sections`, one module per experiment of the paper or analysis
group; `SECTIONS` lists them in page order): `baseline`, `latent`, `denoising`,
`improved`, `fashion`, `seed_spread`. Each holds its experiment's table rows, findings,
figures and prose, described by a `Section` (`aereport.section`).

The core:

- `aereport.merge`: the runs' metrics.json files merged (`collect_metrics`), and
  a value's mean, spread and count (`summarize`).
- `aereport.verdicts`: a value against the paper's (table rows) and a claim
  against the measurements (findings).
- `aereport.format`: HTML building blocks (numbers, verdict badges, tables, CSS).
- `aereport.seeds`: each metric under every seed; the helpers of the charts drawn
  across seeds.
- `aereport.provenance`: run status and provenance.
- `aereport.summary`: the one-minute summary at the top (paper rows matched, the
  documented reading of each row that is not, findings by verdict).
- `aereport.layout`: the page, part by part, filled from the sections.
- `aereport.export`: the offline HTML exporter, also for each executed notebook.
- `aereport.render`: `render_report` (index.html + metrics.json).

Inputs (written by run_all.py and the notebooks)::

    <out>/runs/seed<k>/<notebook>/metrics.json    # flat {metric_id: number}
    <out>/runs/seed<k>/<notebook>/*.png           # figures
    <out>/runs/seed<k>/<notebook>/executed.html   # the executed notebook's page
    <out>/runs/seed<k>/<notebook>/run.json        # its record (aerun.rundirs)
"""

from aereport.export import offline_html_exporter, render_notebook_html
from aereport.layout import mnist_reconstruction_table
from aereport.merge import collect_metrics
from aereport.render import render_report
from aereport.sections.fashion import fashion_table
from aereport.sections.latent import latent_sweep_table

__all__ = [
    "collect_metrics",
    "mnist_reconstruction_table",
    "latent_sweep_table",
    "fashion_table",
    "render_report",
    "offline_html_exporter",
    "render_notebook_html",
]
