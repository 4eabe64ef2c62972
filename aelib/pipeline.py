"""The notebook pipeline behind `run_all.py`: registry, cache keys and execution.

A notebook is executed again only when one of its inputs changed since its last
successful run. Its inputs are: its own source cells, the source of the `aelib` modules
it imports (followed transitively), its parameters, the pinned data hashes, the installed
package versions, and the outputs of the notebooks it depends on.
"""

from __future__ import annotations

import ast
import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat

from aelib import rundirs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
AELIB_DIR = Path(__file__).resolve().parent

# Packages whose versions can change a number in the report.
TRACKED_PACKAGES = (
    "tensorflow-cpu",
    "tensorflow",
    "keras",
    "numpy",
    "h5py",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "ipykernel",
)


# Parameters that say where things are on this machine, not what is computed.
MACHINE_PARAMETERS = ("data_dir",)


@dataclass(frozen=True)
class NotebookSpec:
    """One experiment notebook and how it connects to the others.

    `upstream` maps a parameter of this notebook to (notebook, path inside that
    notebook's run directory): run_all passes the path, and the upstream run's outputs
    become part of this notebook's cache key.
    """

    name: str
    title: str
    datasets: tuple[str, ...]
    upstream: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Parameters for every seed but the first: investigations that run once per report.
    later_seed_parameters: dict = field(default_factory=dict)
    # The profiles (`aelib.params.PROFILES`) that run this notebook; a notebook wholly
    # beyond the paper leaves out "paper".
    profiles: tuple[str, ...] = ("full", "paper", "smoke")

    def runs_in(self, profile: str) -> bool:
        """Whether `run_all --profile <profile>` runs this notebook."""
        return profile in self.profiles

    @property
    def path(self) -> Path:
        return NOTEBOOK_DIR / f"{self.name}.ipynb"

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(nb for nb, _ in self.upstream.values()))


NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec("01_baseline_autoencoder", "Baseline convolutional autoencoder", ("mnist",)),
    NotebookSpec(
        "02_latent_sweep",
        "Latent dimension sweep",
        ("mnist",),
        later_seed_parameters={"latent2_variants": []},
    ),
    NotebookSpec("03_denoising", "Denoising autoencoder", ("mnist",)),
    NotebookSpec(
        "04_improved_autoencoder",
        "Improved convolutional autoencoder",
        ("mnist",),
        upstream={"baseline_dir": ("01_baseline_autoencoder", ".")},
    ),
    NotebookSpec(
        "05_fashion_transfer",
        "Fashion-MNIST reconstruction and transfer learning",
        ("mnist", "fashion_mnist"),
        upstream={"encoder_path": ("04_improved_autoencoder", "models/encoder.keras")},
    ),
    NotebookSpec(
        "06_variational_autoencoder",
        "Variational autoencoder",
        ("mnist", "fashion_mnist"),
        # The paper names VAEs only as future work (section 5.2): not in its profile.
        profiles=("full", "smoke"),
    ),
)
BY_NAME = {spec.name: spec for spec in NOTEBOOKS}


def select(only: list[str] | None, profile: str | None = None) -> list[NotebookSpec]:
    """The notebooks to run, in dependency order; `only` accepts names or number prefixes.

    With `profile`, only the notebooks that run in it (`NotebookSpec.runs_in`): without
    `only` the others are left out; a notebook named in `only` that does not run in
    `profile` is a ValueError naming the profiles that run it.
    """
    if not only:
        return [s for s in NOTEBOOKS if profile is None or s.runs_in(profile)]
    chosen = set()
    for item in only:
        matches = [
            s.name for s in NOTEBOOKS if s.name == item or s.name.split("_")[0] == item.zfill(2)
        ]
        if not matches:
            valid = ", ".join(s.name for s in NOTEBOOKS)
            raise ValueError(f"unknown notebook {item!r}: use a name or number of: {valid}")
        for name in matches:
            spec = BY_NAME[name]
            if profile is not None and not spec.runs_in(profile):
                raise ValueError(
                    f"{name} does not run in profile {profile!r} (it goes beyond the paper); "
                    f"use --profile {' or '.join(spec.profiles)}"
                )
        chosen.update(matches)
    return [s for s in NOTEBOOKS if s.name in chosen]


