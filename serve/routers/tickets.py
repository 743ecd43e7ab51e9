"""GET /v1/tickets: a day's routed tickets with what the route said and why, for a supervisor's review;
GET /v1/tickets/hotspots: groups of recent tickets about the same matter (热点诉求), for agents and supervisors;
GET /v1/tickets/{ticket_id}: a routed ticket as the service keeps it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, ErrorOut
from serve.routers.deps import ready
from serve.routing import hotspots_out, routed_ticket_out, tickets_out, unit_asked
from serve.schemas import HotspotsOut, RoutedTicketOut, TicketsOut
from serve.services import Services

router = APIRouter(prefix="/v1/tickets", tags=["tickets 工单"], responses=ERROR_RESPONSES)


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
    township: str | None = Query(None, max_length=100, description="乡镇/街道 (湾头桥镇, or its division code): only "
                                                                 "the tickets reported in it or sent on to it"),
    unit: str | None = Query(None, max_length=100, description="责任单位 (卫健局, 湾头桥镇): only the tickets sent to "
                                                            "it, by the route or an agent, or that it assists"),
    limit: int = Query(100, ge=1, le=1000, description="tickets listed, in the order they came in"),
    offset: int = Query(0, ge=0, description="tickets skipped first: the next page"),
    caller: Caller = Depends(require("tickets")),
    services: Services = Depends(ready),
) -> TicketsOut:
    """The tickets routed with an id that came in on one day (or from `since` to `until`), each with what the route
    said (decision, unit, rule, urgent, lines) and why (its reasons, the earlier tickets it listed), and what the
    agents' latest answer said (topic, unit, lines put through, refused); with the period's counts of auto, review,
    urgent, answered, put-through and refused tickets. Texts are PII masked; an erased ticket (`appeal forget`) is
    not listed. A unit's key lists those sent to its unit alone, not those only proposed for an agent to review."""
    return tickets_out(services.repeats, services.feedback, day=day, zone=services.settings.zone, since=since,
                       until=until, decision=decision, urgent=urgent, answered=answered, township=township,
                       unit=_own_unit(caller, unit), sent_only=caller.unit is not None, limit=limit, offset=offset)


@router.get("/hotspots", response_model=HotspotsOut, summary="热点诉求 / groups of tickets about the same matter")
def hotspots(
    days: int = Query(7, ge=1, le=366, description="tickets routed in the last `days` (at most the repeat window)"),
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
                        sent_only=caller.unit is not None)


# After /hotspots, which would otherwise be read as a ticket's id.
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
    the window, or erased (`appeal forget`), or, for a unit's key, not sent to its unit nor assisted by it."""
    days = services.repeats.index.window.days
    ticket = services.repeats.routed(ticket_id.strip())
    if caller.unit and (ticket is None or not ticket.concerns(None, caller.unit, sent_only=True)):
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
    return routed_ticket_out(ticket, services.repeats.index.window,
                             services.feedback.latest_of([ticket.ticket_id]).get(ticket.ticket_id))


def _own_unit(caller: Caller, unit: str | None) -> str | None:
    """The unit whose tickets a key lists: a unit key's own (asking for another's is a 403), else the one asked."""
    if caller.unit is None:
        return unit
    if unit_asked(unit) not in (None, caller.unit):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=(
            f"单位 {caller.unit} 的密钥只能查看本单位的工单 / the key of {caller.unit} lists that unit's tickets alone"))
    return caller.unit
