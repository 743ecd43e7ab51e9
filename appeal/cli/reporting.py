"""`appeal report`: the evaluation notebook executed headless, written as one HTML file."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def report(
    out: Path = typer.Option(Path("report.html"), "--out", help="HTML file to write"),
    registry: Optional[Path] = typer.Option(None, "--registry",
                                            help="registry directory (default: APPEAL_HOME/registry)"),
    data: Optional[list[Path]] = typer.Option(
        None, "--data",
        help="labelled ticket file(s) to evaluate on (default: the fixed evaluation set, APPEAL_EVALUATION_FILE or "
             "dev_raw.csv)"),
    versions: Optional[list[str]] = typer.Option(
        None, "--versions", help="versions to report, comma-separated or repeated (default: all)"
    ),
    kb_pairs: Optional[Path] = typer.Option(
        None, "--kb-pairs", help="(message, reply) file for knowledge-base R@1/MRR, e.g. teddy2020c/replies_raw.csv"
    ),
    kb_limit: int = typer.Option(300, min=1, help="pairs used from --kb-pairs"),
) -> None:
    """HTML evaluation report of every registry version and how they changed.

    Accuracy, macro-F1, per-class scores, confusion matrix, reliability and coverage-precision curves. A version
    that cannot be evaluated (files missing or damaged) is named in the page and on the terminal, and the exit
    status is 1; so it is where no font that draws Chinese is installed: the page then has its tables, no charts."""
    from appeal.cli.data_commands import output_file
    from models.registry import Registry
    from pipeline.errors import InputError
    from pipeline.records import check_file
    from training.report import NO_CJK_FONT, render_report

    # said before the notebook runs for half a minute (a trainer's round: a mistyped file or version came after it,
    # as the notebook's own error)
    output_file(out, (".html", ".htm"))
    for path in data or []:
        check_file(path)
    names = [v.strip() for item in versions or [] for v in item.split(",") if v.strip()]
    reg = Registry(registry)
    if unknown := [name for name in names if not reg.has(name)]:
        raise InputError(f"--versions: no version {', '.join(unknown)} in {reg.root} (`appeal models list` lists them)")
    path, failed, charts = render_report(out, registry=registry, data=data, versions=names or None,
                                         kb_pairs=kb_pairs, kb_limit=kb_limit)
    typer.echo(f"wrote {path}" + ("" if charts else " (its tables; no charts)"))
    # said here too: the page is read later, and a scheduled run's exit status is what its owner sees first
    for version, error in failed.items():
        typer.secho(f"{version}: not evaluated ({error})", fg=typer.colors.YELLOW, err=True)
    if not charts:
        typer.secho(f"charts left out: {NO_CJK_FONT}", fg=typer.colors.YELLOW, err=True)
    if failed or not charts:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
