"""The configuration object's defaults, read from a directory other than the checkout."""
from __future__ import annotations

from appeal.config import Settings
from tests.conftest import SHARED


def test_shared_data_is_found_beside_the_checkout_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("APPEAL_SHARED_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().shared_data == SHARED
    monkeypatch.setenv("APPEAL_SHARED_DATA", str(tmp_path / "elsewhere"))
    assert Settings().shared_data == tmp_path / "elsewhere"
