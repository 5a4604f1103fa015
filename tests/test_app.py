"""The web explorer's page logic (model/app.py): levers, the untouched page, what a lever moves, bad values.

The page runs here without a browser: ipywidgets works outside a kernel, so a test sets a control's value
as the browser would and reads what the page then shows. tests/test_browser.py loads the served page.
"""

import os
import re
import socket
import subprocess
import sys

import numpy as np
import pytest
import yaml

import model
from conftest import BASELINE, ROOT
from model.app import LEVERS, NEVER, Explorer, election_years, initial_settings, overrides, page
from model.errors import UserError
from model.scenario.load import load_scenario
from model.scenario.parameter_labels import parameter_name

DRAWS = 20
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def explorer():
    ex = Explorer(BASELINE, draws=DRAWS, seed=1)
    ex.show()
    return ex


@pytest.fixture
def ex(explorer):
    """The shared page, back at the scenario's settings after each test."""
    yield explorer
    explorer.reset()


@pytest.fixture(scope="module")
def full():
    """The baseline's every metric, simulated apart from the page."""
    return model.simulate(BASELINE, draws=DRAWS, seed=1, progress=False)


def ends(lever, scenario):
    """The values a lever offers at the two ends of its range (every option of a list)."""
    if lever.kind == "switch":
        return [True, False]
    if lever.kind == "from_election":
        return [NEVER, *election_years(scenario)]
    return [lever.low, lever.high]


@pytest.mark.parametrize("lever", LEVERS, ids=lambda lever: lever.path)
def test_every_lever_is_valid_under_the_schema_at_both_ends(lever, baseline):
    for value in ends(lever, baseline):
        sets = overrides(baseline, {lever.path: value})
        assert len(sets) == (value != initial_settings(baseline)[lever.path])
        changed = load_scenario(BASELINE, overrides=sets)  # raises UserError, naming the path, if the schema refuses it
        assert initial_settings(changed)[lever.path] == value  # the setting is what the scenario now holds


@pytest.mark.parametrize("lever", LEVERS, ids=lambda lever: lever.path)
def test_a_lever_is_named_in_chinese_with_its_unit(lever, explorer):
    name = parameter_name(lever.path)
    assert name != lever.path and any("\u4e00" <= ch <= "\u9fff" for ch in name)
    expected = {"pay.reference_wage_monthly": "元/月", "hiring.annual_cap": "人/年", "pay.wage_growth": "%",
                "attrition.rate.staff": "%", "social_insurance.employer.housing_fund": "%"}
    if lever.path in expected:
        assert explorer.units[lever.path] == expected[lever.path]
    if lever.path.startswith("pay.certificate_allowance_monthly."):
        assert explorer.units[lever.path] == "元/月"
    label = explorer._control(lever)[0].value
    assert name in label and re.search("title='[^']*[\u4e00-\u9fff][^']*'", label)  # what it is, on hover


def test_lever_ranges_hold_the_sensitivity_ranges():
    ranges = yaml.safe_load((ROOT / "scenarios" / "ranges" / "sensitivity_ranges.yaml").read_text(encoding="utf-8"))
    checked = 0
    for lever in LEVERS:
        if lever.path in ranges:
            low, high = ranges[lever.path]["range"]
            assert lever.low <= low and high <= lever.high, lever.path
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_an_untouched_page_is_the_scenario(path):
    ex = Explorer(path, draws=2, seed=1)
    ex.show()
    assert overrides(ex.scenario, ex.settings()) == []
    assert ex.last is ex.base
    assert "当前为基准情景的设置" in ex.narrative.value


def test_the_untouched_page_shows_the_scenario_run(explorer, full):
    for name, values in explorer.last.metrics.items():
        assert np.array_equal(values, full.metrics[name]), name
    y = list(full.years).index(2027)
    from model.report import fmt_wan

    assert f"{fmt_wan(full.metrics['cost.total'][:, y].mean())} 万元" in explorer.narrative.value
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.table.value.count("<tr>") == len(full.years)  # the header and every projected year


def test_housing_fund_rate_moves_the_cost_by_its_share_of_the_housing_fund(ex, full):
    ex.controls["social_insurance.employer.housing_fund"].value = 6  # percent: half the baseline's 12
    diff = ex.last.metrics["cost.total"] - ex.base.metrics["cost.total"]
    expected = -0.5 * full.metrics["cost.housing_fund"]  # rate x clipped base: half the rate, half the line
    fen_per_worker_month = 0.01 * 12 * full.metrics["headcount"].max()
    assert np.abs(diff - expected).max() <= fen_per_worker_month
    assert np.array_equal(ex.last.metrics["headcount"], ex.base.metrics["headcount"])
    assert "单位缴费率（住房公积金） 12% → 6%" in ex.narrative.value
    assert "比基准情景 <b>\u2212" in ex.narrative.value


def _years(ex, first):
    return ex.last.years >= first


@pytest.mark.parametrize(("path", "value"), [("pay.reference_wage_monthly", 3500), ("pay.certificate_allowance_monthly.junior", 500),
                                             ("pay.certificate_allowance_monthly.intermediate", 600),
                                             ("pay.certificate_allowance_monthly.senior", 1000)])
def test_more_pay_costs_more_every_year_and_moves_nobody(ex, path, value):
    ex.controls[path].value = value
    p = ex.last.years > ex.last.years[0]
    now, base = ex.last.metrics["cost.total"][:, p], ex.base.metrics["cost.total"][:, p]
    assert (now >= base).all() and now[:, -1].mean() > base[:, -1].mean()  # in a draw, nobody may hold a senior certificate
    assert np.array_equal(ex.last.metrics["headcount"], ex.base.metrics["headcount"])


