"""The `appeal` command run in its own process, as a trainer runs it: no test harness holds its output or its log."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def appeal(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
