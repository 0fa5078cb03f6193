"""Fixtures for the browser test: simulators and Home Assistant as real processes, Chromium.

Everything listens on free loopback ports and runs in its own process group,
so teardown can stop it (and whatever it started) even after a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.dev.prepare_config import prepare_config
from scripts.dev.run_simulators import READY

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The first start installs the frontend and a few other packages.
HA_START_TIMEOUT = 300.0
SIMULATOR_START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Stack:
    """Where the running processes answer, and where they log."""

    ha_url: str
    divera_url: str
    biostar_url: str
    config_dir: Path
    ha_log: Path


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_json(url: str, *, token: str | None = None, data: Any = None, timeout: float = 10) -> Any:
    """GET (or POST when ``data`` is given) and decode the JSON answer."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310  (loopback)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return bool(response.status == 200)
    except urllib.error.URLError, OSError:
        return False


def _start(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603  (our own interpreter and scripts)
            args,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it when it does not stop in time."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent
    process.wait()


def _wait_for(
    what: str, ready: Any, process: subprocess.Popen[bytes], log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not ready after {timeout:.0f} s:\n{_tail(log)}")
        time.sleep(0.5)


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On failure, add a screenshot of the page and the end of Home Assistant's log."""
    report: pytest.TestReport = yield
    funcargs = getattr(item, "funcargs", {})
    if report.when == "call" and report.failed and (stack := funcargs.get("stack")):
        evidence = stack.config_dir.parent
        if (page := funcargs.get("page")) is not None:
            with contextlib.suppress(Exception):
                page.screenshot(path=evidence / "failure.png")
        report.sections.append(
            (f"Home Assistant log (all logs and failure.png in {evidence})", _tail(stack.ha_log))
        )
    return report


def chromium_missing() -> bool:
    """Whether Debian's Chromium is missing where python3.14 runs."""
    return not CHROMIUM.exists()


@pytest.fixture
def stack(socket_enabled: None, tmp_path: Path) -> Iterator[Stack]:
    """Simulators and a fresh Home Assistant on free loopback ports."""
    ha_port, divera_port, biostar_port = free_port(), free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    sim_log = tmp_path / "simulators.log"
    ha_out = tmp_path / "hass.out"
    config_dir = prepare_config(tmp_path / "config", ha_port)
    try:
        simulators = _start(
            [
                sys.executable,
                "scripts/dev/run_simulators.py",
                f"--divera-port={divera_port}",
                f"--biostar-port={biostar_port}",
            ],
            sim_log,
        )
        processes.append(simulators)
        _wait_for(
            "the simulators",
            lambda: READY in sim_log.read_text(errors="replace"),
            simulators,
            sim_log,
            SIMULATOR_START_TIMEOUT,
        )
        hass = _start(
            [sys.executable, "-m", "homeassistant", "--config", str(config_dir), "--log-no-color"],
            ha_out,
        )
        processes.append(hass)
        ha_url = f"http://127.0.0.1:{ha_port}"
        _wait_for(
            "Home Assistant",
            lambda: _answers(f"{ha_url}/api/onboarding"),
            hass,
            ha_out,
            HA_START_TIMEOUT,
        )
        yield Stack(
            ha_url=ha_url,
            divera_url=f"http://127.0.0.1:{divera_port}",
            biostar_url=f"http://127.0.0.1:{biostar_port}",
            config_dir=config_dir,
            ha_log=config_dir / "home-assistant.log",
        )
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture
def page() -> Generator[Any]:
    """A page of headless Chromium, 1280x800, English, in UTC."""
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import (  # noqa: PLC0415  (only the e2e test needs it)
        expect,
        sync_playwright,
    )

    expect.set_options(timeout=30_000)  # Home Assistant answers within seconds, but not 5
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 800}, locale="en-US", timezone_id="UTC"
            )
            browser_page = context.new_page()
            browser_page.set_default_timeout(60_000)
            yield browser_page
        finally:
            browser.close()
