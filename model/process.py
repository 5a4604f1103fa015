"""Settings for a process the model runs in: a command (``python -m model``) or a report's notebook kernel.

- Garbage collector. Such a process builds many long-lived objects (numba's types and compiled code, pandas,
  matplotlib, pydantic models) and few short-lived cycles. The collector then runs less often (thresholds
  50,000/50/100), and what is left is frozen when the interpreter exits, so that its last collections do not walk
  every object again: about 0.4 s of CPU at the end of a report's kernel, 0.2 s at the end of ``run``.
- Work shared with a forked child (``in_two_processes``). Some steps run on one core while the other is idle
  (a report's charts: about 1 s). On Linux, half of such tasks run in a child forked for them; a child that
  fails or warns hands its tasks back, and they run here, so errors and warnings reach the user as usual.
- numba's BLAS check. When numba first compiles or loads compiled code it imports numba.np.arraymath, which
  imports scipy.linalg to see whether BLAS is there for np.dot and np.linalg in compiled code (0.13 s). The
  model's compiled code uses neither, so in these processes the check is answered "no BLAS" and scipy.linalg
  is not imported for it; it stays importable as usual for any other use.
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from importlib.machinery import PathFinder

BLAS_MODULE = "scipy.linalg.cython_blas"  # what numba imports to check for BLAS (numba.np.linalg.ensure_blas)


class WithoutBlasCheck:
    """An import finder that runs numba.np.arraymath with the BLAS module marked missing, then unmarks it (and
    leaves sys.meta_path once it has found that module)."""

    def find_spec(self, name, path=None, target=None):
        if name != "numba.np.arraymath":
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        sys.meta_path.remove(self)  # its one use (the import system stops looking once a spec is returned)
        run = spec.loader.exec_module

        def exec_module(module):
            blocked = BLAS_MODULE not in sys.modules
            if blocked:
                sys.modules[BLAS_MODULE] = None  # an import of it raises ImportError without importing scipy.linalg
            try:
                run(module)
            finally:
                if blocked and sys.modules.get(BLAS_MODULE, False) is None:
                    del sys.modules[BLAS_MODULE]

        spec.loader.exec_module = exec_module
        return spec


def own_process() -> None:
    """Apply the settings to this interpreter (once is enough; again does no harm)."""
    gc.set_threshold(50_000, 50, 100)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    if "numba.np.arraymath" not in sys.modules and not any(isinstance(f, WithoutBlasCheck) for f in sys.meta_path):
        sys.meta_path.insert(0, WithoutBlasCheck())


def in_two_processes(tasks: Sequence[Callable[[], object]]) -> None:
    """Run each task once, shared between this process and a child forked for them (Linux, 2 to 256 tasks): each
    takes the next task not yet taken until none is left. The tasks must leave their work in files (a child's return
    values and objects are lost). If the child fails, warns or cannot be forked, the tasks this process did not
    run itself run here afterwards, with their errors and warnings raised here: the child can save time, never
    change what is written. If a task fails here, the child is stopped and the error raised."""
    n = len(tasks)
    pid = None
    if 2 <= n <= 256 and sys.platform == "linux":
        queue, put = os.pipe()  # the tasks' numbers, one byte each; a read takes the next
        os.write(put, bytes(range(n)))
        os.close(put)
        pid = _fork()
        if pid is None:
            os.close(queue)
    if pid is None:
        for task in tasks:
            task()
        return

    def take():
        got = os.read(queue, 1)
        return got[0] if got else None

    if pid == 0:  # the child: nothing it does reaches the user; its exit status says whether all went well
        status = 1
        try:
            gc.freeze()  # a collection here need not walk (and copy) the parent's objects
            sys.stdout = sys.stderr = open(os.devnull, "w")
            with warnings.catch_warnings(record=True) as seen:  # (this process's filters: what it would show)
                while (i := take()) is not None:
                    tasks[i]()
            status = 1 if seen else 0
        finally:
            os._exit(status)
    ran = set()
    try:
        while (i := take()) is not None:
            ran.add(i)
            tasks[i]()
    except BaseException:  # a task failed here, or an interruption: the child's work is not needed
        _stop(pid)
        raise
    finally:
        os.close(queue)
    if not _finished(pid):
        for i in range(n):
            if i not in ran:
                tasks[i]()


CHILD_WAIT_S = 30.0  # how long a child may go on after this process has run out of tasks


def _finished(pid: int) -> bool:
    """Wait for the child ``pid``; whether it exited with status 0. A child still running CHILD_WAIT_S seconds
    after this process ran out of tasks is stopped (False): a stuck child costs time, never the output. If this
    process ignores SIGCHLD, the system reaps the child itself and its status is unknown: False. Interrupted
    here, the child is stopped first."""
    deadline = time.monotonic() + CHILD_WAIT_S
    try:
        while True:
            ended, status = os.waitpid(pid, os.WNOHANG)
            if ended:
                return os.waitstatus_to_exitcode(status) == 0
            if time.monotonic() > deadline:
                _stop(pid)
                return False
            time.sleep(0.002)
    except ChildProcessError:
        return False
    except BaseException:
        _stop(pid)
        raise


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _fork() -> int | None:
    """os.fork(), or None where it fails (Python 3.12 and later warn of a fork in a process with threads, such
    as numba's: the child here only runs the given tasks and exits without running the parent's exit code)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return os.fork()
    except OSError:
        return None


# The statement a notebook kernel runs at start (IPKernelApp.exec_lines) to apply them.
KERNEL_LINE = "import model.process; model.process.own_process()"
