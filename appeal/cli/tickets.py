"""`appeal tickets`: a day's routed tickets with why; `appeal hotspots`: groups of recently routed tickets about the
same matter (热点诉求); `appeal forget`: erase tickets. From the service's database."""
from __future__ import annotations

import difflib
import sys
import unicodedata
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Optional, get_args

import typer

if TYPE_CHECKING:  # the schemas import the service's modules: not at every command's start
    from serve.schemas import CountOut, PeriodSummaryOut, RoutedTicketOut

_TICKETS_SHOWN = 5  # the most central first
# a date alone: its midnight; a time alone: `_on_clock`
_CLOCK = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%H:%M"]


def tickets(
    day: Optional[datetime] = typer.Option(None, "--date", formats=["%Y-%m-%d"], help="the centre's day, 2026-12-07 "
                                                                                      "(default today), within the "
                                                                                      "repeat window"),
    since: Optional[datetime] = typer.Option(None, "--since", formats=_CLOCK, help="instead of a day, those from this "
                                                                               "time on: a night shift, '2026-12-06 "
                                                                               "18:00', or 18:00 for the last one"),
    until: Optional[datetime] = typer.Option(None, "--until", formats=_CLOCK, help="with --since, the end (not "
                                                                               "included; 06:00: the next one); "
                                                                               "default now"),
    review: bool = typer.Option(False, "--review", help="only those the route sent to an agent to decide"),
    auto: bool = typer.Option(False, "--auto", help="only those the route dispatched itself"),
    urgent: bool = typer.Option(False, "--urgent", help="only those flagged urgent"),
    unanswered: bool = typer.Option(False, "--unanswered", help="only those no agent has answered yet "
                                                                "(/v1/feedback): with --review, the review left to do"),
    returned: bool = typer.Option(False, "--returned", help="only those their unit sent back (退回, POST "
                                                            "/v1/tickets/{id}/return) that no agent has sent on since"),
    state: Optional[str] = typer.Option(None, "--state", help="only those that stand so: proposed (routed for review, "
                                                              "sent to no unit yet), open (at its unit, not replied), "
                                                              "returned, replied (POST /v1/tickets/{id}/reply), "
                                                              "closed (本级办结 by the centre: /v1/feedback closed); "
                                                              "without --date or --since, over the whole repeat "
                                                              "window"),
    cases: Optional[Path] = typer.Option(None, "--cases", help="write the replied tickets (--state replied) of the "
                                                               "period, all of them, to this .csv or .xlsx, as a case "
                                                               "file for `appeal kb import-cases`"),
    township: Optional[str] = typer.Option(None, "--township", help="only those reported in this 乡镇/街道 or sent on "
                                                                    "to it (湾头桥镇, or its division code)"),
    unit: Optional[str] = typer.Option(None, "--unit", help="only those sent to this unit, by the route or an agent, "
                                                            "or that it assists (卫健局, 湾头桥镇)"),
    assisting: Optional[bool] = typer.Option(None, "--assisting/--leading", help="with --unit, only those it assists "
                                                                              "on (another unit leads and replies), "
                                                                              "or only those at it, its own to handle"),
    limit: int = typer.Option(200, "--limit", min=1, help="tickets shown, in the order they came in"),
    summary: bool = typer.Option(False, "--summary", help="instead of the tickets, the period's figures for the "
                                                          "weekly report (GET /v1/tickets/summary): by day, channel, "
                                                          "topic, township; closed on the call, sent, replied, sent "
                                                          "back; per unit: --since 2026-11-30 --until 2026-12-07"),
    as_json: bool = typer.Option(False, "--json", help="print the JSON of GET /v1/tickets (with --summary, of GET "
                                                       "/v1/tickets/summary)"),
) -> None:
    """A day's tickets: each routed ticket with where the route sent it and why (its reasons), for a morning review.

    Lists the tickets routed with an id that came in on the day (the centre's, APPEAL_TIMEZONE), or in a shift
    (--since 18:00 --until 06:00: a night's), in the order they came in: time, id, decision, township, topic, lead
    unit and rule, urgent and the line to put through, what the agents' latest answer said (the unit it sent the
    ticket to, the line it put the caller through to, a refusal), the route's reasons, why its unit sent it back
    where it did or what it replied, and what the centre told the caller where it closed the ticket itself (本级办结).
    Texts are PII masked; erased tickets are not listed.

    A unit's work in hand: --unit 卫健局 --state open --leading. The replies of the last days as cases for the
    knowledge base: --cases replies.csv, then `appeal kb import-cases replies.csv`. A week's figures for the report
    to the city (周报): --summary --since 2026-11-30 --until 2026-12-07."""
    from appeal.cli import existing_database
    from appeal.config import centre_time, get_settings
    from knowledge_base.repeats import Repeats
    from pipeline.errors import InputError
    from pipeline.pii import opening
    from serve.routing import tickets_out
    from serve.schemas import TicketState
    from training.feedback_store import FeedbackStore

    if review and auto:
        raise InputError("--review and --auto: one of them, or neither for both")
    narrowed = {"--review": review, "--auto": auto, "--urgent": urgent, "--unanswered": unanswered,
                "--returned": returned, "--state": state, "--cases": cases, "--township": township, "--unit": unit,
                "--assisting/--leading": assisting is not None}
    if summary and (given := [name for name, value in narrowed.items() if value]):
        raise InputError(f"--summary counts every ticket of the period: without {', '.join(given)}")
    if state is not None and state not in get_args(TicketState):
        raise InputError(f"--state: {state!r}: one of {', '.join(get_args(TicketState))}")
    if cases is not None:
        if state not in (None, "replied"):
            raise InputError(f"--cases writes the replied tickets: --state {state} lists others")
        from appeal.cli.data_commands import output_file

        output_file(cases, (".csv", ".xlsx"))  # the types `appeal kb import-cases` reads
        state, limit = "replied", sys.maxsize
    settings = get_settings()
    url = existing_database(settings)
    start = _on_clock(since, datetime.now(settings.zone), before=True) if since else None
    end = _on_clock(until, start, before=False) if until and start else until
    repeats = Repeats(url, threshold=settings.repeat_threshold, window_days=settings.repeat_window_days)
    feedback = FeedbackStore(url)
    try:
        if summary:
            from serve.period_summary import summary_out

            figures = summary_out(repeats, feedback, day=day.date() if day else None, zone=settings.zone, since=start,
                                  until=end)
            typer.echo(figures.model_dump_json(indent=2) if as_json else _summary_text(figures))
            return
        found = tickets_out(repeats, feedback, day=day.date() if day else None, zone=settings.zone, since=start,
                            until=end, decision="review" if review else "auto" if auto else None, urgent=urgent or None,
                            answered=False if unanswered else None, returned=returned or None, state=state,
                            township=township, unit=unit, assisting=assisting, limit=limit)
    finally:
        repeats.close()
        feedback.close()
    if cases is not None:
        _write_cases(found.tickets, cases)
        return
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    which = _narrowed_to(found.township, found.unit)
    start, end = centre_time(found.since), centre_time(found.until)
    one_day = start.time() == end.time() == time() and end - start == timedelta(days=1)
    period = found.date if one_day else f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M}"
    clock = "%H:%M" if start.date() == (end - timedelta(microseconds=1)).date() else "%m-%d %H:%M"
    typer.echo(f"{period}: {found.received} tickets{which} routed with an id: {found.auto} auto, "
               f"{found.review} review, {found.urgent} urgent, {found.handed_over} with a line to put through; "
               f"agents answered {found.answered}: {found.put_through} put through, {found.refused} refused"
               + (f"; {found.open} open at their unit" if found.open else "")
               + (f"; {found.replied} replied by their unit" if found.replied else "")
               + (f"; {found.closed} closed by the centre" if found.closed else "")
               + (f"; {found.sent_back} sent back by a unit, {found.returned} of them to send on"
                  if found.sent_back else ""))
    shown = (("review", review), ("auto", auto), ("urgent", urgent), ("unanswered", unanswered),
             ("returned", returned), (state, state is not None),
             ("assisting" if assisting else "leading", assisting is not None))
    if asked := [said for said, given in shown if given]:
        typer.echo(f"listed: {found.matching} {' '.join(asked)}")
    for ticket in found.tickets:
        lead = ticket.lead_unit or "no unit"
        by = f" (rule {ticket.rule})" if ticket.rule else ""
        helpers = f", 协办 {'、'.join(ticket.assisting_units)}" if ticket.assisting_units else ""
        # a township liaison's round: in its own list, the tickets it only assists looked like those it leads
        assists = " · 协办 assisting" if found.unit in ticket.assisting_units and found.unit not in (
            ticket.lead_unit, ticket.assigned_unit) else ""
        # the line the route named, not what the agent did: an agent's put_through stays with the feedback (a night
        # agent's round read "put through 110" of a call its answer said needed none)
        alarm = f" · urgent{', line ' + '、'.join(ticket.hand_over) if ticket.hand_over else ''}" \
            if ticket.urgent else ""
        moved = f" · agent sent it to {ticket.assigned_unit}" if ticket.assigned_unit else ""
        # a liaison's round: a ticket flagged for refusal read as the unit's own work in its list
        refusal = f" · may not be accepted ({ticket.not_accepted})" if ticket.not_accepted else ""
        back = ticket.returned
        sent_back = f" · sent back by {back.unit}{', to send on' if back.pending else ''}" if back else ""
        replied = f" · replied by {ticket.replied.unit}" if ticket.state == "replied" else ""
        closed = " · closed by the centre (本级办结)" if ticket.state == "closed" else ""
        typer.echo(f"\n{centre_time(ticket.received_at):{clock}} {ticket.ticket_id}{assists} · "
                   f"{ticket.decision or '?'} · {ticket.township or '属地未明'} · {ticket.topic} → "
                   f"{lead}{by}{helpers}{alarm}{refusal}{moved}"
                   f"{_answered(ticket)}{sent_back}{replied}{closed}")
        typer.echo(f"   {ticket.title or opening(ticket.text, 40)}")
        for reason in ticket.reasons:
            typer.echo(f"   - {reason}")
        if back:
            proposed = f"（建议 {back.proposed_unit}）" if back.proposed_unit else ""
            typer.echo(f"   退回 {centre_time(back.returned_at):%m-%d %H:%M} {back.unit}: {back.reason or '(erased)'}"
                       f"{proposed}")
        if said := ticket.replied:
            contact = f"（联系 {said.contact}）" if said.contact else ""
            typer.echo(f"   答复 {centre_time(said.replied_at):%m-%d %H:%M} {said.unit}: {said.reply or '(erased)'}{contact}")
        if close := ticket.closed:
            reopened = f"（{centre_time(close.reopened_at):%m-%d %H:%M} {close.reopened_by or '12345'} 重新派单）" \
                if close.reopened_at else ""
            typer.echo(f"   办结 {centre_time(close.closed_at):%m-%d %H:%M} {close.sent_by or '12345'}: "
                       f"{close.note or '(no note)'}{reopened}")
    if found.matching > len(found.tickets):
        typer.echo(f"\n{found.matching - len(found.tickets)} more: --limit", err=True)


