"""The one configuration object. Every value can be set as APPEAL_<NAME> in the environment or in `.env`."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_DIR = Path(__file__).parent / "demo"
# The datasets sit beside the checkout (`../shared/data` from the repository root, as in CI); anchored to the
# checkout rather than to the current directory, so a command run from elsewhere still finds them.
SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATABASE_FILE = "appeal.db"  # the home's SQLite database, where APPEAL_DATABASE_URL names none
ENV_FILE = ".env"  # read from the current directory, as pydantic-settings does
# Settings given another name: a deployment's old variable is said with its new one, not only ignored.
RENAMED_SETTINGS = {"ROUTE_WEAK_CHECK": "ROUTE_DENSE"}  # 2026-12-06: it ranks the route's suggestions too


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APPEAL_", env_file=ENV_FILE, extra="ignore")

    # Everything the system builds (base encoder, registry, databases) lives under one directory,
    # so that a deployment backs up or wipes one place.
    home: Path = Field(default=Path(".appeal"), description="working directory for built artefacts")
    shared_data: Path = Field(default=SHARED_DATA_DIR, description="real datasets (read only)")
    demo_dir: Path = Field(default=DEMO_DIR, description="bundled Wugang demo pack")
    evaluation_file: Path | None = Field(default=None, description="the labelled tickets every version is measured "
                                         "on by the promotion gate (`retrain`, `models promote`) and `report`, where "
                                         "no file is named: the centre's own answers kept out of training; default "
                                         "teddy2020c's dev_raw.csv")

    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite under home")
    database_timeout: float = Field(default=10.0, gt=0, description="seconds a PostgreSQL server gets to answer one "
                                    "statement before its connections are cut; a lost server is then refused at once "
                                    "and tried again in the background every as many seconds "
                                    "(appeal/server_guard.py)")
    onnx_threads: int = Field(default=2, ge=1, description="ONNX Runtime intra-op threads")
    # The floor keeps a slip (10 for 10000) from refusing every real ticket with 413 while the service looks healthy.
    max_text_chars: int = Field(default=20000, ge=1000, description="longer texts get 413; the real board's longest "
                                "message has 7,028 characters (bench/RESULTS.md ## Serving), its median 250")
    max_batch: int = Field(default=64, ge=1)
    suggestions_k: int = Field(default=3, ge=0)
    kb_weak_cosine: float = Field(default=0.875, ge=-1, le=1, description="a suggestion whose e5 cosine with the "
                                  "question is below this is marked weak_match, likely about another matter (chosen "
                                  "on judged agents' questions: bench/RESULTS.md ## Weak suggestions)")
    route_dense: bool = Field(default=False, description="/v1/route reads the ticket's first 128 characters with e5 "
                              "too: its suggestions are ranked by BM25 and e5 as /v1/suggest's are, and marked "
                              "weak_match (one encoder pass, ≈ 37 ms a route on 2 cores, past the route's 30 ms aim; "
                              "bench/RESULTS.md ## Weak suggestions); off, BM25 alone ranks them and they carry no "
                              "weak_match")
    # An erasure request (appeal forget) finds a ticket's lines by its id; a log kept longer than the tickets, or read
    # by more people, may leave the text out (a privacy officer's round).
    log_text: bool = Field(default=True, description="write each request's masked ticket text into the service's "
                           "log line (false: ticket ids, decisions and labels only)")
    repeat_window_days: int = Field(default=30, ge=1, description="how long routed tickets are kept and compared "
                                    "with new ones (重复诉求); older ones are deleted")
    repeat_method: Literal["characters", "e5"] = Field(
        default="characters", description="how tickets are compared for repeats: character TF-IDF (≈ 3 ms a "
        "ticket), or the meaning of their first 100 characters by the e5 encoder (finds repeats told in other words; "
        "≈ 25–55 ms more a route on 2 cores): bench/RESULTS.md ## Repeat appeals, the e5 method")
    repeat_threshold: float = Field(default=0.25, gt=0, le=1, description="cosine at which two tickets count as the "
                                    "same matter, for the characters method (chosen on hand-judged pairs: "
                                    "bench/RESULTS.md ## Repeat appeals)")
    repeat_e5_threshold: float = Field(default=0.94, gt=0, le=1, description="the same, for the e5 method")
    api_keys: str | None = Field(default=None, description='"role:key,role:key"; roles platform, agent, trainer, admin')
    # Servers often run in UTC; a policy valid until 12-31 must leave the suggestions at midnight where the callers
    # are, not eight hours later.
    timezone: str = Field(default="Asia/Shanghai", description="the centre's time zone (IANA name): the day on which "
                          "FAQ entries begin and end, `retrain --since` dates, the report's weeks; a time without an "
                          "offset in a ticket file is taken as the centre's")
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("database_url")
    @classmethod
    def _usable_url(cls, value: str | None) -> str | None:
        """Said at start, in one line: a URL SQLAlchemy cannot use failed in each store with a traceback."""
        if not value:  # APPEAL_DATABASE_URL= (a template's empty line) is the default, as it always was
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        spelled = "PostgreSQL is written postgresql+psycopg://user@host:5432/appeal, SQLite sqlite:////srv/appeal.db"
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"not a database URL ({spelled})") from None
        try:
            url.get_dialect().import_dbapi()
        except NoSuchModuleError:  # postgres://, as other tools spell it
            raise ValueError(f"unknown kind of database {url.drivername!r} ({spelled})") from None
        except ImportError as exc:
            raise ValueError(f"no driver for {url.drivername!r} is installed ({exc.name}; {spelled})") from None
        return value

    @field_validator("evaluation_file", mode="before")
    @classmethod
    def _unset_when_empty(cls, value):
        return value or None  # APPEAL_EVALUATION_FILE= in a template is the default, not the current directory

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def route_weak_below(self) -> float | None:
        """The cosine /v1/route marks its suggestions weak under; none where e5 does not read its tickets
        (`route_dense`)."""
        return self.kb_weak_cosine if self.route_dense else None

    @property
    def base_model_dir(self) -> Path:
        return self.home / "base-models"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def registry_dir(self) -> Path:
        return self.home / "registry"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / DATABASE_FILE).resolve()}"

    @property
    def sqlite_file(self) -> Path | None:
        """The database file when the database is SQLite (None for a server, or SQLite in memory)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.db_url)
        in_a_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        return Path(url.database) if in_a_file else None

    @property
    def teddy_dir(self) -> Path:
        return self.shared_data / "teddy2020c"


