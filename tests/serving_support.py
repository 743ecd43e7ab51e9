"""Shared pieces of the serving tests: a real baseline model in a real registry, and a real uvicorn process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd

from models.baseline import BaselineModel
from models.card import STOPWORDS_FILE, HeadCard, ModelCard
from pipeline import default_stopwords

REPO = Path(__file__).resolve().parents[1]
KEYS = {"platform": "pk-test-platform", "agent": "ak-test-agent", "trainer": "tk-test-trainer", "admin": "xk-test-admin"}
KEY_SPEC = ",".join(f"{role}:{key}" for role, key in KEYS.items())


def train_small_baseline(shared_data: Path, out: Path, version: str, rows: int = 1500, seed: int = 0) -> Path:
    """A real topic classifier trained on a stratified slice of teddy2020c's training file."""
    frame = pd.read_csv(shared_data / "teddy2020c" / "train_segmented.csv")
    frame = frame.sample(frac=1.0, random_state=seed).groupby("label").head(rows // 7)
    model = BaselineModel().fit(frame["text"].tolist(), {"topic": frame["label"].tolist()})
    model.save(out)
    ModelCard(version=version, kind="baseline", heads={"topic": HeadCard(labels=model.labels("topic"), threshold=0.6)}
              ).save(out)
    stop = default_stopwords(shared_data / "teddy2020c" / "stop_words.txt")
    (out / STOPWORDS_FILE).write_text("\n".join(sorted(stop)), encoding="utf-8")
    return out


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
        return self.log_path.read_text(encoding="utf-8").splitlines()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(home: Path, log_path: Path, env: dict[str, str] | None = None, ready_timeout: float = 120) -> LiveServer:
    """`uvicorn serve.app:create_app --factory` on a free port; returns once /readyz says ready."""
    port = free_port()
    environment = {**os.environ, "APPEAL_HOME": str(home), "APPEAL_API_KEYS": KEY_SPEC, **(env or {})}
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
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready after {ready_timeout} s:\n{log_path.read_text()}")
