"""`appeal hotspots`: groups of recently routed tickets about the same matter (热点诉求), from the service's database."""
from __future__ import annotations

import typer


def hotspots(
    days: int = typer.Option(7, "--days", min=1, help="tickets routed in the last DAYS (at most the repeat window)"),
    min_size: int = typer.Option(3, "--min-size", min=2, help="smallest group shown"),
    limit: int = typer.Option(20, "--limit", min=1, help="largest groups first"),
    as_json: bool = typer.Option(False, "--json", help="print the JSON of GET /v1/tickets/hotspots"),
) -> None:
    """Hotspots: tickets routed in the last days that report the same matter, largest group first.

    Only tickets routed with an id are kept (for APPEAL_REPEAT_WINDOW_DAYS); two tickets are linked when their
    similarity reaches APPEAL_REPEAT_THRESHOLD or an agent linked them (feedback `repeat_of`), unless an agent told
    them apart, and a group is every ticket linked to it directly or through another."""
    from appeal.config import get_settings
    from knowledge_base.repeats import Repeats
    from serve.routing import hotspots_out
    from training.feedback_store import FeedbackStore

    settings = get_settings()
    repeats = Repeats(settings.db_url, threshold=settings.repeat_threshold, window_days=settings.repeat_window_days)
    feedback = FeedbackStore(settings.db_url)
    try:
        found = hotspots_out(repeats, feedback, days=days, min_size=min_size, limit=limit)
    finally:
        repeats.close()
        feedback.close()
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    if found.days < days:
        typer.echo(f"tickets are kept for {found.days} days (APPEAL_REPEAT_WINDOW_DAYS): showing those", err=True)
    if not found.tickets_in_period:
        typer.echo(f"no ticket routed with an id in the last {found.days} days ({settings.db_url})")
        return
    from rich.console import Console
    from rich.table import Table

    title = (f"{len(found.hotspots)} hotspot{'' if len(found.hotspots) == 1 else 's'} among "
             f"{found.tickets_in_period} tickets of the last {found.days} days")
    table = Table("tickets", "24 h", "first", "last", "keywords", "乡镇/街道", "topic", "lead unit",
                  "most central ticket", title=title)
    for spot in found.hotspots:
        central = spot.tickets[0]
        table.add_row(str(spot.size), str(spot.last_24h), spot.first_at[:10], spot.last_at[:10],
                      " ".join(spot.keywords[:3]), _top(spot.townships), _top(spot.topics), _top(spot.lead_units),
                      f"{central.ticket_id} {central.title or central.excerpt[:30]}")
    Console().print(table if found.hotspots else f"no group of {min_size} or more tickets")


def _top(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in list(counts.items())[:2]) or "–"


def register(app: typer.Typer) -> None:
    app.command("hotspots")(hotspots)
