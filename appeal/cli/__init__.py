"""`appeal`: the one command line. Each area registers its commands in its own module here.

Heavy libraries (torch, transformers, onnxruntime) are imported inside the commands, so that `appeal --help`
answers at once.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import typer

from pipeline.errors import InputError

app = typer.Typer(
    name="appeal",
    help="appeal-router: classify, route and answer 12345 hotline appeals (政务服务便民热线).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # markdown joins a docstring paragraph wrapped in the source into one; rich mode kept the source's line breaks
    rich_markup_mode="markdown",
)


ByOption = typer.Option(None, "--by", help="who makes the change (default: `cli:<user>`)")


def who(by: str | None) -> str:
    """The name a change made from the command line is recorded under."""
    import getpass

    from knowledge_base.store import BY_MAX

    name = (by or "").strip() or f"cli:{getpass.getuser()}"
    if len(name) > BY_MAX:  # PostgreSQL refused the edit at the end, with a traceback
        raise InputError(f"--by: at most {BY_MAX} characters (this one has {len(name)})")
    return name


def note_new_store(path: Path, what: str) -> None:
    """Say so when a write is about to create `path`. APPEAL_HOME defaults to .appeal in the current directory, so
    a command run from another directory than the service's would write where the service never reads."""
    if not path.exists():
        typer.secho(f"note: no {what} at {path.resolve()} yet, a new one is made there. The service reads the one "
                    "under its own APPEAL_HOME: set APPEAL_HOME (or run from the service's directory) to change that "
                    "one.", fg=typer.colors.YELLOW, err=True)


def wrapping_table(*headers: str, title: str | None = None, unbroken: tuple[str, ...] = ("id",)):
    """A rich table whose cells wrap instead of ending in "…": Chinese has no spaces to wrap at, so at 80 columns a
    unit's name would be cut to 武冈市人力 …. The `unbroken` columns are never split over two lines: an id is typed
    back into `kb update` / `kb history`, and a score wrapped as 10.03 / (1) reads as two."""
    from rich.table import Table

    table = Table(*headers, title=title)
    for column in table.columns:
        column.overflow, column.no_wrap = ("ellipsis", True) if column.header in unbroken else ("fold", False)
    return table


def existing_database(settings) -> str:
    """The database URL for a command that reads what the service stored: a SQLite file that is not there is
    refused, not made empty, so that a command run from another directory than the service's says so instead of
    reporting nothing (`feedback export` wrote an empty file and exited 0)."""
    path = settings.sqlite_file
    if path is not None and not path.exists():
        raise InputError(f"no database at {path.resolve()}: nothing stored there. The service's is under its own "
                         "APPEAL_HOME: set APPEAL_HOME (or run from the service's directory).")
    return settings.db_url


# What SQLite's own words mean for an operator: a disk-full error read as a setting to fix, a damaged file as a fault
# of the command.
_DATABASE_HINTS = {
    "disk is full": " (the disk holding it is full: free space and run the command again; the write that failed "
                    "was not stored)",
    "not a database": " (the file is damaged: stop the service and restore a backup into an empty home, README "
                      "\"Running it\")",
    "malformed": " (the file is damaged: stop the service and restore a backup into an empty home, README \"Running "
                 "it\"; an old appeal.db-wal left beside a restored database does this)",
}


def _register() -> None:
    # Imported here, not at module top, so that each area module may import from this package without cycles.
    from appeal.cli import (base_model, data_commands, kb, keys, registry, reporting, retraining, serving,
                            tickets)

    for module in (data_commands, base_model, kb, registry, serving, retraining, reporting, keys, tickets):
        module.register(app)


class _Terminated(SystemExit):
    """SIGTERM as an exception, so that the clean-up of whatever it interrupts runs while it unwinds."""


def _terminated(signum: int, frame) -> None:
    raise _Terminated(128 + signum)


def _arguments_are_text(arguments: list[str]) -> None:
    # A terminal or a script in GBK hands Python bytes that are no UTF-8; they arrive as lone surrogates, and the
    # first database or hash call that met one failed with a traceback.
    for number, argument in enumerate(arguments, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise InputError(f"argument {number} ({shown!r}) is not UTF-8 text: is the terminal or the script in GBK? "
                             "set it to UTF-8 (e.g. LANG=zh_CN.UTF-8)") from None


def main() -> None:
    # `docker stop` and `systemctl stop` send SIGTERM, whose default action ends the process on the spot: a first
    # start's half-trained model or a half-built encoder (tens to hundreds of MB) stayed in APPEAL_HOME for good.
    # As an exception it lets the builders' clean-up run, as Ctrl-C does. uvicorn puts its own handler in while
    # serving and raises the signal again once it has shut down.
    signal.signal(signal.SIGTERM, _terminated)
    if not sys.stderr.isatty():
        # transformers' and huggingface_hub's own bars (loading, saving weights) read this when first imported; in a
        # log file they are walls of carriage returns. Our fine-tuning bar follows the same rule.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from pydantic import ValidationError

    _register()
    from appeal.config import unknown_settings

    for slip in unknown_settings(os.environ):
        typer.secho(f"warning: {slip}", fg=typer.colors.YELLOW, err=True)
    try:
        _arguments_are_text(sys.argv[1:])
        app()
    except _Terminated:
        # Then end by the signal itself, as before: a service manager counts that as a stop, while an exit code
        # of 143 would be a failure to systemd.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    except InputError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        # A bad APPEAL_* value is the user's to fix, like a bad file: say which variable, without a traceback (and
        # without the value where it may hold a secret).
        problems = "; ".join(
            f"APPEAL_{'_'.join(map(str, e['loc'])).upper()}"
            + ("" if {"api_keys", "database_url"} & set(e["loc"]) else f"={e.get('input')!r}") + f": {e['msg']}"
            for e in exc.errors())
        typer.secho(f"error: configuration: {problems}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except OSError as exc:
        # a path given that cannot be written or read (a folder named like the output file, a file where a folder
        # should be, no permission): the user's to fix, as a bad file is
        paths = " -> ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
        typer.secho(f"error: {paths + ': ' if paths else ''}{exc.strerror or exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
    except Exception as exc:
        from sqlalchemy.exc import DatabaseError, OperationalError  # here: `appeal --help` need not import SQLAlchemy

        # DatabaseError itself, not its kinds (IntegrityError …): a file that is no database (damaged, overwritten)
        if not isinstance(exc, OperationalError) and type(exc) is not DatabaseError:
            raise
        # A database that is down or still starting (a service started before it) is an operator's matter: one
        # line that says so, not a hundred lines of driver traceback, and a failure a service manager retries.
        from appeal.config import get_settings

        reason = str(exc.orig).strip()
        hint = next((hint for cause, hint in _DATABASE_HINTS.items() if cause in reason), "")
        typer.secho(f"error: the database ({get_settings().sqlite_file or 'APPEAL_DATABASE_URL'}) cannot be used: "
                    f"{reason}{hint}", fg=typer.colors.RED, err=True)
        sys.exit(1)
