"""One ticket in, one routing answer out: classify, mask, decide (unit catalogue + rules), suggest, and link it to
earlier tickets about the same matter.

The model reads the ticket in the form it was trained on (`pipeline.model_text`: the canonical recipe over the
PII-masked raw text); everything that leaves the process (response, log, knowledge-base query, feedback row) is the
normalized, PII-masked text.
Batches go through the model in one call (the costly step); everything else is per ticket.
"""
from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from appeal.database import stored_utc
from knowledge_base.dispatch import (EmergencySigns, UnitRef, by_phone, decide, default_routing, emergency_signs,
                                     rules_of_lines)
from knowledge_base.kb import KnowledgeBase
from knowledge_base.repeats import OUTAGE_HOURS, Judgements, Related, Repeats
from knowledge_base.store import Source, utc_now
from knowledge_base.ticket_log import SeenTicket, unit_answered
from knowledge_base.units import Unit, unit_asked_for
from models.predictor import HeadPrediction
from pipeline import find_pii, masked_parts, masked_text, model_text, normalize, title_and_body
from pipeline.pii import opening
from pipeline.ticket_text import says_it_is_over, says_reported_before, ticket_numbers
from pipeline.errors import InputError
from pipeline.jurisdiction import default_gazetteer, find_jurisdiction
from serve.model_holder import LoadedModel
from serve.schemas import (AgentAnswerOut, ClosedOut, HeadOut, HotspotOut, HotspotsOut, LabelScore, RelatedTicketOut,
                           ReplyOut, ReturnOut, RoutedTicketOut, RouteOut, SuggestionOut, TicketIn, TicketState,
                           TicketsOut)
from training.feedback_store import FeedbackRow, FeedbackStore

EXCERPT_CHARS = 80
log = logging.getLogger("appeal.serve")


def head_out(prediction: HeadPrediction) -> HeadOut:
    return HeadOut(
        label=prediction.label,
        confidence=round(prediction.confidence, 4),
        alternatives=[LabelScore(label=a.label, confidence=round(a.confidence, 4)) for a in prediction.alternatives],
        below_threshold=prediction.review,
    )


# What a route encodes of a ticket (`Settings.route_dense`): the opening says the matter, as an agent's question does
# (the weak floor was chosen on such questions), and costs one short encoder pass.
ROUTE_DENSE_CHARS = 128


def suggestions(kb: KnowledgeBase, query: str, k: int, *, with_dense: bool, dense_chars: int | None = None,
                source: Source | None = None, weak_below: float | None = None) -> list[SuggestionOut]:
    """`weak_below`: below it a suggestion is marked weak_match (`Settings.kb_weak_cosine`); `dense_chars`: how much
    of the query e5 reads."""
    if k == 0:
        return []
    hits = kb.search(query, k, with_dense=with_dense, source=source, dense_chars=dense_chars)
    return [
        SuggestionOut(id=hit.entry_id, question=_shown_question(hit.question), answer=hit.answer,
                      unit=hit.unit or None, source=hit.source, score=round(hit.score, 4),
                      bm25_score=None if hit.bm25_score is None else round(hit.bm25_score, 3),
                      dense_score=None if hit.dense_score is None else round(hit.dense_score, 4),
                      weak_match=None if weak_below is None else hit.weak(weak_below))
        for hit in hits
    ]


def answers_for_the_call(kb: KnowledgeBase, found: list[SuggestionOut], lines: list[str], units: list[UnitRef],
                         told: Collection[str]) -> list[SuggestionOut]:
    """Of the suggestions for a call put through on `lines` (120 / 110 / 119), those of the units that take it: the
    lines' own and the ticket's lead `units`. An agent putting a life at risk through reads out no answer but one on
    what to do meanwhile (闻到燃气泄漏的味道怎么办, the gas company's); an evening agent's round was shown 社保卡丢了怎么补办
    for a child in a pond and 养老金资格认证 beside 我不想活了, a re-tester 住宅专项维修资金 of the housing bureau, which
    assists the fire brigade with a leaking cylinder. Those that ask about the emergency the call tells of (`told`: its
    rules' ids, `rules_of_lines`) come first: a utilities desk's round was shown 电动车能推进楼道充电吗 for a gas smell
    in a stairwell, where 闻到燃气泄漏的味道怎么办 came sixth by its words, and no 有人触电了怎么办 for a child knocked
    down by a fallen line."""
    catalogue, rules = default_routing()
    taking = {rules.hand_over_units.get(line) for line in lines} | {unit.id for unit in units}
    kept = [s for s in found if (unit := catalogue.unit_named(s.unit)) is not None and unit.id in taking]
    told = set(told)
    return sorted(kept, key=lambda s: not _signs_asked(kb, s.id).rules & told)


def calm_first(kb: KnowledgeBase, found: list[SuggestionOut], text: str) -> list[SuggestionOut]:
    """The suggestions for `text`, last those on what to do in an emergency it names in no word: a utilities desk's
    round was shown 有人触电了怎么办 first for a street's power cut, an answer that alarms a caller who only has no power.
    Named as a question or a supposition, it keeps its place (a re-tester's round: 万一燃气泄漏了怎么处理 never saw
    闻到燃气泄漏的味道怎么办 when every answer on an emergency went last for a text telling of none now)."""
    asked = [_signs_asked(kb, suggestion.id) for suggestion in found]
    if not any(signs.lines for signs in asked):
        return found  # the text's own signs cost a few milliseconds a route: read only where an answer names a line
    said = emergency_signs(text, default_routing()[1])
    alarming = [bool(signs.lines) and not (signs.words & said.words or signs.lines & said.lines) for signs in asked]
    return [suggestion for _, suggestion in sorted(zip(alarming, found), key=lambda pair: pair[0])]


