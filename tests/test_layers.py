"""The three packages stay layered: notebooks import `aelib` only, `aelib` imports neither
the machinery (`aerun`) nor the report (`aereport`), and the report renders without
training code (no Keras, no TensorFlow)."""

import ast
import json
import subprocess
import sys
from pathlib import Path

from aerun import codehash

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("aelib", "aerun", "aereport")
# What the report may read of the library: published numbers, the profiles, figures and
# plain metrics.
REPORT_MAY_IMPORT = {
    "aelib",
    "aelib.paper",
    "aelib.params",
    "aelib.figures",
    "aelib.evaluation.metrics",
    "aelib.outputs",
    "aelib.outputs.metric_ids",
    "aelib.outputs.labels",
}
# What the machinery may read of the library: the data it hashes into the cache keys.
MACHINERY_MAY_IMPORT = {"aelib", "aelib.datasets"}


def _imports(source: str) -> set[str]:
    """Every module a piece of Python imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _package_imports(package: str) -> dict[str, set[str]]:
    return {
        path.relative_to(ROOT).as_posix(): _imports(path.read_text())
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _top(name: str) -> str:
    return name.split(".")[0]


def test_notebooks_import_the_library_only():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        imported = _imports(codehash.notebook_code(path))
        ours = {m for m in imported if _top(m) in PACKAGES}
        assert ours and all(_top(m) == "aelib" for m in ours), (path.name, sorted(ours))


def test_the_library_imports_neither_the_machinery_nor_the_report():
    for rel, imported in _package_imports("aelib").items():
        bad = sorted(m for m in imported if _top(m) in ("aerun", "aereport"))
        assert not bad, (rel, bad)


def _library_modules(imported: set[str]) -> set[str]:
    """The aelib modules (not names in them) among `imported`."""
    modules = set()
    for name in imported:
        if _top(name) != "aelib":
            continue
        parts = name.split(".")
        base = ROOT.joinpath(*parts)
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            modules.add(name)
    return modules


def test_the_report_reads_the_library_without_training_code():
    for rel, imported in _package_imports("aereport").items():
        library = _library_modules(imported)
        assert library <= REPORT_MAY_IMPORT, (rel, sorted(library - REPORT_MAY_IMPORT))
        assert not {m for m in imported if _top(m) in ("keras", "tensorflow")}, rel
    # ... and what those modules import in turn holds no training code either
    allowed = sorted(ROOT / Path(*m.split(".")) for m in REPORT_MAY_IMPORT)
    for module in allowed:
        path = module.with_suffix(".py") if module.with_suffix(".py").is_file() else module
        source = (path / "__init__.py" if path.is_dir() else path).read_text()
        for dep in codehash.aelib_dependencies(source):
            rel = dep.relative_to(ROOT).as_posix()
            assert not rel.startswith(("aelib/models", "aelib/training")), (module, rel)


def test_the_machinery_reads_only_the_data_layer_of_the_library():
    for rel, imported in _package_imports("aerun").items():
        library = _library_modules(imported)
        assert library <= MACHINERY_MAY_IMPORT, (rel, sorted(library - MACHINERY_MAY_IMPORT))


def test_rendering_the_report_loads_neither_keras_nor_tensorflow():
    code = (
        "import sys, json\n"
        "import aereport, aereport.render, aereport.sections\n"
        "from aereport.sections import SECTIONS\n"
        "print(json.dumps([m for m in ('keras', 'tensorflow') if m in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.splitlines()[-1]) == []


def test_every_package_folder_is_a_regular_package():
    """A folder without __init__.py would be a namespace package: tests/aerun/ would merge
    into aerun, and a non-editable install would leave it out."""
    for package in PACKAGES:
        for folder in [ROOT / package, *(p.parent for p in (ROOT / package).rglob("*.py"))]:
            if folder.name != "__pycache__":
                assert (folder / "__init__.py").is_file(), folder.relative_to(ROOT)
