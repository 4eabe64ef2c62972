"""Where a run stands: fresh, stale (and why), or re-keyable; decided without executing.

`check` compares a run's record with its inputs today (`aerun.cachekeys`). On the way it
keeps fresh runs fresh: a record in an older key format whose inputs still match is
re-keyed in place (`cachekeys.migrated`, `migrated_from_2`, `migrated_from_3`), and a fresh run
whose notebook prose changed gets the new prose on its page (`aereport.prose`). With
`write=False` (`run_all --dry-run`) it says what it would do and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aerun import cachekeys, codehash, pipeline, rundirs


@dataclass
class RunState:
    """A run's inputs today and how its record compares with them."""

    parameters: dict
    inputs: dict
    key: str
    record: dict | None
    # Why its results are out of date; None when fresh.
    stale: str | None
    # Stale only because of aelib or notebook code: `run_all --rekey` may prove it.
    rekeyable: bool = False
    # What keeping it fresh did (or, with write=False, would do).
    notes: list[str] = field(default_factory=list)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def check(spec, parameters: dict, run_dir: Path, *, write: bool = True) -> RunState:
    """The state of the run of `spec` with `parameters` in `run_dir` (see the module)."""
    inputs = cachekeys.cache_inputs(spec, parameters, run_dir.parent)
    key = cachekeys.cache_key(inputs)
    record = rundirs.read_record(run_dir)
    if record is None:
        unreadable = (run_dir / rundirs.RECORD).exists()
        why = "its record run.json is unreadable" if unreadable else "never ran"
        return RunState(parameters, inputs, key, None, why)
    damaged = rundirs.damage(run_dir, record, pipeline.needed_downstream(spec.name))
    if damaged:
        return RunState(parameters, inputs, key, record, "; ".join(damaged))
    state = RunState(parameters, inputs, key, record, None)
    if record.get("key") != key and "format" not in (record.get("inputs") or {}):
        new = cachekeys.migrated(record, spec, parameters, run_dir.parent, inputs, now())
        if new is not None:
            state.record = record = new
            state.notes.append(
                f"its record goes from key format 1 to {cachekeys.KEY_FORMAT}: inputs as recorded"
            )
            if write:
                rundirs.write_json_atomic(run_dir / rundirs.RECORD, new)
    for old_format, migrate in ((2, cachekeys.migrated_from_2), (3, cachekeys.migrated_from_3)):
        if record.get("key") == key or (record.get("inputs") or {}).get("format") != old_format:
            continue
        new = migrate(record, spec, inputs, now())
        if new is not None:
            state.record = record = new
            state.notes.append(
                f"its record goes from key format {old_format} to {cachekeys.KEY_FORMAT}: "
                "the code as recorded"
            )
            if write:
                rundirs.write_json_atomic(run_dir / rundirs.RECORD, new)
    if record.get("key") != key:
        state.stale = cachekeys.what_changed(record.get("inputs"), inputs)
        state.rekeyable = cachekeys.code_only_change(record.get("inputs"), inputs)
        return state
    text = codehash.notebook_text_hash(spec.path)
    if record.get("page_source") != text:
        state.notes.append("its page takes the notebook's new prose")
        if write:
            refresh_prose(spec, run_dir, record, text)
    return state


def refresh_prose(spec, run_dir: Path, record: dict, text: str) -> None:
    """Give a fresh run's page the notebook's current markdown; note it in the record."""
    from aereport.prose import PageMismatch, merge_prose

    page = run_dir / rundirs.PAGE
    if page.is_file():
        try:
            merge_prose(page, spec.path)
        except (PageMismatch, OSError, ValueError) as exc:
            print(f"warning: {spec.name}: its page keeps its old prose ({exc})", flush=True)
            return
    record["page_source"] = text
    rundirs.write_json_atomic(run_dir / rundirs.RECORD, record)
