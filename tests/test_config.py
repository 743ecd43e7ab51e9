"""The configuration object's defaults, read from a directory other than the checkout."""
from __future__ import annotations

import pytest

from appeal.config import Settings
from tests.conftest import SHARED, centre_today_in


def test_shared_data_is_found_beside_the_checkout_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("APPEAL_SHARED_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().shared_data == SHARED
    monkeypatch.setenv("APPEAL_SHARED_DATA", str(tmp_path / "elsewhere"))
    assert Settings().shared_data == tmp_path / "elsewhere"


def test_the_sqlite_file_is_known_and_a_server_url_is_left_as_given(tmp_path, monkeypatch):
    """The CLI says when a write would create a new SQLite file (a command run outside the service's home); a
    server's URL, password included, reaches SQLAlchemy unchanged."""
    monkeypatch.delenv("APPEAL_DATABASE_URL", raising=False)
    assert Settings(home=tmp_path / "home").sqlite_file == (tmp_path / "home" / "appeal.db").resolve()
    server = Settings(database_url="postgresql+psycopg://appeal:s3cret@db.example:5432/appeal")
    assert server.sqlite_file is None and server.db_url == "postgresql+psycopg://appeal:s3cret@db.example:5432/appeal"
    assert Settings(database_url="sqlite://").sqlite_file is None  # in memory


@pytest.mark.parametrize("url, says", [
    ("postgres://appeal:s3cret@db.example/appeal", "unknown kind of database 'postgres'"),
    ("mysql://appeal@db.example/appeal", "no driver for 'mysql' is installed (MySQLdb"),
    ("db.example:5432/appeal", "not a database URL"),
])
def test_a_database_url_sqlalchemy_cannot_use_is_named_at_start(url, says):
    """Each store failed on it with a traceback (NoSuchModuleError: sqlalchemy.dialects:postgres)."""
    with pytest.raises(ValueError) as refused:
        Settings(database_url=url)
    assert says in str(refused.value) and "postgresql+psycopg://" in str(refused.value)


def test_an_empty_database_url_is_the_default(tmp_path):
    """APPEAL_DATABASE_URL= (an env template's empty line) always meant the SQLite file under the home."""
    assert Settings(home=tmp_path, database_url="").db_url == f"sqlite:///{(tmp_path / 'appeal.db').resolve()}"



def test_a_text_limit_that_would_refuse_real_tickets_is_refused():
    """An operator's round set APPEAL_MAX_TEXT_CHARS=10 (for 10000): the service started healthy and answered every
    real ticket 413. The board's median message has 250 characters."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="greater than or equal to 1000"):
        Settings(max_text_chars=10)
    assert Settings(max_text_chars=1000).max_text_chars == 1000

def test_the_centres_day_is_not_the_servers(monkeypatch):
    from datetime import datetime, timezone

    monkeypatch.delenv("APPEAL_TIMEZONE")
    assert Settings().timezone == "Asia/Shanghai"
    with pytest.raises(ValueError, match="unknown time zone 'Asia/Wugang'"):
        Settings(timezone="Asia/Wugang")
    # UTC−12 and UTC+14: never the same date
    days = {zone: centre_today_in(monkeypatch, zone) for zone in ("Etc/GMT+12", "Pacific/Kiritimati")}
    assert days["Etc/GMT+12"] <= datetime.now(timezone.utc).date() <= days["Pacific/Kiritimati"]
    assert days["Pacific/Kiritimati"] > days["Etc/GMT+12"]


def test_stamps_are_shown_on_the_centres_clock():
    """Stores, model cards and the key file write UTC; a trainer in Wugang reads their own clock (UTC+8)."""
    from datetime import datetime, timezone

    from appeal.config import centre_minute, centre_time

    assert centre_minute("2026-11-29T21:46:43+00:00") == "2026-11-30 05:46"  # a model card's created_at
    assert centre_minute(datetime(2026, 11, 29, 21, 46)) == "2026-11-30 05:46"  # SQLite gives it back naive
    aware = datetime(2026, 11, 29, 21, 46, tzinfo=timezone.utc)
    assert centre_time(aware) == aware and centre_time(aware).utcoffset().total_seconds() == 8 * 3600


def test_a_misspelt_setting_is_named_with_the_one_it_likely_means(tmp_path):
    """An operator's round: APPEAL_REPEAT_WINDOW=7, APPEAL_REPEATS_METHOD=e5 and APPEAL_MAXBATCH=2 were ignored
    without a word. Every command now says so on stderr; the test suite's own APPEAL_TEST_* are no slip."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "APPEAL_HOME": str(tmp_path / "home"), "APPEAL_REPEAT_WINDOW": "7", "APPEAL_MAXBATCH": "2",
           "APPEAL_ROUTE_WEAK_CHECK": "true",
           "APPEAL_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:55432/appeal_test", "APPEAL_FOO": "1"}
    # .env, read from the current directory, is where a template's slip sits longest
    (tmp_path / ".env").write_text("# 武冈市 12345\nAPPEAL_TIMEZONE=Asia/Shanghai\nappeal_port=8001\n"
                                   "APPEAL_REPEATS_METHOD=e5\nAPPEAL_FOO=2\nOTHER_TOOL=1\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "from appeal.cli import main; main()", "keys", "list"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: APPEAL_FOO is no setting and is ignored",
        "warning: APPEAL_MAXBATCH is no setting and is ignored (did you mean APPEAL_MAX_BATCH?)",
        "warning: APPEAL_REPEATS_METHOD in .env is no setting and is ignored (did you mean APPEAL_REPEAT_METHOD?)",
        "warning: APPEAL_REPEAT_WINDOW is no setting and is ignored (did you mean APPEAL_REPEAT_WINDOW_DAYS?)",
        # a setting renamed is said with its new name (it ranks the route's suggestions now, not only marks them)
        "warning: APPEAL_ROUTE_WEAK_CHECK is no setting and is ignored (renamed APPEAL_ROUTE_DENSE)"]
