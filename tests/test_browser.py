"""The served explorer in a real browser: `python -m model.app` on a free port, the page loaded by headless
Chromium (driven by Playwright), a lever moved, then Ctrl+C (SIGINT), which must leave no process behind.

Skipped only where no Chromium is installed (`.ci/run` installs Debian's `chromium` when it is missing).
Set EXPLORER_SCREENSHOT=/path.png to keep a screenshot of the page.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import psutil
import pytest

from model.app import LEVERS
from model.scenario.parameter_labels import parameter_name

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine: the browser test needs it "
                                 "(as root: apt-get update && apt-get install -y chromium; .ci/run does this)")]

ERROR_TEXT = ("Traceback", "Error", "error", "无法", "未能")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """The explorer's server in its own process group, as a terminal starts it; yields (process, url, output)."""
    port = free_port()
    env = {**os.environ, "APP_PORT": str(port), "EXPLORER_REPORTS": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "model.app"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 90
    url = None
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        found = [m for line in list(lines) if (m := re.search(r"http://127\.0\.0\.1:(\d+)/", line))]
        url = found[0].group(0) if found else None
        time.sleep(0.1)
    try:
        assert url == f"http://127.0.0.1:{port}/", "".join(lines)
        yield proc, url, lines
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def kernels(proc) -> list:
    return [c for c in psutil.Process(proc.pid).children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]


def test_the_page_renders_responds_and_stops_cleanly(server):
    from playwright.sync_api import sync_playwright

    proc, url, lines = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, timeout=120_000)
            narrative = page.locator(".cwm-narrative")
            narrative.wait_for(timeout=120_000)
            assert "万元" in narrative.inner_text()
            assert "当前为基准情景的设置" in narrative.inner_text()
            # the chart: a PNG that the browser decoded, at its full width
            size = page.eval_on_selector(".cwm img", "img => [img.naturalWidth, img.getBoundingClientRect().width]")
            assert size[0] > 800 and size[1] > 800, size
            text = page.inner_text("body")
            for lever in LEVERS:
                assert parameter_name(lever.path) in text, lever.path
            assert page.locator(".cwm .widget-slider").count() == sum(lever.kind == "number" for lever in LEVERS)
            assert "经费（万元）" in page.inner_text(".cwm-table")
            assert not [w for w in ERROR_TEXT if w in text], text
            # a lever moved in the browser: the kernel runs it and the page says what changed
            page.select_option(".lever-retirement-reform select", label="否")
            page.wait_for_function("document.querySelector('.cwm-narrative').innerText.includes('已调整')", timeout=60_000)
            assert "实施渐进式延迟退休 是 → 否" in narrative.inner_text()
            assert not [w for w in ERROR_TEXT if w in page.inner_text("body")]
            # a reload: the page's kernel is shut down as it unloads (one kernel a page, not one a load)
            page.reload()
            page.locator(".cwm-narrative").wait_for(timeout=120_000)
            deadline = time.monotonic() + 30
            while len(kernels(proc)) != 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(kernels(proc)) == 1
            page.select_option(".lever-retirement-reform select", label="否")
            page.wait_for_function("document.querySelector('.cwm-narrative').innerText.includes('已调整')", timeout=60_000)
            if os.environ.get("EXPLORER_SCREENSHOT"):
                page.set_viewport_size({"width": 1366, "height": 1800})  # the whole page: Voila scrolls inside it
                page.wait_for_timeout(1000)
                page.screenshot(path=os.environ["EXPLORER_SCREENSHOT"])
        finally:
            browser.close()
    family = [proc.pid] + [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    assert len(family) >= 2  # the server and the page's kernel
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C in its terminal sends
    assert proc.wait(timeout=60) == 0
    time.sleep(0.5)
    left = [pid for pid in family if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not left, left
    assert "stopped" in "".join(lines)
    # the terminal shows the address and the stop, nothing else (no kernel or websocket warnings)
    assert [line.strip() for line in lines] == [f"社区工作者经费测算 · 参数探索 / explorer: {url}   (Ctrl+C to stop)", "stopped"]
