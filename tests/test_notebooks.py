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


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != ".ipynb_checkpoints"}


# Each notebook runs with its kernel in notebooks/, as JupyterLab starts it: the scenarios it names
# (scenarios/baseline.yaml, ...) are found from there, and nothing is written into notebooks/.


@needs_engine
def test_budget_report_runs_from_the_notebooks_folder(tmp_path, kernel_env):
    before = _entries(NOTEBOOK_DIR)
    out = tmp_path / "run"
    execute("budget_report", {"draws": 20, "out_dir": str(out)}, tmp_path / "report.ipynb", NOTEBOOK_DIR)
    for f in ("summary.csv", "draws.parquet", "parameters.csv", "manifest.json", "budget.xlsx", "report.pdf"):
        assert (out / f).exists(), f
    assert "cost.total" in _outputs(tmp_path / "report.ipynb")
    assert json.loads((out / "manifest.json").read_text())["scenario"] == "baseline"
    assert _entries(NOTEBOOK_DIR) == before


@needs_engine
def test_scenario_comparison_runs(tmp_path, kernel_env):
    alt = tmp_path / "alt.yaml"
    alt.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: higher_pay\ntitle: 提高基础工资\n"
                   "rationale: test\npay:\n  reference_wage_monthly: {value: 3000, unit: yuan/month, "
                   "assumption: test}\n", encoding="utf-8")
    out = tmp_path / "cmp"
    execute("scenario_comparison", {"draws": 20, "out_dir": str(out), "alternatives": [str(alt)]},
            tmp_path / "comparison.ipynb", NOTEBOOK_DIR)
    assert (out / "comparison.pdf").exists()
    assert (out / "levers" / "higher_pay" / "pay.reference_wage_monthly" / "summary.csv").exists()


@needs_engine
def test_scenario_comparison_runs_with_its_defaults_from_the_notebooks_folder(tmp_path, kernel_env):
    before = _entries(NOTEBOOK_DIR)
    out = tmp_path / "cmp"
    execute("scenario_comparison", {"draws": 20, "out_dir": str(out)}, tmp_path / "comparison.ipynb", NOTEBOOK_DIR)
    assert (out / "comparison.pdf").exists()
    assert _entries(NOTEBOOK_DIR) == before


@needs_engine
def test_explore_runs_from_the_notebooks_folder(tmp_path, kernel_env):
    before = _entries(NOTEBOOK_DIR)
    execute("explore", {"draws": 20}, tmp_path / "explore.ipynb", NOTEBOOK_DIR)
    assert _entries(NOTEBOOK_DIR) == before
    # the page is in the saved widget state: its narrative in 万元 and its chart, not a message about a parameter
    nb = json.loads((tmp_path / "explore.ipynb").read_text(encoding="utf-8"))
    state = json.dumps(nb["metadata"]["widgets"], ensure_ascii=False)
    assert "万元" in state and "cwm-narrative" in state and '"format": "png"' in state
    assert "无法" not in state


def test_paths_from_any_working_folder(tmp_path, monkeypatch):
    """input_file: as given when it exists, else the shipped file; output_dir: under the project folder."""
    from model.paths import CHECKOUT, input_file, output_dir

    monkeypatch.chdir(tmp_path)
    assert input_file("scenarios/baseline.yaml") == CHECKOUT / "scenarios" / "baseline.yaml"
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.yaml").write_text("own copy")
    assert input_file("scenarios/baseline.yaml").resolve() == tmp_path / "scenarios" / "baseline.yaml"
    assert input_file("nowhere.yaml") == Path("nowhere.yaml")  # reported missing under the name given
    assert output_dir("reports/x") == CHECKOUT / "reports" / "x"  # a checkout: the project's reports/
    assert output_dir(tmp_path / "y") == tmp_path / "y"


def test_the_kernel_takes_the_model_settings_and_has_the_report_modules_loaded(tmp_path, kernel_env):
    """model.report.kernel: the garbage-collector settings of model.process, and the report's modules imported
    while the command was still starting (its exec_lines), before the notebook's first cell."""
    import nbformat.v4 as v4

    nb = v4.new_notebook(cells=[v4.new_code_cell("parameters = None", metadata={"tags": ["parameters"]}),
                                v4.new_code_cell("import gc, sys\nprint(gc.get_threshold()[0], "
                                                 "{'pandas', 'matplotlib', 'typst'} <= set(sys.modules))")])
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    import papermill

    from model.report.kernel import start_kernel, stop_kernel

    km = start_kernel(tmp_path)
    try:
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), kernel_name="python3", progress_bar=False,
                                   cwd=str(tmp_path), km=km)
    finally:
        stop_kernel(km)
    assert "50000 True" in _outputs(tmp_path / "out.ipynb")
