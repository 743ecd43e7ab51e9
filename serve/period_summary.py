"""The figures of a period's tickets for the centre's weekly report (周报): received by day, channel, topic and township,
closed on the call, sent to units, replied, sent back, and each unit's share (GET /v1/tickets/summary, `appeal tickets
--summary`). A statistician's round counted half of them by hand from the day lists, and could not count channels."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from appeal.database import stored_utc
from knowledge_base.repeats import Repeats
from knowledge_base.store import utc_now
from knowledge_base.ticket_log import SeenTicket
from serve.routing import kept_period, ticket_state
from serve.schemas import CountOut, PeriodSummaryOut, UnitFiguresOut
from training.feedback_store import FeedbackRow, FeedbackStore


def summary_out(repeats: Repeats, feedback: FeedbackStore, *, day: date | None, zone: ZoneInfo,
                since: datetime | None = None, until: datetime | None = None) -> PeriodSummaryOut:
    """The summary of the tickets received on `day` (None: today), or from `since` to `until`, as `tickets_out` reads
    the period; refused where it ends before the repeat window."""
    start, end = kept_period(repeats, day, since, until, zone)
    tickets = repeats.received_between(start, end)
    return period_summary(tickets, feedback.latest_of(t.ticket_id for t in tickets), start, end, zone, utc_now())


def period_summary(tickets: Sequence[SeenTicket], answers: Mapping[str, FeedbackRow], start: datetime, end: datetime,
                   zone: ZoneInfo, now: datetime) -> PeriodSummaryOut:
    """`tickets` received from `start` to `end` (naive UTC), `answers` the agents' latest by ticket id, `now` naive
    UTC (the age of open tickets)."""
    states = {t.ticket_id: ticket_state(t, answers.get(t.ticket_id)) for t in tickets}
    here = [stored_utc(t.received_at).astimezone(zone) for t in tickets]
    since, until = (stored_utc(t).astimezone(zone) for t in (start, end))
    first, last = since.date(), (until - timedelta(microseconds=1)).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    per_day = Counter(moment.date() for moment in here)
    counted = Counter(states.values())
    closed = counted["closed"]
    return PeriodSummaryOut(
        since=since.isoformat(timespec="minutes"), until=until.isoformat(timespec="minutes"),
        received=len(tickets),
        by_day=[CountOut(name=d.isoformat(), tickets=per_day[d]) for d in days],
        by_channel=_counts(t.channel for t in tickets),
        by_topic=_counts(a.topic if (a := answers.get(t.ticket_id)) else t.topic for t in tickets),
        by_township=_counts(t.handled_in for t in tickets),
        closed_at_centre=closed, closed_rate=_rate(closed, len(tickets)),
        sent_to_units=counted["open"] + counted["replied"] + counted["returned"], proposed=counted["proposed"],
        open=counted["open"], replied=counted["replied"], returned=counted["returned"],
        sent_back=sum(t.returned_at is not None for t in tickets), urgent=sum(bool(t.urgent) for t in tickets),
        put_through=sum(bool(a.put_through) for a in answers.values()),
        refused=sum(bool(a.refused) for a in answers.values()), follow_ups=sum(bool(t.follow_up) for t in tickets),
        repeats=sum(a.repeat_of is not None for a in answers.values()), units=_unit_figures(tickets, states, now))


def _unit_figures(tickets: Sequence[SeenTicket], states: Mapping[str, str], now: datetime) -> list[UnitFiguresOut]:
    at: dict[str, list[SeenTicket]] = {}
    sent_back: Counter[str] = Counter()
    for ticket in tickets:
        if states[ticket.ticket_id] in ("open", "replied"):
            at.setdefault(ticket.dispatched_to, []).append(ticket)
        sent_back.update(set(filter(None, (ticket.returned_by, *ticket.returned_earlier))))
    figures = []
    for unit in set(at) | set(sent_back):
        held = at.get(unit, [])
        open_ = [t for t in held if states[t.ticket_id] == "open"]
        replied = len(held) - len(open_)
        oldest = min((t.received_at for t in open_), default=None)
        figures.append(UnitFiguresOut(
            unit=unit, sent=len(held), replied=replied, open=len(open_), reply_rate=_rate(replied, len(held)),
            oldest_open_days=None if oldest is None else round((now - oldest) / timedelta(days=1), 1),
            sent_back=sent_back[unit]))
    return sorted(figures, key=lambda f: (-f.sent, -f.sent_back, f.unit))


def _counts(names: Iterable[str | None]) -> list[CountOut]:
    """Most first, then by name (None last)."""
    counted = Counter(names)
    return [CountOut(name=name, tickets=n)
            for name, n in sorted(counted.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
