"""Render the reproduction report: one self-contained, offline HTML page plus metrics.json.

The page is built as an in-memory notebook (markdown cells holding HTML, display_data
outputs holding the PNG figures as base64) and converted with nbconvert's HTMLExporter
using the "offline" template in `aelib/report/templates/`: the lab template with every
block that loads a script from a CDN blanked. The result makes no network request:
every image is a data: URI and the only links are in-page anchors and relative links to
the executed notebooks' own pages.

Usage (from run_all.py):

    from aelib.report import render_report
    render_report("report", runs, provenance)   # -> report/index.html, report/metrics.json
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from aelib.paper import FIGURE_CAPTIONS
from aelib.params import PROFILES
from aelib.report import seeds as seed_spread
from aelib.report import tables
from aelib.report.findings import (
    ANOMALY_AUC_AGREE,
    ANOMALY_AUC_DISAGREE,
    NOT_RUN,
    extra_findings,
    paper_findings,
)

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "FIGURES",
    "EXTRA_FIGURES",
    "BEYOND_FIGURES",
    "REDRAWN_FIGURES",
    "PAPER_PROFILE_SKIPPED_FIGURES",
    "NOT_RUN_IN_PAPER_PROFILE",
    "offline_html_exporter",
    "render_notebook_html",
    "build_report_notebook",
    "render_report",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "offline"

REPORT_TITLE = "Simple Autoencoder for MNIST: reproduction report"
SMOKE_BANNER = "Smoke run: tiny data and 1 epoch; numbers are not comparable to the paper."
# What the report says where a profile without the analyses beyond the paper (`paper`,
# see `aelib.params.PROFILES`) left a section, a column, a figure or a finding empty.
NOT_RUN_IN_PAPER_PROFILE = (
    "not run: the paper profile runs only the paper's experiments (run with --profile full "
    "for this section)"
)

# Paper figure number -> (notebook, file name in <out>/runs/<notebook>/).
FIGURES: dict[str, tuple[str, str]] = {
    "3.4.1": ("01_baseline_autoencoder", "fig_3_4_1.png"),
    "3.4.2": ("02_latent_sweep", "fig_3_4_2.png"),
    "3.4.3": ("03_denoising", "fig_3_4_3.png"),
    "3.4.4": ("03_denoising", "fig_3_4_4.png"),
    "3.4.5": ("05_fashion_transfer", "fig_3_4_5.png"),
    "3.4.6": ("02_latent_sweep", "fig_3_4_6.png"),
}

# Notebook figures the report draws itself from the metrics of every seed, so they are
# not repeated under "Further figures": (notebook, file name).
REDRAWN_FIGURES: frozenset[tuple[str, str]] = frozenset(
    {("02_latent_sweep", "latent_sweep.png"), ("05_fashion_transfer", "label_efficiency.png")}
)

# Figures the paper does not have: (notebook, file name, title).
EXTRA_FIGURES: tuple[tuple[str, str, str], ...] = (
    (
        "02_latent_sweep",
        "reconstructions_by_latent_dim.png",
        "Reconstructions for every latent size",
    ),
    (
        "02_latent_sweep",
        "latent_2d_codes.png",
        "Raw codes of the d = 2 model (no t-SNE), coloured by digit",
    ),
    ("04_improved_autoencoder", "reconstructions.png", "Improved autoencoder: reconstructions"),
    ("01_baseline_autoencoder", "loss_curves.png", "Loss curves: baseline autoencoder"),
    ("02_latent_sweep", "loss_curves.png", "Loss curves: latent sweep"),
    ("03_denoising", "loss_curves.png", "Loss curves: denoising autoencoder"),
    ("04_improved_autoencoder", "loss_curves.png", "Loss curves: improved autoencoder"),
    ("05_fashion_transfer", "loss_curves_ae.png", "Loss curves: Fashion-MNIST autoencoder"),
    (
        "05_fashion_transfer",
        "loss_curves_classifiers.png",
        "Loss and accuracy curves: Fashion-MNIST classifiers",
    ),
    (
        "05_fashion_transfer",
        "confusion_transfer.png",
        "Confusion matrix: transfer-learning classifier (test set)",
    ),
    ("05_fashion_transfer", "confusion_cnn.png", "Confusion matrix: CNN from scratch (test set)"),
)

# Further figures that the paper profile does not make: analyses beyond the paper.
PAPER_PROFILE_SKIPPED_FIGURES: frozenset[tuple[str, str]] = frozenset(
    {
        ("02_latent_sweep", "latent_2d_codes.png"),
        ("05_fashion_transfer", "confusion_transfer.png"),
        ("05_fashion_transfer", "confusion_cnn.png"),
    }
)

# Figures of the "Beyond the paper" sections: section anchor -> (notebook, file name,
# title, caption). They are shown inside their section, not under "Further figures".
BEYOND_FIGURES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "latent2-designs": (
        (
            "02_latent_sweep",
            "latent_2_variants.png",
            "d = 2 designs: loss curves",
            "Validation BCE per epoch of each 2-unit bottleneck design (first seed); a curve "
            "still falling at the last epoch would gain from more epochs.",
        ),
    ),
    "denoise-quality": (
        (
            "03_denoising",
            "denoise_sweep_psnr.png",
            "Denoising across noise strengths: PSNR",
            "PSNR (dB, higher is better) of the noisy input, the classical filter and the "
            "autoencoder at each noise level; the dotted line marks the trained level.",
        ),
        (
            "03_denoising",
            "denoise_sweep_ssim.png",
            "Denoising across noise strengths: SSIM",
            "SSIM (1 = identical to the clean digit) at the same levels.",
        ),
    ),
    "anomaly": (
        (
            "04_improved_autoencoder",
            "anomaly_roc.png",
            "Anomaly detection: ROC curve",
            "ROC of the per-image reconstruction BCE as an anomaly score: MNIST test digits "
            "normal, Fashion-MNIST test images anomalous; the diagonal is chance.",
        ),
        (
            "04_improved_autoencoder",
            "anomaly_error_histograms.png",
            "Anomaly detection: reconstruction errors",
            "Histograms (log x axis) of the per-image reconstruction BCE of both test sets; "
            "the less they overlap, the better the detector.",
        ),
    ),
}

_CSS = """
main { max-width: 1150px; margin: 0 auto; }
.rep table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 13px;
  table-layout: auto; }
