"""The parameter registry (model/scenario/parameter_labels.py): every parameter has a name, unit and a one-line
description, and the appendix, the workbook, parameters.csv and docs/parameters.md all read them."""

import re
from pathlib import Path

import numpy as np
import pytest

from model.scenario.load import load_scenario
from model.scenario.parameter_docs import COMMAND, PAGE, markdown, schema_leaves
from model.scenario.parameter_labels import LABELS, PARTS, label_of, labelled_prefix, parameter_about, parameter_name, parameter_unit
from model.scenario.schema import leaf_paths
from model.simulation.results import Results

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = sorted((ROOT / "scenarios").glob("*.yaml"))


def scenario_paths() -> set[str]:
    """Every parameter leaf of the baseline and library scenarios."""
    return {path for f in LIBRARY for path in leaf_paths(load_scenario(f).model)}


def test_every_scenario_parameter_has_a_label_and_a_description():
    assert any(f.name == "baseline.yaml" for f in LIBRARY) and len(LIBRARY) > 1
    missing = []
    for path in sorted(scenario_paths()):
        head = labelled_prefix(path)
        rest = path[len(head) + 1:].split(".") if head != path else []
        if not head or any(part not in PARTS for part in rest if part):
            missing.append(path)
            continue
        for lang in ("zh", "en"):
            assert parameter_about(path, lang).strip(), f"{path}: no {lang} description"
    assert not missing, f"parameters without a label (model/scenario/parameter_labels.py LABELS or PARTS): {missing}"


def test_every_schema_parameter_is_labelled_and_every_label_is_a_parameter():
    # optional parameters no library scenario sets (roster_file, appropriation …) are labelled too
    leaves = [leaf.path for leaf in schema_leaves()]
    assert set(scenario_paths()) <= set(leaves)
    assert [p for p in leaves if not labelled_prefix(p)] == []
    stale = [head for head in LABELS if not any(p == head or p.startswith(head + ".") for p in leaves)]
    assert stale == [], f"labels of no schema parameter: {stale}"


@pytest.mark.parametrize("head", sorted(LABELS))
def test_a_description_is_one_plain_line_of_its_own(head):
    label = LABELS[head]
    assert label[2] == label.kind in ("share", "yuan", "count", "years", "code", "text")  # app.py reads [2]
    for name, about, stop in ((label.zh, label.about, "。"), (label.en, label.about_en, ".")):
        assert about.strip() == about and "\n" not in about, head
        assert about.endswith(stop), f"{head}: {about!r} is not one sentence ending with {stop!r}"
        assert len(about) >= len(name) + 8, f"{head}: the description only repeats the name"
        assert re.sub(r"[（(].*?[)）]", "", name).strip() not in (about.rstrip("。."),), head
        assert "facts" not in about and "§" not in about and "True" not in about and "False" not in about
    assert len(label.about) <= 70, f"{head}: {len(label.about)} characters; one line of the appendix holds about 60"
    assert not re.search(r"[\u4e00-\u9fff]{3,}", label.about_en), f"{head}: the English description is not English"


def test_no_description_is_a_copy_of_another():
    zh = [label.about for label in LABELS.values()]
    en = [label.about_en for label in LABELS.values()]
    assert len(set(zh)) == len(zh) and len(set(en)) == len(en)


def test_units_and_descriptions_come_from_the_prefix():
    assert parameter_name("attrition.rate.staff") == "年流失率（专职人员）"
    assert parameter_unit("attrition.rate.staff") == "每年" and parameter_unit("attrition.rate.staff", "en") == "a year"
    assert parameter_about("attrition.rate.staff") == LABELS["attrition.rate"].about
    assert parameter_unit("pay.reference_wage_monthly") == "元/月"
    assert parameter_unit("no.such.path", given="yuan/month") == "元/月"  # an unlabelled path keeps the scenario's unit
    assert label_of("no.such.path") is None and parameter_about("no.such.path") == ""


def test_parameters_csv_gains_a_description_column():
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    frame = Results(sc, np.array([2020]), 0, 0, {}).parameters()
    # a column added at the end, the others as before (SPEC: add, never rename)
    assert list(frame.columns) == ["path", "year", "value", "unit", "source", "kind", "document", "description"]
    assert (frame.description != "").all()
    row = frame[frame.path == "social_insurance.employer.pension"].iloc[0]
    assert row.description == LABELS["social_insurance.employer"].about


def test_docs_page_is_current():
    assert PAGE.read_text(encoding="utf-8") == markdown(), f"docs/parameters.md is not current: run `{COMMAND}`"
    text = PAGE.read_text(encoding="utf-8")
    for head, label in LABELS.items():
        assert f"`{head}" in text and label.about in text and label.about_en in text


def test_appendix_and_workbook_carry_the_descriptions(run_dir):
    from openpyxl import load_workbook

    from model.report import read_run
    from model.report.pdf import report_text

    run = read_run(run_dir)
    heads = {labelled_prefix(p) for p in run.parameters.path}
    for lang in ("zh", "en"):
        text = report_text(run_dir, lang)  # (descriptions are printed in the appendix only)
        assert [h for h in heads if parameter_about(h, lang) not in text] == []
    sheet = load_workbook(run_dir / "budget.xlsx")["参数"]
    rows = list(sheet.iter_rows(values_only=True))
    col = rows[0].index("参数说明")
    assert all(r[col] == parameter_about(r[0]) for r in rows[1:])
    assert {r[3] for r in rows[1:] if r[0] == "pay.reference_wage_monthly"} == {"元/月"}
