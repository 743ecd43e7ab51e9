"""`appeal report`: the evaluation notebook executed headless, written as one HTML file; `appeal feedback summary`: what
the agents' answers of the last days say of the routing, on the terminal."""
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
    status is 1; so it is where no font that draws Chinese is installed: the page then has its tables, no charts.
    What the agents corrected, alone and in seconds: `appeal feedback summary`."""
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


def summary(
    days: int = typer.Option(7, "--days", min=1, help="the answers of the last N days (the centre's days, today "
                                                      "included): 30 for the month"),
    top: int = typer.Option(10, "--top", min=1, help="rows of each table"),
) -> None:
    """What the agents' answers of the last days say of the routing, on the terminal in seconds.

    How many tickets they answered, how often they kept the route's topic and unit, which topics they changed to
    which, which units (a wrong type apart from a question moved between an expert seat and its bureau, and from one
    township to another), and the tickets sent to a wrong unit, those dispatched without a person first.

    Each ticket counts once, by its latest answer. `appeal report` adds the versions' scores on the evaluation set
    and week-by-week figures, as an HTML page (half a minute)."""
    from datetime import datetime, timedelta

    from rich.console import Console

    from appeal.cli import existing_database
    from appeal.config import centre_time, get_settings
    from knowledge_base.store import utc_now
    from knowledge_base.ticket_log import TicketLog
    from training import report as tables
    from training.feedback_store import FeedbackStore

    settings = get_settings()
    url = existing_database(settings)
    start = datetime.now(settings.zone).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    store, log = FeedbackStore(url), TicketLog(url)
    try:
        answers = [a for a in store.latest() if centre_time(a.created_at) >= start]
        routed = log.since(utc_now() - timedelta(days=settings.repeat_window_days))
    finally:
        store.close()
        log.close()
    console = Console()
    console.print(f"{start:%Y-%m-%d} → today ({days} days): {len(answers)} tickets answered")
    if not answers:
        return
    for head, (kept, compared) in tables.kept_counts(answers).items():
        console.print(f"  {head} kept {kept} of {compared}" + (f" ({kept / compared:.0%})" if compared else ""))
    topics = tables.topic_overrides_table(answers, top=top)
    _print_table(console, "topics agents changed 类别改判", topics)
    units = tables.unit_overrides_table(answers, top=top)
    if by_change := units.attrs.get("by_change"):
        console.print("  " + "; ".join(f"{change}: {n}" for change, n in by_change.items()))
    _print_table(console, "units agents changed 单位改派", units)
    wrong = tables.wrong_units_table(answers, routed, top=top)
    _print_table(console, "tickets whose unit agents changed, dispatched without a person (auto) first "
                          "路由单位有误的工单", wrong)


def _print_table(console, title: str, frame) -> None:
    """A report table on the terminal, headed by its columns' names, and how many rows it leaves out."""
    from appeal.cli import wrapping_table

    if frame.empty:
        console.print(f"\n{title}: none")
        return
    table = wrapping_table(*frame.columns, title=title, unbroken=("ticket",))  # an id typed back into commands
    table.title_justify = "left"
    console.print()
    for row in frame.itertuples(index=False):
        table.add_row(*map(str, row))
    console.print(table)
    if (rows := frame.attrs.get("changes", frame.attrs.get("tickets", 0))) > len(frame):
        console.print(f"  the first {len(frame)} rows of {rows} (--top shows more)")


def register(app: typer.Typer) -> None:
    from appeal.cli.serving import feedback_app

    app.command("report")(report)
    feedback_app.command("summary")(summary)
