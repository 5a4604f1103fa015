"""Settings of a process the model runs in (model/process.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

SIMULATE = "import model; model.simulate('scenarios/baseline.yaml', draws=2, progress=False)"


def _run(code: str) -> list[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.split()


def test_numba_checks_for_blas_without_importing_scipy_linalg_in_an_owned_process():
    """numba's first use imports scipy.linalg only to look for BLAS, which the model's compiled code does not
    use: in a process the model owns, the check is answered without it, and scipy.linalg still imports after."""
    owned = _run("import sys, model.process; model.process.own_process(); " + SIMULATE + "; "
                 "print('scipy.linalg' in sys.modules); import scipy.linalg.cython_blas, scipy.optimize; print('ok')")
    assert owned == ["False", "ok"]
    # elsewhere (a library user's process) numba's check runs as numba wrote it
    assert _run("import sys; " + SIMULATE + "; print('scipy.linalg' in sys.modules)") == ["True"]


def test_an_owned_process_freezes_the_heap_at_exit():
    code = ("import atexit, gc, model.process; model.process.own_process(); model.process.own_process(); "
            "print(gc.get_threshold()[0], atexit._ncallbacks() >= 1); atexit._run_exitfuncs(); print(gc.get_freeze_count() > 0)")
    assert _run(code) == ["50000", "True", "True"]


def _task(folder, i, parent, mode=None):
    """Task i: append this process's id to file i; the first task a process takes waits (up to 10 s) until the
    other process has taken one too, so that both take part (a file just opened by the other process may be
    empty still)."""
    import os
    import time
    import warnings

    def run():
        with open(folder / str(i), "a") as f:
            f.write(f"{os.getpid()}\n")
        deadline = time.monotonic() + 10
        while len({w[0] for p in folder.iterdir() if (w := p.read_text().split())}) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        if os.getpid() != parent and mode == "raise":
            raise RuntimeError("in the child")
        if os.getpid() != parent and mode == "warn":
            warnings.warn("in the child", stacklevel=2)
        if os.getpid() != parent and mode == "quiet":
            warnings.warn("quiet", stacklevel=2)
        if os.getpid() == parent and mode == "raise here":
            raise ValueError("here")
    return run


def _child(folder, parent) -> int:
    """The process id of the child that took tasks (written by _task; the test process may have other children)."""
    return next(int(p) for f in folder.iterdir() for p in f.read_text().split() if int(p) != parent)


def test_tasks_are_shared_with_a_forked_child_and_each_runs_once(tmp_path):
    import os

    from model.process import in_two_processes

    in_two_processes([_task(tmp_path, i, os.getpid()) for i in range(6)])
    lines = [(tmp_path / str(i)).read_text().split() for i in range(6)]
    assert all(len(x) == 1 for x in lines)  # each task ran once
    ids = {x[0] for x in lines}
    assert str(os.getpid()) in ids and len(ids) == 2  # here and in one other process


def test_a_child_that_fails_or_warns_hands_its_tasks_back(tmp_path, recwarn):
    import os

    from model.process import in_two_processes

    for kind in ("raise", "warn"):
        folder = tmp_path / kind
        folder.mkdir()
        in_two_processes([_task(folder, i, os.getpid(), kind) for i in range(6)])
        lines = [(folder / str(i)).read_text().split() for i in range(6)]
        assert all(x[-1] == str(os.getpid()) for x in lines)  # every task's last run was here
        assert any(x[0] != str(os.getpid()) for x in lines)  # after the child had taken one
    assert len(recwarn) == 0  # the child's warning stayed there; the task then ran here without one


def test_an_error_here_stops_the_child_and_is_raised(tmp_path):
    import os

    from model.process import in_two_processes

    with pytest.raises(ValueError, match="here"):
        in_two_processes([_task(tmp_path, i, os.getpid(), "raise here") for i in range(3)])
    with pytest.raises(ChildProcessError):
        os.waitpid(_child(tmp_path, os.getpid()), os.WNOHANG)  # no child left behind: stopped and reaped


def test_tasks_all_run_where_the_system_reaps_children_itself(tmp_path):
    """With SIGCHLD ignored, a child's exit status cannot be read: its tasks run here again."""
    import os
    import signal

    from model.process import in_two_processes

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        in_two_processes([_task(tmp_path, i, os.getpid()) for i in range(4)])
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert all((tmp_path / str(i)).read_text().split()[-1] == str(os.getpid()) for i in range(4))


def test_a_stuck_child_is_stopped_and_its_tasks_run_here(tmp_path, monkeypatch):
    import os
    import time

    import model.process
    from model.process import in_two_processes

    monkeypatch.setattr(model.process, "CHILD_WAIT_S", 0.5)
    parent = os.getpid()
    tasks = [_task(tmp_path, i, parent) for i in range(4)]

    def stuck_in_the_child(run):
        def task():
            run()
            if os.getpid() != parent:
                time.sleep(60)
        return task

    in_two_processes([stuck_in_the_child(t) for t in tasks])
    assert all((tmp_path / str(i)).read_text().split()[-1] == str(parent) for i in range(4))
    with pytest.raises(ChildProcessError):
        os.waitpid(_child(tmp_path, parent), os.WNOHANG)  # stopped and reaped


def test_a_warning_this_process_would_not_show_does_not_hand_tasks_back(tmp_path):
    import os
    import warnings

    from model.process import in_two_processes

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="quiet")
        in_two_processes([_task(tmp_path, i, os.getpid(), "quiet") for i in range(4)])
    lines = [(tmp_path / str(i)).read_text().split() for i in range(4)]
    assert all(len(x) == 1 for x in lines)  # each ran once: the child's tasks were not run again here
    assert len({x[0] for x in lines}) == 2
