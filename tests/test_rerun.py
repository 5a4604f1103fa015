"""``python -m model rerun``: a recorded run is reproduced byte for byte, or the command says what differs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from test_reference import SMALL

import model
from conftest import BASELINE, ROOT
from model.__main__ import main


def small_scenario(path, **changes):
    """A small-headcount scenario file extending the baseline (the SMALL overrides written out), plus ``changes``."""
    tree = {"extends": str(BASELINE), "name": path.stem, "title": "small", "rationale": "test"}
    for text in [*SMALL, *(f"{k}={v}" for k, v in changes.items())]:
        dotted, _, value = text.partition("=")
        *parents, leaf = dotted.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = yaml.safe_load(value)
    path.write_text(yaml.safe_dump(tree, allow_unicode=True))
    return path


@pytest.fixture
def recorded(tmp_path):
    scenario = small_scenario(tmp_path / "small.yaml")
    out = model.write_run(model.simulate(scenario, draws=3, seed=5, progress=False), tmp_path / "reports" / "small",
                          workbook=False)
    return scenario, out


def rerun(capsys, *argv):
    status = main(["rerun", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_identical_rerun_exits_0(recorded, capsys):
    _, out = recorded
    status, text, _ = rerun(capsys, out / "manifest.json")
    assert status == 0, text
    assert "reproduced" in text
    assert rerun(capsys, out)[0] == 0  # the report folder will do too


def test_changed_scenario_file_is_named(recorded, capsys):
    scenario, out = recorded
    small_scenario(scenario, **{"pay.reference_wage_monthly": 3000})
    status, text, _ = rerun(capsys, out / "manifest.json")
    assert status == 1
    assert "not reproduced" in text
    assert "input file small.yaml: changed" in text
    assert "parameters_sha256: recorded" in text
    assert "rows differ; first cost" in text  # the first changed row of summary.csv, by year and metric


def test_changed_versions_are_named(recorded, capsys):
    _, out = recorded
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(run_digest="0" * 64, code_version="0.0.1", python="3.9.0")
    manifest["packages"]["numpy"] = "1.0.0"
    manifest["files"]["gone.yaml"] = "ab" * 32
    path.write_text(json.dumps(manifest))
    status, text, _ = rerun(capsys, path)
    assert status == 1
    for line in ("code_version: recorded 0.0.1", "python: recorded 3.9.0", "package numpy: recorded 1.0.0",
                 "input file gone.yaml: recorded, but no longer"):
        assert line in text
    assert "parameters_sha256" not in text


def test_unexplained_difference_says_so(recorded, capsys):
    _, out = recorded
    path = out / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "run_digest": "f" * 64}))
    status, text, _ = rerun(capsys, path)
    assert status == 1
    assert "the manifest was edited" in text
    assert "something the manifest does not record" in text


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "a manifest is a JSON object, not a list"),
    ("{}", "scenario_file: missing"),
    ('{"scenario_file": "x.yaml", "seed": "1", "draws": 3, "run_digest": "", "files": {}, '
     '"parameters_sha256": "", "code_version": "", "packages": {}}', "seed: expected int, got '1'"),
    ('{"scenario_file": "/nonexistent/x.yaml", "seed": 1, "draws": 3, "run_digest": "", "files": {}, '
     '"parameters_sha256": "", "code_version": "", "packages": {}}', "was not found"),
    ('{"scenario_file": "/nonexistent/x.yaml", "seed": true, "draws": 0, "run_digest": "", "files": {}, '
     '"parameters_sha256": "", "code_version": "", "packages": {}}', "seed: expected int, got True"),
])
def test_bad_manifest_exits_2(tmp_path, capsys, content, message):
    path = tmp_path / "manifest.json"
    path.write_text(content)
    status, _, err = rerun(capsys, path)
    assert status == 2
    assert message in err and "Traceback" not in err


def test_missing_manifest_exits_2(tmp_path, capsys):
    status, _, err = rerun(capsys, tmp_path / "nowhere" / "manifest.json")
    assert status == 2 and "manifest " in err and "file not found" in err


def test_recorded_draws_out_of_range_exits_2(recorded, capsys):
    _, out = recorded
    path = out / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "draws": 0}))
    status, _, err = rerun(capsys, path)
    assert status == 2 and "draws must be a whole number" in err


def test_rerun_reproduces_a_run_made_with_overrides(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "model", "run", str(BASELINE), "--draws", "8", "--seed", "3",
                        "--set", "attrition.rate.staff=0.1", "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "manifest.json").read_text())["overrides"] == ["attrition.rate.staff=0.1"]
    again = subprocess.run([sys.executable, "-m", "model", "rerun", str(out / "manifest.json")], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reproduced" in again.stdout
