"""Garbage-collector settings for a process the model runs in: a command (``python -m model``) or a report's
notebook kernel.

Such a process builds many long-lived objects (numba's types and compiled code, pandas, matplotlib, pydantic
models) and few short-lived cycles. The collector then runs less often (thresholds 50,000/50/100), and what is
left is frozen when the interpreter exits, so that its last collections do not walk every object again: about
0.4 s of CPU at the end of a report's kernel, 0.2 s at the end of ``run`` (make bench R1, R2).
"""

from __future__ import annotations

import atexit
import gc


def own_process() -> None:
    """Apply the settings to this interpreter (once is enough; again does no harm)."""
    gc.set_threshold(50_000, 50, 100)
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


# The statement a notebook kernel runs at start (IPKernelApp.exec_lines) to apply them.
KERNEL_LINE = "import model.process; model.process.own_process()"
