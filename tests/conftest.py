from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared" / "data").resolve()
# The clock tests are written for (validity days, --since, the report's weeks, repeat reasons).
WUGANG_TIMEZONE = "Asia/Shanghai"


@pytest.fixture(autouse=True)
def wugang_time(monkeypatch):
    """Tests that turn on a day or a week (validity, --since, the report's weeks) are written for Wugang's clock; a
    developer's own APPEAL_TIMEZONE must not change what they assert."""
    from appeal.config import get_settings

    monkeypatch.setenv("APPEAL_TIMEZONE", WUGANG_TIMEZONE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def centre_today_in(monkeypatch, zone: str):
    """The centre's day once APPEAL_TIMEZONE is `zone` (set for the rest of the test)."""
    from appeal.config import centre_today, get_settings

    monkeypatch.setenv("APPEAL_TIMEZONE", zone)
    get_settings.cache_clear()
    return centre_today()


def stop_clock(monkeypatch, module, at: datetime) -> None:
    """`module.datetime.now()` answers `at` for the rest of the test: a clock stopped just before a second turns
    shows whether two readings of it can disagree."""
    class StoppedClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return at

    monkeypatch.setattr(module, "datetime", StoppedClock)


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A real SQLite file, or a fresh database on the PostgreSQL server of APPEAL_TEST_POSTGRES_URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'appeal.db'}"
        return
    server = os.environ.get("APPEAL_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("APPEAL_TEST_POSTGRES_URL is not set")
    name = f"appeal_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()
