"""`appeal --help` is the trainer's manual: every command and group renders its help, and each one's summary in
its group's command list is one sentence without the source's line breaks (typer's rich mode prints a docstring's
hard line break inside the list as a ragged line)."""
from __future__ import annotations

import inspect

import click
import pytest
import typer
from typer.testing import CliRunner

from appeal.cli import _register, app

_register()
ROOT = typer.main.get_command(app)


def _paths(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in getattr(command, "commands", {}).items():
        found += _paths(sub, path + (name,))
    return found


PATHS = _paths(ROOT)


def test_every_area_is_registered():
    assert {"train", "predict", "evaluate", "serve", "retrain", "report", "kb", "models", "feedback",
            "base-model"} <= set(ROOT.commands)
    assert {("kb", "import-cases"), ("models", "promote"), ("models", "rollback")} <= set(PATHS)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "appeal")
def test_help_renders_with_a_one_line_summary(path):
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: appeal {' '.join(path)}".rstrip() in result.output
    command = ROOT
    for name in path:
        command = command.commands[name]
    summary = inspect.cleandoc(command.help or "").split("\n\n")[0]
    assert summary and "\n" not in summary, f"{' '.join(path)}: first paragraph spans lines: {summary!r}"


def _prose(text: str) -> str:
    return " ".join(text.replace("`", "").split())  # markdown shows `code` without its backticks


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "appeal")
def test_every_paragraph_and_option_help_is_shown_whole(path):
    """Seen wide enough, each paragraph of a command's help and each option's help stands on one line, every word
    kept: typer's rich mode broke later paragraphs where the source wraps ("the unit head's kind / of label"), and
    markdown, which joins them, took a placeholder such as cli:<user> for an HTML tag and dropped it."""
    command = ROOT
    for name in path:
        command = command.commands[name]
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "1000"})
    lines = {_prose(line.replace("│", " ")) for line in result.output.splitlines()}
    wanted = [_prose(p) for p in inspect.cleandoc(command.help or "").split("\n\n")]
    wanted += [_prose(param.help) for param in command.params if getattr(param, "help", None)]
    for text in wanted:
        assert any(text in line for line in lines), f"{' '.join(path)}: not shown whole: {text!r}"