def _summary_text(figures: PeriodSummaryOut) -> str:
    """The figures as a statistician copies them into the report: the totals, then one table a line each."""
    from appeal.config import centre_time

    def rate(value: float | None) -> str:
        return "–" if value is None else f"{value:.0%}"

    def table(title: str, counts: list[CountOut]) -> list[str]:
        width = max((_display_width(c.name or "（未说明）") for c in counts), default=0)
        return [f"\n{title}", *(f"  {_padded(c.name or '（未说明）', width)}  {c.tickets:>5}" for c in counts)]

    start, end = centre_time(figures.since), centre_time(figures.until)
    lines = [f"{start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M}: {figures.received} tickets received",
             f"  closed by the centre on the call (直接办结) {figures.closed_at_centre} ({rate(figures.closed_rate)}); "
             f"sent to units {figures.sent_to_units}: {figures.open} open, {figures.replied} replied, "
             f"{figures.returned} sent back to send on; awaiting an agent {figures.proposed}",
             f"  sent back (退回) at least once {figures.sent_back}; urgent {figures.urgent}; put through "
             f"{figures.put_through}; refused {figures.refused}; follow-ups (催办) {figures.follow_ups}; linked as "
             f"repeats {figures.repeats}"]
    for title, counts in (("by day 按日", figures.by_day), ("by channel 按渠道", figures.by_channel),
                          ("by topic 按类别", figures.by_topic), ("by township 按乡镇街道", figures.by_township)):
        lines += table(title, counts)
    width = max((_display_width(u.unit) for u in figures.units), default=4)
    lines += ["\nby unit 按承办单位",
              f"  {_padded('unit', width)}  {'sent':>5} {'replied':>7} {'open':>5} {'rate':>5} {'oldest open':>11} "
              f"{'sent back':>9}"]
    lines += [f"  {_padded(u.unit, width)}  {u.sent:>5} {u.replied:>7} {u.open:>5} {rate(u.reply_rate):>5} "
              f"{'–' if u.oldest_open_days is None else f'{u.oldest_open_days:.1f} days':>11} {u.sent_back:>9}"
              for u in figures.units]
    return "\n".join(lines)


