"""One schema for the metric ids (aelib/outputs/metric_ids.py): every id a committed run
wrote is declared, by the notebook that wrote it; every declared id is written; every id
the report reads while it renders the committed report is declared and written; and a
notebook cannot write an undeclared one."""

import json
from pathlib import Path

import pytest

from aelib.outputs import metric_ids, results
from aereport.merge import instances

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "report"


def _committed() -> dict[tuple[int, str], dict]:
    """`{(seed, notebook): metrics}` of every committed run."""
    found = {}
    for path in sorted((REPORT / "runs").glob("seed*/*/metrics.json")):
        seed = int(path.parent.parent.name.removeprefix("seed"))
        found[(seed, path.parent.name)] = json.loads(path.read_text())
    assert len(found) >= 18
    return found


def test_every_committed_id_is_declared_once_by_its_notebook():
    for (seed, notebook), metrics in _committed().items():
        for metric_id in metrics:
            hits = [e for e in metric_ids.SCHEMA.values() if e.match(metric_id) is not None]
            assert len(hits) == 1, (metric_id, [e.template for e in hits])
            assert notebook in hits[0].notebooks, (metric_id, notebook)
            if hits[0].seeds == metric_ids.FIRST_SEED:
                assert seed == 0, (metric_id, seed)


def test_every_declared_id_is_written_by_a_committed_run():
    written = {k for metrics in _committed().values() for k in metrics}
    for name, entry in metric_ids.SCHEMA.items():
        assert instances(entry, written), f"{name} ({entry.template}) is written by no run"
        assert entry.meaning and entry.unit and entry.notebooks


def test_ids_are_made_and_matched_by_the_template_alone():
    sweep = metric_ids.SWEEP_AE_PSNR
    assert sweep.id(kind="salt_pepper", level=20) == "mnist.denoise.sweep.salt_pepper_020.ae_psnr"
    assert sweep.match("mnist.denoise.sweep.salt_pepper_020.ae_psnr") == {
        "kind": "salt_pepper",
        "level": 20,
    }
    assert sweep.match("mnist.denoise.sweep.salt_pepper_20.ae_psnr") is None  # not canonical
    assert instances(
        metric_ids.LABEL_EFF_TEST_ACC,
        ["fashion.label_eff.scratch.100.test_acc", "fashion.cnn.test_acc"],
    ) == [{"method": "scratch", "n": 100}]
    assert metric_ids.lookup("mnist.latent_2.variant.deep-bn.val_bce").template == (
        "mnist.latent_2.variant.{variant}.val_bce"
    )
    with pytest.raises(ValueError, match="missing fields"):
        metric_ids.LATENT_VAL_BCE.id()


def test_a_notebook_cannot_write_an_undeclared_id(tmp_path):
    results.write_metrics({"mnist.latent_16.val_bce": 0.1}, tmp_path)
    with pytest.raises(metric_ids.UnknownMetric, match="mnist.latent_16.val_bcee.*metric_ids"):
        results.write_metrics({"mnist.latent_16.val_bcee": 0.1}, tmp_path, merge=True)
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"mnist.latent_16.val_bce": 0.1}


class _Recording(dict):
    """A dict that remembers every key read from it."""

    reads: set

    def __init__(self, *args, reads: set, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = reads

    def get(self, key, default=None):
        self.reads.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.reads.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.reads.add(key)
        return super().__contains__(key)


def test_every_id_the_report_reads_is_declared_and_written(monkeypatch):
    from aereport import layout

    reads: set = set()
    merge_seeds = layout.merge_seeds
    monkeypatch.setattr(
        layout, "merge_seeds", lambda per_seed: _Recording(merge_seeds(per_seed), reads=reads)
    )
    summary = json.loads((REPORT / "metrics.json").read_text())
    runs = [
        {**r, "out_dir": str(REPORT / "runs" / f"seed{r['seed']}" / r["name"])}
        for r in summary["runs"]
    ]
    layout.build_report_notebook(REPORT, runs, summary["provenance"])
    written = {k for metrics in _committed().values() for k in metrics}
    ids = {r for r in reads if isinstance(r, str)}
    assert len(ids) > 100  # the sections read through the merged metrics
    undeclared = sorted(r for r in ids if metric_ids.lookup(r) is None)
    assert undeclared == []
    unwritten = sorted(ids - written)
    assert unwritten == []