def _signs_asked(kb: KnowledgeBase, entry_id: str) -> EmergencySigns:
    return _signs_in("。".join(kb.asked(entry_id)))


@lru_cache(maxsize=4096)
def _signs_in(asked: str) -> EmergencySigns:
    """What an entry's question and phrasings name of emergencies (闻到燃气泄漏的味道怎么办: 119, gas-leak), read once per
    wording: a route ranks fifteen entries."""
    return emergency_signs(asked, default_routing()[1])


# A caller who says the matter was reported before (催办): the agent links the call to that ticket rather than open a
# second work order for the same unit, and asks for its number when the check found none.
FOLLOW_UP_OF_LISTED = ("来电人称此前已反映过：按催办处理，关联上列原工单 / the caller says this was reported "
                       "before: a follow-up of the ticket listed")
FOLLOW_UP_NOT_FOUND = ("来电人称此前已反映过，但近 {days} 天的工单中未找到：请向来电人核实原工单号 / the caller "
                       "says this was reported before, but no such ticket was routed in the last {days} days: ask the "
                       "caller for its number")
NUMBER_NOT_FOUND = ("来电人所述工单号 {numbers} 不在近 {days} 天的工单中：请与来电人核对号码 / the ticket number the caller "
                    "gave ({numbers}) is not among the tickets of the last {days} days: check it with the caller")
REPEAT_CHECK_SKIPPED = "重复诉求未核对（数据库暂不可用）/ repeat check skipped: database unavailable"
# An id routed before with other words (an agent's edit, or a platform reusing ids): the log keeps the new words only
ROUTED_BEFORE_OTHERWISE = ("工单 {id} 已于 {when} 以不同内容路由过（当时{where}）：本次按新内容路由，并替换原记录 / ticket "
                           "{id} was routed before with another text: this route replaces it")


def _shown_question(question: str) -> str:
    # A FAQ question that names a caller is refused today, but one an earlier release stored is still suggested
    # until a trainer fixes it (`kb list` names it): agents see it masked. (A case is masked as stored.)
    return masked_text(question) if find_pii(normalize(question)) else question


def _utc_text(naive_utc: datetime) -> str:
    """A time of the ticket log (naive UTC) as the API writes times: 2026-12-06T08:00:00Z."""
    return naive_utc.isoformat(timespec="seconds") + "Z"


def related_out(ticket: SeenTicket, similarity: float | None = None, linked_by: str = "words") -> RelatedTicketOut:
    # masked again as it goes out (masking is idempotent): a ticket logged by an earlier release keeps what that
    # release's masking missed for the whole repeat window
    title, text = masked_parts(ticket.title, ticket.text)
    return RelatedTicketOut(
        ticket_id=ticket.ticket_id, received_at=_utc_text(ticket.received_at),
        similarity=None if similarity is None else round(similarity, 4), title=title,
        excerpt=opening(text, EXCERPT_CHARS), township=ticket.township, topic=ticket.topic, lead_unit=ticket.lead_unit,
        assigned_unit=ticket.assigned_unit, linked_by=linked_by)


def routed_ticket_out(ticket: SeenTicket, window: timedelta, answer: FeedbackRow | None = None) -> RoutedTicketOut:
    """`answer`: the agents' latest for the ticket."""
    title, text = masked_parts(ticket.title, ticket.text)  # masked again, as `related_out` does
    return RoutedTicketOut(
        ticket_id=ticket.ticket_id, received_at=_utc_text(ticket.received_at),
        kept_until=_utc_text(ticket.received_at + window), title=title, text=text,
        township=ticket.township, topic=ticket.topic, unit_type=ticket.unit_type, decision=ticket.decision,
        urgent=ticket.urgent, hand_over=ticket.lines, not_accepted=ticket.refusal_rule, lead_unit=ticket.lead_unit,
        assisting_units=ticket.assisted_by, assigned_unit=ticket.assigned_unit, rule=ticket.rule,
        reasons=ticket.reasons_given, related_tickets=ticket.related_ids, model_version=ticket.model_version,
        answer=None if answer is None else AgentAnswerOut(
            answered_at=_utc_text(stored_utc(answer.created_at).replace(tzinfo=None)), topic=answer.topic,
            unit=answer.unit, put_through=answer.put_through, refused=answer.refused, repeat_of=answer.repeat_of,
            closed=answer.closed),
        returned=None if ticket.returned_at is None else ReturnOut(
            unit=ticket.returned_by, returned_at=_utc_text(ticket.returned_at), reason=ticket.return_reason,
            proposed_unit=ticket.return_to, sent_by=ticket.return_sent_by, earlier=ticket.returned_earlier,
            pending=return_pending(ticket, answer)),
        replied=None if ticket.replied_at is None else ReplyOut(
            unit=ticket.replied_by, replied_at=_utc_text(ticket.replied_at), reply=ticket.reply,
            contact=ticket.reply_contact, sent_by=ticket.reply_sent_by),
        closed=None if ticket.closed_at is None else ClosedOut(
            closed_at=_utc_text(ticket.closed_at), note=ticket.close_note, sent_by=ticket.closed_by,
            reopened_at=ticket.reopened_at and _utc_text(ticket.reopened_at), reopened_by=ticket.reopened_by),
        state=ticket_state(ticket, answer), channel=ticket.channel, follow_up=ticket.follow_up,
        held_by=ticket.dispatched_to if ticket.confirmed and not ticket.closed_at_centre else None)


