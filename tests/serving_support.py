"""Shared pieces of the serving tests: a real baseline model in a real registry, and a real uvicorn process."""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import random
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import httpx
import pytest

from appeal.config import DEMO_DIR
from models.registry import Registry
from tests.conftest import WUGANG_TIMEZONE
from training.train_baseline import train_baseline

REPO = Path(__file__).resolve().parents[1]
KEYS = {"platform": "pk-test-platform", "agent": "ak-test-agent", "trainer": "tk-test-trainer", "admin": "xk-test-admin"}
DEMO_TICKETS = DEMO_DIR / "tickets.jsonl"
KEY_SPEC = ",".join(f"{role}:{key}" for role, key in KEYS.items())


@lru_cache(maxsize=1)
def demo_baseline() -> Path:
    """A real baseline (topic + unit heads, thresholds from a held-out part) trained once per test process on the
    demo pack's 300 labelled tickets."""
    scratch = tempfile.mkdtemp(prefix="appeal-serve-model-")
    atexit.register(shutil.rmtree, scratch, True)
    out = Path(scratch) / "model"
    train_baseline(DEMO_TICKETS, out)
    return out


def install_model(home: Path, *versions: str) -> Registry:
    """The demo baseline registered under each version name; the first becomes champion."""
    registry = Registry(home / "registry")
    for version in versions:
        registry.add(demo_baseline(), version=version)
    registry.promote(versions[0])
    return registry


def demo_tickets() -> list[dict]:
    return [json.loads(line) for line in DEMO_TICKETS.read_text(encoding="utf-8").splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def client(self, role: str | None = None, key: str | None = None) -> httpx.Client:
        key = KEYS[role] if role else key
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key} if key else {}, timeout=60)

    def log_lines(self) -> list[str]:
        """The log with the lines of the requests made so far. A request's line is written once its response has
        gone out, so a test reading at once could miss it (and a check that a phone number is *not* logged would
        pass for nothing); a last request's line marks that the earlier ones are in."""
        # letters only: hex digits can read as a phone number, and an id that does is replaced by the service's own
        marker = "log-mark-" + "".join(random.choices(string.ascii_letters, k=24))
        with self.client() as client:
            client.get("/healthz", headers={"X-Request-ID": marker})
        deadline = time.monotonic() + 10
        while marker not in (text := self.log_path.read_text(encoding="utf-8")) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker in text, f"{self.log_path}: the log line of a request never came"
        return text.splitlines()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(home: Path, log_path: Path, env: dict[str, str] | None = None, ready_timeout: float = 120,
                 port: int | None = None,
                 until: Callable[[httpx.Response], bool] = lambda readyz: readyz.status_code == 200) -> LiveServer:
    """`uvicorn serve.app:create_app --factory` on `port` (default: a free one); returns once /readyz says ready
    (or what `until` waits for)."""
    port = port or free_port()
    # Wugang's clock, as the autouse fixture sets it for the tests (a module's server starts before that fixture).
    environment = {**os.environ, "APPEAL_HOME": str(home), "APPEAL_API_KEYS": KEY_SPEC,
                   "APPEAL_TIMEZONE": WUGANG_TIMEZONE, **(env or {})}
    handle = open(log_path, "w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "serve.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        cwd=REPO, env=environment, stdout=handle, stderr=subprocess.STDOUT,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if until(httpx.get(f"{server.url}/readyz", timeout=2)):
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready after {ready_timeout} s:\n{log_path.read_text()}")


@contextlib.contextmanager
def immutable(*paths: Path):
    """The files made immutable (`chattr +i`) for the block, as an operator makes a database read-only: root, as the
    tests run in CI, ignores a file's mode, and a file already open stays writable under a chmod."""
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("making a file immutable takes root and chattr")
    made = []
    try:
        for path in paths:
            if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
                pytest.skip(f"{path}: this file system does not take chattr +i")
            made.append(path)
        yield
    finally:
        for path in made:  # else the test's folder could never be removed
            subprocess.run(["chattr", "-i", str(path)], check=True)