.rep th, .rep td { border: 1px solid #d0d0d0; padding: 3px 8px; vertical-align: top; }
.rep th { background: #eef1f5; text-align: center; }
.rep td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rep td.txt { text-align: left; }
.rep th.paper { background: #f3f3f3; color: #666; font-style: italic; font-weight: normal; }
.rep td.paper { background: #f8f8f8; color: #555; }
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

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# ---------------------------------------------------------------------------- exporter


def offline_html_exporter(*, exclude_input: bool = False) -> HTMLExporter:
    """An HTMLExporter whose pages load nothing from the network.

    It uses the "offline" template (lab, with the RequireJS, MathJax, MermaidJS and
    widget blocks blanked), embeds markdown images as data: URIs and clears every CDN
    URL. LaTeX therefore shows as source and widgets as their text fallback.

    Args:
        exclude_input: hide code cells' input and all prompts (the report does); keep
            False for a notebook's own page.

    Returns:
        A configured `nbconvert.HTMLExporter`.
    """
    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        embed_images=True,
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
        jupyter_widgets_base_url="",
        widget_renderer_url="",
        exclude_input=exclude_input,
        exclude_input_prompt=exclude_input,
        exclude_output_prompt=exclude_input,
    )


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def render_notebook_html(ipynb_path: str | os.PathLike, html_path: str | os.PathLike) -> Path:
    """Render an executed notebook (code kept) to a self-contained offline HTML page.

    Markdown images with local paths are resolved relative to the notebook's folder
    and embedded. The file is written atomically.

    Returns:
        `html_path` as a Path.
    """
    ipynb_path, html_path = Path(ipynb_path), Path(html_path)
    nb = nbformat.read(ipynb_path, as_version=4)
    resources = {"metadata": {"name": ipynb_path.stem, "path": str(ipynb_path.parent)}}
    body, _ = offline_html_exporter().from_notebook_node(nb, resources=resources)
    _atomic_write(html_path, body)
    return html_path


# ----------------------------------------------------------------------------- helpers


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _one_line(fragment: str) -> str:
    """HTML with no blank lines, so markdown treats a cell as one raw HTML block."""
    return "\n".join(line for line in fragment.splitlines() if line.strip())


def _pre(text: str) -> str:
    # Newlines as character references: a <pre> inside a markdown HTML block must not
    # contain blank lines, or markdown would end the block there.
    return "<pre>" + _e(text).replace("\n", "&#10;") + "</pre>"


def _num(value: float | None, kind: str, std: float | None = None, n: int = 1) -> str:
    if value is None:
        return "&ndash;"
    if kind == "acc":
        text = f"{100 * value:.2f}"
        if std is not None and n > 1:
            text += f" ± {100 * std:.2f}"
        text += "%"
    elif kind == "ratio":
        text = f"{value:.1f}"
    elif kind == "db":
        text = f"{value:.2f}"
        if std is not None and n > 1:
            text += f" ± {std:.2f}"
        text += " dB"
    elif kind == "ssim":
        text = f"{value:.3f}"
        if std is not None and n > 1:
            text += f" ± {std:.3f}"
    else:
        text = f"{value:.4f}"
        if std is not None and n > 1:
            text += f" ± {std:.4f}"
    if n > 1:
        text += f' <span class="small">(n={n})</span>'
    return text


def _diff(value: float | None, kind: str) -> str:
    if value is None:
        return "&ndash;"
    return f"{100 * value:+.2f} pts" if kind == "acc" else f"{value:+.4f}"


def _verdict(verdict: str) -> str:
    key = {
        tables.VERDICT_MATCHES: "matches",
        tables.VERDICT_BETTER: "better",
        tables.VERDICT_WORSE: "worse",
        tables.VERDICT_FAILED: "failed",
        tables.VERDICT_NOT_RUN: "not-run",
    }.get(verdict, verdict.replace(" ", "-") if verdict else "none")
    return f'<span class="v v-{_e(key)}">{_e(verdict)}</span>' if verdict else ""


def _table(
    headers: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[tuple[str, str]]],
    row_classes: Sequence[str] | None = None,
    table_id: str = "",
    row_ids: Sequence[str] | None = None,
) -> str:
    """headers: (html, class); rows: lists of (html, class) or (html, class, attributes)."""
    out = [f'<table id="{_e(table_id)}">' if table_id else "<table>", "<thead><tr>"]
    out += [f'<th class="{cls}">{text}</th>' for text, cls in headers]
    out.append("</tr></thead><tbody>")
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes else ""
        rid = row_ids[i] if row_ids else ""
        attrs = (f' class="{cls}"' if cls else "") + (f' id="{_e(rid)}"' if rid else "")
        out.append(f"<tr{attrs}>")
        for cell in row:
            text, c = cell[0], cell[1]
            extra = f" {cell[2]}" if len(cell) > 2 else ""
            out.append(f'<td class="{c}"{extra}>{text}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _value_cell(row: Mapping) -> str:
    if row["value"] is None:
        return _verdict(row["verdict"])
    return _num(row["value"], row["kind"], row["std"], row["n_seeds"])


def _fail_link(notebook: str | None, statuses: Mapping[str, str]) -> str:
    if notebook and statuses.get(notebook) == "failed":
        return f' <a href="#fail-{_e(notebook)}">(see failure)</a>'
    return ""


# The columns every table against the paper shares, after the reproduced value.
_VS_PAPER_HEADERS = [
    ("Paper (reference)", "paper"),
    ("Difference (reproduced &minus; paper)", ""),
    ("Entropy floor (test targets)", ""),
    ("Excess over floor", ""),
    ("Verdict", ""),
]


def _excess_cell(r: Mapping) -> str:
    return _diff(r["excess"], "bce") if r["excess"] is not None else "&ndash;"


def _vs_paper_cells(
    r: Mapping, statuses: Mapping[str, str], *, kind: str = "bce", no_paper: str = "&ndash;"
) -> list[tuple[str, str]]:
    """Paper value, difference, entropy floor, excess over it and verdict of a row."""
    return [
        (_num(r["paper"], kind) if r["paper"] is not None else no_paper, "num paper"),
        (_diff(r["difference"], kind), "num"),
        (_num(r["floor"], "bce"), "num"),
        (_excess_cell(r), "num"),
        (_verdict(r["verdict"]) + _fail_link(r["notebook"], statuses), "txt"),
    ]


def _mnist_table_html(rows: list[dict], statuses: Mapping[str, str]) -> str:
    headers = [
        ("Experiment", ""),
        ("Validation BCE (reproduced)", ""),
        *_VS_PAPER_HEADERS,
        ("Notes", ""),
        ("Paper's note", "paper"),
    ]
    body = [
        [
            (_e(r["experiment"]), "txt"),
            (_value_cell(r), "num"),
            *_vs_paper_cells(r, statuses),
            (_e(r["note"]), "txt"),
            (_e(r["paper_note"]), "txt paper"),
        ]
        for r in rows
    ]
    return _table(headers, body, table_id="tbl-mnist")


def _latent_table_html(
    rows: list[dict], statuses: Mapping[str, str], *, pca_columns: bool = True
) -> str:
    """`pca_columns=False`: without the PCA comparison's columns (the paper profile)."""
    pca_headers = [("PCA BCE (same d)", ""), ("AE MSE", ""), ("PCA MSE", "")]
    headers = [
        ("Latent dim d", ""),
        ("Compression 784/d", ""),
        ("Validation BCE (reproduced)", ""),
        *_VS_PAPER_HEADERS,
        *(pca_headers if pca_columns else []),
    ]
    body = [
        [
            (str(r["latent_dim"]), "num"),
            (_num(r["compression_ratio"], "ratio"), "num"),
            (_value_cell(r), "num"),
            *_vs_paper_cells(r, statuses, no_paper="not reported"),
            *(
                [
                    (_stat_cell(r["pca_bce"], "bce"), "num"),
                    (_stat_cell(r["ae_mse"], "bce"), "num"),
                    (_stat_cell(r["pca_mse"], "bce"), "num"),
                ]
                if pca_columns
                else []
            ),
        ]
        for r in rows
    ]
    return _table(headers, body, table_id="tbl-latent")


def _denoise_table_html(rows: list[dict], statuses: Mapping[str, str]) -> str:
    headers = [
        ("Noise", ""),
        ("Noisy input BCE (doing nothing)", ""),
        ("Denoised BCE", ""),
        ("Reduction (input − denoised)", ""),
        ("Entropy floor", ""),
        ("Excess over floor", ""),
    ]
    body = []
    for r in rows:
        body.append(
            [
                (_e(r["experiment"]), "txt"),
                (_num(r["input_bce"], "bce"), "num"),
                (
                    _value_cell(r)
                    + (_fail_link(r["notebook"], statuses) if r["value"] is None else ""),
                    "num",
                ),
                (_diff(r["reduction"], "bce") if r["reduction"] is not None else "&ndash;", "num"),
                (_num(r["floor"], "bce"), "num"),
                (_excess_cell(r), "num"),
            ]
        )
    return _table(headers, body, table_id="tbl-denoise")


def _fashion_table_html(rows: list[dict], statuses: Mapping[str, str]) -> str:
    headers = [
        ("Task", ""),
        ("Metric", ""),
        ("Reproduced", ""),
        *_VS_PAPER_HEADERS,
        ("Notes", ""),
        ("Paper's note", "paper"),
    ]
    body = [
        [
            (_e(r["experiment"]), "txt"),
            (_e(r["metric"]), "txt"),
            (_value_cell(r), "num"),
            *_vs_paper_cells(r, statuses, kind=r["kind"], no_paper="not in the paper"),
            (_e(r["note"]), "txt"),
            (_e(r["paper_note"]), "txt paper"),
        ]
        for r in rows
    ]
    classes = ["extra" if r.get("extra") else "" for r in rows]
    return _table(headers, body, row_classes=classes, table_id="tbl-fashion")


def _findings_html(items: list[dict], extra: Sequence[dict] = ()) -> str:
    """The paper's claims, then (under a group row) the checks beyond the paper."""
    headers = [("Claim", ""), ("Paper", "paper"), ("Measured here", ""), ("Verdict", "")]
    body, classes, ids = [], [], []
    for group, group_items in (("The paper's claims", items), ("Beyond the paper", list(extra))):
        if not group_items:
            continue
        if extra:
            body.append([(_e(group), "txt", 'colspan="4"')])
            classes.append("group")
            ids.append("")
        for f in group_items:
            body.append(
                [
                    (_e(f["claim"]), "txt"),
                    (_e(f["paper"]), "txt paper"),
                    (_e(f["measured"]), "txt"),
                    (_verdict(f["verdict"]), "txt"),
                ]
            )
            classes.append("")
            ids.append(f"finding-{f['id']}")
    return _table(headers, body, row_classes=classes, row_ids=ids, table_id="tbl-findings")


# ------------------------------------------------------------------ beyond the paper


def _stat_cell(st: Mapping, kind: str, missing: str = "") -> str:
    """A `tables.stat` dict as a cell; a missing value as its verdict or a dash."""
    if st["value"] is None:
        return _verdict(missing) if missing else "&ndash;"
    return _num(st["value"], kind, st["std"], st["n_seeds"])


def _finding_line(item: Mapping | None) -> str:
    if item is None:
        return ""
    return (
        f"<p>Checked: {_e(item['claim'])} &rarr; {_verdict(item['verdict'])} "
        f'(<a href="#finding-{_e(item["id"])}">details in the findings</a>).</p>'
    )


def _figure_block(
    spec: tuple[str, str, str, str], by_name: Mapping, out_dir: Path, statuses: Mapping[str, str]
) -> list[nbformat.NotebookNode]:
    notebook, filename, title, caption = spec
    png = _read_png(by_name.get(notebook), out_dir, notebook, filename, statuses)
    cells = [_md(f"<h4>{_e(title)}</h4>")]
    if png is None:
        cells.append(_md(_missing_figure(notebook, filename, statuses)))
        return cells
    cells.append(_image_cell(png, title))
    path = _fig_path(by_name.get(notebook), out_dir, notebook, filename)
    cells.append(
        _md(
            f'<p class="caption">{_e(caption)}<br><span class="small">From '
            f"{_e(notebook)} (<code>{_e(path)}</code>).</span></p>"
        )
    )
    return cells


def _latent2_html(metrics: Mapping, statuses: Mapping[str, str]) -> str:
    rows = tables.latent2_designs_table(metrics, statuses=statuses)
    headers = [
        ("Design", ""),
        ("Layers around the 2-unit code", ""),
        ("Parameters", ""),
        ("Validation BCE (reproduced)", ""),
        ("Paper d = 2 (reference)", "paper"),
        ("Difference (reproduced &minus; paper)", ""),
        ("Verdict", ""),
    ]
    body = [
        [
            (_e(r["experiment"]), "txt"),
            (_e(r["description"]) or "&ndash;", "txt"),
            (f"{r['params']:,.0f}" if r["params"] is not None else "&ndash;", "num"),
            (
                _value_cell(r)
                + (_fail_link(r["notebook"], statuses) if r["value"] is None else ""),
                "num",
            ),
            (_num(r["paper"], "bce"), "num paper"),
            (_diff(r["difference"], "bce"), "num"),
            (_verdict(r["verdict"]) if r["value"] is not None else "", "txt"),
        ]
        for r in rows
    ]
    out = [_table(headers, body, table_id="tbl-latent2")]
    drop = tables.stat(metrics, "mnist.latent_2.last_epoch_drop")
    if drop["value"] is not None:
        state = "still improving" if drop["value"] > 0 else "no longer improving"
        out.append(
            f"<p>Drop of the sweep&rsquo;s d = 2 validation BCE over its last epoch: "
            f"{_num(drop['value'], 'bce', drop['std'], drop['n_seeds'])} "
            f"(&gt; 0: still improving; here {state}).</p>"
        )
    out.append(
        '<p class="small">The plain and deep-bn designs run for the first seed only; '
        "the sweep&rsquo;s row shows every seed. Verdict tolerance as in Table "
        f"3.2.1.1 (BCE within {tables.BCE_TOLERANCE}).</p>"
    )
    return "".join(out)


def _denoise_quality_html(metrics: Mapping, statuses: Mapping[str, str]) -> str:
    rows = tables.denoise_quality_table(metrics, statuses=statuses)
    out = []
    for noise, (label, _, _, level_name) in tables.NOISE_TYPES.items():
        group = [r for r in rows if r["noise"] == noise]
        level = group[0]["level"]
        title = label + (
            f" ({level_name} {level:g}, the trained level)" if level is not None else ""
        )
        body = [
            [
                (_e(r["label"]), "txt"),
                (_stat_cell(r["psnr"], "db", r["missing"]), "num"),
                (_stat_cell(r["ssim"], "ssim", r["missing"]), "num"),
            ]
            for r in group
        ]
        by_method = {r["method"]: r for r in group}
        psnr = tables._difference(by_method["autoencoder"]["psnr"], by_method["filter"]["psnr"])
        ssim = tables._difference(by_method["autoencoder"]["ssim"], by_method["filter"]["ssim"])
        body.append(
            [
                ("Autoencoder &minus; filter", "txt"),
                ("&ndash;" if psnr["value"] is None else f"{psnr['value']:+.2f} dB", "num"),
                ("&ndash;" if ssim["value"] is None else f"{ssim['value']:+.3f}", "num"),
            ]
        )
        out.append(f"<h4>{_e(title)}</h4>")
        out.append(
            _table(
                [("Output scored against the clean digit", ""), ("PSNR", ""), ("SSIM", "")],
                body,
                table_id=f"tbl-quality-{noise}",
                row_classes=[""] * len(group) + ["extra"],
            )
        )
    sweep = tables.denoise_sweep_table(metrics)
    out.append("<h4>Across noise strengths</h4>")
    if not sweep:
        status = statuses.get("03_denoising")
        out.append(
            '<div class="missing">No sweep results: '
            + (
                _verdict(tables.VERDICT_FAILED) + _fail_link("03_denoising", statuses)
                if status == "failed"
                else "not run"
            )
            + ".</div>"
        )
        return "".join(out)
    body, classes = [], []
    for r in sweep:
        margin = r["ae_minus_filter"]
        level = f"{r['level']:.2f}" + (" (trained)" if r["trained"] else "")
        body.append(
            [
                (_e(r["noise_label"]), "txt"),
                (_e(level), "num"),
                (_stat_cell(r["noisy_psnr"], "db"), "num"),
                (_stat_cell(r["filter_psnr"], "db"), "num"),
                (_stat_cell(r["ae_psnr"], "db"), "num"),
                (
                    "&ndash;"
                    if margin["value"] is None
                    else f"{margin['value']:+.2f} dB"
                    + (f" ± {margin['std']:.2f}" if margin["std"] else ""),
                    "num",
                ),
                (_stat_cell(r["ae_ssim"], "ssim"), "num"),
            ]
        )
        classes.append("trained" if r["trained"] else "")
    out.append(
        _table(
            [
                ("Noise", ""),
                ("Level", ""),
                ("Noisy PSNR", ""),
                ("Filter PSNR", ""),
                ("AE PSNR", ""),
                ("AE &minus; filter", ""),
                ("AE SSIM", ""),
            ],
            body,
            row_classes=classes,
            table_id="tbl-denoise-sweep",
        )
    )
    return "".join(out)


def _anomaly_html(metrics: Mapping, statuses: Mapping[str, str]) -> str:
    rows = tables.anomaly_table(metrics, statuses=statuses)
    body = [
        [
            (_e(r["label"]), "txt"),
            (
                _stat_cell(r, r["kind"], r["missing"])
                + (_fail_link("04_improved_autoencoder", statuses) if r["value"] is None else ""),
                "num",
            ),
        ]
        for r in rows
    ]
    return (
        _table([("Quantity", ""), ("Measured", "")], body, table_id="tbl-anomaly")
        + '<p class="small">Score: the per-image reconstruction BCE of the MNIST-trained '
        "improved autoencoder; no Fashion-MNIST image or label is used to build it. An AUC "
        "of 0.5 is chance, 1.0 a perfect separation. Verdict thresholds: AUC &ge; "
        f"{ANOMALY_AUC_AGREE:g} agrees, below {ANOMALY_AUC_DISAGREE:g} disagrees.</p>"
    )


def _label_eff_html(metrics: Mapping, statuses: Mapping[str, str]) -> str:
    rows = tables.label_efficiency_table(metrics, statuses=statuses)
    sizes = rows[0]["sizes"] if rows else []
    if not sizes:
        status = statuses.get("05_fashion_transfer")
        return (
            '<div class="missing">No label-efficiency results: '
            + (
                _verdict(tables.VERDICT_FAILED) + _fail_link("05_fashion_transfer", statuses)
                if status == "failed"
                else "not run"
            )
            + ".</div>"
        )
    headers = [("Method", "")] + [(f"n = {n:,}", "") for n in sizes]
    body = [
        [(_e(r["label"]), "txt")] + [(_stat_cell(c, "acc"), "num") for c in r["cells"]]
        for r in rows
    ]
    return (
        _table(headers, body, table_id="tbl-label-eff")
        + '<p class="small">Test accuracy on the full Fashion-MNIST test set after training '
        "on n class-balanced labelled images. Every classifier has the same conv stack "
        "and a Flatten &rarr; Dense(10, softmax) head; only where the conv weights come "
        "from, and whether they train, differs.</p>"
    )


def _heads_html(metrics: Mapping, statuses: Mapping[str, str]) -> str:
    rows = tables.transfer_heads_table(metrics, statuses=statuses)
    body = [
        [
            (_e(r["experiment"]), "txt"),
            (
                _value_cell(r)
                + (_fail_link(r["notebook"], statuses) if r["value"] is None else ""),
                "num",
            ),
            (_num(r["paper"], "acc"), "num paper"),
            (_diff(r["difference"], "acc"), "num"),
            ("&ndash;" if r["miss"] is None else f"{100 * r['miss']:.2f} pts", "num"),
        ]
        for r in rows
    ]
    return _table(
        [
            ("Head on the frozen MNIST encoder", ""),
            ("Test accuracy (reproduced)", ""),
            ("Paper (reference)", "paper"),
            ("Difference (reproduced &minus; paper)", ""),
            ("Distance to the paper", ""),
        ],
        body,
        table_id="tbl-heads",
    )


# (anchor, title, builder, finding ids) of the "Beyond the paper" sections, in order.
def _pca_html(metrics: Mapping, statuses: Mapping[str, str]) -> str:
    return (
        "<p>The columns &ldquo;PCA BCE (same d)&rdquo;, &ldquo;AE MSE&rdquo; and "
        "&ldquo;PCA MSE&rdquo; of the "
        '<a href="#latent-sweep">latent-size sweep</a> compare each '
        "autoencoder with a d-component PCA reconstruction of the same test "
        "images (PCA fitted on the training images).</p>"
    )


def _seed_spread_html(per_seed: Mapping) -> str:
    seeds = [s for s in per_seed if s is not None]
    if len(seeds) < 2:
        only = f" (seed {_e(seeds[0])})" if seeds else ""
        return (
            f"<p>This report ran one seed{only}, so it has no spread to show and every "
            "finding compares single runs. <code>python run_all.py --seeds 0,1,2</code> "
            "runs every notebook under each seed (seeds already run are reused from the "
            "cache); the tables then show mean &plusmn; standard deviation and this "
            "section each seed&rsquo;s value.</p>"
        )
    headers = (
        [("Metric", "")]
        + [(f"Seed {_e(s)}", "") for s in seeds]
        + [("Mean &plusmn; std", ""), ("Range (max &minus; min)", "")]
    )

    def body(rows: list[dict], *, by_id: bool) -> list[list[tuple[str, str]]]:
        out = []
        for r in rows:
            label = f"<code>{_e(r['id'])}</code>" if by_id else _e(r["label"])
            cells = [(label, "txt")]
            cells += [(_num(v, r["kind"]), "num") for v in r["values"]]
            cells.append((_num(r["mean"], r["kind"], r["std"], r["n"]), "num"))
            spread = r["range"]
            if spread is None:
                cells.append(("&ndash;", "num"))
            elif r["kind"] == "acc":
                cells.append((f"{100 * spread:.2f} pts", "num"))
            else:
                cells.append((_num(spread, r["kind"]), "num"))
            out.append(cells)
        return out

    rows = seed_spread.seed_rows({s: per_seed[s] for s in seeds})
    headline = [r for r in rows if r["headline"]]
    n_all = len(rows)
    return (
        f"<p>Every notebook ran under {len(seeds)} seeds; each seed fixes the weight "
        "initialisation, the shuffling, the noise and the label subsets. The tables above "
        "show the mean &plusmn; sample standard deviation; the values behind them:</p>"
        + _table(headers, body(headline, by_id=False), table_id="tbl-seeds")
        + f"<details><summary>All {n_all} metrics under each seed</summary>"
        + _table(headers, body(rows, by_id=True), table_id="tbl-seeds-all")
        + "</details>"
        + '<p class="small">A metric that is the same under every seed by construction '
        "(parameter counts, epochs, noise settings) shows a range of 0. The d = 2 design "
        "variants run for the first seed only. <code>metrics.json</code> keeps these values "
        "under <code>metrics_per_seed</code> and the deviations under "
        "<code>metrics_std</code>.</p>"
    )


# Figures the report draws from the metrics, by section anchor: (function of the merged
# metrics returning PNG bytes or None, title, caption, notebook writing the metrics).
_DRAWN_FIGURES = {
    "pca-baseline": (
        seed_spread.latent_sweep_png,
        "Validation BCE against latent size: autoencoder and PCA",
        "Drawn by the report from the metrics of every seed: each line joins the means; "
        "with several seeds a bar spans one standard deviation each side and each dot is "
        "one seed. Hollow markers: the paper (d = 2 and 16 only); dotted: the entropy "
        "floor of the MNIST test images.",
        "02_latent_sweep",
    ),
    "label-efficiency": (
        seed_spread.label_efficiency_png,
        "Label efficiency: accuracy curves",
        "Fashion-MNIST test accuracy against the number of labelled training images (log "
        "x axis), drawn by the report from the metrics of every seed: one line per method "
        "through the means; with several seeds a bar spans one standard deviation each "
        "side and each dot is one seed. The dashed lines are the paper's full-data "
        "accuracies, for reference.",
        "05_fashion_transfer",
    ),
}

_BEYOND_SECTIONS = (
    ("pca-baseline", "Autoencoder vs PCA at the same code size", _pca_html, ("ae_beats_pca",)),
    ("latent2-designs", "Latent dim = 2: bottleneck designs", _latent2_html, ("latent2_designs",)),
    (
        "denoise-quality",
        "Denoising quality: PSNR and SSIM against a classical filter",
        _denoise_quality_html,
        ("ae_beats_filter", "ae_beats_filter_sweep"),
    ),
    (
        "anomaly",
        "Anomaly detection: digits against clothing",
        _anomaly_html,
        ("anomaly_detection",),
    ),
    (
        "label-efficiency",
        "Label efficiency: accuracy against the number of labels",
        _label_eff_html,
        ("transfer_reduces_labels", "fashion_encoder_beats_mnist", "finetune_beats_frozen"),
    ),
    (
        "transfer-heads",
        "Transfer head: which reading matches the paper",
        _heads_html,
        ("transfer_head",),
    ),
    ("seed-spread", "Seed uncertainty: each number under every seed", None, ()),
)


def _not_run_html() -> str:
    return f'<div class="missing paper-not-run">{_e(NOT_RUN_IN_PAPER_PROFILE)}.</div>'


def _skips_beyond_paper(profile) -> bool:
    """True for a profile that runs only the paper's experiments (`paper`)."""
    return profile in PROFILES and not PROFILES[profile].get("beyond_paper", True)


def _beyond_cells(
    metrics: Mapping,
    statuses: Mapping[str, str],
    by_name: Mapping,
    out_dir: Path,
    extra: Sequence[Mapping],
    per_seed: Mapping,
    *,
    paper_only: bool = False,
) -> list[nbformat.NotebookNode]:
    """`paper_only`: the profile skipped these analyses; each section says so instead."""
    items = {f["id"]: f for f in extra}
    cells = [
        _md(
            '<h2 id="beyond">Beyond the paper</h2><p>Experiments the paper did not run, '
            "added to test its wider statements. The paper&rsquo;s numbers appear only "
            "in columns labelled as reference; every verdict is computed from the "
            "metrics.</p>"
            + (
                "<p><strong>This report used the paper profile</strong>, which runs only "
                "the paper&rsquo;s five experiments: the sections below (all but the seed "
                "section) were not run.</p>"
                if paper_only
                else ""
            )
        )
    ]
    for anchor, title, builder, finding_ids in _BEYOND_SECTIONS:
        if paper_only and builder is not None:
            cells.append(_md(f'<h3 id="{_e(anchor)}">{_e(title)}</h3>' + _not_run_html()))
            continue
        # The seed section reads each seed's metrics, the others the merged ones.
        content = _seed_spread_html(per_seed) if builder is None else builder(metrics, statuses)
        lines = "".join(_finding_line(items.get(i)) for i in finding_ids)
        cells.append(_md(f'<h3 id="{_e(anchor)}">{_e(title)}</h3>' + content + lines))
        if anchor in _DRAWN_FIGURES:
            draw, fig_title, caption, notebook = _DRAWN_FIGURES[anchor]
            png = draw(metrics)
            cells.append(_md(f"<h4>{_e(fig_title)}</h4>"))
            if png is None and statuses.get(notebook) in ("ok", "cached"):
                cells.append(
                    _md(
                        f'<div class="missing">Nothing to draw: {_e(notebook)} wrote no such '
                        "results.</div>"
                    )
                )
            elif png is None:
                cells.append(_md(_missing_figure(notebook, "metrics.json", statuses)))
            else:
                cells.append(_image_cell(png, fig_title))
                cells.append(_md(f'<p class="caption">{_e(caption)}</p>'))
        for spec in BEYOND_FIGURES.get(anchor, ()):
            cells += _figure_block(spec, by_name, out_dir, statuses)
    return cells


def _failure_box(run: Mapping, *, first: bool = True, several_seeds: bool = False) -> str:
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
        f'<div class="failure" id="fail-{_e(anchor)}">',
        f"<strong>{_e(label)} failed</strong>"
        + (f" ({_e(run['title'])})" if run.get("title") else ""),
        "<br>Failing cell: " + (_e(cell) if cell is not None else "unknown"),
        f"<br><code>{_e(ename)}: {_e(evalue)}</code>",
    ]
    if excerpt:
        parts.append(_pre(excerpt))
    parts.append(
        '<span class="small">Its numbers show as "failed" in the tables and its '
        "figures are missing below.</span></div>"
    )
    return "".join(parts)


def _attempt_box(run: Mapping, out_dir: Path, *, several_seeds: bool = False) -> str:
    """A failed attempt whose notebook still shows the numbers of an earlier good run."""
    attempt = run.get("last_attempt") or {}
    error = attempt.get("error") or {}
    seed = run.get("seed")
    label = str(run.get("name", "?")) + (
        f" (seed {seed})" if several_seeds and seed is not None else ""
    )
    link = _href(str(attempt.get("page") or attempt.get("log") or ""), out_dir)
    return (
        '<div class="failure">'
        f"<strong>{_e(label)}: last attempt failed</strong>"
        + (f' (<a href="{_e(link)}">the failed attempt</a>)' if link else "")
        + f" at {_e(attempt.get('finished', 'unknown'))}, in cell "
        + f"{_e(error.get('cell') if error.get('cell') is not None else 'unknown')}: "
        + f"<code>{_e(error.get('ename') or 'Error')}: {_e(error.get('evalue') or '')}</code>"
        + '<br><span class="small">Its numbers, figures and page below come from the earlier '
        f"successful run of {_e(run.get('results_from') or 'an earlier invocation')}.</span>"
        "</div>"
    )


def _image_output(png: bytes, alt: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output(
        "display_data",
        data={"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt},
        metadata={"alt": alt},
    )


def _md(fragment: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(f'<div class="rep">\n{_one_line(fragment)}\n</div>')


def _image_cell(png: bytes, alt: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [_image_output(png, alt)]
    return cell


def _run_dir(run: Mapping | None, out_dir: Path, notebook: str) -> Path:
    default = out_dir / "runs" / notebook
    if default.is_dir() or not run or not run.get("out_dir"):
        return default
    return Path(run["out_dir"])


def _fig_path(run: Mapping | None, out_dir: Path, notebook: str, filename: str) -> str:
    """A figure's path relative to the report folder (absolute if outside it)."""
    path = _run_dir(run, out_dir, notebook) / filename
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _fmt_seconds(seconds) -> str:
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "&ndash;"
    if seconds < 90:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.1f} min"


def _href(path: str, out_dir: Path) -> str | None:
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


def _jsonable(value):
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "item"):  # NumPy scalars
        return _jsonable(value.item())
    return str(value)


# ------------------------------------------------------------------------------ report


def _missing_figure(notebook: str, filename: str, statuses: Mapping[str, str]) -> str:
    status = statuses.get(notebook)
    if status == "failed":
        text = (
            f"Not available: <strong>{_e(notebook)}</strong> failed "
            f'(<a href="#fail-{_e(notebook)}">see the failure</a>).'
        )
    elif status in ("ok", "cached"):
        text = (
            f"Figure file missing: <code>runs/{_e(notebook)}/{_e(filename)}</code> was not "
            f"written although {_e(notebook)} ran."
        )
    else:
        text = f"Not available: {_e(notebook)} was {_e(status or 'not run')}."
    return f'<div class="missing">{text}</div>'


def _paper_banner_html() -> str:
    """The banner of a report that ran only the paper's experiments: what it left out."""
    sections = "".join(
        f'<li><a href="#{_e(anchor)}">{_e(title)}</a></li>'
        for anchor, title, builder, _ in _BEYOND_SECTIONS
        if builder is not None
    )
    figures = ", ".join(
        _e(title) for nb, fn, title in EXTRA_FIGURES if (nb, fn) in PAPER_PROFILE_SKIPPED_FIGURES
    )
    return (
        '<div class="banner info" id="paper-banner">'
        "<strong>Paper profile: the paper&rsquo;s five experiments at its "
        "settings, and nothing beyond them.</strong> Tables 3.2.1.1 and 3.2.2.1 and Figures "
        "3.4.1-3.4.6 are complete. Not run (<code>--profile full</code> runs them):"
        f"<ul>{sections}<li>the PCA columns of the latent-size sweep and the Dense(128) "
        f"row of Table 3.2.2.1</li><li>further figures: {figures}</li></ul></div>"
    )


def build_report_notebook(
    out_dir: str | os.PathLike, runs: Sequence[Mapping], provenance: Mapping
) -> tuple[nbformat.NotebookNode, dict]:
    """The report as an nbformat notebook, and the merged metrics it shows.

    See `render_report`; exposed so the content can be inspected or tested without HTML.
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
    per_seed, conflicts = tables._collect_per_seed(runs, out_dir)
    metrics = tables._merge_seeds(per_seed)
    profile = provenance.get("profile", "unknown")
    paper_only = _skips_beyond_paper(profile)
    cells = []

    # Title, banner, contents (nested: a section's subsections under it).
    toc = [
        ("run-status", "Run status", ()),
        (
            "table-3-2-1-1",
            "Table 3.2.1.1: MNIST reconstruction",
            (("latent-sweep", "Latent-size sweep"), ("denoising", "Denoising per noise type")),
        ),
        ("table-3-2-2-1", "Table 3.2.2.1: Fashion-MNIST", ()),
        ("beyond", "Beyond the paper", tuple((a, t) for a, t, _, _ in _BEYOND_SECTIONS)),
        ("figures", "Figures 3.4.1-3.4.6", ()),
        ("extra-figures", "Further figures", ()),
        ("findings", "Findings: the paper's claims checked", ()),
        ("provenance", "Provenance", ()),
    ]
    head = [f"<h1>{_e(REPORT_TITLE)}</h1>"]
    if profile == "smoke":
        head.append(f'<div class="banner" id="smoke-banner">{_e(SMOKE_BANNER)}</div>')
    if paper_only:
        head.append(_paper_banner_html())
    head.append(
        f"<p>Profile <strong>{_e(profile)}</strong>; the runs executed from commit "
        f"<code>{_e(_listed(provenance.get('git_commit')))}</code>"
        + (" (with uncommitted changes)" if provenance.get("git_dirty") else "")
        + ". Every number below was read from the "
        "notebooks' <code>metrics.json</code> files; the paper's numbers appear only in the "
        "grey columns labelled <em>Paper (reference)</em>.</p>"
    )
    head.append(_generation_html(provenance.get("generation") or {}))
    entries = []
    for anchor, title, children in toc:
        sub = (
            (
                "<ol>"
                + "".join(f'<li><a href="#{a}">{_e(t)}</a></li>' for a, t in children)
                + "</ol>"
            )
            if children
            else ""
        )
        entries.append(f'<li><a href="#{anchor}">{_e(title)}</a>{sub}</li>')
    head.append("<nav><strong>Contents</strong><ol>" + "".join(entries) + "</ol></nav>")
    cells.append(_md("\n".join(head)))

    # Run status and failure boxes.
    counts: dict[str, int] = {}
    for r in runs:
        counts[str(r.get("status"))] = counts.get(str(r.get("status")), 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no notebooks"
    seeds = list(dict.fromkeys(r.get("seed") for r in runs if r.get("seed") is not None))
    if len(seeds) > 1:
        what = (
            f"{len(runs)} runs ({len(by_name)} notebooks &times; {len(seeds)} seeds: "
            + ", ".join(_e(s) for s in seeds)
            + ")"
        )
    else:
        what = f"{len(runs)} notebooks"
    status_html = [f'<h2 id="run-status">Run status</h2><p>{what}: {_e(summary)}.</p>']
    failed = [r for r in runs if r.get("status") == "failed"]
    boxed: set[str] = set()
    for r in failed:
        # The first failure of a notebook owns the anchor the tables link to.
        first = str(r.get("name")) not in boxed
        boxed.add(str(r.get("name")))
        status_html.append(_failure_box(r, first=first, several_seeds=len(seeds) > 1))
    for r in runs:
        if r.get("status") != "failed" and r.get("last_attempt"):
            status_html.append(_attempt_box(r, out_dir, several_seeds=len(seeds) > 1))
    stale = [r for r in runs if r.get("stale") and r.get("status") in ("ok", "cached")]
    if stale:
        items = "".join(
            f"<li>{_e(r.get('name'))}"
            + (f" (seed {_e(r.get('seed'))})" if len(seeds) > 1 else "")
            + f": {_e(r['stale'])}</li>"
            for r in stale
        )
        status_html.append(
            "<p>Out of date (not selected in this invocation, so their last results are "
            f"shown; run them again to bring them up to date):</p><ul>{items}</ul>"
        )
    if conflicts:
        items = "".join(
            f"<li><code>{_e(c['id'])}</code>: kept {_e(c['kept'])} from "
            f"{_e(c['kept_from'])}, ignored {_e(c['ignored'])} from "
            f"{_e(c['ignored_from'])}</li>"
            for c in conflicts
        )
        status_html.append(f"<p>Metrics written twice with different values:</p><ul>{items}</ul>")
    cells.append(_md("\n".join(status_html)))

    # Tables.
    tol = (
        f"Verdict tolerance: BCE within {tables.BCE_TOLERANCE} of the paper counts as "
        "&ldquo;matches&rdquo;, lower by more as &ldquo;better than paper&rdquo;; accuracy "
        f"within {100 * tables.ACC_TOLERANCE:.1f} points likewise, higher by more as "
        "&ldquo;better than paper&rdquo;. The entropy floor is the mean binary entropy "
        "of the test images, the lowest BCE any model can reach; the excess over it is "
        "the part of the loss a better model could remove. Means &plusmn; standard "
        "deviation are shown when a metric has one value per seed."
    )
    cells.append(
        _md(
            '<h2 id="table-3-2-1-1">Table 3.2.1.1: MNIST reconstruction</h2>'
            + _mnist_table_html(
                tables.mnist_reconstruction_table(metrics, statuses=statuses), statuses
            )
            + f'<p class="small">{tol}</p>'
        )
    )
    cells.append(
        _md(
            '<h3 id="latent-sweep">Latent-size sweep (dense bottleneck)</h3>'
            + _latent_table_html(
                tables.latent_sweep_table(metrics, statuses=statuses),
                statuses,
                pca_columns=not paper_only,
            )
            + '<p class="small">The paper reports d = 2 and d = 16 only.'
            + (
                " The PCA comparison (its columns in the full report) was "
                f"{_e(NOT_RUN_IN_PAPER_PROFILE)}."
                if paper_only
                else ""
            )
            + "</p>"
        )
    )
    cells.append(
        _md(
            '<h3 id="denoising">Denoising per noise type</h3>'
            + _denoise_table_html(tables.denoising_table(metrics, statuses=statuses), statuses)
            + '<p class="small">&ldquo;Noisy input BCE&rdquo; is the loss of returning the noisy '
            "image unchanged, the score of doing nothing; the paper gives only the mixed-noise "
            "loss.</p>"
        )
    )
    fashion_rows = tables.fashion_table(metrics, statuses=statuses)
    if paper_only:  # the Dense(128) reading is not a row of the paper's table
        fashion_rows = [r for r in fashion_rows if not r["extra"]]
    cells.append(
        _md(
            '<h2 id="table-3-2-2-1">Table 3.2.2.1: Fashion-MNIST reconstruction &amp; '
            "classification</h2>"
            + _fashion_table_html(fashion_rows, statuses)
            + '<p class="small">The paper&rsquo;s head is ambiguous: section 3.1 appends '
            "Flatten &rarr; Dense(10, softmax) (the table row), section 2.2.2(d) a Dense "
            + (
                "layer then softmax (with Dense(128): "
                f"{_e(NOT_RUN_IN_PAPER_PROFILE)}).</p>"
                if paper_only
                else "layer then softmax (the dashed extra row, with Dense(128)).</p>"
            )
        )
    )

    # Beyond the paper: its own sections, tables, figures and verdict lines.
    extra = extra_findings(metrics)
    if paper_only:  # their analyses were skipped: say so instead of "missing" values
        extra = [
            {**f, "measured": NOT_RUN_IN_PAPER_PROFILE + ".", "verdict": NOT_RUN} for f in extra
        ]
    cells += _beyond_cells(
        metrics, statuses, by_name, out_dir, extra, per_seed, paper_only=paper_only
    )

    # Paper figures.
    first_seed_note = (
        f'<p class="small">With {len(seeds)} seeds these figures come from the first, seed '
        f"{_e(seeds[0])}; the tables, the seed section and the two charts drawn by the report "
        "use every seed.</p>"
        if len(seeds) > 1
        else ""
    )
    cells.append(_md('<h2 id="figures">Figures 3.4.1-3.4.6</h2>' + first_seed_note))
    for number, (notebook, filename) in FIGURES.items():
        anchor = "figure-" + number.replace(".", "-")
        png = _read_png(by_name.get(notebook), out_dir, notebook, filename, statuses)
        cells.append(_md(f'<h3 id="{anchor}">Figure {_e(number)}</h3>'))
        if png is None:
            cells.append(_md(_missing_figure(notebook, filename, statuses)))
        else:
            cells.append(_image_cell(png, f"Figure {number}"))
        cells.append(
            _md(
                f'<p class="caption"><span class="paper-caption">Paper&rsquo;s caption: '
                f"{_e(FIGURE_CAPTIONS.get(number, ''))}</span><br>"
                f'<span class="small">From {_e(notebook)} '
                f"(<code>{_e(_fig_path(by_name.get(notebook), out_dir, notebook, filename))}"
                "</code>).</span></p>"
            )
        )

    # Further figures: the known list, then any other PNG the notebooks left.
    cells.append(_md('<h2 id="extra-figures">Further figures</h2>' + first_seed_note))
    shown = (
        {(nb, fn) for nb, fn in FIGURES.values()}
        | {(spec[0], spec[1]) for specs in BEYOND_FIGURES.values() for spec in specs}
        | REDRAWN_FIGURES
    )
    extras = list(EXTRA_FIGURES)
    if paper_only:
        # The report draws the latent-sweep chart in the PCA section, which this profile
        # does not run: the notebook's own chart (first seed) stands in for it.
        extras.insert(
            0, ("02_latent_sweep", "latent_sweep.png", "Validation BCE against latent size")
        )
    for run in runs:
        name = str(run.get("name"))
        if run.get("status") not in ("ok", "cached"):
            continue
        run_dir = _run_dir(run, out_dir, name)
        known = shown | {(nb, fn) for nb, fn, _ in extras}
        for path in sorted(run_dir.glob("*.png")) if run_dir.is_dir() else []:
            if (name, path.name) not in known:
                extras.append((name, path.name, f"{name}: {path.stem}"))
    for notebook, filename, title in extras:
        png = _read_png(by_name.get(notebook), out_dir, notebook, filename, statuses)
        cells.append(_md(f"<h3>{_e(title)}</h3>"))
        if png is None and paper_only and (notebook, filename) in PAPER_PROFILE_SKIPPED_FIGURES:
            cells.append(_md(_not_run_html()))
        elif png is None:
            cells.append(_md(_missing_figure(notebook, filename, statuses)))
        else:
            cells.append(_image_cell(png, title))
            path = _fig_path(by_name.get(notebook), out_dir, notebook, filename)
            cells.append(_md(f'<p class="small">From <code>{_e(path)}</code>.</p>'))

    # Findings.
    cells.append(
        _md(
            '<h2 id="findings">Findings: the paper&rsquo;s claims checked</h2>'
            "<p>Each verdict is computed from the numbers above. With one value per seed, a "
            "difference within the combined standard deviation is &ldquo;inconclusive&rdquo;; "
            "with a single run every difference counts.</p>"
            + _findings_html(paper_findings(metrics), extra)
        )
    )

    # Provenance.
    cells.append(_md(_provenance_html(provenance, runs, out_dir)))

    # Fixed cell ids (nbformat draws random ones) so the same inputs give the same page.
    for i, cell in enumerate(cells):
        cell.id = f"report-{i:03d}"
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["title"] = REPORT_TITLE
    return nb, metrics


def _read_png(
    run: Mapping | None, out_dir: Path, notebook: str, filename: str, statuses: Mapping[str, str]
) -> bytes | None:
    # Figures of a failed or skipped notebook may be stale leftovers: not shown.
    if statuses.get(notebook) not in ("ok", "cached"):
        return None
    path = _run_dir(run, out_dir, notebook) / filename
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None


def _status_html(run: Mapping, out_dir: Path) -> str:
    """A run's status cell: cached, stale, or a failed last attempt beside older results."""
    status = str(run.get("status"))
    text = _verdict(status) if status in ("failed", "skipped") else _e(status)
    if run.get("stale"):
        text += f' <span class="small">(stale: {_e(run["stale"])})</span>'
    attempt = run.get("last_attempt")
    if attempt:
        link = _href(str(attempt.get("page") or attempt.get("log") or ""), out_dir)
        failed = f'<a href="{_e(link)}">last attempt failed</a>' if link else "last attempt failed"
        text += f"; {failed}"
        if run.get("results_from"):
            text += f"; numbers from the earlier run of {_e(run['results_from'])}"
    return text


def _ran_on(host) -> str:
    """Where a run executed: host, Dask worker and threads (from its record)."""
    if not isinstance(host, Mapping) or not host.get("host"):
        return "&ndash;"
    text = _e(host["host"])
    details = [str(host["worker"])] if host.get("worker") else []
    if host.get("threads"):
        details.append(f"{host['threads']} thread(s)")
    if details:
        text += f' <span class="small">({_e(", ".join(details))})</span>'
    return text


def _listed(value) -> str:
    """One value, or several joined (runs that executed on different machines)."""
    if value is None:
        return "unknown"
    return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _generation_html(generation: Mapping) -> str:
    """The one line that changes when the same runs are rendered again: when, by which
    commit, how long it took and what this invocation executed."""
    executed = generation.get("executed_runs")
    return (
        '<p class="small" id="generated">Rendered '
        f"{_e(generation.get('generated', 'unknown'))} by commit "
        f"<code>{_e(str(generation.get('git_commit', 'unknown'))[:12])}</code> in "
        f"{_fmt_seconds(generation.get('total_wall_s'))}; this invocation executed "
        f"{_e(executed if executed is not None else 'an unknown number of')} run(s) "
        f"({_fmt_seconds(generation.get('executed_wall_s'))}), the others were reused.</p>"
    )


def _provenance_html(provenance: Mapping, runs: Sequence[Mapping], out_dir: Path) -> str:
    p = provenance
    seeds = p.get("seeds")
    seeds_text = ", ".join(str(s) for s in seeds) if isinstance(seeds, (list, tuple)) else seeds
    # Already HTML (&ndash; when unknown).
    timed = {
        "Execution time of every run, summed (a cold run without cache)": _fmt_seconds(
            p.get("runs_wall_s")
        ),
    }
    general = [
        (
            "Git commit of the runs",
            _listed(p.get("git_commit")) + (" (uncommitted changes)" if p.get("git_dirty") else ""),
        ),
        ("Profile", p.get("profile")),
        ("Seeds", seeds_text),
        *timed.items(),
        ("Python", _listed(p.get("python"))),
        ("CPU", _listed(p.get("cpu"))),
        ("Cores", _listed(p.get("cores"))),
    ]
    out = [
        '<h2 id="provenance">Provenance</h2>',
        _table(
            [("Item", ""), ("Value", "")],
            [
                [
                    (_e(k), "txt"),
                    (v if k in timed else _e(v if v is not None else "unknown"), "txt"),
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
            link = _href(str(run.get("notebook_html") or ""), out_dir)
            row = []
            if i == 0:
                row += [(_e(name), "txt", span), (_e(run.get("title") or ""), "txt", span)]
            if several:
                row.append((_e(run.get("seed", "")), "num"))
            row += [
                (_status_html(run, out_dir), "txt"),
                (_fmt_seconds(run.get("wall_s")), "num"),
                (_ran_on(run.get("host")), "txt"),
                (f'<a href="{_e(link)}">executed notebook</a>' if link else "&ndash;", "txt"),
            ]
            rows.append(row)
    headers = (
        [("Notebook", ""), ("Title", "")]
        + ([("Seed", "")] if several else [])
        + [("Status", ""), ("Wall time", ""), ("Ran on", ""), ("Page", "")]
    )
    out.append(_table(headers, rows))
    out.append(
        '<p class="small">A cached notebook was not re-executed in this invocation: its '
        "results, and the wall time shown, come from an earlier run with the same "
        "inputs.</p>"
    )
    packages = p.get("packages") or {}
    if packages:
        out.append("<h3>Packages</h3>")
        out.append(
            _table(
                [("Package", ""), ("Version", "")],
                [[(_e(k), "txt"), (_e(v), "txt")] for k, v in sorted(packages.items())],
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
                        (_e(dataset), "txt"),
                        (_e(array), "txt"),
                        (f"<code>{_e(digest)}</code>", "txt"),
                    ]
                )
        out.append(_table([("Dataset", ""), ("Array", ""), ("SHA-256", "")], hash_rows))
    return "\n".join(out)


def render_report(out_dir: str | os.PathLike, runs: Sequence[Mapping], provenance: Mapping) -> Path:
    """Write `<out_dir>/index.html` and `<out_dir>/metrics.json`, each atomically.

    Args:
        out_dir: the report folder holding `runs/<notebook>/metrics.json` and figures.
        runs: one record per notebook, in order: `{"name", "title", "status"
            ("ok"|"cached"|"failed"|"skipped"), "wall_s", "error", "out_dir",
            "notebook_html"}` (see `aelib.report`).
        provenance: `{"generated", "git_commit", "git_dirty", "profile", "seeds",
            "python", "packages", "cpu", "cores", "data_hashes", "total_wall_s",
            "runs_wall_s"}`;
            missing keys show as "unknown".

    Returns:
        The path of index.html. metrics.json holds `{"profile", "metrics": {id: value},
        "provenance", "runs": [{"name", "status", "wall_s"}]}`.
    """
    out_dir = Path(out_dir)
    nb, metrics = build_report_notebook(out_dir, runs, provenance)
    exporter = offline_html_exporter(exclude_input=True)
    resources = {"metadata": {"name": "index", "path": str(out_dir)}, "report_css": _CSS}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    means = {k: tables.summarize(v)[0] if isinstance(v, list) else v for k, v in metrics.items()}
    summary = {
        "profile": provenance.get("profile"),
        "metrics": means,
        "provenance": provenance,
        "runs": [
            {
                "name": r.get("name"),
                "seed": r.get("seed"),
                "status": r.get("status"),
                "wall_s": r.get("wall_s"),
                **({"stale": r["stale"]} if r.get("stale") else {}),
                **({"last_attempt_failed": True} if r.get("last_attempt") else {}),
            }
            for r in runs
        ],
    }
    per_seed = {k: v for k, v in metrics.items() if isinstance(v, list)}
    if per_seed:
        # Several seeds: "metrics" holds the means; the values behind them are kept.
        summary["metrics_per_seed"] = per_seed
        summary["metrics_std"] = {k: tables.summarize(v)[1] for k, v in per_seed.items()}
    _atomic_write(
        out_dir / "metrics.json", json.dumps(_jsonable(summary), indent=2, allow_nan=False) + "\n"
    )
    index = out_dir / "index.html"
    _atomic_write(index, body)
    return index
