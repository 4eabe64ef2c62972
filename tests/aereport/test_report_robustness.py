"""The robustness section (aereport.sections.robustness) on synthetic metrics of three
seeds: its tables, its chart and each finding's verdict against the seed spread, and a
report without notebook 08's numbers."""

from __future__ import annotations

import pytest

from aelib.outputs import metric_ids
from aereport.merge import merge_seeds
from aereport.section import Context
from aereport.sections import robustness
from aereport.sections.robustness import tables

EPS = (50, 100, 200)


def seed_metrics(seed: int, *, knee=16, probe_knee=16, adv_gauss=0.11) -> dict:
    """What notebook 08 writes for one seed: adversarial training helps on PGD and hurts
    on Gaussian noise, the blind attack overstates the defence."""
    j = 0.001 * seed  # a little seed-to-seed spread
    out = {
        "mnist.robust.entropy_floor": 0.058,
        "mnist.robust.attack_images": 1000,
        "mnist.robust.attack_steps": 10,
        "mnist.robust.train_epsilon": 0.1,
        "mnist.robust.train_steps": 3,
        "mnist.robust.standard.epochs": 3,
        "mnist.robust.adversarial.epochs": 3,
        "mnist.defence.attack_images": 500,
        "mnist.defence.classifier_epochs": 2,
    }
    for variant, shift in (("standard", 0.0), ("adversarial", 0.01)):
        out[f"mnist.robust.{variant}.clean.bce"] = 0.08 + shift + j
        out[f"mnist.robust.{variant}.clean.psnr"] = 20.0 - 10 * shift
    out["mnist.robust.standard.gaussian_400.bce"] = 0.10 + j
    out["mnist.robust.adversarial.gaussian_400.bce"] = adv_gauss + j
    out["mnist.robust.input.gaussian_400.bce"] = 0.5
    out["mnist.robust.standard.salt_pepper_100.bce"] = 0.095 + j
    out["mnist.robust.adversarial.salt_pepper_100.bce"] = adv_gauss - 0.005 + j
    for e in EPS:
        out[f"mnist.robust.standard.pgd_{e:03d}.bce"] = 0.1 + e / 500 + j
        out[f"mnist.robust.adversarial.pgd_{e:03d}.bce"] = 0.1 + e / 1000 + j
        out[f"mnist.robust.standard.sign_{e:03d}.bce"] = 0.09 + e / 5000 + j
        out[f"mnist.robust.adversarial.sign_{e:03d}.bce"] = 0.1 + e / 5000 + j
        out[f"mnist.robust.input.sign_{e:03d}.bce"] = 0.2 + e / 1000
        out[f"mnist.defence.none.pgd_{e:03d}.acc"] = 0.3 - e / 1000 + j
        out[f"mnist.defence.none.pgd_ours_{e:03d}.acc"] = 0.3 - e / 1000 + j + 0.004
        out[f"mnist.defence.none.fgsm_{e:03d}.acc"] = 0.5 - e / 1000
        for setup in ("standard", "adversarial"):
            out[f"mnist.defence.{setup}.pgd_{e:03d}.acc"] = 0.5 - e / 1000 + j
            out[f"mnist.defence.{setup}.pgd_blind_{e:03d}.acc"] = 0.9 - e / 1000 + j
            out[f"mnist.defence.{setup}.fgsm_{e:03d}.acc"] = 0.6
            out[f"mnist.defence.{setup}.fgsm_blind_{e:03d}.acc"] = 0.9
    for setup in ("none", "standard", "adversarial"):
        out[f"mnist.defence.{setup}.clean.acc"] = 0.98
    for prefix in ("mnist", "fashion"):
        out.update(
            {
                f"{prefix}.search.trials": 12,
                f"{prefix}.search.epochs": 3,
                f"{prefix}.search.train_size": 8000,
                f"{prefix}.search.val_size": 2000,
                f"{prefix}.search.entropy_floor": 0.058,
                f"{prefix}.search.front_size": 3,
                f"{prefix}.search.knee_d": knee,
                f"{prefix}.search.probe_knee_d": probe_knee,
            }
        )
        for d, bce in ((2, 0.2), (knee, 0.1), (48, 0.095)):
            out[f"{prefix}.search.front_{d}.val_bce"] = bce + j
            out[f"{prefix}.search.front_{d}.probe_acc"] = 0.9
        for d in (2, 8, 16, 32):
            out[f"{prefix}.search.fixed_{d}.val_bce"] = 0.1 + 0.1 / d
            out[f"{prefix}.search.fixed_{d}.probe_acc"] = 0.8
    for metric_id in out:
        assert metric_ids.lookup(metric_id) is not None, metric_id
    return out


