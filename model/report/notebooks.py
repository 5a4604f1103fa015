"""Run the project's notebooks with papermill, refusing parameters a notebook does not declare."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from queue import Empty

# jsonschema (under nbformat, under papermill) imports rfc3987_syntax when it is installed, to check IRI
# formats; that module builds a grammar at import, about 1.6 s here. Notebook validation checks no
# formats, so it is kept out of this process: jsonschema then goes on without it.
sys.modules.setdefault("rfc3987_syntax", None)
import papermill  # noqa: E402
import zmq  # noqa: E402
from jupyter_client.asynchronous import AsyncKernelClient  # noqa: E402
from traitlets.config import Config  # noqa: E402

from model.errors import UserError  # noqa: E402
from model.paths import data_file  # noqa: E402
from model.process import KERNEL_LINE  # noqa: E402

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


class ReadyClient(AsyncKernelClient):
    """The notebook's kernel client, ready as soon as the kernel has answered: jupyter_client's own wait then
    listens for 0.2 s more to drop stray start-up messages, which papermill skips anyway (it reads only the
    messages that answer its own requests)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (60.0 if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # its broadcast socket is connected once one of its messages arrives there
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self.is_alive():
                raise RuntimeError("the notebook's kernel stopped before it was ready")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the notebook's kernel was not ready in {timeout} s")


def kernel_config() -> Config:
    """The kernel manager's settings: the client above; the kernel's sockets encrypted (CurveZMQ) when this
    pyzmq can, so the kernel has no cause to warn that it runs over TCP without encryption; else its log
    quietened to errors."""
    client = {"AsyncKernelManager": {"client_class": f"{__name__}.ReadyClient"}}
    if zmq.has("curve"):
        return Config({**client, "KernelManager": {"transport_encryption": "auto"}})
    return Config({**client, "IPKernelApp": {"log_level": "ERROR"}})


def execute(notebook: str, parameters: dict, output_path: Path, cwd: Path, progress: bool = False) -> Path:
    """Execute ``notebook`` with ``parameters`` into ``output_path`` (the kernel's working folder ``cwd``).
    With ``progress``, a bar on stderr names the step under way (a code cell's ``papermill_description=``)."""
    declared = declared_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise UserError(f"notebook {notebook!r} does not declare these parameters",
                        [f"{name}: not a parameter; declared: {', '.join(declared)}" for name in unknown])
    logging.getLogger("papermill").setLevel(logging.WARNING)
    config = kernel_config()
    # The kernel's own log stays off the terminal: a cell's error reaches the user through papermill, and at
    # shutdown ipykernel may log "KeyboardInterrupt caught in kernel" at error level, which is no error.
    # The kernel takes the model's garbage-collector settings: its exit then skips a walk over every object.
    extra = ["--IPKernelApp.log_level=CRITICAL", f"--IPKernelApp.exec_lines={KERNEL_LINE}"]
    papermill.execute_notebook(
        str(notebook_path(notebook)),
        str(output_path),
        parameters=parameters,
        kernel_name="python3",
        progress_bar={"desc": "notebook", "unit": "cell", "file": sys.stderr, "leave": False} if progress else False,
        log_output=False,
        cwd=str(cwd),
        config=config,
        extra_arguments=extra,
    )
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
