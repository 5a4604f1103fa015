"""Where the files shipped with the model live, from any working folder.

``data_file("scenarios/baseline.yaml")`` is the path of a file that ships with the
package (scenarios, sensitivity ranges, notebooks). From a source checkout it is the
checkout's own file; from an installed wheel it is the copy installed beside the code.
Notebooks call this instead of building paths from their working folder, because
JupyterLab starts a kernel in the notebook's folder whatever the server's root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def data_file(relative: str) -> Path:
    """The shipped file at ``relative`` (a path as written in the source tree)."""
    for base in (CHECKOUT, PACKAGE / "_data"):
        candidate = base / relative
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{relative}: not found beside the model (looked in {CHECKOUT} and {PACKAGE / '_data'})")
