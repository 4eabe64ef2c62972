"""Run directories: hashed outputs, the swap that never loses a good run, recovery."""

import os

import pytest

from aerun import rundirs


def _run(path, files):
    path.mkdir(parents=True)
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    return path


def test_outputs_are_hashed_without_run_alls_own_files(tmp_path):
    run = _run(
        tmp_path / "r",
        {"metrics.json": "{}", "models/m.keras": "w", rundirs.PAGE: "<p>", rundirs.LOG: "x"},
    )
    hashes = rundirs.hash_outputs(run)
    assert set(hashes) == {"metrics.json", "models/m.keras"}
    assert hashes["metrics.json"] == rundirs.file_sha256(run / "metrics.json")


def test_damage_names_the_file(tmp_path):
    run = _run(tmp_path / "r", {"metrics.json": "{}", "fig.png": "png", "models/big.keras": "w"})
    record = {"status": "ok", "outputs": rundirs.hash_outputs(run)}
    assert rundirs.damage(run, record) == []
    (run / "fig.png").write_text("garbage")
    (run / "metrics.json").unlink()
    assert rundirs.damage(run, record) == [
        "fig.png changed since the run",
        "metrics.json is missing",
    ]


def test_local_only_files_may_be_missing_but_not_changed(tmp_path):
    run = _run(tmp_path / "r", {"models/big.keras": "w", "models/enc.keras": "e", "m.h5": "h"})
    record = {"status": "ok", "outputs": rundirs.hash_outputs(run)}
    (run / "models/big.keras").unlink()  # a fresh clone has no large models
    (run / "m.h5").unlink()
    assert rundirs.damage(run, record) == []
    (run / "models/enc.keras").unlink()  # ... but has every model another notebook reads
    assert rundirs.damage(run, record, {"models/enc.keras"}) == ["models/enc.keras is missing"]
    assert rundirs.is_local_only("models/big.keras") and rundirs.is_local_only("x/m.h5")
    assert not rundirs.is_local_only("models/enc.keras", {"models/enc.keras"})
    assert not rundirs.is_local_only("fig_3_4_1.png")


def test_swap_in_replaces_the_run_and_leaves_nothing_aside(tmp_path):
    final = _run(tmp_path / "runs" / "seed0" / "nb", {"metrics.json": "old"})
    new = _run(tmp_path / "scratch", {"metrics.json": "new"})
    rundirs.swap_in(new, final)
    assert (final / "metrics.json").read_text() == "new"
    assert sorted(os.listdir(final.parent)) == ["nb"]


def test_recover_puts_back_a_run_whose_swap_was_interrupted(tmp_path):
    out = tmp_path / "out"
    aside = _run(out / "runs" / "seed0" / ".nb.previous", {"metrics.json": "good"})
    _run(out / rundirs.WORK / "seed0-nb", {"metrics.json": "half"})
    (out / rundirs.WORK / rundirs.WORK_MARKER).touch()  # run_all's scratch, as it leaves it
    done = rundirs.recover(out)
    assert (out / "runs" / "seed0" / "nb" / "metrics.json").read_text() == "good"
    assert not aside.exists() and not (out / rundirs.WORK).exists()
    assert len(done) == 2 and "restored runs/seed0/nb" in done[0]


def test_recover_drops_an_aside_copy_once_the_swap_completed(tmp_path):
    out = tmp_path / "out"
    _run(out / "runs" / "seed0" / ".nb.previous", {"metrics.json": "old"})
    _run(out / "runs" / "seed0" / "nb", {"metrics.json": "new"})
    assert rundirs.recover(out) == []
    assert (out / "runs" / "seed0" / "nb" / "metrics.json").read_text() == "new"
    assert not (out / "runs" / "seed0" / ".nb.previous").exists()


def test_keep_failed_replaces_an_older_failed_attempt(tmp_path):
    final = tmp_path / "runs" / "seed0" / "nb"
    _run(tmp_path / "runs" / "seed0" / "nb.failed", {"old": "1"})
    kept = rundirs.keep_failed(_run(tmp_path / "attempt", {"new": "2"}), final)
    assert kept == rundirs.failed_dir(final) and sorted(os.listdir(kept)) == ["new"]


@pytest.mark.parametrize("text", ["", "not json", '{"status": "failed"}', '{"status": "ok"}'])
def test_a_bad_record_is_no_record(tmp_path, text):
    run = _run(tmp_path / "r", {rundirs.RECORD: text})
    assert rundirs.read_record(run) is None


def test_recover_leaves_a_work_folder_it_did_not_make(tmp_path):
    out = tmp_path / "out"
    (out / rundirs.WORK).mkdir(parents=True)
    (out / rundirs.WORK / "mine.txt").write_text("a user's")
    with pytest.raises(rundirs.ForeignScratch, match="was not made by run_all"):
        rundirs.recover(out)
    assert (out / rundirs.WORK / "mine.txt").read_text() == "a user's"
    with pytest.raises(rundirs.ForeignScratch):
        rundirs.work_dir(out)
