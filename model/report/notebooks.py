"""Run the project's notebooks with papermill, refusing parameters a notebook does not declare."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# jsonschema (under nbformat, under papermill) imports rfc3987_syntax when it is installed, to check IRI
# formats; that module builds a grammar at import, about 1.6 s here. Notebook validation checks no
# formats, so it is kept out of this process: jsonschema then goes on without it.
sys.modules.setdefault("rfc3987_syntax", None)
import papermill  # noqa: E402

from model.errors import UserError  # noqa: E402
from model.paths import data_file  # noqa: E402
from model.report.kernel import start_kernel, stop_kernel  # noqa: E402

NOTEBOOK_DIR = data_file("notebooks")


def notebook_path(notebook: str) -> Path:
    """notebooks/<name>.ipynb for a name with or without the suffix."""
    name = notebook if notebook.endswith(".ipynb") else notebook + ".ipynb"
    path = NOTEBOOK_DIR / name
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")))
        raise UserError(f"no notebook {name!r} in {NOTEBOOK_DIR}; known: {known}")
    return path


def declared_parameters(notebook: str) -> dict:
    """Name -> papermill's description (type, default, help) of each declared parameter."""
    return papermill.inspect_notebook(str(notebook_path(notebook)))


def execute(notebook: str, parameters: dict, output_path: Path, cwd: Path, progress: bool = False, km=None) -> Path:
    """Execute ``notebook`` with ``parameters`` into ``output_path`` in the kernel ``km`` (model.report.kernel;
    one of its own, started in the working folder ``cwd``, when not given). With ``progress``, a bar on stderr
    names the step under way (a code cell's ``papermill_description=``)."""
    declared = declared_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UserError(f"notebook {notebook!r} does not declare these parameters",
                        [f"{name}: not a parameter; declared: {', '.join(declared)}" for name in unknown])
    logging.getLogger("papermill").setLevel(logging.WARNING)
    own = km is None
    if own:
        km = start_kernel(cwd)
    try:
        papermill.execute_notebook(
            str(notebook_path(notebook)),
            str(output_path),
            parameters=parameters,
            kernel_name="python3",
            progress_bar={"desc": "notebook", "unit": "cell", "file": sys.stderr, "leave": False} if progress else False,
            log_output=False,
            cwd=str(cwd),
            km=km,
        )
    finally:
        if own:
            stop_kernel(km)
    _strip_machine_paths(Path(output_path))
    return Path(output_path)


def _strip_machine_paths(path: Path) -> None:
    """Papermill records where the notebooks were on this machine: keep their names only."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    pm = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path", "cwd"):
        if pm.get(key):
            pm[key] = Path(pm[key]).name if key != "cwd" else "."
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
