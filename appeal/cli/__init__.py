"""`appeal`: the one command line. Each area registers its commands in its own module here.

Heavy libraries (torch, transformers, onnxruntime) are imported inside the commands, so that `appeal --help`
answers at once.
"""
from __future__ import annotations

import sys

import typer

from pipeline.errors import InputError

app = typer.Typer(
    name="appeal",
    help="appeal-router: classify, route and answer 12345 hotline appeals (政务服务便民热线).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Imported here, not at module top, so each area module can import `app` helpers without cycles.
    from appeal.cli import data_commands  # train / predict / evaluate

    data_commands.register(app)

    for name in ("base_model", "kb", "registry", "serving", "retraining", "reporting"):
        try:
            module = __import__(f"appeal.cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"appeal.cli.{name}":
                raise
            continue
        module.register(app)


def main() -> None:
    _register()
    try:
        app()
    except InputError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(2)
