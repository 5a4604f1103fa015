"""The model never deletes or overwrites what it did not write."""

from __future__ import annotations

import subprocess
import sys

from conftest import BASELINE, ROOT


def cli(*args):
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def test_out_folder_with_foreign_files_is_not_replaced(tmp_path):
    x = tmp_path / "x"
    (x / "src").mkdir(parents=True)
    (x / "manifest.json").write_text("{}")
    (x / "src" / "index.js").write_text("code")
    r = cli("run", BASELINE, "--draws", "2", "--out", x)
    assert r.returncode == 2 and "not replaced" in r.stderr and "Traceback" not in r.stderr
    assert (x / "src" / "index.js").read_text() == "code" and (x / "manifest.json").read_text() == "{}"


def test_the_model_replaces_its_own_folder(tmp_path):
    out = tmp_path / "run"
    assert cli("run", BASELINE, "--draws", "2", "--out", out, "--quiet").returncode == 0
    assert (out / ".community-model-output").is_file()
    (out / "summary.csv").write_text("stale")
    assert cli("run", BASELINE, "--draws", "2", "--out", out, "--quiet").returncode == 0
    assert (out / "summary.csv").read_text() != "stale"


def test_calibrate_never_overwrites_a_scenario(tmp_path):
    before = BASELINE.read_bytes()
    r = cli("calibrate", BASELINE, "--history", ROOT / "data" / "history_example.csv", "--fit", "attrition.rate.staff",
            "--out", BASELINE)
    assert r.returncode == 2 and "is a scenario file this calibration reads" in r.stderr
    other = tmp_path / "mine.yaml"
    other.write_text("name: mine\n")
    r = cli("calibrate", BASELINE, "--history", ROOT / "data" / "history_example.csv", "--fit", "attrition.rate.staff",
            "--out", other)
    assert r.returncode == 2 and "was not written by calibrate" in r.stderr
    assert BASELINE.read_bytes() == before and other.read_text() == "name: mine\n"


def test_no_machine_path_in_a_report_folder(tmp_path):
    out = tmp_path / "rep"
    r = cli("report", BASELINE, "--draws", "20", "--out", out)
    assert r.returncode == 0, r.stderr
    for name in ("manifest.json", "report.ipynb", "summary.csv", "parameters.csv", "figures.csv"):
        text = (out / name).read_text(encoding="utf-8-sig")
        assert str(ROOT) not in text and str(tmp_path) not in text, name
    import openpyxl

    wb = openpyxl.load_workbook(out / "budget.xlsx", read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(str(ROOT) in c or str(tmp_path) in c for c in cells)
