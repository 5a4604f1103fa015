"""The kernel a project notebook runs in. A command starts it before it imports papermill, so that the kernel
boots in its own process while the command imports papermill and lays out the notebook; it is ready as soon
as it answers, and is asked to shut down (not killed) at the end."""

from __future__ import annotations

import time
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from model.process import KERNEL_LINE

# The kernel's own log stays off the terminal: a cell's error reaches the user through papermill, and at
# shutdown ipykernel may log "KeyboardInterrupt caught in kernel" at error level, which is no error. The
# kernel takes the model's garbage-collector settings (its exit then skips a walk over every object), and
# keeps its input history in memory, not in a history file shared with other kernels. It then imports the
# report's modules (pandas, matplotlib, typst; 0.5 s), which the project's notebooks import first: the kernel is
# ready about 0.3 s after its launch, while the command still imports papermill, so it would otherwise wait.
# (If that import fails, the kernel starts all the same, and the notebook's own import shows the error.)
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", f"--IPKernelApp.exec_lines={KERNEL_LINE}",
                    "--IPKernelApp.exec_lines=import model.report.actuals, model.report.pdf",
                    "--HistoryManager.hist_file=:memory:"]


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


def start_kernel(cwd: Path) -> AsyncKernelManager:
    """A python3 kernel started in the working folder ``cwd``: it boots while the caller goes on. Its client is
    ReadyClient; its sockets are encrypted (CurveZMQ) when this pyzmq can, so that it has no cause to warn that
    it runs over TCP without encryption."""
    km = AsyncKernelManager(kernel_name="python3", client_class=f"{__name__}.ReadyClient")
    if zmq.has("curve"):
        km.transport_encryption = "auto"
    run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd))
    return km


def stop_kernel(km: AsyncKernelManager) -> None:
    """Ask the kernel to shut down (after an interrupt, if it is busy) and remove its connection file."""
    if run_sync(km.is_alive)():
        run_sync(km.shutdown_kernel)()
    else:
        run_sync(km.cleanup_resources)()