def unknown_settings(environ: Mapping[str, str], env_file: Path = Path(ENV_FILE)) -> list[str]:
    """The APPEAL_ variables of `environ` and of `env_file` that name no setting, each said with the setting it likely
    misspells: pydantic-settings ignores them, and an operator's round set APPEAL_REPEAT_WINDOW=7 and
    APPEAL_MAXBATCH=2 to no effect and without a word. APPEAL_TEST_* belong to the test suite."""
    from dotenv import dotenv_values

    in_file = dotenv_values(env_file) if env_file.is_file() else {}
    known = sorted(name.upper() for name in Settings.model_fields)
    said = []
    for name, where in sorted({**{n.upper(): f" in {env_file}" for n in in_file}, **{n.upper(): "" for n in environ}}
                              .items()):
        setting = name.removeprefix("APPEAL_")
        if setting != name and setting not in known and not setting.startswith("TEST_"):
            guess = difflib.get_close_matches(setting, known, n=1, cutoff=0.6)
            hint = f" (did you mean APPEAL_{guess[0]}?)" if guess else ""
            if setting in RENAMED_SETTINGS:
                hint = f" (renamed APPEAL_{RENAMED_SETTINGS[setting]})"
            said.append(f"{name}{where} is no setting and is ignored{hint}")
    return said


@lru_cache
def get_settings() -> Settings:
    return Settings()


def centre_today() -> date:
    """Today where the centre is (`timezone`), whatever the server's clock is set to."""
    return datetime.now(get_settings().zone).date()


def centre_time(at: datetime | str) -> datetime:
    """A stamp of a store, a model card or a key file (all written in UTC) on the centre's clock: a trainer in
    Wugang who promoted a model at 09:00 must not read 01:00."""
    from appeal.database import stored_utc

    return stored_utc(datetime.fromisoformat(at) if isinstance(at, str) else at).astimezone(get_settings().zone)


def centre_minute(at: datetime | str) -> str:
    """`centre_time` as a table shows it: to the minute, no offset (the table's title names the zone)."""
    return centre_time(at).strftime("%Y-%m-%d %H:%M")