def _display_width(text: str) -> int:
    """Columns a terminal gives `text`: two for a Chinese character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def _write_cases(tickets: list[RoutedTicketOut], path: Path) -> None:
    """The replied tickets as a case file (`knowledge_base.cases.read_case_file` reads its headers): each ticket's
    words with its unit's reply, both masked."""
    from appeal.cli.data_commands import write_rows

    write_rows([{"工单编号": t.ticket_id, "标题": t.title or "", "诉求内容": t.text, "办理结果": t.replied.reply,
                 "责任单位": t.replied.unit} for t in tickets],
               path, columns=("工单编号", "标题", "诉求内容", "办理结果", "责任单位"))
    typer.echo(f"{path}: {len(tickets)} replied tickets; import them with `appeal kb import-cases {path}`")


def _on_clock(given: datetime, near: datetime, *, before: bool) -> datetime:
    """A time as typed (the centre's clock); a time alone (18:00, read by typer as of 1900) is the last one before
    `near` (`before`), else the first after it: a duty officer's 06:00 handover types the clock, not the dates."""
    if given.year != 1900:
        return given
    at = datetime.combine(near.date(), given.time(), near.tzinfo)
    if before:
        return at if at <= near else at - timedelta(days=1)
    return at if at > near else at + timedelta(days=1)


