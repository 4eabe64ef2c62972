"""A run's page with the notebook's current prose, without executing it again.

A markdown-only edit leaves a run fresh (`aerun.codehash` counts code cells only), but
its page still shows the old text. `merge_prose` gives the page the current notebook's
markdown cells while keeping every code cell as it ran, outputs included: the idea of
jupyter-cache's merge of cached outputs into the current notebook, done on the page
itself. The committed report keeps only the pages (the executed `.ipynb` files would add
their images a second time, past the size budget), so a fresh clone can do it too.

The page is nbconvert's lab template: one `<div class="jp-Cell ...">` per cell, in
order, papermill's `injected-parameters` cell right after the `parameters` cell. The
current notebook is rendered with the same exporter; its markdown cells replace the old
page's, and the old page's code cells (the same code, or the run would be stale) go in
between, in order.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from aereport.export import atomic_write, offline_html_exporter

_CELL = re.compile(r'<div class="jp-Cell (jp-(?:Code|Markdown|Raw)Cell)[^"]*"[^>]*>')
_INJECTED = "celltag_injected-parameters"


class PageMismatch(ValueError):
    """The page and the notebook do not have the same code cells: it cannot be merged."""


def _cells(html: str) -> tuple[str, list[tuple[str, str]], str]:
    """(head, [(kind, cell html)], tail) of an nbconvert lab page."""
    starts = [m.start() for m in _CELL.finditer(html)]
    if not starts:
        raise PageMismatch("no notebook cells in the page")
    end = html.rfind("</main>")
    if end < starts[-1]:
        raise PageMismatch("the page has no </main> after its cells")
    bounds = [*starts, end]
    cells = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        chunk = html[a:b]
        kind = _CELL.match(chunk).group(1)
        cells.append(("injected" if _INJECTED in chunk[:300] else kind, chunk))
    return html[: starts[0]], cells, html[end:]


def merge_prose(page: Path, notebook: Path) -> bool:
    """Rewrite `page` with `notebook`'s markdown and the page's own code cells.

    Returns True when the page changed. Raises PageMismatch when the page's code cells
    are not the notebook's, one for one (then the run must be executed to show it).
    """
    page, notebook = Path(page), Path(notebook)
    old_html = page.read_text(encoding="utf-8")
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    resources = {"metadata": {"name": notebook.stem, "path": str(notebook.parent)}}
    new_html, _ = offline_html_exporter().from_notebook_node(nb, resources=resources)
    _, new_cells, _ = _cells(new_html)
    head, old_cells, tail = _cells(old_html)
    old_code = [c for kind, c in old_cells if kind == "jp-CodeCell"]
    injected = [c for kind, c in old_cells if kind == "injected"]
    new_code = sum(kind == "jp-CodeCell" for kind, _ in new_cells)
    if len(old_code) != new_code:
        raise PageMismatch(
            f"the page shows {len(old_code)} code cells, the notebook has {new_code}"
        )
    merged, code = [], iter(old_code)
    for kind, chunk in new_cells:
        if kind == "jp-CodeCell":
            chunk = next(code)
            merged.append(chunk)
            if injected and "celltag_parameters" in chunk[:300]:
                merged.append(injected.pop())
        else:
            merged.append(chunk)
    merged[:0] = injected  # no parameters cell: papermill put its cell first
    html = head + "".join(merged) + tail
    if html == old_html:
        return False
    atomic_write(page, html)
    return True