def ticket_state(ticket: SeenTicket, answer: FeedbackRow | None) -> TicketState:
    """Where the ticket stands, `answer` being the agents' latest: closed by the centre (an answer that closed it, no
    answer sending it to a unit since), sent back by its unit for the centre to send on (`return_pending`), replied by
    the unit it is at (`SeenTicket.replied_where_it_is`), at its unit (sent by the route or an agent:
    `SeenTicket.confirmed`), or only proposed for an agent to review."""
    if ticket.closed_at_centre:
        return "closed"
    if return_pending(ticket, answer):
        return "returned"
    if ticket.replied_where_it_is:
        return "replied"
    return "open" if ticket.confirmed else "proposed"


def return_pending(ticket: SeenTicket, answer: FeedbackRow | None) -> bool:
    """Whether the ticket was sent back by its unit (退回) and no agent's answer, `answer` being the latest, came since:
    the centre has yet to send it on, or back to the unit."""
    return ticket.returned_at is not None and (
        answer is None or stored_utc(answer.created_at).replace(tzinfo=None) < ticket.returned_at)


def tickets_out(repeats: Repeats, feedback: FeedbackStore, *, day: date | None, zone: ZoneInfo,
                since: datetime | None = None, until: datetime | None = None, decision: str | None = None,
                urgent: bool | None = None, answered: bool | None = None, returned: bool | None = None,
                state: TicketState | None = None, township: str | None = None, unit: str | None = None,
                assisting: bool | None = None, sent_only: bool = False, limit: int = 100,
                offset: int = 0) -> TicketsOut:
    """The tickets routed with an id that were received on `day` (None: today) where the centre is (`zone`), or from
    `since` to `until` (default now; naive: the centre's clock) instead, in the order they came in, with what the
    route said and why, what the agents' latest answer said (a supervisor's round: whether a call was put through, or
    a ticket refused, was in the feedback alone), and the period's counts; with `township` and `unit` (as
    `hotspots_out` reads them), only theirs; with `decision`, `urgent`, `answered`, `returned` (`return_pending`) and
    `state` (`ticket_state`), only those listed; with `assisting`, of `unit`'s, only those it assists on (true) or
    those at it (false); `sent_only`: only the tickets sent on (`SeenTicket.concerns`), a unit's own list. A period
    before the repeat window is refused: its tickets are no longer kept. `returned` or a `state` asked of no day or
    period lists the whole window: a return, or a ticket open at a unit, waits whatever day it came in (a
    dispatcher's round: a ticket of yesterday sent back today was missing from the list of those to send on; a
    liaison's: a ticket of yesterday sent on today was missing from the unit's)."""
    name, asked = _township_asked(township), unit_asked(unit)
    if assisting is not None and asked is None:
        raise InputError("assisting: 需同时给出 unit / needs unit, the unit that assists or not")
    window = repeats.index.window
    if (returned or state) and day is None and since is None:
        since = datetime.now(timezone.utc) - window
    start, end = kept_period(repeats, day, since, until, zone)
    period_tickets = repeats.received_between(start, end)
    answers = feedback.latest_of(t.ticket_id for t in period_tickets)
    # the counts are of the tickets `assisting` leaves (a statistician's round: --leading narrowed the list, and the
    # header still credited 住建局 with the reply of the bureau it assisted)
    day_tickets = [t for t in period_tickets if _of(t, answers.get(t.ticket_id), name, asked, sent_only)
                   and (assisting is None or (asked in t.assisted_by) == assisting)]
    answers = {t.ticket_id: answers[t.ticket_id] for t in day_tickets if t.ticket_id in answers}
    states = {t.ticket_id: ticket_state(t, answers.get(t.ticket_id)) for t in day_tickets}
    counted = Counter(states.values())
    listed = [t for t in day_tickets
              if (decision is None or t.decision == decision) and (urgent is None or bool(t.urgent) == urgent)
              and (answered is None or (t.ticket_id in answers) == answered)
              and (returned is None or (states[t.ticket_id] == "returned") == returned)
              and (state is None or states[t.ticket_id] == state)]
    start_here, end_here = (stored_utc(t).astimezone(zone) for t in (start, end))
    return TicketsOut(
        date=start_here.date().isoformat(), since=start_here.isoformat(timespec="minutes"),
        until=end_here.isoformat(timespec="minutes"), township=name, unit=asked, received=len(day_tickets),
        auto=sum(t.decision == "auto" for t in day_tickets), review=sum(t.decision == "review" for t in day_tickets),
        urgent=sum(bool(t.urgent) for t in day_tickets), handed_over=sum(bool(t.lines) for t in day_tickets),
        answered=len(answers), put_through=sum(bool(a.put_through) for a in answers.values()),
        refused=sum(bool(a.refused) for a in answers.values()),
        returned=counted["returned"], open=counted["open"], replied=counted["replied"], closed=counted["closed"],
        sent_back=sum(t.returned_at is not None for t in day_tickets), matching=len(listed),
        tickets=[routed_ticket_out(t, window, answers.get(t.ticket_id)) for t in listed[offset:offset + limit]])


