"""The service must stay free of torch and transformers (start-up time, memory, image size)."""
from __future__ import annotations

import subprocess
import sys

from tests.serving_support import REPO


def test_serve_imports_neither_torch_nor_transformers(tmp_path):
    code = (
        "import sys\n"
        "from appeal.config import Settings\n"
        "import serve.app\n"
        f"serve.app.create_app(Settings(home={str(tmp_path)!r}))\n"
        "heavy = sorted(m for m in ('torch', 'transformers') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
