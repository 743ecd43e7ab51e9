"""GET /v1/tickets: a day's routed tickets with what the route said and why, for a supervisor's review;
GET /v1/tickets/hotspots: groups of recent tickets about the same matter (热点诉求), for agents and supervisors;
GET /v1/tickets/{ticket_id}: a routed ticket as the service keeps it;
POST /v1/tickets/{ticket_id}/return: its unit sends a ticket that is not its back to the centre (退回);
POST /v1/tickets/{ticket_id}/reply: its unit says what it did (答复)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status

from knowledge_base.ticket_log import SeenTicket
from knowledge_base.units import unit_asked_for
from pipeline import masked_text
from pipeline.errors import InputError
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, ErrorOut
from serve.period_summary import summary_out
from serve.routers.deps import ready
from serve.routing import hotspots_out, return_pending, routed_ticket_out, tickets_out, unit_asked
from serve.schemas import (TICKET_STATES, HotspotsOut, PeriodSummaryOut, ReplyIn, ReturnIn, RoutedTicketOut,
                           TicketState, TicketsOut)
from serve.services import Services
from training.feedback_store import FeedbackRow

router = APIRouter(prefix="/v1/tickets", tags=["tickets 工单"], responses=ERROR_RESPONSES)
MORE_SAID = "补充："  # what starts a unit's second reply, added to its first
NOT_THE_UNITS = {"model": ErrorOut, "description": "近期没有派给本单位的此工单 / no ticket of this id sent to the unit "
                                                   "within the repeat window"}


@router.get("", response_model=TicketsOut, summary="当日工单 / a day's (or a shift's) routed tickets, with why")
def day_tickets(
    day: date | None = Query(None, alias="date", description="the centre's day (2026-12-07; APPEAL_TIMEZONE), within "
                                                             "the repeat window; default today"),
    since: datetime | None = Query(None, description="instead of a day, the tickets from this time on (the centre's "
                                                     "clock unless it has an offset): a night shift, "
                                                     "2026-12-06T18:00"),
    until: datetime | None = Query(None, description="with `since`, the end of the period (not included); default "
                                                     "now"),
    decision: Literal["auto", "review"] | None = Query(None, description="only those the route dispatched itself "
                                                                         "(auto) or sent to an agent (review)"),
    urgent: bool | None = Query(None, description="only those flagged urgent (true) or not (false)"),
    answered: bool | None = Query(None, description="only those an agent answered (true: /v1/feedback) or not yet "
                                                    "(false: the review left to do)"),
    returned: bool | None = Query(None, description="only those their unit sent back (退回) and no agent's answer "
                                                    "sent on since (true: to send on) or not (false)"),
    state: TicketState | None = Query(None, description=f"only those that stand so ({TICKET_STATES}); without a day "
                                                        "or period, over the whole repeat window: a unit's `open`, "
                                                        "its work in hand"),
    township: str | None = Query(None, max_length=100, description="乡镇/街道 (湾头桥镇, or its division code): only "
                                                                 "the tickets reported in it or sent on to it"),
    unit: str | None = Query(None, max_length=100, description="责任单位 (卫健局, 湾头桥镇): only the tickets sent to "
                                                            "it, by the route or an agent, or that it assists"),
    assisting: bool | None = Query(None, description="of the unit's (`unit`, or a unit's key): only those it assists "
                                                      "on (true: another unit leads and replies) or those at it "
                                                      "(false: its own to handle); 422 without a unit"),
    limit: int = Query(100, ge=1, le=1000, description="tickets listed, in the order they came in"),
    offset: int = Query(0, ge=0, description="tickets skipped first: the next page"),
    caller: Caller = Depends(require("tickets")),
    services: Services = Depends(ready),
) -> TicketsOut:
    """The tickets routed with an id that came in on one day (or from `since` to `until`), each with what the route
    said (decision, unit, rule, urgent, lines) and why (its reasons, the earlier tickets it listed), and what the
    agents' latest answer said (topic, unit, lines put through, refused), whether its unit sent it back or replied,
    and where it stands; with the period's counts of auto, review, urgent, answered, put-through, refused, returned,
    open, replied and closed tickets. Texts are PII masked; an erased ticket (`appeal forget`) is not listed. A unit's
    key lists those sent to its unit alone, not those only proposed for an agent to review."""
    return tickets_out(services.repeats, services.feedback, day=day, zone=services.settings.zone, since=since,
                       until=until, decision=decision, urgent=urgent, answered=answered, returned=returned,
                       state=state, township=township, unit=_own_unit(caller, unit), assisting=assisting,
                       sent_only=caller.unit is not None, limit=limit, offset=offset)


@router.get("/hotspots", response_model=HotspotsOut, summary="热点诉求 / groups of tickets about the same matter")
def hotspots(
    days: int = Query(7, ge=1, le=366, description="tickets routed in the last `days` (at most the repeat window)"),
    since: datetime | None = Query(None, description="instead of the last days, the tickets received from this time on "
                                                     "(the centre's clock unless it has an offset): a week, "
                                                     "2026-11-30T00:00"),
    until: datetime | None = Query(None, description="with `since`, the end of the period (not included): "
                                                     "2026-12-07T00:00; default now"),
    min_size: int = Query(3, ge=2, le=1000, description="smallest group shown"),
    limit: int = Query(20, ge=1, le=200, description="largest groups first"),
    township: str | None = Query(None, max_length=100, description="乡镇/街道 (湾头桥镇, or its division code): only "
                                                                 "the groups holding tickets of it"),
    unit: str | None = Query(None, max_length=100, description="责任单位 (卫健局, 武冈市卫生健康局, 湾头桥镇): only the "
                                                            "groups holding a ticket sent to it, by the route or an "
                                                            "agent, or that it assists; a unit's own share of the "
                                                            "work"),
    urgent: bool = Query(False, description="only the groups holding a ticket the route flagged urgent"),
    caller: Caller = Depends(require("hotspots")),
    services: Services = Depends(ready),
) -> HotspotsOut:
    """Tickets routed with an id in the period, grouped when linked by similarity at or above the repeat threshold
    (directly or through each other); each group's most central ticket first, with its 乡镇/街道, topics and lead
    units counted. Agents' answers overrule the similarity: a ticket they linked (`repeat_of`) joins the group, and
    one they judged a new matter (`repeat_of: null`) is not joined through the tickets it was listed with. A unit's
    key sees the groups holding tickets sent to its unit, each listing those alone."""
    return hotspots_out(services.repeats, services.feedback, days=days, min_size=min_size, limit=limit,
                        township=township, unit=_own_unit(caller, unit), urgent=urgent,
                        sent_only=caller.unit is not None, since=since, until=until, zone=services.settings.zone)


@router.get("/summary", response_model=PeriodSummaryOut, summary="周报数据 / a period's figures, for the weekly report",
            responses={403: {"model": ErrorOut, "description": "单位密钥 / a unit's key: the figures are the centre's"}})
def period_summary(
    day: date | None = Query(None, alias="date", description="the centre's day (2026-12-07), within the repeat window; "
                                                             "default today"),
    since: datetime | None = Query(None, description="instead of a day, the tickets from this time on (the centre's "
                                                     "clock unless it has an offset): a week, 2026-11-30T00:00"),
    until: datetime | None = Query(None, description="with `since`, the end of the period (not included): "
                                                     "2026-12-07T00:00; default now"),
    caller: Caller = Depends(require("tickets")),
    services: Services = Depends(ready),
) -> PeriodSummaryOut:
    """The figures a 12345 centre reports for a period (周报), of the tickets routed with an id that came in during it:
    received by day, channel, topic (the agent's where one answered) and township; closed by the centre on the call
    (直接办结) and its rate; sent to units, still open, replied, sent back; urgent, put through, refused, follow-ups
    and repeats; and per unit the tickets sent to it, replied, open, its reply rate, its oldest open ticket's age and
    those it sent back. Only tickets within the repeat window are kept: a period before it is refused."""
    if caller.unit is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=(
            f"周报数据为 12345 中心所用，单位 {caller.unit} 请查看本单位工单（GET /v1/tickets） / the figures are the "
            "centre's: a unit's key lists its own tickets (GET /v1/tickets)"))
    return summary_out(services.repeats, services.feedback, day=day, zone=services.settings.zone, since=since,
                       until=until)


# After /hotspots and /summary, which would otherwise be read as a ticket's id.
@router.get("/{ticket_id}", response_model=RoutedTicketOut, summary="已路由的工单 / a routed ticket as kept",
            responses={404: {"model": ErrorOut, "description": "窗口内没有以此 id 路由的工单 / no ticket routed with "
                                                               "this id within the repeat window"}})
def routed_ticket(
    ticket_id: str = Path(max_length=128, description="the id the ticket was routed with"),
    caller: Caller = Depends(require("tickets")),
    services: Services = Depends(ready),
) -> RoutedTicketOut:
    """What the route said of a ticket routed with this id in the repeat window, the unit an agent's answer sent it
    to since, and that answer (an integrator's round: after a lost answer the platform could only route the ticket
    again, and could not see where the service thought the ticket was). 404: not routed with this id, routed before
    the window, or erased (`appeal forget`), or, for a unit's key, not sent to its unit, assisted or sent back by it."""
    ticket = _routed(services, caller, ticket_id)
    return routed_ticket_out(ticket, services.repeats.index.window, _answer_to(services, ticket))


@router.post("/{ticket_id}/return", response_model=RoutedTicketOut, status_code=status.HTTP_201_CREATED,
             summary="退回 / its unit sends a ticket that is not its back to the centre",
             responses={200: {"model": RoutedTicketOut, "description": "已退回，尚待中心改派：重发的请求不再记录 / "
                                                                       "sent back already and not sent on since: a "
                                                                       "retry, recorded once"},
                        404: NOT_THE_UNITS,
                        409: {"model": ErrorOut, "description": "本单位只是协办、已退回或已答复，或中心已办结 / the unit "
                                                                "only assists on it, sent it back or replied to it, "
                                                                "or the centre closed it"}})
def send_back(
    body: ReturnIn,
    response: Response,
    ticket_id: str = Path(max_length=128, description="the id the ticket was routed with"),
    caller: Caller = Depends(require("handle")),
    services: Services = Depends(ready),
) -> RoutedTicketOut:
    """A unit's liaison sends back to the centre a ticket sent to its unit that is not the unit's to handle (退回),
    saying why and, where it knows, whose it is: the ticket then shows `returned` (with `pending`) in the unit's list
    and the centre's, where `returned=true` lists those to send on. An agent's answer (/v1/feedback) naming the unit
    it goes to next, or the same unit where the centre holds it is the unit's, settles it. The return is kept with the
    ticket, for the repeat window, and is no label for retraining: a label is what an agent answers. Two liaisons'
    rounds: a unit could only ask an agent to send the ticket on, which stored the centre's seat as its label, without
    who or why. An admin's key records a return its unit phoned in, for the unit the ticket is at. A ticket the unit
    has replied to (答复) is done there: 409."""
    ticket = _routed(services, caller, ticket_id)
    window = services.repeats.index.window
    unit = caller.unit or ticket.dispatched_to  # an admin records a return its unit phoned in
    answer = _answer_to(services, ticket)
    if ticket.returned_by == unit and return_pending(ticket, answer):
        response.status_code = status.HTTP_200_OK  # a retry, or a second reason: the first is what the centre reads
        return routed_ticket_out(ticket, window, answer)
    _at_the_unit(ticket, unit)
    if ticket.replied_where_it_is:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=(
            f"{ticket.ticket_id} 已由 {unit} 答复，不能再退回；如有误，请联系 12345 中心 / {unit} replied to it: it is no "
            "longer to send back (ask the 12345 centre)"))
    proposed = _unit_named(body.proposed_unit)
    if proposed == unit:
        raise InputError(f"proposed_unit: {proposed} 即退回的单位；请写工单应归属的单位，或不填 / is the unit sending the "
                         "ticket back: name the unit it is for, or leave it out")
    returned = services.repeats.send_back(ticket, unit, masked_text(body.reason), proposed, caller.name)
    return routed_ticket_out(returned, window, answer)


