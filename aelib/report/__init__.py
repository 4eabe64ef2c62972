"""The reproduction report: tables, checked claims and the offline HTML page.

- `aelib.report.tables`: merge the notebooks' metrics.json files; row builders for
  Table 3.2.1.1, the latent sweep (with the PCA baseline), the denoising breakdown,
  Table 3.2.2.1, and the "Beyond the paper" tables (d = 2 designs, denoising PSNR/SSIM
  and sweep, anomaly detection, label efficiency, transfer heads).
- `aelib.report.findings`: the paper's chapter 4 claims (`paper_findings`) and the
  checks beyond the paper (`extra_findings`), with computed verdicts.
- `aelib.report.seeds`: each metric under every seed (mean, std, range), and the
  latent-sweep and label-efficiency charts drawn across seeds with error bars.
- `aelib.report.render`: `render_report` (index.html + metrics.json) and the offline
  HTML exporter that also renders each executed notebook.

Inputs (written by run_all.py and the notebooks)::

    <out>/runs/<notebook>/metrics.json   # flat {metric_id: number or [number per seed]}
    <out>/runs/<notebook>/*.png          # figures
    <out>/notebooks/<notebook>.html      # each executed notebook's page

The submodule `findings` is not re-exported here: its function has the same name.
"""

from aelib.report.render import offline_html_exporter, render_notebook_html, render_report
from aelib.report.tables import (
    collect_metrics,
    fashion_table,
    latent_sweep_table,
    mnist_reconstruction_table,
)

__all__ = [
    "collect_metrics",
    "mnist_reconstruction_table",
    "latent_sweep_table",
    "fashion_table",
    "render_report",
    "offline_html_exporter",
    "render_notebook_html",
]