def _findings(metrics) -> dict[str, dict]:
    return {f["id"]: f for f in robustness.extra_findings(metrics)}


def test_each_finding_is_judged_against_the_seed_spread():
    merged = merge_seeds({s: seed_metrics(s) for s in range(3)})
    found = _findings(merged)
    assert found["robust_adv_pgd"]["verdict"] == "agrees"
    assert found["robust_adv_gaussian"]["verdict"] == "disagrees"
    assert found["robust_worst_case"]["verdict"] == "agrees"
    assert found["robust_defence"]["verdict"] == "agrees"
    assert found["robust_blind_overstates"]["verdict"] == "agrees"
    assert found["robust_pgd_matches_art"]["verdict"] == "agrees"
    assert found["search_sixteen_balanced"]["verdict"] == "agrees"
    assert found["search_same_size"]["verdict"] == "agrees"
    assert (
        "Gaussian noise, factor 0.4: adversarial 0.1110 vs standard 0.1010"
        in (found["robust_adv_gaussian"]["measured"])
    )


def test_a_gap_within_the_spread_is_inconclusive_and_a_far_knee_disagrees():
    per_seed = {
        0: seed_metrics(0, adv_gauss=0.09, knee=4, probe_knee=32),
        1: seed_metrics(1, adv_gauss=0.11, knee=4, probe_knee=32),
        2: seed_metrics(2, adv_gauss=0.10, knee=4, probe_knee=32),
    }
    found = _findings(merge_seeds(per_seed))
    assert found["robust_adv_gaussian"]["verdict"] == "inconclusive"
    assert found["search_sixteen_balanced"]["verdict"] == "disagrees"
    assert "knee at d = 4" in found["search_sixteen_balanced"]["measured"]
    assert found["search_same_size"]["verdict"] == "disagrees"
    mixed = merge_seeds({0: seed_metrics(0, knee=4), 1: seed_metrics(1, knee=16)})
    assert _findings(mixed)["search_sixteen_balanced"]["verdict"] == "inconclusive"


def test_the_tables_and_the_chart_come_from_the_metrics():
    merged = merge_seeds({s: seed_metrics(s) for s in range(3)})
    rows = tables.denoiser_table(merged)
    assert [(r["noise"], r["level"]) for r in rows][:3] == [
        ("clean", None),
        ("gaussian", 400),
        ("salt_pepper", 100),
    ]
    pgd = next(r for r in rows if (r["noise"], r["level"]) == ("pgd", 100))
    assert pgd["gain"]["value"] == pytest.approx(-0.1) and pgd["input_bce"]["value"] is None
    defence = tables.defence_table(merged)
    assert {r["attack"] for r in defence if r["setup"] == "none"} == {
        "clean",
        "fgsm",
        "pgd",
        "pgd_ours",
    }
    search = tables.search_table(merged)
    assert sorted(search[0]["front"]) == [2, 16, 48] and search[0]["knee"]["value"] == 16
    ctx = Context(metrics=merged, statuses={}, per_seed={}, paper_only=False)
    html = "".join(a.html(ctx) for a in robustness.SECTION.analyses)
    assert 'id="tbl-robust-denoisers"' in html and 'id="tbl-latent-search"' in html
    assert "PGD (worst case), ε = 0.1" in html
    assert tables.search_png(merged).startswith(b"\x89PNG")


def test_without_notebook_08_every_part_says_not_run():
    ctx = Context(metrics={}, statuses={}, per_seed={}, paper_only=False)
    for analysis in robustness.SECTION.analyses:
        assert "not run" in analysis.html(ctx)
    failed = Context(
        metrics={}, statuses={tables.NOTEBOOK: "failed"}, per_seed={}, paper_only=False
    )
    assert "failed" in robustness.SECTION.analyses[0].html(failed)
    assert all(f["verdict"] == "not run" for f in robustness.extra_findings({}))
    assert tables.search_png({}) is None
