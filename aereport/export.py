"""The offline HTML export: nbconvert with a template that loads nothing from the network.

The report page is an in-memory notebook (markdown cells holding HTML, display_data
outputs holding the PNG figures as base64) converted with nbconvert's HTMLExporter using
the "offline" template in `aereport/templates/`: the lab template with every block
that loads a script from a CDN blanked. The result makes no network request: every image
is a data: URI and the only links are in-page anchors and relative links to the executed
notebooks' own pages. `render_notebook_html` renders each executed notebook the same way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

__all__ = [
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "offline_html_exporter",
    "atomic_write",
    "render_notebook_html",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "offline"


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


def atomic_write(path: Path, text: str) -> None:
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
    atomic_write(html_path, body)
    return html_path