def test_no_uprating_costs_less_each_year_after_the_first(ex):
    ex.controls["pay.wage_growth"].value = 0
    p = ex.last.years > ex.last.years[0] + 1
    assert (ex.last.metrics["cost.total"][:, p].mean(axis=0) < ex.base.metrics["cost.total"][:, p].mean(axis=0)).all()
    assert np.array_equal(ex.last.metrics["headcount"], ex.base.metrics["headcount"])


def test_a_recruitment_freeze_means_headcount_rises_only_at_elections(ex):
    ex.controls["hiring.annual_cap"].value = 0
    hc = ex.last.metrics["headcount"]
    quiet = ~np.isin(ex.last.years[1:], election_years(ex.scenario))
    assert (np.diff(hc, axis=1)[:, quiet] <= 0).all()  # nobody is recruited; outside candidates come in only when elected
    assert (hc[:, -1] < ex.base.metrics["headcount"][:, -1]).all()


def test_more_staff_attrition_means_fewer_workers(ex):
    ex.controls["attrition.rate.staff"].value = 25
    p = ex.last.years > ex.last.years[0]
    assert (ex.last.metrics["headcount"][:, p].mean(axis=0) < ex.base.metrics["headcount"][:, p].mean(axis=0)).all()


def test_a_certificate_rule_changes_nothing_before_its_election_and_raises_the_certified_share_after(ex):
    ex.controls["elections.certificate_required"].value = 2026
    before, after = ex.last.years < 2026, ex.last.years >= 2026
    for name in ("cost.total", "headcount", "certified_share"):
        assert np.array_equal(ex.last.metrics[name][:, before], ex.base.metrics[name][:, before]), name
    assert (ex.last.metrics["certified_share"][:, after].mean(axis=0) > ex.base.metrics["certified_share"][:, after].mean(axis=0)).all()


def test_without_the_retirement_reform_nothing_changes_before_2025(ex):
    ex.controls["retirement.reform"].value = False
    before = ex.last.years < 2025
    assert np.array_equal(ex.last.metrics["cost.total"][:, before], ex.base.metrics["cost.total"][:, before])
    assert not np.array_equal(ex.last.metrics["headcount"], ex.base.metrics["headcount"])
    assert "实施渐进式延迟退休 是 → 否" in ex.narrative.value


def test_moving_a_lever_back_gives_the_scenario_again(ex):
    ctl = ex.controls["pay.reference_wage_monthly"]
    ctl.value = 3000
    assert ex.last is not ex.base
    ctl.value = 2800
    assert ex.last is ex.base and "当前为基准情景的设置" in ex.narrative.value


def test_reset_puts_every_lever_back(ex):
    ex.controls["hiring.annual_cap"].value = 100
    ex.controls["retirement.reform"].value = False
    ex.reset()
    assert overrides(ex.scenario, ex.settings()) == [] and ex.last is ex.base


def test_a_value_the_schema_refuses_is_a_message_on_the_page(ex):
    before = ex.narrative.value
    ctl = ex.controls["pay.wage_growth"]
    ctl.max = 200
    try:
        ctl.value = 150  # 150% a year: the schema allows at most 100%
        assert "无法按此设置测算" in ex.status.value and "pay.wage_growth" in ex.status.value
        assert "Traceback" not in ex.status.value
        assert ex.narrative.value == before  # the last good figures stay
    finally:
        ctl.value = 3
        ctl.max = 8


def test_a_fractional_count_is_refused_with_its_name(baseline):
    with pytest.raises(UserError, match="年度招聘上限.*12.5.*not a whole number"):
        overrides(baseline, {"hiring.annual_cap": 12.5})


@pytest.mark.parametrize(("kwargs", "message"), [({"scenario": "nowhere.yaml"}, "nowhere.yaml"), ({"draws": 0}, "draws"),
                                                 ({"seed": -1}, "seed")])
def test_bad_notebook_parameters_give_a_message_not_a_traceback(kwargs, message):
    shown = page(**{"draws": 2, **kwargs})
    assert "无法打开参数探索页面" in shown.value and message in shown.value
    assert "Traceback" not in shown.value
    with pytest.raises(UserError):
        Explorer(**{"draws": 2, **kwargs})


def test_the_report_button_writes_the_report_of_the_page(ex, tmp_path, monkeypatch):
    monkeypatch.setenv("EXPLORER_REPORTS", str(tmp_path))
    monkeypatch.setattr("model.app.REPORT_DRAWS", 20)
    ex.controls["social_insurance.employer.housing_fund"].value = 8
    cmd = ex.report_command(tmp_path / "x")
    assert cmd[cmd.index("--set") + 1] == "social_insurance.employer.housing_fund=0.08"
    ex.write_report().join(timeout=300)
    [out] = list(tmp_path.iterdir())
    assert (out / "report.pdf").exists(), ex.report_status.value
    assert "下载PDF报告" in ex.report_status.value and "data:application/pdf;base64," in ex.report_status.value
    params = (out / "parameters.csv").read_text(encoding="utf-8")
    assert "social_insurance.employer.housing_fund" in params and "0.08" in params
    assert not ex.report_button.disabled


def _app(env_port: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "APP_PORT": env_port}
    return subprocess.run([sys.executable, "-m", "model.app"], capture_output=True, text=True, env=env, timeout=timeout)


def test_a_bad_app_port_is_a_message():
    done = _app("http")
    assert done.returncode == 2
    assert "APP_PORT='http'" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_a_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        done = _app(str(s.getsockname()[1]))
    assert done.returncode == 2
    assert "in use" in done.stderr and "APP_PORT" in done.stderr and "Traceback" not in done.stderr