def _answered(ticket: RoutedTicketOut) -> str:
    """What the agents' answer did beyond the unit (`moved`): another topic, a line put through, none needed, a
    refusal, the earlier ticket it repeats."""
    if (answer := ticket.answer) is None:
        return " · no answer yet" if ticket.decision == "review" else ""
    # a trainer's round: the list showed the route's topic only, to compare by eye with what the agent answered
    said = [f"topic {answer.topic}"] if answer.topic != ticket.topic else []
    if answer.put_through:
        said.append("put through " + "、".join(answer.put_through))
    elif answer.put_through == [] and ticket.hand_over:
        said.append("no line needed")
    if answer.refused is not None and (answer.refused or ticket.not_accepted):
        said.append("refused" if answer.refused else "accepted")
    if answer.repeat_of:
        said.append(f"repeat of {answer.repeat_of}")  # a night agent's handover hid the ring-backs it had linked
    return " · answered" + (": " + ", ".join(said) if said else "")


def hotspots(
    days: int = typer.Option(7, "--days", min=1, help="tickets routed in the last DAYS × 24 hours, back from now, not "
                                                      "since a midnight (at most the repeat window)"),
    since: Optional[datetime] = typer.Option(None, "--since", formats=_CLOCK, help="instead of --days, the tickets "
                                                                               "received from this time on: a week, "
                                                                               "2026-11-30"),
    until: Optional[datetime] = typer.Option(None, "--until", formats=_CLOCK, help="with --since, the end (not "
                                                                               "included): 2026-12-07; default now"),
    min_size: int = typer.Option(3, "--min-size", min=2, help="smallest group shown"),
    limit: int = typer.Option(20, "--limit", min=1, help="largest groups first"),
    township: Optional[str] = typer.Option(None, "--township", help="only the groups holding tickets of this 乡镇/街道 "
                                                                    "(湾头桥镇, or its division code)"),
    unit: Optional[str] = typer.Option(None, "--unit", help="only the groups holding a ticket sent to this unit, by "
                                                            "the route or an agent, or that it assists (卫健局, "
                                                            "武冈市卫生健康局, 湾头桥镇)"),
    urgent: bool = typer.Option(False, "--urgent", help="only the groups holding a ticket flagged urgent"),
    as_json: bool = typer.Option(False, "--json", help="print the JSON of GET /v1/tickets/hotspots"),
) -> None:
    """Hotspots: tickets routed in the last days that report the same matter, largest group first.

    Only tickets routed with an id are kept (for APPEAL_REPEAT_WINDOW_DAYS); two tickets are linked when their
    similarity reaches APPEAL_REPEAT_THRESHOLD (APPEAL_REPEAT_E5_THRESHOLD with APPEAL_REPEAT_METHOD=e5) or an agent
    linked them (feedback `repeat_of`), unless an agent told them apart, and a group is every ticket linked to it
    directly or through another. Tickets of two townships are two matters, unless the same matter is reported in
    three or more: then one group of the whole county (全市). A week named by its dates, for the weekly report:
    --since 2026-11-30 --until 2026-12-07."""
    from appeal.cli import existing_database
    from appeal.config import centre_time, get_settings
    from knowledge_base.repeats import Repeats
    from pipeline.area import deployment_area
    from pipeline.pii import opening
    from serve.routing import hotspots_out
    from training.feedback_store import FeedbackStore

    settings = get_settings()
    url = existing_database(settings)
    start = _on_clock(since, datetime.now(settings.zone), before=True) if since else None
    end = _on_clock(until, start, before=False) if until and start else until
    encoder = None
    if settings.repeat_method == "e5":  # the service's tickets compared as the service compares them
        from knowledge_base.kb import encoder_dir, load_encoder
        from pipeline.errors import InputError

        try:
            encoder = load_encoder(encoder_dir(settings), build=False)
        except InputError:
            pass  # `Repeats.configured` says that characters are used instead
    repeats = Repeats.configured(settings, encoder=encoder)
    feedback = FeedbackStore(url)
    try:
        found = hotspots_out(repeats, feedback, days=days, min_size=min_size, limit=limit, township=township,
                             unit=unit, urgent=urgent, since=start, until=end, zone=settings.zone)
    finally:
        repeats.close()
        feedback.close()
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    if found.days < days and since is None:
        typer.echo(f"tickets are kept for {found.days} days (APPEAL_REPEAT_WINDOW_DAYS): showing those", err=True)
    period = "the last day" if found.days == 1 else f"the last {found.days} days"
    if since is not None:
        period = f"{centre_time(found.since):%Y-%m-%d %H:%M} → {centre_time(found.until):%Y-%m-%d %H:%M}"
    which = _narrowed_to(found.township, found.unit)
    if not found.tickets_in_period:
        typer.echo(f"no ticket{which} routed with an id in {period} ({settings.db_url})")
        return
    plural = "" if len(found.hotspots) == 1 else "s"
    whole = deployment_area().whole
    # a township's or unit's own count: the county's, beside its groups, read as its workload
    tickets = f"{found.tickets_in_period} ticket{'' if found.tickets_in_period == 1 else 's'}"
    among = f" holding tickets{which} ({tickets} there in {period})" if which else f" among {tickets} of {period}"
    flagged = " with an urgent ticket" if urgent else ""
    typer.echo(f"{len(found.hotspots)} hotspot{plural}{flagged}{among}"
               + ("" if found.hotspots else f"; no group of {min_size} or more tickets{flagged}"))
    # One block per group rather than a table: nine columns of Chinese do not fit an 80-column terminal.
    for number, spot in enumerate(found.hotspots, start=1):
        lines = "".join(f", line {line} ×{n}" for line, n in spot.lines.items())
        alarm = f", {spot.urgent} urgent{lines}" if spot.urgent else ""
        typer.echo(f"\n{number}. {spot.size} tickets ({spot.last_24h} in the last 24 h{alarm}), "
                   f"{_day(spot.first_at)} → {_day(spot.last_at)}: {' '.join(spot.keywords)}")
        where = f"{whole} {len(spot.townships)} 乡镇/街道" if spot.city_wide else "乡镇/街道"
        typer.echo(f"   {where} {_top(spot.townships)} · topic {_top(spot.topics)} · lead unit {_top(spot.lead_units)}")
        shown = spot.tickets[:_TICKETS_SHOWN]
        more = f" · {spot.size - len(shown)} more" if spot.size > len(shown) else ""
        typer.echo("   " + " · ".join(f"{t.ticket_id} {t.title or opening(t.excerpt, 20)}" for t in shown) + more)


