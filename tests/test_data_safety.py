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
    """Run from a folder outside the project: the report goes where --out says, and nothing into the project."""
    out, elsewhere = tmp_path / "rep", tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = subprocess.run([sys.executable, "-m", "model", "report", str(BASELINE), "--draws", "20", "--out", str(out)],
                       capture_output=True, text=True, cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    assert (out / "report.pdf").is_file() and not any(elsewhere.iterdir())
    assert not [p.name for p in ROOT.iterdir() if p.name.startswith(".rep.")]  # no staging folder in the project
    for name in ("manifest.json", "report.ipynb", "summary.csv", "parameters.csv", "figures.csv"):
        text = (out / name).read_text(encoding="utf-8-sig")
        assert str(ROOT) not in text and str(tmp_path) not in text, name
    import openpyxl

    wb = openpyxl.load_workbook(out / "budget.xlsx", read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(str(ROOT) in c or str(tmp_path) in c for c in cells)


# ----------------------------------------------------------------------------- probes of issue "data safety"

def refused(r, *words):
    """Exit 2 with a message holding each of ``words`` and no traceback."""
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and all(w in r.stderr for w in words), r.stderr
    return r.stderr


def child(tmp_path, body: str, name="child"):
    f = tmp_path / f"{name}.yaml"
    f.write_text(f"name: {name}\ntitle: t\nrationale: r\nextends: {BASELINE}\n{body}")
    return f


def test_device_files_and_pipes_are_not_read(tmp_path):
    import os

    zero = tmp_path / "zero.yaml"
    zero.write_text("name: z\ntitle: t\nrationale: r\nextends: /dev/zero\n")
    refused(cli("validate", zero), "/dev/zero", "not a regular file")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    refused(cli("validate", fifo), "fifo.yaml", "not a regular file")  # would block for ever if opened
    roster = tmp_path / "roster.csv"
    os.mkfifo(roster)
    refused(cli("run", BASELINE, "--draws", "2", "--set", f"opening.roster_file={roster}", "--out", tmp_path / "o"),
            "roster file", "not a regular file")
    assert not (tmp_path / "o").exists()


def test_an_xlsx_bomb_is_refused_before_it_is_opened(tmp_path):
    import zipfile

    bomb = tmp_path / "roster.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z, z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
        for _ in range(200):
            f.write(b"0" * (1 << 20))  # 200 MB of zeros in a file of a few hundred KB
    assert bomb.stat().st_size < 1 << 20
    refused(cli("run", BASELINE, "--draws", "2", "--set", f"opening.roster_file={bomb}", "--out", tmp_path / "o"),
            "expands to 209,715,200 bytes")


def test_yaml_aliases_are_refused_in_ranges_too(tmp_path):
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text("a: &x [0.1, 0.2]\nattrition.rate.staff: *x\n")
    refused(cli("sensitivity", BASELINE, "--ranges", ranges, "--year", 2026, "--draws", 2, "--out", tmp_path / "s"),
            "aliases", "not allowed")


def test_a_number_of_thousands_of_digits_is_a_message(tmp_path):
    digits = "9" * 5000
    refused(cli("validate", child(tmp_path, f"attrition: {{rate: {{staff: {digits}}}}}\n")),
            "attrition.rate.staff (child.yaml:5)", "too long")
    refused(cli("run", BASELINE, "--draws", 2, "--set", f"opening.communities={digits}", "--out", tmp_path / "o"),
            "--set opening.communities", "too long")


def test_a_rerun_manifest_with_numeric_overrides_is_a_message(tmp_path):
    import json

    out = tmp_path / "run"
    assert cli("run", BASELINE, "--draws", 2, "--out", out, "--quiet").returncode == 0
    m = json.loads((out / "manifest.json").read_text())
    m["overrides"] = 7
    (out / "manifest.json").write_text(json.dumps(m))
    refused(cli("rerun", out), "overrides: expected a list")


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    import openpyxl
    import pandas as pd

    sc = child(tmp_path, "sources: {evil: '=HYPERLINK(\"http://x\",\"y\")'}\n"
                         "attrition: {rate: {staff: {value: 0.1, source: 'evil: =cmd|calc'}}}\n"
                         "elections: {turnover: {value: 0.2, assumption: '@SUM(1)'}}\n", name="inj")
    sc.write_text(sc.read_text().replace("title: t", "title: '=1+1'"))
    out = tmp_path / "o"
    assert cli("run", sc, "--draws", 2, "--out", out, "--quiet").returncode == 0
    wb = openpyxl.load_workbook(out / "budget.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=@+"]
    assert cells and all(c.data_type == "s" or c.value.startswith("=SUM(") for c in cells)  # text, or our own totals
    p = pd.read_csv(out / "parameters.csv", dtype=str, keep_default_na=False)
    row = p[p.path == "attrition.rate.staff"].iloc[0]
    assert row.source == "evil: =cmd|calc" and row.document == "'=HYPERLINK(\"http://x\",\"y\")"  # OWASP: a leading '
    assert p[p.path == "elections.turnover"].source.iloc[0] == "'@SUM(1)"


def test_personal_columns_are_dropped_and_numbers_masked_in_messages(tmp_path):
    from conftest import ROSTER_HEADER
    from model.simulation.roster import PERSONAL, shown

    for column in ("公民身份号码", "证件号码", "家庭地址", "e-mail", "Email", "联系电话", "姓名"):
        assert PERSONAL.search(column), column
    assert not any(PERSONAL.search(c) for c in ROSTER_HEADER.strip().split(","))
    assert shown("420201198503151234") == "'****************34' (masked)" and shown("1985-03") == "'1985-03'"
    roster = tmp_path / "roster.csv"
    row = "staff,career,F,1990-01,bachelor,5,5,none,3,0"
    roster.write_text(ROSTER_HEADER + f"420201199001011234,{row}\n420201199001011234,{row}\n")
    err = refused(cli("run", BASELINE, "--draws", 2, "--set", f"opening.roster_file={roster}", "--out", tmp_path / "o"),
                  "duplicate id", "(masked)")
    assert "420201199001011234" not in err


def test_an_unusable_out_is_refused_before_the_work(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    r = cli("run", BASELINE, "--draws", 100000, "--out", afile / "x")  # 100,000 draws would take a minute
    refused(r, "--out", "cannot write there")
    assert afile.read_text() == "mine"


def test_concurrent_writers_and_stale_staging(tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "out"
    stale = tmp_path / ".out.staging-999999999-abc"  # left by a process that no longer exists
    stale.mkdir()
    (stale / "partial.csv").write_text("x")
    foreign = tmp_path / ".out.staging-notapid"  # not a name the model gives: left alone
    foreign.mkdir()
    first = subprocess.Popen([sys.executable, "-m", "model", "run", str(BASELINE), "--draws", "20000", "--out", str(out)],
                             cwd=ROOT, stderr=subprocess.PIPE, text=True)
    for _ in range(400):  # until the first run holds the lock
        if (tmp_path / ".out.lock").exists() and not stale.exists():
            break
        time.sleep(0.05)
    refused(cli("run", BASELINE, "--draws", 2, "--out", out), "another run is writing")
    first.send_signal(signal.SIGTERM)  # handled like Ctrl-C: staging removed, nothing written
    _, err = first.communicate(timeout=60)
    assert first.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not out.exists() and not stale.exists() and foreign.exists()
    assert not [p for p in os.listdir(tmp_path) if ".staging-" in p and p != foreign.name]


def test_memory_guard_on_every_path_and_a_grid_cap(tmp_path):
    refused(cli("run", BASELINE, "--draws", 400000, "--workers", 1, "--out", tmp_path / "o"), "GiB", "draws fit")
    many = ",".join(f"{0.01 + i / 10000:.4f}" for i in range(2100))
    refused(cli("sweep", BASELINE, "--grid", f"attrition.rate.staff={many}", "--draws", 2, "--out", tmp_path / "s"),
            "2,100 combinations", "at most 2,000")
    assert not (tmp_path / "o").exists() and not (tmp_path / "s").exists()
