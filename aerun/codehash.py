"""Hashes of code that count what can change a number, and nothing else.

A module counts by its normalized code: the `ast.dump` of its syntax tree with the
docstrings of the module, its classes and functions removed. Comments, docstrings,
blank lines, line breaks and quoting style never reach the tree, so they never make a
run stale; a renamed variable, a new argument or a changed constant does. No code in
`aelib` reads `__doc__` (a test keeps it so), which is what makes dropping docstrings
safe. A notebook counts by its code cells only, each normalized the same way (a cell
papermill or IPython would parse differently, with `%magic` or `!shell` lines, counts by
its text).

The same functions give the cache keys (`aerun.cachekeys`) and the fingerprint a Dask
worker is checked against (`aerun.cluster.environment_fingerprint`), so the two can
never disagree on what "the same aelib sources" means. `functions` splits a module into
its functions and methods, for `run_all --rekey` to tell which ones changed.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import threading
from pathlib import Path

import nbformat

from aerun import profilecode

ROOT = Path(__file__).resolve().parents[1]


def package_dir(name: str) -> Path:
    """The folder of the package `name` as this Python imports it (found, not imported:
    importing aelib would configure TensorFlow's logging); `ROOT / name` when absent. A
    worker started with another aelib first on its path counts that one."""
    spec = importlib.util.find_spec(name)
    locations = list(spec.submodule_search_locations or ()) if spec else []
    return Path(locations[0]).resolve() if locations else ROOT / name


# What the notebooks import; their cache keys count its files.
AELIB_DIR = package_dir("aelib")
# Every package a worker runs: the library, this machinery and the report.
PACKAGE_DIRS = (AELIB_DIR, package_dir("aerun"), package_dir("aereport"))
# CPython 3.11's parser is not safe in several threads at once ("AST constructor recursion
# depth mismatch"): run_all's Dask workers are threads of one process.
_PARSE_LOCK = threading.RLock()
# What is read off a text, keyed by the SHA-256 of that text: the same bytes are parsed
# once per process, however many runs, keys and fingerprints ask (run_all checks every run
# of every seed, and each check follows a notebook's imports through the same files). A
# key holds the content, so an edited file is never served from here.
# {SHA-256 of a file's bytes: its normalized hash}
_MODULE_HASHES: dict[str, str] = {}
# {(SHA-256 of a source, the package it lies in): the aelib modules it imports}
_AELIB_IMPORTS: dict[tuple[str, str | None], frozenset[str]] = {}
# {SHA-256 of a source: the top-level names it imports}
_TOP_LEVEL_IMPORTS: dict[str, frozenset[str]] = {}
# {SHA-256 of a notebook file's bytes: (its code cells, the text of every cell)}
_NOTEBOOK_CELLS: dict[str, tuple[list[str], list[list[str]], int | None]] = {}
# {(SHA-256 of a notebook file's bytes, the profile or None): its code hash}
_NOTEBOOK_HASHES: dict[tuple[str, str | None], str] = {}
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse(source: str) -> ast.Module:
    with _PARSE_LOCK:
        return ast.parse(source)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def strip_docstrings(tree: ast.AST) -> ast.AST:
    """`tree` without the docstrings of its module, classes and functions (in place)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, *_DEFS)) and node.body and _is_docstring(node.body[0]):
            node.body = node.body[1:] or [ast.Pass()]
    return tree


def normalized(source: str, *, docstrings: bool = False) -> str:
    """The code of `source` as `ast.dump` (no positions), docstrings dropped unless asked.

    Raises SyntaxError for source that does not parse.
    """
    with _PARSE_LOCK:
        tree = _parse(source)
        if not docstrings:
            strip_docstrings(tree)
        return ast.dump(tree, include_attributes=False)


def module_hash(path: Path) -> str:
    """SHA-256 of a Python file's normalized code; of its bytes when it does not parse."""
    data = Path(path).read_bytes()
    raw = sha256(data)
    if raw not in _MODULE_HASHES:
        try:
            _MODULE_HASHES[raw] = sha256(normalized(data.decode()).encode())
        except (SyntaxError, UnicodeDecodeError, ValueError):
            _MODULE_HASHES[raw] = raw
    return _MODULE_HASHES[raw]


def sources_fingerprint(aelib_dir: Path, files=None) -> dict[str, str]:
    """`{"aelib/models.py": module_hash, ...}` of `files` (default: every `.py` under
    `aelib_dir`), named relative to the folder above `aelib_dir`."""
    aelib_dir = Path(aelib_dir)
    paths = sorted(aelib_dir.rglob("*.py")) if files is None else sorted(files)
    return {p.relative_to(aelib_dir.parent).as_posix(): module_hash(p) for p in paths}


def _cell_code(source: str) -> str:
    try:
        # A cell's own docstring-like string is shown as its output: it stays.
        return normalized(source, docstrings=True)
    except SyntaxError:
        return source.strip()