@router.post("/{ticket_id}/reply", response_model=RoutedTicketOut, status_code=status.HTTP_201_CREATED,
             summary="答复 / the unit a ticket is at says what it did",
             responses={200: {"model": RoutedTicketOut, "description": "已答复过：本次答复作为补充，或替换（replace） / "
                                                                       "replied before: this reply is added to it, or "
                                                                       "replaces it (replace)"},
                        404: NOT_THE_UNITS,
                        409: {"model": ErrorOut, "description": "尚未派出、本单位只是协办或已退回，或中心已办结 / not "
                                                                "sent to a unit yet, the unit only assists on it or "
                                                                "sent it back, or the centre closed it"}})
def reply(
    body: ReplyIn,
    response: Response,
    ticket_id: str = Path(max_length=128, description="the id the ticket was routed with"),
    caller: Caller = Depends(require("handle")),
    services: Services = Depends(ready),
) -> RoutedTicketOut:
    """The unit a ticket is at says what it found and did (答复), for the centre to tell the caller: the ticket then
    stands `replied` in the unit's list and the centre's, no longer `open` (a liaison's round: the unit's list, by the
    day a ticket came in, could not say which tickets were still to handle). It stays so while the ticket is at the
    unit; a caller who calls about it again goes to an agent with the reply, who may send the new ticket to the unit
    to handle again (重办). A second reply is added to the first as 补充, or replaces it with `replace` (200); the same
    reply again is a retry, stored once. Kept with the ticket for the repeat window (`appeal tickets --cases` writes
    the replies as a case file for the knowledge base) and erased with its words by `appeal forget`. An admin's key
    records a reply its unit sent otherwise, for the unit the ticket is at."""
    ticket = _routed(services, caller, ticket_id)
    window = services.repeats.index.window
    unit = caller.unit or ticket.dispatched_to
    answer = _answer_to(services, ticket)
    _at_the_unit(ticket, unit)
    if ticket.returned_by == unit and return_pending(ticket, answer):
        raise HTTPException(status.HTTP_409_CONFLICT, detail=(
            f"{ticket.ticket_id} 已由 {unit} 退回，待 12345 中心改派，不能答复 / {unit} sent it back: the 12345 centre has "
            "yet to send it on, or back to the unit"))
    said = masked_text(body.reply)
    if ticket.replied_where_it_is:
        response.status_code = status.HTTP_200_OK
        if said == ticket.reply or not body.replace and said in ticket.reply.split(f"\n{MORE_SAID}"):
            return routed_ticket_out(ticket, window, answer)  # a retry
        if not body.replace:
            # a township's round: a one-line 补充 wiped out the reply it added to
            said = f"{ticket.reply}\n{MORE_SAID}{said}"
    replied = services.repeats.reply(ticket, unit, said, body.contact or ticket.reply_contact, caller.name)
    return routed_ticket_out(replied, window, answer)


