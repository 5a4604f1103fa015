"""Settings of a process the model runs in (model/process.py)."""

from __future__ import annotations

import subprocess
import sys

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