def _narrowed_to(township: str | None, unit: str | None) -> str:
    """How a listing's heading names the township and unit it is narrowed to (a blank --township or --unit: all)."""
    return (f" of {township}" if township else "") + (f" sent to or assisted by {unit}" if unit else "")


def _day(stamp: str) -> str:
    """The centre's date of a UTC stamp of the API (…Z): a supervisor's morning is the evening before in UTC."""
    from appeal.config import centre_time

    return centre_time(stamp).date().isoformat()


def _top(counts: dict[str, int], shown: int = 2) -> str:
    """The two commonest, and how many more there are (a third topic left out without a word read as two)."""
    top = ", ".join(f"{name} {n}" for name, n in list(counts.items())[:shown]) or "–"
    return top + (f", … {len(counts) - shown} more" if len(counts) > shown else "")


def forget(
    ticket_ids: list[str] = typer.Argument(..., help="the tickets' ids, as the platform sent them (an agent's answer "
                                                     "sent without one: its name in `feedback export`, feedback-80)"),
) -> None:
    """Erase what is stored of these tickets: routed text, agents' answers, retraining rows, past cases (case-ID).

    For a request to erase a caller's data. A running service drops its copy in memory at its next repeat check; a
    model trained on a ticket keeps what it learnt (retrain without it). Each ticket keeps its id and what the route
    decided (time, township, topic, unit) for the weekly report. Not reached: the service's log (a line per request,
    naming its tickets) and the files written before (feedback exports, backups): erase the tickets there too."""
    from appeal.cli import existing_database
    from appeal.config import get_settings
    from appeal.database import flush_erasures
    from knowledge_base.kb import erase_entry
    from knowledge_base.store import EntryStore
    from knowledge_base.ticket_log import TicketLog
    from pipeline.normalize import strip_invisible
    from training.feedback_store import FeedbackStore
    from training.retrain import RUNS_DIR, forget_in_runs

    settings = get_settings()
    url = existing_database(settings)
    log, feedback, kb = TicketLog(url), FeedbackStore(url), EntryStore(url)
    try:
        # read as the service reads an id it stores: without invisible characters and surrounding spaces
        ids = list(dict.fromkeys(strip_invisible(t).strip() for t in ticket_ids))
        in_runs = forget_in_runs(settings.home / RUNS_DIR, ids)  # every run's file read once, for all the ids
        # a privacy officer's round: "nothing stored" while the ticket's past case was suggested to every agent
        # (…also by the case's own id, as `kb list` shows it: case-WG-2026-200005 was "nothing stored", a re-tester's)
        cases = {ticket_id: case for ticket_id in ids
                 for case in dict.fromkeys([f"case-{ticket_id}"] + [ticket_id] * ticket_id.startswith("case-"))
                 if kb.get(case) is not None or kb.history(case)}
        logged = log.ticket_ids()
        known = logged | feedback.ticket_ids()
        any_erased = False
        for ticket_id in ids:
            routed, answers, trained = log.forget([ticket_id]), feedback.forget([ticket_id]), in_runs[ticket_id]
            erased = [f"{routed} routed ticket", f"{answers} agents' answers", f"{trained} rows of retraining files"]
            if ticket_id in cases:
                erase_entry(kb, cases[ticket_id])
                erased.append(f"its past case {cases[ticket_id]} (every version)")
            if routed or answers or trained or ticket_id in cases:
                any_erased = True
                typer.echo(f"{ticket_id}: " + ", ".join(erased) + " erased")
            elif ticket_id in logged:  # its row held no words: erased before
                typer.echo(f"{ticket_id}: nothing stored, erased before (what its route decided stays for the report)")
            else:
                # a privacy officer's round: a lower-case or mistyped id said only "nothing stored"
                near = [k for k in known if k.casefold() == ticket_id.casefold()]
                near = near or difflib.get_close_matches(ticket_id, sorted(known), n=3, cutoff=0.8)
                typer.echo(f"{ticket_id}: nothing stored under this id"
                           + (f" (ids stored that look like it: {', '.join(near)})" if near else ""))
        flush_erasures(log.engine)
        if any_erased:
            typer.echo("not reached here: the service's log and files written before (feedback exports, backups) "
                       "still hold these tickets' masked texts: erase them there too", err=True)
    finally:
        log.close()
        feedback.close()
        kb.close()


def register(app: typer.Typer) -> None:
    app.command("tickets")(tickets)
    app.command("hotspots")(hotspots)
    app.command("forget")(forget)