def _answer_to(services: Services, ticket: SeenTicket) -> FeedbackRow | None:
    """The agents' latest answer to the ticket (None: none yet)."""
    return services.feedback.latest_of([ticket.ticket_id]).get(ticket.ticket_id)


def _at_the_unit(ticket: SeenTicket, unit: str | None) -> None:
    """409 unless the ticket was sent to `unit` and is there: not closed by the centre, not a route's proposal for
    review, nor at another unit (one it only assists, or it sent the ticket back to and the centre sent on)."""
    if ticket.closed_at_centre:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=(
            f"{ticket.ticket_id} 已由 12345 中心办结，无需单位办理；如需办理，请联系 12345 中心改派 / the 12345 centre "
            "closed it itself: no unit is to handle it (ask the centre to send it to one)"))
    if not ticket.confirmed:  # a unit's key never reads such a ticket
        raise HTTPException(status.HTTP_409_CONFLICT, detail=(
            f"{ticket.ticket_id} 尚未派出（路由建议 {ticket.lead_unit or '无'}，待坐席审核） / not sent to a unit yet "
            f"(proposed to {ticket.lead_unit or 'none'}, for an agent to review)"))
    if ticket.dispatched_to != unit:
        zh, en = ("只是协办单位", "only assists on it") if unit in ticket.assisted_by else ("已退回", "sent it back")
        raise HTTPException(status.HTTP_409_CONFLICT, detail=(
            f"{ticket.ticket_id} 现由 {ticket.dispatched_to} 承办，{unit} {zh}，由承办单位或 12345 中心决定去向 / "
            f"{ticket.ticket_id} is with {ticket.dispatched_to}; {unit} {en}: that unit or the 12345 centre decides "
            "where it goes"))


