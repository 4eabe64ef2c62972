"""Cache keys: everything that can change a run's numbers, and nothing that cannot.

A run's inputs (`cache_inputs`) are, in key format `KEY_FORMAT` (4):

- `notebook`: its code cells, normalized (`aerun.codehash`), as a run of its profile
  executes them (`aerun.profilecode`: a branch only another profile takes does not count):
  prose never counts;
- `aelib`: the normalized code of every `aelib` file it imports, followed transitively
  (an imported package by its `__init__.py`): docstrings, comments and formatting never
  count;
- `parameters` (less where the data live), `data` (the pinned array hashes) and
  `packages` (the versions that can change a number);
- `upstream`: the content of the upstream files it actually reads (04's encoder and its
  sidecar for 05; 01's metrics and run_info for 04), not the upstream run's key: an
  upstream run that comes out the same leaves it fresh (early cutoff, as Bazel prunes).

The content of a result file (`content_digest`) is its bytes, except for what records
when or where rather than what: a Keras `.keras` file's save date, zip timestamps and
process-local object ids, an HDF5 file's object times, and the wall-clock `seconds` of a
training history, the timing columns of a CSV table, and the worker ids and datetimes of
an Optuna journal. It is part of the key format: a change to it changes downstream keys,
so it goes with a new `KEY_FORMAT` and a migration.

Format 1 keyed on the raw bytes of the files, on every notebook cell, and on the
upstream run's key. A record in format 1 whose format-1 inputs still match today's is
re-keyed in place (`migrate`): the same bytes give the same numbers, so nothing runs.
Format 2 counted an imported package by every file in its folder, so that a new module
in `aelib/evaluation/` made every notebook importing any of its modules stale; a record
in format 2 whose format-2 inputs still match today's is re-keyed to today's format in place
(`migrated_from_2`). Format 3 counted a notebook's code as written, so that a change to
what only the smoke profile runs made the full report stale; a record in format 3 whose
format-3 inputs still match today's is re-keyed to format 4 in place (`migrated_from_3`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from importlib import metadata
from pathlib import Path

from aerun import codehash, rundirs

KEY_FORMAT = 4
# Formats whose records `run_all --rekey` can prove (`code_inputs` recomputes them).
CODE_FORMATS = (2, 3, 4)

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
# Packages only some notebooks use, {import name: distribution}: a version counts in the
# key of a run whose code (the notebook or an aelib file it depends on) imports it, so
# that adding one to the environment leaves every other run fresh.
IMPORTED_PACKAGES = {
    "optuna": "optuna",
    "kneed": "kneed",
    "art": "adversarial-robustness-toolbox",
    "prdc": "prdc",
}

# Parameters that say where things are on this machine, not what is computed.
MACHINE_PARAMETERS = ("data_dir",)

# Keys of result JSON files that hold wall-clock times: how long, not what.
TIMING_KEYS = frozenset({"seconds", "train_seconds"})
# Keys of an Optuna journal's records that say which process wrote them and when.
JOURNAL_WHO_WHEN = frozenset({"worker_id", "datetime_start", "datetime_complete"})


def package_versions(imports: frozenset[str] | set[str] | None = None) -> dict[str, str]:
    """Versions of the packages that can change a number. TensorFlow counts as one package
    whether it is the CPU build (`tensorflow-cpu`) or the one with CUDA (`tensorflow`): a
    GPU worker with the same version shares the cache keys (its record names its GPU).

    `imports`: the top-level modules a run's code imports; of `IMPORTED_PACKAGES` only
    those count. None counts them all (a worker's environment), () none of them."""
    versions = {}
    optional = [
        dist for module, dist in IMPORTED_PACKAGES.items() if imports is None or module in imports
    ]
    for name in (*TRACKED_PACKAGES, *optional):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        versions["tensorflow" if name == "tensorflow-cpu" else name] = version
    return versions


def data_hashes(names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    from aelib import datasets

    return {name: datasets.array_hashes(name) for name in names}


def cache_key(inputs: dict) -> str:
    return codehash.sha256(json.dumps(inputs, sort_keys=True).encode())


# ---------------------------------------------------------------- result contents


def _without_timings(value):
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _renumber_shared_objects(config):
    """Keras writes `shared_object_id` as the Python id() of an object shared by several
    layers, a number that differs in every process: number them in order of appearance."""
    ids: dict = {}

    def walk(value):
        if isinstance(value, dict):
            return {
                k: ids.setdefault(v, len(ids)) if k == "shared_object_id" else walk(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(config)


def _keras_digest(path: Path) -> str:
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            data = archive.read(name)
            if name == "metadata.json":
                meta = json.loads(data)
                meta.pop("date_saved", None)
                digest = codehash.sha256(json.dumps(meta, sort_keys=True).encode())
            elif name == "config.json":
                config = _renumber_shared_objects(json.loads(data))
                digest = codehash.sha256(json.dumps(config, sort_keys=True).encode())
            elif name.endswith(".h5"):  # the weights: HDF5, with object times of its own
                digest = _h5_digest(io.BytesIO(data))
            else:
                digest = codehash.sha256(data)
            parts.append([name, digest])
    return codehash.sha256(json.dumps(parts).encode())


def _h5_digest(path) -> str:
    """The groups, datasets and attributes of an HDF5 file (a path or a binary file)."""
    import h5py
    import numpy as np

    parts = []

    def attrs(obj):
        return [[k, repr(np.asarray(v).tolist())] for k, v in sorted(obj.attrs.items())]

    with h5py.File(path, "r") as f:
        parts.append(["/", attrs(f)])

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                data = np.asarray(obj[()])
                digest = codehash.sha256(data.tobytes()) if data.dtype.kind != "O" else repr(data)
                parts.append([name, str(data.dtype), list(data.shape), digest, attrs(obj)])
            else:
                parts.append([name, attrs(obj)])

        f.visititems(visit)
    return codehash.sha256(json.dumps(parts).encode())


def content_digest(path: Path) -> str:
    """SHA-256 of what a result file says: its bytes, less save dates and wall times."""
    path = Path(path)
    try:
        if path.suffix == ".keras":
            return _keras_digest(path)
        if path.suffix == ".h5":
            return _h5_digest(path)
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            return codehash.sha256(json.dumps(_without_timings(data), sort_keys=True).encode())
        if path.suffix == ".csv":  # a table: its timing columns say how long, not what
            with open(path, newline="", encoding="utf-8") as handle:
                rows = [_without_timings(row) for row in csv.DictReader(handle)]
            return codehash.sha256(json.dumps(rows, sort_keys=True).encode())
        if path.suffix == ".journal":  # an Optuna study: who wrote each record, and when, not
            records = []  # what (its worker ids hold a process id and a random UUID)
            for line in path.read_text(encoding="utf-8").splitlines():
                record = {k: v for k, v in json.loads(line).items() if k not in JOURNAL_WHO_WHEN}
                records.append(_without_timings(record))
            return codehash.sha256(json.dumps(records, sort_keys=True).encode())
    except (OSError, ValueError, zipfile.BadZipFile, KeyError):
        pass
    return rundirs.file_sha256(path)


# ---------------------------------------------------------------- inputs


def aelib_hash(notebook: Path, aelib_dir: Path, key_format: int = KEY_FORMAT) -> dict[str, str]:
    """`{"aelib/models.py": normalized-code hash}` of every aelib file the notebook imports,
    as key format `key_format` counts them."""
    deps = codehash.aelib_dependencies(
        codehash.notebook_code(notebook), aelib_dir, whole_packages=key_format < 3
    )
    return codehash.sources_fingerprint(aelib_dir, deps)


def notebook_hash(notebook: Path, profile, key_format: int = KEY_FORMAT) -> str:
    """The notebook's code hash as key format `key_format` counts it for a run of
    `profile`: specialized to the profile from format 4 on, as written before."""
    if key_format >= 4 and isinstance(profile, str):
        return codehash.notebook_code_hash(notebook, profile)
    return codehash.notebook_code_hash(notebook)


def upstream_contents(run_dir: Path, reads: tuple[str, ...]) -> dict[str, str] | None:
    """`{file: content_digest}` of the upstream files a notebook reads from `run_dir`.

    None when the upstream run is missing or failed, or when one of those files is
    missing or changed since its run (its record's SHA-256 says so); a file the run did
    not write is None.
    """
    record = rundirs.read_record(run_dir)
    if record is None or rundirs.damage(run_dir, record, frozenset(reads)):
        return None
    # A file the run did not write counts as None: the notebook then reads nothing there.
    return {
        rel: content_digest(run_dir / rel) if rel in record["outputs"] else None for rel in reads
    }


def imported_modules(notebook: Path, aelib_dir: Path | None = None) -> frozenset[str]:
    """The top-level modules a notebook's code and the aelib files it depends on import."""
    code = codehash.notebook_code(notebook)
    files = codehash.aelib_dependencies(code, aelib_dir or codehash.AELIB_DIR)
    return codehash.top_level_imports([code, *(f.read_text() for f in files)])


def cache_inputs(
    spec,
    parameters: dict,
    runs_dir: Path,
    *,
    notebook_path: Path | None = None,
    aelib_dir: Path | None = None,
    versions: dict | None = None,
) -> dict:
    """Everything that determines a notebook's results, as plain data (format 3)."""
    path = notebook_path or spec.path
    return {
        "format": KEY_FORMAT,
        "notebook": notebook_hash(path, parameters.get("profile")),
        "aelib": aelib_hash(path, aelib_dir or codehash.AELIB_DIR),
        # Where the data are cached does not change a number (their hashes are below).
        "parameters": {k: v for k, v in parameters.items() if k not in MACHINE_PARAMETERS},
        "data": data_hashes(spec.datasets),
        "packages": (
            versions
            if versions is not None
            else package_versions(imported_modules(path, aelib_dir))
        ),
        "upstream": {
            nb: upstream_contents(runs_dir / nb, spec.reads_from(nb)) for nb in spec.depends_on
        },
    }


def code_only_change(old: dict | None, new: dict) -> bool:
    """Whether two inputs differ, and only in the notebook's or aelib's code (the old ones
    in a format `run_all --rekey` can reproduce: `CODE_FORMATS`)."""
    if not old or old.get("format") not in CODE_FORMATS or old == new:
        return False
    code = ("format", "notebook", "aelib")
    return all(old.get(part) == new.get(part) for part in new if part not in code)


def what_changed(old: dict | None, new: dict) -> str:
    """Which input of a run changed, in words: "aelib/training.py changed"."""
    if not old:
        return "no record of its inputs"
    changed = []
    if old.get("format", 1) != new.get("format", 1):
        changed.append(f"recorded under key format {old.get('format', 1)}")
    if old.get("notebook") != new["notebook"]:
        changed.append("the notebook's code changed")
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
    old_up = old.get("upstream") or {}
    for nb, contents in new["upstream"].items():
        before = old_up.get(nb)
        if before == contents:
            continue
        if contents is None:
            changed.append(f"upstream {nb} has no usable results")
        elif isinstance(before, dict):
            files = sorted(f for f in {*before, *contents} if before.get(f) != contents.get(f))
            changed.append(f"upstream {nb}'s {', '.join(files)} changed")
        else:
            changed.append(f"upstream {nb} changed")
    return "; ".join(changed) or "its inputs changed"


# ---------------------------------------------------------------- format 1


def format1_upstream_fingerprint(run_dir: Path, reads: tuple[str, ...]) -> str | None:
    """Format 1's view of an upstream run: its format-1 key and its result hashes."""
    record = rundirs.read_record(run_dir)
    if record is None or rundirs.damage(run_dir, record, frozenset(reads)):
        return None
    key = record["key"] if "format" not in (record.get("inputs") or {}) else record.get("key_v1")
    if key is None:
        return None
    return codehash.sha256(json.dumps([key, record["outputs"]], sort_keys=True).encode())


def format1_inputs(spec, parameters: dict, runs_dir: Path, aelib_dir: Path) -> dict:
    """Today's inputs as format 1 computed them: raw bytes, every cell, upstream keys."""
    path = spec.path
    return {
        "notebook": codehash.notebook_text_hash(path),
        "aelib": {
            p.relative_to(aelib_dir.parent).as_posix(): rundirs.file_sha256(p)
            for p in codehash.aelib_dependencies(
                codehash.notebook_code(path), aelib_dir, whole_packages=True
            )
        },
        "parameters": {k: v for k, v in parameters.items() if k not in MACHINE_PARAMETERS},
        "data": data_hashes(spec.datasets),
        "packages": package_versions(()),  # format 1 tracked no optional package
        "upstream": {
            nb: format1_upstream_fingerprint(runs_dir / nb, spec.reads_from(nb))
            for nb in spec.depends_on
        },
    }


def migrated_from_2(record: dict, spec, inputs: dict, when: str):
    """A format-2 record re-keyed to today's format, or None when its inputs no longer
    match: today's inputs counted as format 2 counted them must give its key."""
    old = {
        **inputs,
        "format": 2,
        "notebook": notebook_hash(spec.path, None, 2),
        "aelib": aelib_hash(spec.path, codehash.AELIB_DIR, 2),
    }
    if cache_key(old) != record.get("key"):
        return None
    return _rekeyed(
        record, inputs, f"key format 2 -> {KEY_FORMAT} (the same code as recorded)", when
    )


def migrated_from_3(record: dict, spec, inputs: dict, when: str):
    """A format-3 record re-keyed to format 4, or None when its inputs no longer match:
    today's inputs with the notebook counted as written (format 3) must give its key."""
    old = {**inputs, "format": 3, "notebook": notebook_hash(spec.path, None, 3)}
    if cache_key(old) != record.get("key"):
        return None
    return _rekeyed(record, inputs, "key format 3 -> 4 (the same code as recorded)", when)


def _rekeyed(record: dict, inputs: dict, how: str, when: str) -> dict:
    new = dict(record)
    new.update(
        key=cache_key(inputs),
        inputs=inputs,
        rekeyed=[*record.get("rekeyed", []), {"how": how, "when": when}],
    )
    return new


def migrated(record: dict, spec, parameters: dict, runs_dir: Path, inputs: dict, when: str):
    """A format-1 record re-keyed to today's format, or None when its inputs no longer match.

    `inputs` are today's inputs. The format-1 key is kept as `key_v1` (what a
    downstream format-1 record saw of this run), and `page_source` as the notebook text
    its page shows.
    """
    old = format1_inputs(spec, parameters, runs_dir, codehash.AELIB_DIR)
    if cache_key(old) != record.get("key") or cache_key(record.get("inputs") or {}) != record.get(
        "key"
    ):
        return None
    new = dict(record)
    new.update(
        key=cache_key(inputs),
        inputs=inputs,
        key_v1=record["key"],
        page_source=old["notebook"],
        keyed_at=(record.get("host") or {}).get("git_commit"),
        keyed_dirty=(record.get("host") or {}).get("git_dirty"),
        rekeyed=[
            *record.get("rekeyed", []),
            {"how": f"key format 1 -> {KEY_FORMAT} (the same bytes as recorded)", "when": when},
        ],
    )
    return new
