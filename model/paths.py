"""Where the files shipped with the model live, and where a run's files go, from any working folder.

``data_file("scenarios/baseline.yaml")`` is the path of a file that ships with the package (scenarios,
sensitivity ranges, notebooks). From a source checkout it is the checkout's own file; from an installed
wheel it is the copy installed beside the code (``model/_data/``, see ``pyproject.toml``).

Notebooks call ``input_file`` and ``output_dir`` instead of building paths from their working folder,
because JupyterLab starts a kernel in the notebook's folder whatever the server's root.
"""

from __future__ import annotations

import os
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


def in_checkout() -> bool:
    """True when the model runs from a source checkout (not from an installed wheel)."""
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "scenarios").is_dir()


def project_dir() -> Path:
    """The folder relative output paths are written under: the checkout when the model runs from one
    (so that ``reports/`` is the project's whatever the kernel's working folder), else the working folder."""
    return CHECKOUT if in_checkout() else Path.cwd()


def input_file(path: str | Path) -> Path:
    """A file the user names: as given when it exists (absolute, or relative to the working folder); else
    a relative path is looked up in the project (``scenarios/baseline.yaml`` from ``notebooks/``, or from any
    folder once the package is installed). A path found nowhere is returned as given, so that the reader
    reports it missing under the name the user wrote."""
    given = Path(path)
    try:
        if given.is_absolute() or given.exists():
            return given
        return data_file(given.as_posix())
    except OSError:  # not shipped either, or a name the system cannot hold (too long, ...)
        return given


def output_dir(path: str | Path) -> Path:
    """An output folder the user names: absolute as given; relative to ``project_dir()`` otherwise."""
    given = Path(path)
    return given if given.is_absolute() else project_dir() / given


def recorded(path: str | Path) -> str:
    """An input file as a run's manifest records it, so that ``input_file`` finds it again: relative to the working
    folder when it is under it; a file shipped with the model as in the source tree (``scenarios/baseline.yaml``,
    found from any folder); else relative to the working folder (``../other/city.yaml``)."""
    path = Path(path).resolve()
    cwd = Path.cwd().resolve()
    if not path.is_relative_to(cwd):
        for base in (CHECKOUT, PACKAGE / "_data"):
            if path.is_relative_to(base):
                shipped = path.relative_to(base).as_posix()
                if data_file(shipped) == path:
                    return shipped
    return os.path.relpath(path, cwd).replace(os.sep, "/")
