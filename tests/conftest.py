from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real datasets beside the checkout (present in CI); tests that need them skip elsewhere."""
    if not (SHARED / "teddy2020c" / "train_segmented.csv").is_file():
        pytest.skip("../shared/data is not present")
    return SHARED


@pytest.fixture()
def appeal_home(tmp_path, monkeypatch) -> Path:
    """A fresh APPEAL_HOME per test, so tests never share a registry or a database."""
    from appeal.config import get_settings

    home = tmp_path / "home"
    monkeypatch.setenv("APPEAL_HOME", str(home))
    monkeypatch.setenv("APPEAL_SHARED_DATA", str(SHARED))
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
