"""The section registry (aereport.sections): every section module is registered once,
and what the sections declare fits together."""

from __future__ import annotations

import importlib
import pkgutil

from aelib.paper import FIGURE_CAPTIONS
from aereport import layout, sections
from aereport.section import FURTHER_GROUPS, Section
from aerun import pipeline


def test_every_section_module_is_registered_once():
    names = [m.name for m in pkgutil.iter_modules(sections.__path__)]
    assert names, "no section modules found"
    registered = [id(s) for s in sections.SECTIONS]
    assert len(set(registered)) == len(registered)
    for name in names:
        module = importlib.import_module(f"aereport.sections.{name}")
        assert isinstance(module.SECTION, Section), name
        assert id(module.SECTION) in registered, f"sections/{name}.py is not in SECTIONS"
    assert len(sections.SECTIONS) == len(names)


def test_every_notebook_has_its_section_and_each_figure_its_number():
    assert sections.NOTEBOOKS == tuple(spec.name for spec in pipeline.NOTEBOOKS)
    assert sorted(layout.FIGURES) == sorted(FIGURE_CAPTIONS)
    for section in sections.SECTIONS:
        for figure in section.further_figures:
            assert figure.group in FURTHER_GROUPS and figure.profiles in ("all", "beyond", "paper")
        for prefix in section.metric_prefixes:
            assert sections.notebook_for_metric(prefix + "x") == section.notebook


def test_anchors_are_unique_and_linked_findings_exist():
    anchors = [b.anchor for s in sections.SECTIONS for b in s.results]
    anchors += [a.anchor for _, a in layout.analyses()]
    assert len(set(anchors)) == len(anchors)
    ids = {f["id"] for f in sections.extra_findings({})}
    for _, analysis in layout.analyses():
        assert set(analysis.finding_ids) <= ids, analysis.anchor
    all_ids = [f["id"] for f in sections.findings({})]
    assert len(set(all_ids)) == len(all_ids)
