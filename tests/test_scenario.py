"""Scenario loading: the baseline is valid; each invalid fixture fails with the message it expects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BASELINE, ROOT
from model.errors import UserError
from model.scenario.load import load_scenario

INVALID = sorted((ROOT / "tests" / "invalid").glob("*.yaml"))


def expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} lacks an '# expect:' line"
    return first.removeprefix("# expect: ")


def test_baseline_matches_the_seed():
    m = load_scenario(BASELINE).model
    hc = m.opening.headcount
    assert m.opening.communities == 162
    assert hc.chief + hc.deputy + hc.member == 1068  # 两委 in post, 88 over their 980 posts
    assert hc.staff == 874 + 67
    quota = {p: m.quota.get(p)[-1] for p in ("chief", "deputy", "member", "staff")}
    assert quota["chief"] + quota["deputy"] + quota["member"] == 980
    assert quota["staff"] == 1092
    assert m.opening.establishment.special == 38 and m.opening.establishment.reference == 109
    assert m.pay.certificate_allowance_monthly.junior == {-1: 100}
    assert m.horizon.opening_year == 2020 and m.horizon.end_year >= 2035


def test_every_baseline_value_has_provenance():
    sc = load_scenario(BASELINE)
    kinds = {p.kind for p in sc.provenance.values() if p.kind}
    assert kinds == {"source", "assumption"}
    assert sc.provenance["social_insurance.employer.pension"].kind == "source"
    assert sc.provenance["social_insurance.employer.housing_fund"].kind == "assumption"


def test_a_year_of_a_dated_value_may_have_its_own_provenance(baseline_results):
    """The average wage: 2023 and 2024 published, 2019-2022 back-cast (an assumption); each year's row in
    parameters.csv says which, and replacing a year with --set replaces its note."""
    from model.scenario.load import provenance_of

    sc = load_scenario(BASELINE)
    path = "social_insurance.average_wage_monthly"
    assert provenance_of(sc, f"{path}.2019").kind == "assumption" and provenance_of(sc, f"{path}.2023").kind == "source"
    rows = baseline_results.parameters().query("path == @path").set_index("year")
    assert rows.loc[2019, "kind"] == "assumption" and rows.loc[2024, "kind"] == "source"
    assert rows.loc[2019, "unit"] == rows.loc[2024, "unit"] == "yuan/month"  # the value's unit, on every year
    over = load_scenario(BASELINE, overrides=[f"{path}.2019=5000"])
    assert provenance_of(over, f"{path}.2019").kind == "scenario"
    assert provenance_of(over, f"{path}.2020").kind == "assumption"  # the other years keep their notes


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_is_refused_with_its_message(path):
    with pytest.raises(UserError) as err:
        load_scenario(path)
    assert expected(path) in str(err.value)


def test_all_problems_are_reported_at_once(tmp_path):
    bad = tmp_path / "two.yaml"
    bad.write_text(f"extends: {BASELINE}\nname: two\ntitle: t\nrationale: r\n"
                   "attrition:\n  rate:\n    staff: 2\nhiring:\n  annual_cap: -1\n  bogus: 1\n")
    with pytest.raises(UserError) as err:
        load_scenario(bad)
    assert len(err.value.problems) == 3


def test_override_file_inherits_and_attributes(tmp_path):
    alt = tmp_path / "alt.yaml"
    alt.write_text(f"extends: {BASELINE}\nname: alt\ntitle: Faster\nrationale: r\nprogression:\n  years_per_grade: 2\n")
    sc = load_scenario(alt)
    assert sc.model.progression.years_per_grade == {-1: 2}
    assert sc.model.quota.staff == load_scenario(BASELINE).model.quota.staff
    assert sc.provenance["progression.years_per_grade"].kind == "scenario"


def test_reloading_sees_an_edited_file_and_overrides_do_not_leak(tmp_path):
    """Parsed files are reused between loads (a sweep loads one file per variant): an edit must be
    seen, and one load's overrides must not reach the next."""
    alt = tmp_path / "alt.yaml"
    alt.write_text(f"extends: {BASELINE}\nname: alt\ntitle: t\nrationale: r\nprogression:\n  years_per_grade: 2\n")
    assert load_scenario(alt, overrides=["hiring.annual_cap=123"]).model.hiring.annual_cap == {-1: 123}
    assert load_scenario(alt).model.hiring.annual_cap == load_scenario(BASELINE).model.hiring.annual_cap
    alt.write_text(alt.read_text().replace("years_per_grade: 2", "years_per_grade: 4"))
    assert load_scenario(alt).model.progression.years_per_grade == {-1: 4}


def test_set_override_names_unknown_path():
    with pytest.raises(UserError) as err:
        load_scenario(BASELINE, overrides=["attrition.rate.village=0.1"])
    assert "attrition.rate.village" in str(err.value)
    with pytest.raises(UserError) as err:
        load_scenario(BASELINE, overrides=["attrition.rate.staff=7"])
    assert "attrition.rate.staff" in str(err.value) and "less than or equal to 1" in str(err.value)


def test_reading_scenarios_does_not_load_the_engine():
    """``import model`` and loading a scenario stay light (numba and pandas load on first simulate)."""
    code = ("import sys, model; model.load_scenario(sys.argv[1]); "
            "assert 'numba' not in sys.modules and 'pandas' not in sys.modules, 'heavy modules loaded'; "
            "assert callable(model.simulate) and 'numba' in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(BASELINE)], check=True, cwd=ROOT)
    # `model report` runs its notebook from a parent process that needs neither pandas nor the IRI
    # grammar jsonschema would build at import (about 1.6 s)
    code = ("import sys, model.report.notebooks; "
            "assert 'pandas' not in sys.modules and sys.modules.get('rfc3987_syntax') is None, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_cli_validate_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "model", "validate", str(BASELINE)], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "model", "validate", str(BASELINE), *map(str, INVALID[:3])],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    for path in INVALID[:3]:
        assert expected(path) in bad.stderr


def test_every_source_names_a_listed_document():
    """A source note begins with the keys of documents in `sources:`; each resolves to a full citation."""
    sc = load_scenario(BASELINE)
    sources = [p for p in sc.provenance.values() if p.kind == "source"]
    assert sources and all(p.cites and all(k in sc.model.sources for k in p.cites) for p in sources)
    assert sc.provenance["opening.communities"].cites == ["seed"]
    assert sc.provenance["opening.communities"].remark == "全市162个城市社区"
    assert "213号" in sc.model.sources["seed"]


def test_a_source_citing_an_unlisted_document_is_refused(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"name: child\ntitle: t\nrationale: r\nextends: {BASELINE}\n"
                     "sources: {own: 'A document, 2026'}\n"
                     "attrition: {rate: {staff: {value: 0.1, source: 'owm: a typo of the key'}}}\n"
                     "elections: {turnover: {value: 0.2, source: 'no key at all'}}\n")
    with pytest.raises(UserError) as err:
        load_scenario(child)
    text = "\n".join(err.value.problems)
    assert "attrition.rate.staff (child.yaml:6): the source cites 'owm', not listed under `sources:`" in text
    assert "elections.turnover (child.yaml:7): the source does not begin with the key of a document" in text
    child.write_text(child.read_text().replace("owm:", "own:").replace("'no key at all'", "'seed: a key from the base'"))
    sc = load_scenario(child)  # the child's documents add to the base's
    assert {"own", "seed"} <= set(sc.model.sources)
