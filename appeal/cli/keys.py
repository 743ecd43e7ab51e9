"""`appeal keys ...`: the service's API keys (`<home>/api_keys.json`); a running service follows the file."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import typer

if TYPE_CHECKING:
    from serve.auth import KeyEntry

keys_app = typer.Typer(help="API keys: issue one per client or person, list, rotate or revoke them.",
                       no_args_is_help=True)


def _home():
    from appeal.config import get_settings
    from pipeline.errors import InputError

    settings = get_settings()
    if settings.api_keys:
        raise InputError("the service takes its keys from APPEAL_API_KEYS, so the key file is not used; "
                         "change that setting instead")
    return settings.home


@keys_app.command("list")
def list_keys() -> None:
    """Every key's name, role and creation time (the keys themselves are never stored)."""
    from rich.console import Console
    from rich.table import Table

    from appeal.config import centre_minute, get_settings
    from serve.auth import keys_path, read_key_entries

    path = keys_path(_home())
    entries = read_key_entries(path) if path.is_file() else []
    table = Table("name", "role", "unit", f"created ({get_settings().timezone})", "sha256", title=str(path))
    for entry in entries:
        table.add_row(entry.name, entry.role, entry.unit or "-",
                      centre_minute(entry.created_at) if entry.created_at else "-", entry.sha256[:12] + "…")
    Console().print(table if entries else f"no keys in {path} (`appeal serve` makes one per role on its first start)")


@keys_app.command("add")
def add(
    role: str = typer.Argument(..., help="platform, agent, trainer, admin, or unit (a 责任单位's liaison: reads the "
                                         "tickets sent to its unit or assisted by it, and no other)"),
    name: Optional[str] = typer.Option(None, "--name", help="who or what holds it (default: `<role>-<n>`)"),
    unit: Optional[str] = typer.Option(None, "--unit", help="a unit key's unit, as the catalogue or people name it "
                                                            "(卫健局, 湾头桥镇)"),
) -> None:
    """Issue a new key; it is shown once, here, and only its digest is kept."""
    from appeal.cli import note_new_store
    from serve.auth import add_key, keys_path

    home = _home()
    note_new_store(keys_path(home), "key file")
    entry, key = add_key(home, role, name, unit)
    typer.echo(f"{_held_by(entry)}: {key}")


@keys_app.command("rotate")
def rotate(name: str = typer.Argument(..., help="the key's name, as `appeal keys list` shows it")) -> None:
    """Replace a key (leaked, or due) by a new one with the same name and role; the old one stops working."""
    from serve.auth import rotate_key

    entry, key = rotate_key(_home(), name)
    typer.echo(f"{_held_by(entry)}: {key}")


@keys_app.command("revoke")
def revoke(name: str = typer.Argument(..., help="the key's name, as `appeal keys list` shows it")) -> None:
    """Withdraw a key; a running service refuses it from its next request on."""
    from serve.auth import revoke_key

    entry = revoke_key(_home(), name)
    typer.echo(f"revoked {_held_by(entry)}")


def _held_by(entry: KeyEntry) -> str:
    """A key's name and role, and a unit key's unit: whose tickets the key reads (an admin's round rotated a liaison's
    key and could not tell from the output which unit's it was)."""
    return f"{entry.name} ({entry.role}{f', {entry.unit}' if entry.unit else ''})"


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
