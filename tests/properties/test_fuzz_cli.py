"""The command line and notebook parameters: random argument lists end in exit status 2 with a message, never a
traceback; an undeclared notebook parameter is a UserError naming it;
an interrupted or failed run leaves the previous report as it was and no temporary folder behind;
``--out`` never replaces something that is not a report folder."""

from __future__ import annotations

import contextlib
import io
import pathlib
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from test_reference import SMALL

import model
import model.errors
from conftest import BASELINE, ROOT
from model.__main__ import main
from model.report.notebooks import declared_parameters, execute

INVALID = sorted(str(p) for p in (ROOT / "tests" / "invalid").glob("*.yaml"))
NOT_SCENARIOS = ["missing.yaml", "", "-", "--", str(ROOT), str(ROOT / "Makefile"), str(ROOT / "model" / "__init__.py"),
                 "/dev/null", str(ROOT / "tests" / "golden" / "baseline.csv"), "../../etc/passwd", "x" * 300, "報告.yaml"]
WORDS = ["validate", "run", "report", "compare", "rerun", "--draws", "--seed", "--out", "--set", "--lang", "--quiet",
         "0", "-1", "1e3", "abc", "99999999999999999999999", "zh", "fr", "attrition.rate.staff=2", "nonsense=1", "=", "pay"]
arguments = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(INVALID + NOT_SCENARIOS), st.text(max_size=10)),
                     max_size=8)


def run_cli(argv):
    """Run the CLI in this process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exit_:
            status = exit_.code
    return status, out.getvalue(), err.getvalue()


@given(st.sampled_from(["validate", "run", "report", "compare", "rerun"]), arguments)
def test_random_arguments(command, rest):
    argv = [command, *(a for a in rest if a not in ("-h", "--help"))]
    status, _, err = run_cli(argv)
    assert status == 2, (argv, err)
    assert err.strip() and "Traceback" not in err
    assert "error" in err or any(a and Path(a).name in err for a in argv), err


@given(arguments)
def test_random_first_word(rest):
    status, _, err = run_cli([w for w in rest if w not in ("-h", "--help", "validate", "run", "report", "compare", "rerun")])
    assert status == 2 and "error" in err


# ----------------------------------------------------------------------------- --out


def folder_state(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_out_refuses_folders_that_are_not_reports(tmp_path):
    holder = tmp_path / "notes"
    holder.mkdir()
    (holder / "mine.txt").write_text("keep me")
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep me")
    for out in (holder, a_file, ROOT, Path.home(), Path("/")):
        status, _, err = run_cli(["run", str(BASELINE), "--draws", "1", "--quiet", "--out", str(out)])
        assert status == 2 and "--out" in err, (out, err)
    assert (holder / "mine.txt").read_text() == "keep me" and a_file.read_text() == "keep me"


# ----------------------------------------------------------------------------- nothing half-written


@pytest.fixture(scope="module")
def small_results():
    return model.simulate(BASELINE, draws=2, seed=1, progress=False, overrides=SMALL)


@pytest.fixture
def previous(tmp_path, small_results):
    out = model.write_run(small_results, tmp_path / "reports" / "baseline", workbook=False)
    return out, folder_state(out)


def assert_untouched(out: Path, before: dict):
    assert folder_state(out) == before
    leftovers = [p.name for p in out.parent.iterdir() if p != out]
    assert not leftovers, f"left behind: {leftovers}"


def test_failed_writer_keeps_previous_report(previous, small_results, monkeypatch):
    out, before = previous

    def broken(folder):
        raise RuntimeError("disk full while writing budget.xlsx")

    monkeypatch.setattr("model.report.excel.write_workbook", broken)
    with pytest.raises(RuntimeError):
        model.write_run(small_results, out)
    assert_untouched(out, before)


def test_interrupted_cli_run_keeps_previous_report(previous, monkeypatch):
    out, before = previous

    def interrupted(folder):
        raise KeyboardInterrupt

    monkeypatch.setattr("model.report.excel.write_workbook", interrupted)
    status, _, err = run_cli(["run", str(BASELINE), "--draws", "2", "--quiet", "--out", str(out), *sum((["--set", s] for s in SMALL), [])])
    assert status == 130
    assert "earlier report is unchanged" in err
    assert_untouched(out, before)


def test_interrupt_while_swapping_folders_keeps_previous_report(previous, small_results, monkeypatch):
    """Ctrl-C between moving the old report aside and moving the new one in must not lose the old one."""
    out, before = previous
    rename = pathlib.Path.rename

    def rename_then_interrupt(self, target):
        if Path(target) == out and self.name.startswith(".") and ".old-" not in self.name:
            raise KeyboardInterrupt
        return rename(self, target)

    monkeypatch.setattr(pathlib.Path, "rename", rename_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.write_run(small_results, out, workbook=False)
    monkeypatch.undo()
    assert_untouched(out, before)


# ----------------------------------------------------------------------------- notebook parameters

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
DECLARED = {name: set(declared_parameters(name)) for name in NOTEBOOKS}


@given(st.sampled_from(NOTEBOOKS), st.dictionaries(st.text(min_size=1, max_size=12), st.one_of(st.integers(), st.text(max_size=5)),
                                                   min_size=1, max_size=3))
def test_undeclared_notebook_parameters(tmp_path_factory, notebook, params):
    unknown = set(params) - DECLARED[notebook]
    assume(unknown)
    with pytest.raises(model.errors.UserError) as err:
        execute(notebook, params, tmp_path_factory.mktemp("nb") / "out.ipynb", ROOT)
    for name in unknown:
        assert f"{name}: not a parameter" in str(err.value)