# ---------------------------------------------------------------- cache keys


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def notebook_source_hash(path: Path) -> str:
    """Hash of the cells' types and sources only: outputs and metadata don't count."""
    nb = nbformat.read(path, as_version=4)
    cells = [[c.cell_type, c.source] for c in nb.cells]
    return _sha256(json.dumps(cells).encode())


def _imported_aelib_modules(source: str) -> set[str]:
    """Names of `aelib` modules imported by Python source, e.g. {"aelib.models"}."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {"aelib"}
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
            found.add("aelib")  # relative imports inside aelib: resolved by the caller
    return found


def _module_files(module: str, aelib_dir: Path) -> list[Path]:
    parts = module.split(".")[1:]
    base = aelib_dir.joinpath(*parts)
    if base.with_suffix(".py").is_file():
        return [base.with_suffix(".py")]
    if base.is_dir():
        return sorted(base.rglob("*.py"))
    return []


def aelib_dependencies(source: str, aelib_dir: Path = AELIB_DIR) -> list[Path]:
    """Every `aelib` file a piece of code depends on, following imports transitively.

    `aelib/__init__.py` always counts, since any `aelib` import runs it.
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
            _module_files(module, aelib_dir) if module != "aelib" else [aelib_dir / "__init__.py"]
        )
        for path in paths:
            if path in files or not path.is_file():
                continue
            files.add(path)
            text = path.read_text()
            pending.extend(_imported_aelib_modules(text))
            tree = ast.parse(text)
            package = ".".join(["aelib", *path.relative_to(aelib_dir).with_suffix("").parts[:-1]])
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level:
                    target = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    mod = f"{target}.{node.module}" if node.module else target
                    pending.append(mod)
                    pending.extend(f"{mod}.{a.name}" for a in node.names)
    return sorted(files)