def _notebook_cells(path: Path) -> tuple[list[str], list[list[str]], int | None]:
    """`(the source of each code cell, [type, source] of every cell, the index among the
    code cells of the first one tagged "parameters" or None)` of a notebook file."""
    data = Path(path).read_bytes()
    raw = sha256(data)
    if raw not in _NOTEBOOK_CELLS:
        nb = nbformat.reads(data.decode(), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        tagged = [i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
        _NOTEBOOK_CELLS[raw] = (
            [c.source for c in code],
            [[c.cell_type, c.source] for c in nb.cells],
            tagged[0] if tagged else None,  # papermill injects after the first one
        )
    return _NOTEBOOK_CELLS[raw]


def notebook_code_hash(path: Path, profile: str | None = None) -> str:
    """Hash of a notebook's code cells, normalized: prose, outputs and metadata don't count.

    With `profile` (key format 4), of the code a run of that profile executes
    (`aerun.profilecode`): each cell's tree, specialized, with its `%magic` and `!shell`
    lines as their text; without (formats 2 and 3), of each cell as written."""
    raw = sha256(Path(path).read_bytes())
    key = (raw, profile)
    if key not in _NOTEBOOK_HASHES:
        sources, _, parameters_cell = _notebook_cells(path)
        code = None
        if profile is not None:
            with _PARSE_LOCK:
                code = profilecode.specialized_cells(sources, profile, parameters_cell)
        if code is None:  # format 3, or a cell that does not parse
            code = [_cell_code(source) for source in sources]
        _NOTEBOOK_HASHES[key] = sha256(json.dumps(code).encode())
    return _NOTEBOOK_HASHES[key]


def notebook_text_hash(path: Path) -> str:
    """Hash of every cell's type and text, markdown included: what a page shows."""
    return sha256(json.dumps(_notebook_cells(path)[1]).encode())


def functions(source: str) -> dict[str, tuple[str, int | None]]:
    """`{qualified name: (normalized code, first executable line)}` of a module's parts.

    The parts are its functions and methods (nested functions count with the function
    around them) and `<module>` and `<Class>` for the statements that run at import.
    The line is that of the first statement after the docstring, for coverage to tell
    whether the part ran; None for an import-time part (it ran when the module was
    imported).
    """
    with _PARSE_LOCK:
        tree = _parse(source)
    parts: dict[str, tuple[str, int | None]] = {}

    def body_line(node) -> int | None:
        body = node.body[1:] if node.body and _is_docstring(node.body[0]) else node.body
        return body[0].lineno if body else node.lineno

    def visit(body, prefix: str, owner: str) -> None:
        rest = []
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                clean = strip_docstrings(_parse(ast.unparse(node)))
                parts[prefix + node.name] = (ast.dump(clean), body_line(node))
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.", f"{prefix}{node.name}")
                header = ast.ClassDef(
                    name=node.name,
                    bases=node.bases,
                    keywords=node.keywords,
                    body=[],
                    decorator_list=node.decorator_list,
                    type_params=getattr(node, "type_params", []),
                )
                rest.append(header)
            elif not _is_docstring(node) or rest:
                rest.append(node)
        parts[f"<{owner}>"] = (ast.dump(ast.Module(body=rest, type_ignores=[])), None)

    visit(tree.body, "", "module")
    return parts


# ---------------------------------------------------------------- what a notebook imports


def notebook_code(path: Path) -> str:
    """A notebook's code cells as one Python text, without `%magic` and `!shell` lines."""
    code = "\n".join(_notebook_cells(path)[0])
    return "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))


def _imported_aelib_modules(source: str, package: str | None = None) -> frozenset[str]:
    """Names of `aelib` modules imported by Python source, e.g. {"aelib.models"}.

    `package`: the package the source lies in (`"aelib.evaluation"` for a file of that
    folder), to resolve its relative imports; without it a relative import counts as
    `aelib` itself."""
    key = (sha256(source.encode()), package)
    if key in _AELIB_IMPORTS:
        return _AELIB_IMPORTS[key]
    try:
        tree = _parse(source)
    except SyntaxError:
        return frozenset({"aelib"})
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "aelib")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "aelib":
                continue
            found.add(node.module)
            # `from aelib import models` imports the submodule aelib.models.
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.add("aelib")
            if package is not None:
                up = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{up}.{node.module}" if node.module else up
                found.add(mod)
                found.update(f"{mod}.{a.name}" for a in node.names)
    _AELIB_IMPORTS[key] = frozenset(found)
    return _AELIB_IMPORTS[key]


def top_level_imports(sources) -> frozenset[str]:
    """The top-level names of every absolute import in the given Python sources
    (`import art.attacks` and `from art import x` give "art")."""
    found = set()
    for source in sources:
        key = sha256(source.encode())
        if key not in _TOP_LEVEL_IMPORTS:
            names = set()
            try:
                tree = _parse(source)
            except SyntaxError:
                tree = ast.Module(body=[], type_ignores=[])
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
            _TOP_LEVEL_IMPORTS[key] = frozenset(names)
        found |= _TOP_LEVEL_IMPORTS[key]
    return frozenset(found)


def _module_files(module: str, aelib_dir: Path, whole_packages: bool = False) -> list[Path]:
    parts = module.split(".")[1:]
    base = aelib_dir.joinpath(*parts)
    if base.with_suffix(".py").is_file():
        return [base.with_suffix(".py")]
    if whole_packages and base.is_dir():
        return sorted(base.rglob("*.py"))  # key formats 1 and 2: every file in its folder
    if (base / "__init__.py").is_file():
        return [base / "__init__.py"]  # importing a package runs its __init__ only
    return []


def aelib_dependencies(
    source: str, aelib_dir: Path = AELIB_DIR, *, whole_packages: bool = False
) -> list[Path]:
    """Every `aelib` file a piece of code depends on, following imports transitively.

    `aelib/__init__.py` always counts, since any `aelib` import runs it. An imported
    package counts by its `__init__.py` and what that imports; with `whole_packages` (key
    formats 1 and 2) by every file in its folder.
    """
    files: set[Path] = set()
    pending = list(_imported_aelib_modules(source)) + ["aelib"]
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        paths = (
            _module_files(module, aelib_dir, whole_packages)
            if module != "aelib"
            else [aelib_dir / "__init__.py"]
        )
        for path in paths:
            if path in files or not path.is_file():
                continue
            files.add(path)
            package = ".".join(["aelib", *path.relative_to(aelib_dir).with_suffix("").parts[:-1]])
            pending.extend(_imported_aelib_modules(path.read_text(), package))
    return sorted(files)