def _of(ticket: SeenTicket, answer: FeedbackRow | None, township: str | None, unit: str | None,
        sent_only: bool) -> bool:
    """`SeenTicket.concerns`, but a ticket the centre closed itself is of the unit its agent's answer named, not of the
    route's proposal, which never had it (a statistician's round: a closed ticket the agent filed under 水西门街道 was
    counted among 城管局's, and two 人社 consultations the route had put to the social-insurance seat among no unit's)."""
    if unit is not None and (filed := _filed_under(ticket, answer)):
        return filed == unit and ticket.concerns(township, None, sent_only=sent_only)
    return ticket.concerns(township, unit, sent_only=sent_only)


def _filed_under(ticket: SeenTicket, answer: FeedbackRow | None) -> str | None:
    """The unit a ticket the centre closed itself is filed under: the one its agent's answer named (the label, a type
    read as `unit_answered` reads it); None for a ticket not closed so, or closed naming none."""
    if not ticket.closed_at_centre or answer is None or not answer.unit:
        return None
    unit = unit_answered(default_routing()[0], answer.unit, ticket)
    return unit.name if unit else None


def kept_period(repeats: Repeats, day: date | None, since: datetime | None, until: datetime | None,
                zone: ZoneInfo) -> tuple[datetime, datetime]:
    """`_period`, refused where it ends before the repeat window: its tickets are no longer kept."""
    window = repeats.index.window
    start, end = _period(day, since, until, zone)
    if end <= utc_now() - window:
        said = f"date: {day}" if since is None else f"since: {since}"
        raise InputError(f"{said} 早于重复诉求窗口（{window.days} 天），工单已不保留 / before the repeat window "
                         f"({window.days} days, APPEAL_REPEAT_WINDOW_DAYS): its tickets are no longer kept")
    return start, end


