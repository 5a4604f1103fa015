"""Notebooks: one documented parameters cell, no committed outputs, the CLI's parameters, and each runs."""

import json
from pathlib import Path

import nbformat
import pytest

import model
from model.errors import UserError
from model.report.notebooks import NOTEBOOK_DIR, declared_parameters, execute

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    "budget_report": {"scenario", "draws", "seed", "lang", "out_dir", "overrides", "actuals"},
    "scenario_comparison": {"base", "alternatives", "draws", "seed", "lang", "out_dir"},
    "explore": {"scenario", "draws", "seed"},
}
needs_engine = pytest.mark.skipif(not hasattr(model, "simulate"), reason="engine not available yet")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_and_no_outputs(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0]
    for line in nb.cells[0].source.splitlines():
        assert "  # " in line, f"no help comment: {line}"
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_declared_parameters_are_what_the_cli_passes(name):
    declared = declared_parameters(name)
    assert set(declared) == NOTEBOOKS[name]
    assert all(p["help"] for p in declared.values())


def test_an_undeclared_parameter_is_an_error(tmp_path):
    with pytest.raises(UserError, match="colour"):
        execute("budget_report", {"draws": 20, "colour": "red"}, tmp_path / "out.ipynb", ROOT)
    assert not (tmp_path / "out.ipynb").exists()


@pytest.fixture
def kernel_env(monkeypatch):
    """Let the kernel import the project from any working directory."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


def _outputs(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return json.dumps([c.get("outputs", []) for c in nb["cells"]], ensure_ascii=False)


@needs_engine
def test_budget_report_runs(tmp_path, kernel_env):
    out = tmp_path / "run"
    execute("budget_report", {"draws": 20, "out_dir": str(out)}, tmp_path / "report.ipynb", ROOT)
    for f in ("summary.csv", "draws.parquet", "parameters.csv", "manifest.json", "budget.xlsx", "report.pdf"):
        assert (out / f).exists(), f
    assert "cost.total" in _outputs(tmp_path / "report.ipynb")


@needs_engine
def test_scenario_comparison_runs(tmp_path, kernel_env):
    alt = tmp_path / "alt.yaml"
    alt.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: higher_pay\ntitle: 提高基础工资\n"
                   "rationale: test\npay:\n  reference_wage_monthly: {value: 3000, unit: yuan/month, "
                   "assumption: test}\n", encoding="utf-8")
    out = tmp_path / "cmp"
    execute("scenario_comparison", {"draws": 20, "out_dir": str(out), "alternatives": [str(alt)]},
            tmp_path / "comparison.ipynb", ROOT)
    assert (out / "comparison.pdf").exists()
    assert (out / "levers" / "higher_pay" / "pay.reference_wage_monthly" / "summary.csv").exists()


@needs_engine
def test_scenario_comparison_runs_with_its_defaults(tmp_path, kernel_env):
    out = tmp_path / "cmp"
    execute("scenario_comparison", {"draws": 20, "out_dir": str(out)}, tmp_path / "comparison.ipynb", ROOT)
    assert (out / "comparison.pdf").exists()


@needs_engine
def test_explore_runs(tmp_path, kernel_env):
    execute("explore", {"draws": 20, "scenario": str(ROOT / "scenarios" / "baseline.yaml")},
            tmp_path / "explore.ipynb", tmp_path)
    assert (tmp_path / "reports" / "explore" / "changed" / "summary.csv").exists()