def _unit_named(proposed: str | None) -> str | None:
    """The unit a return says the ticket is for, as the catalogue names it; one it does not hold (a 事务中心 outside it,
    a type of several units: 公安) as written, since the centre reads it, not the route (a liaison's round lost a
    return to the 422 of 畜牧水产事务中心)."""
    try:
        return unit_asked_for(proposed).name if proposed else None
    except InputError:
        return proposed


def _routed(services: Services, caller: Caller, ticket_id: str) -> SeenTicket:
    """The ticket routed with this id in the window; 404 where there is none, or, for a unit's key, none sent to its
    unit, assisted by it or sent back by it (a liaison's round: once sent on, the unit could not see where its return
    had gone)."""
    days = services.repeats.index.window.days
    ticket = services.repeats.routed(ticket_id.strip())
    if caller.unit and (ticket is None or not ticket.concerns(None, caller.unit, sent_only=True)
                        and caller.unit not in (ticket.returned_by, *ticket.returned_earlier)):
        # said as one, so that a key learns nothing of other units' tickets; a liaison's round read "never routed" of
        # a ticket a caller had, and took it as never registered
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=(
            f"近 {days} 天没有派给或请 {caller.unit} 协办的 {ticket_id!r} 工单（可能属于其他单位、尚待中心派单、未路由或已删除，"
            f"请联系 12345 中心） / no ticket {ticket_id!r} sent to {caller.unit} or assisted by it in the last {days} "
            f"days (another unit's, not yet sent by the centre, never routed, or erased: ask the 12345 centre)"))
    if ticket is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=(
            f"近 {days} 天没有以 {ticket_id!r} 路由的工单（未带此 id 路由、早于窗口或已删除） / no ticket routed with "
            f"id {ticket_id!r} in the last {days} days (never with this id, before the window, or erased)"))
    return ticket


def _own_unit(caller: Caller, unit: str | None) -> str | None:
    """The unit whose tickets a key lists: a unit key's own (asking for another's is a 403), else the one asked."""
    if caller.unit is None:
        return unit
    if unit_asked(unit) not in (None, caller.unit):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=(
            f"单位 {caller.unit} 的密钥只能查看本单位的工单 / the key of {caller.unit} lists that unit's tickets alone"))
    return caller.unit
