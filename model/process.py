"""Settings for a process the model runs in: a command (``python -m model``) or a report's notebook kernel.

- Garbage collector. Such a process builds many long-lived objects (numba's types and compiled code, pandas,
  matplotlib, pydantic models) and few short-lived cycles. The collector then runs less often (thresholds
  50,000/50/100), and what is left is frozen when the interpreter exits, so that its last collections do not walk
  every object again: about 0.4 s of CPU at the end of a report's kernel, 0.2 s at the end of ``run``.
- numba's BLAS check. When numba first compiles or loads compiled code it imports numba.np.arraymath, which
  imports scipy.linalg to see whether BLAS is there for np.dot and np.linalg in compiled code (0.13 s). The
  model's compiled code uses neither, so in these processes the check is answered "no BLAS" and scipy.linalg
  is not imported for it; it stays importable as usual for any other use.
"""

from __future__ import annotations

import atexit
import gc
import sys
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


# The statement a notebook kernel runs at start (IPKernelApp.exec_lines) to apply them.
KERNEL_LINE = "import model.process; model.process.own_process()"
