"""The notebook pipeline behind `run_all.py`: registry, cache keys and execution.

A notebook is executed again only when one of its inputs changed since its last
successful run. Its inputs (`aerun.cachekeys`) are: its code cells, the code of the
`aelib` modules it imports (followed transitively), its parameters, the pinned data
hashes, the installed package versions, and the upstream result files it reads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from aerun import cachekeys, codehash

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
AELIB_DIR = codehash.AELIB_DIR

MODEL_SUFFIXES = (".keras", ".h5")

# The cache keys live in aerun.cachekeys; run_all reads them through here.
TRACKED_PACKAGES = cachekeys.TRACKED_PACKAGES
MACHINE_PARAMETERS = cachekeys.MACHINE_PARAMETERS
cache_inputs = cachekeys.cache_inputs
cache_key = cachekeys.cache_key
what_changed = cachekeys.what_changed
package_versions = cachekeys.package_versions
data_hashes = cachekeys.data_hashes
aelib_dependencies = codehash.aelib_dependencies
notebook_code = codehash.notebook_code


@dataclass(frozen=True)
class NotebookSpec:
    """One experiment notebook and how it connects to the others.

    `upstream` maps a parameter of this notebook to (notebook, path inside that
    notebook's run directory): run_all passes the path. The upstream files the notebook
    reads (`reads_from`) become part of its cache key and are all a worker is sent: a
    path to a file reads that file (and a model's provenance sidecar with it); a path to
    a folder reads the files `reads` lists for that notebook.
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
    # {upstream notebook: files read from its run directory} where `upstream` names a folder.
    reads: dict = field(default_factory=dict)

    def runs_in(self, profile: str) -> bool:
        """Whether `run_all --profile <profile>` runs this notebook."""
        return profile in self.profiles

    @property
    def path(self) -> Path:
        return NOTEBOOK_DIR / f"{self.name}.ipynb"

    def reads_from(self, upstream: str) -> tuple[str, ...]:
        """The files of `upstream`'s run directory this notebook reads, sorted.

        A model comes with its provenance sidecar (`models/encoder.json`, `aelib.outputs.saving`):
        the notebook that loads it checks the profile and seed there.
        """
        files = set(self.reads.get(upstream, ()))
        for nb, rel in self.upstream.values():
            if nb == upstream and rel not in (".", ""):
                files.add(rel)
                if rel.endswith(MODEL_SUFFIXES):
                    files.add(str(Path(rel).with_suffix(".json")))
        return tuple(sorted(files))

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
        # results.upstream_results_problem checks run_info; the side-by-side reads metrics.
        reads={"01_baseline_autoencoder": ("metrics.json", "run_info.json")},
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
    NotebookSpec(
        "07_generative_models",
        "Generative models compared, and synthetic images with few labels",
        ("mnist", "fashion_mnist"),
        # The first seed alone trains every generator longer (the report's check of whether
        # training length decides the generative verdicts).
        later_seed_parameters={"long_training_factor": 1},
        # The paper names GANs and augmentation only as future work (section 5.2).
        profiles=("full", "smoke"),
    ),
    NotebookSpec(
        "08_robustness_and_search",
        "Adversarial robustness and a search of the code size",
        ("mnist", "fashion_mnist"),
        # The paper names both only as future work (section 5.2): not in its profile.
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


def needed_downstream(name: str) -> frozenset[str]:
    """Result files of notebook `name` that other notebooks read (e.g. 04's encoder)."""
    return frozenset(f for spec in NOTEBOOKS for f in spec.reads_from(name))


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
    # The proven re-keys of its record (run_all --rekey): its code changed, its numbers not.
    rekeyed: list | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def describe_failure(exc: BaseException, *, profile: str | None = None) -> dict:
    """The failing cell and error of a papermill / nbclient exception, as plain data.

    `cell` is the failing cell's 1-based position in the executed notebook (the injected
    parameters cell included), the numbering of the progress lines and of papermill's log;
    the caller makes it "23 of 25 (first line)" with `cell_summary`.
    """
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    index = getattr(exc, "cell_index", None)
    cell = index + 1 if isinstance(index, int) else None
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
        hint = "A cell ran longer than --timeout: raise it" + (
            "." if profile == "smoke" else ", or use --profile smoke to check quickly."
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
        cells = [
            c  # without the error cells papermill adds to a failed notebook
            for c in nbformat.read(executed, as_version=4).cells
            if "papermill-error-cell-tag" not in c.metadata.get("tags", [])
        ]
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