def aelib_hash(notebook: Path, aelib_dir: Path = AELIB_DIR) -> dict[str, str]:
    nb = nbformat.read(notebook, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    return {
        str(p.relative_to(aelib_dir.parent)): _sha256(p.read_bytes())
        for p in aelib_dependencies(code, aelib_dir)
    }


def package_versions() -> dict[str, str]:
    """Versions of the packages that can change a number. TensorFlow counts as one package
    whether it is the CPU build (`tensorflow-cpu`) or the one with CUDA (`tensorflow`): a
    GPU worker with the same version shares the cache keys (its record names its GPU)."""
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        versions["tensorflow" if name == "tensorflow-cpu" else name] = version
    return versions


def data_hashes(names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    from aelib import datasets

    return {name: datasets.array_hashes(name) for name in names}


MODEL_SUFFIXES = (".keras", ".h5")


def needed_downstream(name: str) -> frozenset[str]:
    """Result files of notebook `name` that other notebooks read (e.g. 04's encoder).

    A model comes with its provenance sidecar (`models/encoder.json`, `aelib.saving`): the
    notebook that loads it checks the profile and seed there, and without it would refuse
    the model, or train its own.
    """
    needed = set()
    for spec in NOTEBOOKS:
        for upstream, rel in spec.upstream.values():
            if upstream != name or rel in (".", ""):
                continue
            needed.add(rel)
            if rel.endswith(MODEL_SUFFIXES):
                needed.add(str(Path(rel).with_suffix(".json")))
    return frozenset(needed)


def upstream_fingerprint(run_dir: Path) -> str | None:
    """What downstream notebooks see of an upstream run: its cache key and the hashes of
    its result files. None when the run is missing, failed or damaged."""
    record = rundirs.read_record(run_dir)
    if record is None or rundirs.damage(run_dir, record, needed_downstream(run_dir.name)):
        return None
    return _sha256(json.dumps([record["key"], record["outputs"]], sort_keys=True).encode())


def cache_inputs(
    spec: NotebookSpec,
    parameters: dict,
    runs_dir: Path,
    *,
    notebook_path: Path | None = None,
    aelib_dir: Path = AELIB_DIR,
    versions: dict | None = None,
) -> dict:
    """Everything that determines a notebook's results, as plain data."""
    path = notebook_path or spec.path
    return {
        "notebook": notebook_source_hash(path),
        "aelib": aelib_hash(path, aelib_dir),
        # Where the data are cached does not change a number (their hashes are below).
        "parameters": {k: v for k, v in parameters.items() if k not in MACHINE_PARAMETERS},
        "data": data_hashes(spec.datasets),
        "packages": versions if versions is not None else package_versions(),
        "upstream": {nb: upstream_fingerprint(runs_dir / nb) for nb in spec.depends_on},
    }


def cache_key(inputs: dict) -> str:
    return _sha256(json.dumps(inputs, sort_keys=True).encode())


def what_changed(old: dict | None, new: dict) -> str:
    """Which input of a run changed, in words: "aelib/training.py changed"."""
    if not old:
        return "no record of its inputs"
    changed = []
    if old.get("notebook") != new["notebook"]:
        changed.append("the notebook changed")
    old_files, new_files = old.get("aelib") or {}, new["aelib"]
    files = sorted(f for f in {*old_files, *new_files} if old_files.get(f) != new_files.get(f))
    if files:
        more = " and others" if len(files) > 3 else ""
        changed.append(", ".join(files[:3]) + more + " changed")
    for part, words in (
        ("parameters", "its parameters changed"),
        ("data", "the data changed"),
        ("packages", "package versions changed"),
    ):
        if old.get(part) != new[part]:
            changed.append(words)
    ups = [nb for nb, fp in new["upstream"].items() if (old.get("upstream") or {}).get(nb) != fp]
    if ups:
        changed.append("upstream " + ", ".join(ups) + " changed")
    return "; ".join(changed) or "its inputs changed"


# ---------------------------------------------------------------- execution


@dataclass
class RunResult:
    name: str
    title: str
    status: str  # ok | cached | failed | skipped
    wall_s: float | None = None
    error: dict | None = None
    out_dir: str = ""
    notebook_html: str | None = None
    seed: int | None = None
    # Why cached results are out of date ("aelib/training.py changed"); None when fresh.
    stale: str | None = None
    # A failed attempt kept beside good results: {"page", "error", "finished"}; the
    # numbers shown then come from the earlier run that finished at `results_from`.
    last_attempt: dict | None = None
    results_from: str | None = None
    host: dict | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def describe_failure(exc: BaseException) -> dict:
    """The failing cell and error of a papermill / nbclient exception, as plain data."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    cell = getattr(exc, "exec_count", None)
    traceback = getattr(exc, "traceback", None)
    if isinstance(traceback, list):
        traceback = "\n".join(traceback)
    hint = ""
    if ename in ("ModuleNotFoundError", "ImportError"):
        hint = (
            "A package is missing in the kernel's environment: "
            "run `make env` or `pip install -e .`."
        )
    elif type(exc).__name__ in ("CellTimeoutError", "TimeoutError"):
        hint = (
            "A cell ran longer than --timeout: raise it, or use --profile smoke to check quickly."
        )
    elif type(exc).__name__ == "DeadKernelError":
        hint = "The kernel died (often out of memory): see the notebook's log."
    return {
        "cell": cell,
        "ename": ename,
        "evalue": str(evalue)[:2000],
        "traceback": _strip_ansi(traceback or "")[-4000:],
        "hint": hint,
    }


def cell_summary(executed: Path, number: int) -> str:
    """ "4 of 12 (first line)" for cell `number` (1-based, as in papermill's log)."""
    try:
        cells = nbformat.read(executed, as_version=4).cells
        first = next((ln for ln in cells[number - 1].source.splitlines() if ln.strip()), "")
    except Exception:  # noqa: BLE001 - a half-written notebook: the number alone
        return str(number)
    return f"{number} of {len(cells)} ({first[:80]})"


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def check_kernel(kernel_name: str = "python3") -> None:
    """Fail early, with the fix, when the Jupyter kernel cannot start here."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise RuntimeError(
            f"Jupyter kernel {kernel_name!r} not found. Install it into this environment: "
            "`pip install ipykernel && python -m ipykernel install --user`, or run `make report`."
        ) from exc


def elapsed(start: float) -> float:
    return round(time.monotonic() - start, 1)