def _period(day: date | None, since: datetime | None, until: datetime | None,
            zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The start and end (naive UTC, as the ticket log keeps times) of a day of the centre, or of `since` to `until`:
    an emergency desk's round read its storm night, 18:00 to 06:00, as two days, its worst calls on the second."""
    if since is None:
        if until is not None:
            raise InputError("until: 需同时给出 since / needs since, the period's start")
        day = day or datetime.now(zone).date()
        since, until = (datetime.combine(d, time(), zone) for d in (day, day + timedelta(days=1)))
    elif day is not None:
        raise InputError("date 与 since 只能给一个 / date or since: a day, or a period from since, not both")
    start, end = (None if t is None else (t if t.tzinfo else t.replace(tzinfo=zone)).astimezone(timezone.utc)
                  for t in (since, until))
    end = end or datetime.now(timezone.utc)
    if end <= start:
        raise InputError(f"until: {until or 'now'} 不晚于 since {since} / is not after since, the period's start")
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def _township_asked(township: str | None) -> str | None:
    """The township a filter names (湾头桥, or its division code), as the gazetteer names it; None: blank, all (a
    form's "all" was a 422)."""
    township = township.strip() if township else None
    if not township:
        return None
    if (place := find_jurisdiction("", township)) is None:
        example = next(t for t in default_gazetteer().townships if not t.merged_into)  # the deployment's, not Wugang's
        raise InputError(f"township: {township!r} 不是本地的乡镇街道 / names no township of the gazetteer (a name such "
                         f"as {example.name}, or its division code {example.code})")
    return place.township


def unit_asked(unit: str | None) -> str | None:
    """The unit a filter names (卫健局), as the catalogue names it (`unit_asked_for`); None: blank, all."""
    return unit_asked_for(unit.strip()).name if unit and unit.strip() else None


def hotspots_out(repeats: Repeats, feedback: FeedbackStore, *, days: int, min_size: int, limit: int,
                 township: str | None = None, unit: str | None = None, urgent: bool = False,
                 sent_only: bool = False, since: datetime | None = None, until: datetime | None = None,
                 zone: ZoneInfo | None = None) -> HotspotsOut:
    """The period's hotspots, with the agents' answers on repeats of the period overruling the similarity: the last
    `days`, or from `since` to `until` (default now; naive: the centre's clock, `zone`) instead. A period longer than
    the repeat window is cut to it: older tickets are no longer kept, and `days` says what was covered.
    With `township` (a name as people write it, or a division code), only the groups holding tickets of it: what a
    township's government has to deal with, the county's matters it shares in included. With `unit` (a unit of the
    catalogue as people name it: 卫健局, 湾头桥镇), only the groups holding a ticket sent to it, by the route or by
    an agent, or that it assists: a bureau's own share of the work. With `urgent`, only the groups holding a ticket
    the route flagged urgent: a duty officer's night (an emergency desk's round: no hotspot said which were).
    `sent_only` (a unit's own key): the groups holding a ticket sent to `unit` (`SeenTicket.concerns`), each listing
    those tickets alone, other units' being counted, not shown."""
    name, asked = _township_asked(township), unit_asked(unit)
    window, now, here = repeats.index.window, utc_now(), zone or ZoneInfo("UTC")
    if since is None and until is None:
        span, end = min(days, window.days), None
        start = now - timedelta(days=span)
    else:  # an `until` alone is refused there
        start, end = kept_period(repeats, None, since, until, here)
        start = max(start, now - window)
        span = (end - start) / timedelta(days=1)
    # The feedback table keeps aware times, the ticket log naive UTC (`utc_now`).
    answered_since = stored_utc(start)
    judgements = Judgements.from_answers(
        ((a.ticket_key, a.related_ticket_ids, a.repeat_of) for a in feedback.repeat_answers(answered_since)),
        topics=feedback.answered_topics(answered_since))

    def shown(ticket: SeenTicket) -> bool:  # of a unit's own key, only the tickets sent to it
        return not sent_only or ticket.concerns(None, asked, sent_only=True)

    # a group holding tickets reported in the township, or sent on to it
    spots = [spot for spot in repeats.hotspots(days=span, min_size=min_size, judgements=judgements, until=end)
             if (name is None or name in spot.townships or any(ticket.township == name for ticket in spot.tickets))
             and (asked is None or asked in spot.lead_units or asked in spot.assisting_units)
             and (not urgent or any(ticket.urgent for ticket in spot.tickets))
             and any(shown(ticket) for ticket in spot.tickets)]
    day_ago = now - timedelta(hours=24)
    return HotspotsOut(
        days=math.ceil(span - 1e-9),
        since=answered_since.astimezone(here).isoformat(timespec="minutes"),
        until=stored_utc(end or now).astimezone(here).isoformat(timespec="minutes"),
        township=name,
        unit=asked,
        tickets_in_period=repeats.index.count(days=span, township=name, unit=asked, sent_only=sent_only, until=end),
        hotspots=[
            HotspotOut(size=s.size, first_at=_utc_text(s.first_at),
                       last_at=_utc_text(s.last_at), last_24h=s.since(day_ago),
                       urgent=sum(bool(t.urgent) for t in s.tickets),
                       lines=dict(Counter(line for t in s.tickets for line in t.lines).most_common()),
                       keywords=s.keywords, townships=s.townships, city_wide=s.city_wide, topics=s.topics,
                       lead_units=s.lead_units, assisting_units=s.assisting_units,
                       # each ticket under the topic the group counts it under (a quality inspector's round: the
                       # group said 环境保护 5, its tickets 4 and one 城乡建设, the route's reading)
                       tickets=[related_out(replace(t, topic=judgements.topics.get(t.ticket_id, t.topic)))
                                for t in s.tickets if shown(t)])
            for s in spots[:limit]
        ],
    )


def _repeat_reason(related: list[Related], zone: ZoneInfo, received: datetime | None) -> str:
    first = related[0]
    # Calendar days where the agent is: a ticket of 23:00 last night is 昨天, not 今天 because fewer than 24 hours passed.
    # Counted from this ticket's own day: in a backlog, a call 1.5 hours after the one listed read "4 天前".
    today = datetime.now(zone).date()
    day = stored_utc(received).astimezone(zone).date() if received else today
    days = (day - stored_utc(first.ticket.received_at).astimezone(zone).date()).days
    when = ({0: "今天 / today", 1: "昨天 / yesterday"}.get(days, f"{days} 天前 / {days} days ago") if day == today else
            {0: "同一天 / the same day", 1: "前一天 / the day before"}.get(days, f"早 {days} 天 / {days} days before"))
    earlier = first.ticket
    if earlier.closed_at_centre:
        where = "，已由 12345 中心办结"
    elif earlier.confirmed:
        where = f"，已派 {earlier.dispatched_to}"
        if earlier.sent_back_where_it_is:
            where += "，被退回"
        elif earlier.replied_where_it_is:
            where += "，已答复"
    elif earlier.lead_unit:
        # routed for review, and no answer came back: where the route proposed to send it (an integrator's round:
        # "已派" told an agent to merge into a ticket nobody had sent anywhere)
        where = f"，路由建议 {earlier.lead_unit}"
    else:
        where = ""
    more = f"，另有 {len(related) - 1} 件 / {len(related) - 1} more" if len(related) > 1 else ""
    if first.named:
        return f"来电人所述原工单 / the ticket the caller gave: {first.ticket.ticket_id}（{when}{where}{more}）"
    if first.incident:  # its words may share little: the similarity would only puzzle the agent
        return (f"可能为同一紧急事件 / possibly the same emergency: {first.ticket.ticket_id}（同一乡镇、同类紧急来电，"
                f"{when}{where}{more}）")
    return f"可能重复诉求 / possible repeat: {first.ticket.ticket_id}（相似度 {first.similarity:.2f}，{when}{where}{more}）"


def _held_by(related: list[Related] | None, follow_up: bool) -> tuple[SeenTicket, Unit, bool] | None:
    """The earlier ticket a follow-up names by its number and the unit that holds it (where an agent sent it, else
    its lead, dispatched or proposed: `SeenTicket.confirmed`): a housing agent's round had 催办 of a ticket sent to
    住建局 proposed to 人社局, a second work order for a matter another unit has. A caller who says it was reported
    before and gives no number (`follow_up`): the earlier ticket most like it by its words, and third, True, since
    only an agent can tell it is the same matter (two rounds saw 催办 told by story go to the unit the model read,
    the reason alone naming where the earlier ticket was)."""
    earlier = next((r.ticket for r in related or [] if r.named), None)
    by_words = earlier is None and follow_up
    if by_words:
        earlier = next((r.ticket for r in related or [] if r.linked_by == "words"), None)
    holder = earlier and earlier.dispatched_to
    unit = default_routing()[0].unit_named(holder) if holder else None
    return (earlier, unit, by_words) if unit else None


def _at_another_unit(related: list[Related] | None, lead: UnitRef | None) -> SeenTicket | None:
    """The earlier ticket listed by its words that is at a unit other than `lead` (sent there, not sent back, not
    closed by the centre): one matter would be at two units."""
    return next((r.ticket for r in related or [] if r.linked_by == "words" and r.ticket.confirmed
                 and not r.ticket.sent_back_where_it_is and not r.ticket.closed_at_centre
                 and r.ticket.dispatched_to != (lead.name if lead else None)), None)


def _still_urgent(related: list[Related] | None, received: datetime | None, text: str) -> SeenTicket | None:
    """The urgent ticket of the last `OUTAGE_HOURS` that a follow-up's caller is chasing (the one it numbers, else
    one listed), unless the caller says the matter is over: how long the calls of one outage keep coming in."""
    if says_it_is_over(text):
        return None
    since = (received or utc_now()) - OUTAGE_HOURS
    return next((r.ticket for r in sorted(related or [], key=lambda r: not r.named)
                 if r.ticket.urgent and r.ticket.received_at >= since), None)


def _check(repeats: Repeats, text: str, township: str | None, seen: SeenTicket | None, received: datetime | None,
           incident: frozenset[str], follow_up: bool, numbers: list[str]
           ) -> tuple[list[Related] | None, SeenTicket | None, tuple[SeenTicket, Unit, bool] | None, SeenTicket | None]:
    """Earlier tickets about the same matter (received before `received`, a backlog ticket's time), in the same
    township when it is known, and for an emergency the calls about it of the last hours (`incident`: the lines to
    put the caller through to), the tickets whose `numbers` it gives first. A database failure here is logged and
    the ticket routed all the same: the link to an earlier ticket matters less than the routing. None: the check
    could not be made.
    Second: `seen` as it is to be kept (`_record`): under the unit that holds the ticket a follow-up is of, and still
    where an agent already sent it on to (`/v1/feedback`), where it was routed before. Third: the ticket a follow-up
    names and the unit that holds it (`_held_by`). Fourth: the ticket's last route before this one, as the check read
    it (None: not routed before, or not kept)."""
    related: list[Related] | None = None
    try:
        related = repeats.named(numbers, repeats.check(text, exclude=seen.ticket_id if seen else None,
                                                       township=township, before=received, incident=incident,
                                                       follow_up=follow_up), exclude=seen.ticket_id if seen else None)
    except SQLAlchemyError:
        log.exception("repeat check failed; the ticket is routed without it")
    held = _held_by(related, follow_up and not incident and not numbers)
    # not to the unit that sent it back, nor to one the centre closed it for: see route_tickets
    if seen and held and not held[0].sent_back_where_it_is and not held[0].closed_at_centre:
        seen = replace(seen, lead_unit=held[1].name, assisting_units="")
    previous = repeats.index.routed(seen.ticket_id) if seen else None
    if seen and previous is not None and received is None:
        # routed again without a time (a retry, an edit): still the appeal that came in then, not a new one today
        seen = replace(seen, received_at=previous.received_at)
    if seen and previous is not None and previous.assigned_unit:
        # and still where the agent sent it: a platform's retry undid the agent's answer
        seen = seen.sent_to(previous.assigned_unit, previous.assigned_township)
    if seen and previous is not None:
        # sent back (退回) or replied by its unit, or closed by the centre: a retry hid it from the centre
        seen = seen.with_outcome_of(previous)
    return related, seen, held, previous


def _record(repeats: Repeats, seen: SeenTicket, reasons: list[str], rule: str | None,
            related: list[Related] | None) -> None:
    """Keeps the ticket with what its answer says (reasons, rule, tickets listed), for the tickets after it and for a
    supervisor's review. A ticket that cannot be kept waits in memory until the database can be written
    (`Repeats.record`)."""
    try:
        repeats.record(replace(seen, reasons="\n".join(reasons), rule=rule,
                               related="、".join(r.ticket.ticket_id for r in related or [])))
    except SQLAlchemyError as error:
        log.warning("ticket log not written; %d tickets wait in memory for the database: %s", repeats.unsaved,
                    type(error).__name__)


def route_tickets(tickets: Sequence[TicketIn], model: LoadedModel, kb: KnowledgeBase, k: int,
                  repeats: Repeats | None = None, *, zone: ZoneInfo, weak_below: float | None = None) -> list[RouteOut]:
    """Routes the tickets; with `repeats`, each is compared with the tickets of the repeat window (those of the
    batch received before it included) and, when it has an id, kept there for the tickets after it. `zone`: the
    centre's, for the days a repeat reason counts. `weak_below` (`Settings.route_weak_below`): the suggestions are
    ranked with e5 over the ticket's opening as well, and marked weak_match under this cosine; none, by BM25 alone."""
    predictor = model.predictor
    predictions = predictor.predict([model_text(t.title, t.text, stopwords=predictor.stopwords, people=[t.author])
                                     for t in tickets])
    results: list[RouteOut | None] = [None] * len(tickets)
    # A backlog batch is compared in the order its tickets came in: one received a day before another that comes
    # first in the batch is that one's earlier report (a township's round); tickets without a time come in now.
    for i in sorted(range(len(tickets)), key=lambda i: _received_order(tickets[i])):
        ticket, heads = tickets[i], predictions[i]
        title, masked = masked_parts(ticket.title or None, ticket.text, people=[ticket.author])
        full = title_and_body(title, masked)  # routing_text, without masking both parts a second time
        routing = decide(heads, full, ticket.location, channel=ticket.channel)
        related: list[Related] | None = []
        seen, before_window, held, earlier = None, None, None, None
        numbers = ticket_numbers(full)
        follow_up = says_reported_before(full) or bool(numbers)  # a ticket's number is an earlier ticket's
        if repeats is not None:
            # a ticket that may not be accepted goes to review: its unit is the route's proposal (路由建议), which an
            # agent who accepts it after all keeps (a shift leader's round: the answer 双牌镇人民政府 counted as a change
            # from the type, 村(居)委会, where the route had led to that government)
            sent_to = routing.lead.name if routing.lead else None
            township = routing.jurisdiction.township if routing.jurisdiction else None
            # The location field names one township and the text another (属地不一致): the matter may be in either,
            # so the check looks in every township (a township's round: the 4th call about 邓元泰镇's garbage
            # station, filed under the caller's 湾头桥镇, was told of none); the ticket is kept under the field's.
            compared_in = township
            if routing.jurisdiction and routing.jurisdiction.source == "location" and (
                    told := find_jurisdiction(full)) is not None and told.township != township:
                compared_in = None
            given = ticket.received_at.replace(tzinfo=None) if ticket.received_at else None  # UTC (schemas)
            # one received before the window is compared with nothing and not kept: it would stay, masked but a
            # caller's words, until the next daily clean-up
            if given and given < utc_now() - repeats.index.window:
                before_window = repeats.index.window.days
            kept = ticket.id and not before_window
            seen = SeenTicket(ticket.id, given or utc_now(), masked, title, township, heads["topic"].label,
                              sent_to, routing.decision, model.version, routing.urgent, routing.functional_type,
                              hand_over="、".join(routing.hand_over),
                              refusal_rule=routing.not_accepted.rule if routing.not_accepted else None,
                              assisting_units="、".join(unit.name for unit in routing.assisting),
                              channel=(ticket.channel or "").strip() or None, follow_up=follow_up) if kept else None
            related, seen, held, earlier = _check(repeats, full, compared_in, seen, given,
                                                  frozenset(routing.hand_over), follow_up, numbers)
            if routing.consultation and related:
                # a policy desk's round: 医保缴费 listed as a possible repeat of another caller's 养老缴费 question
                related = [r for r in related if r.named]
        # an agent told nothing would take "no related tickets" for "no earlier report"
        reasons = routing.reasons + ([_repeat_reason(related, zone, given)] if related else
                                     [REPEAT_CHECK_SKIPPED] if related is None else [])
        if follow_up and related is not None and repeats is not None:
            days = repeats.index.window.days
            if related:
                reasons.append(FOLLOW_UP_OF_LISTED)
            if numbers and not any(r.named for r in related):  # those listed are like it, not the one it names
                reasons.append(NUMBER_NOT_FOUND.format(numbers="、".join(numbers), days=days))
            elif not related:
                reasons.append(FOLLOW_UP_NOT_FOUND.format(days=days))
        urgent = routing.urgent
        if follow_up and not urgent and (still := _still_urgent(related, given, full)) is not None:
            # a utilities liaison's round: the 催办 of a main flooding a junction an hour before was not urgent
            urgent = True
            reasons.append(f"紧急: 原工单 {still.ticket_id} 为紧急事项，来电人未说已处理，催办仍按紧急处理 / the ticket it "
                           "follows up was urgent and the caller does not say it is over: still urgent")
        replaced = earlier is not None and (earlier.text, earlier.title) != (masked, title)
        if replaced:
            # an integrator's round: a power cut re-sent under its id as a water leak was replaced without a word
            reasons.append(ROUTED_BEFORE_OTHERWISE.format(
                id=ticket.id, when=stored_utc(earlier.received_at).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                where=f"派 {earlier.dispatched_to}" if earlier.dispatched_to else "未派单位"))
        if before_window:  # an integrator's round: a backlog ticket of last year answered as if it had been checked
            reasons.append(f"收到时间早于重复诉求窗口（{before_window} 天），未核对重复、不保留 / received before the "
                           f"repeat window ({before_window} days): not compared with other tickets, not kept")
        lead, assisting, rule, ask = routing.lead, routing.assisting, routing.rule, routing.ask
        sent_on_to = None
        holder = None
        proposed_only = False
        sent_on = seen.assigned_unit if seen else None
        if sent_on and sent_on != (lead.name if lead else None):  # an agent who kept the route's unit changed nothing
            sent_on_to = sent_on
            holder = default_routing()[0].unit_named(sent_on)
            # a platform acting on a retry's answer would send the ticket back where the agent took it from
            reasons.append(f"坐席已改派至 {sent_on}，请勿按本次结果重新派单 / an agent sent this ticket on to {sent_on}")
        elif held and held[0].sent_back_where_it_is:
            # its unit sent it back (退回), and where it goes is the centre's to say: a follow-up went to that unit
            # again, auto (sent back to the unit by the centre since, it is the agent who sees the centre's answer)
            proposed_only = True
            named = held[0]
            returned_by, to = named.returned_by, f"，建议 {named.return_to}" if named.return_to else ""
            reasons.append(f"催办：原工单 {named.ticket_id} 已被 {returned_by} 退回（{named.return_reason or '理由已删除'}"
                           f"{to}），请随原工单改派 / the ticket it follows up was sent back by {returned_by}: send this "
                           "one on with it")
        elif held and held[0].closed_at_centre:
            # the centre closed it itself (本级办结): the caller calls again, and whether a unit is to handle it now
            # is the centre's to say, with what the caller was told before it; proposed to the unit it reads as its own
            named = held[0]
            proposed_only = True
            told = opening(named.close_note, 80) if named.close_note else "未记办结意见"
            reasons.append(f"催办：原工单 {named.ticket_id} 已由 12345 中心办结（{told}），请向来电人说明，或派单位办理 / the "
                           "ticket it follows up was closed by the centre: tell the caller again, or send this one "
                           "to a unit")
        elif held and held[0].replied_where_it_is:
            # its unit replied (答复): the caller calls again, not told or not satisfied, and whether the unit handles
            # it again (重办) is the centre's to say, with the reply before it
            named, holder, by_words = held
            proposed_only = True
            check = "，请核对是否同一事项" if by_words else ""
            reasons.append(f"催办：原工单 {named.ticket_id} 已由 {holder.name} 答复（{opening(named.reply or '答复已删除', 80)}）"
                           f"{check}，请向来电人说明答复，或派该单位重办 / the ticket it follows up was replied by "
                           f"{holder.name}: tell the caller the reply, or send this one to the unit to handle again")
        # found by its words alone, it is for an agent to check that it is the same matter, though the ticket reads as
        # the same unit's (a housing liaison's round: the chase of an estate's burst pipe went auto, urgent, to the
        # water company the first ticket had been sent to by mistake)
        elif held and (held[1].name != (lead.name if lead else None) or held[2]):
            named, holder, by_words = held
            if by_words:
                proposed_only = True
                where = f"由 {holder.name} 承办" if named.confirmed else f"路由建议 {holder.name}"
                reasons.append(f"催办：未报原工单号，最相似的原工单 {named.ticket_id} {where}，随其派，请核对是否同一事项 / a "
                               "follow-up without its number goes with the earlier ticket most like it: check that "
                               "it is the same matter")
            elif named.confirmed:
                reasons.append(f"催办：原工单 {named.ticket_id} 由 {holder.name} 承办，随原工单派给该单位 / a follow-up goes "
                               f"to the unit that holds the ticket it names")
            else:
                # its route only proposed the unit, and no agent has answered it yet (a social desk's round: 催办 of an
                # ambulance's fee read "由 医保专家座席 承办" of a proposal an agent was to correct)
                proposed_only = True
                reasons.append(f"催办：原工单 {named.ticket_id} 尚待坐席确认去向，按其路由建议 {holder.name} 派，请一并确认 / "
                               "the ticket it names awaits an agent's answer: its proposal, to confirm with it")
        elif not follow_up and (elsewhere := _at_another_unit(related, lead)) is not None:
            # a statistician's round: the repeat of a barbecue stall's noise, listed as such and already at 城管局, went
            # auto to 公安局 by the social-noise rule: a second work order for one matter, at a second unit. An urgent
            # ticket is dispatched all the same: a repeat only looks like one, and an emergency does not wait for it.
            # (A follow-up goes with the ticket it names or resembles, above, or is checked with its caller.)
            proposed_only = not urgent
            at = elsewhere.dispatched_to
            reasons.append(f"可能重复诉求 {elsewhere.ticket_id} 已在 {at}，本次路由为 {lead.name if lead else '未定单位'}："
                           f"请核对是否同一事项，是则随原工单派 / a likely repeat of a ticket at {at}: an agent checks "
                           "whether it is the same matter, and if so sends it there")
        if holder:
            # the assistants and the rule came with the unit set aside (an integrator's round: a 协办 township of the
            # discarded reading came back beside the agent's unit)
            lead, assisting, rule, ask = UnitRef.of(holder), [], None, None
            # and the rule's reason with them (a re-tester's round: 规则 township-types … the township leads, beside
            # 坐席已改派至 住建局)
            reasons = [r for r in reasons if not (routing.rule and r.startswith(f"规则 {routing.rule}:"))]
        # an agent who kept the route's unit changed nothing to act on (a retry went to review, no reason said); a
        # follow-up of a proposal is confirmed with it
        decision = "review" if sent_on_to or proposed_only else routing.decision
        if seen:
            # before the suggestions are read, where it always was: written last instead, a database made immutable
            # under the service (an operator's round) crashed it at the next route (SIGBUS in SQLite's shared memory);
            # with the answer's decision, so that a later repeat says 路由建议, not 已派, of a follow-up to confirm
            _record(repeats, replace(seen, decision=decision, urgent=urgent), reasons, rule, related)
        # BM25 alone unless the setting pays for an e5 pass: encoding the whole ticket costs ~10x the rest of the
        # request on 2 cores (bench/RESULTS.md ## Serving), its opening (≈ 30 ms) more than the rest.
        search = dict(with_dense=weak_below is not None, dense_chars=ROUTE_DENSE_CHARS, weak_below=weak_below)
        found = suggestions(kb, full, k * 5, **search)
        if routing.hand_over:
            told = [rule.id for rule in rules_of_lines(full, routing.hand_over, default_routing()[1])]
            suggested = answers_for_the_call(kb, found, routing.hand_over, [lead] if lead else [], told)[:k]
        else:
            suggested = calm_first(kb, found, full)[:k]
        results[i] = RouteOut(
            id=ticket.id,
            topic=head_out(heads["topic"]),
            unit=head_out(heads["unit"]) if "unit" in heads else None,
            jurisdiction=routing.jurisdiction,
            decision=decision,
            reasons=reasons,
            urgent=urgent,
            hand_over=routing.hand_over,
            on_the_line=by_phone(ticket.channel),
            follow_up=follow_up,
            consultation=routing.consultation,
            sent_on_to=sent_on_to,
            replaced_other_text=replaced,
            repeat_checked=repeats is not None and related is not None and not before_window,
            not_accepted=routing.not_accepted,
            lead_unit=lead,
            assisting_units=assisting,
            rule=rule,
            ask=ask,
            suggestions=suggested,
            related_tickets=[related_out(r.ticket, r.similarity, r.linked_by) for r in related or []],
            masked_title=title if title and title.strip() else None,
            masked_text=masked,
            model_version=model.version,
        )
    return results


def _received_order(ticket: TicketIn) -> float:
    return ticket.received_at.timestamp() if ticket.received_at else math.inf
