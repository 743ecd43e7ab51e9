"""POST /v1/route, /v1/route/batch: classify and route tickets."""
from __future__ import annotations

from typing import Sequence

from fastapi import APIRouter, Depends, Request

from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, check_text_length, too_large
from serve.routers.deps import ready
from serve.routing import route_tickets
from serve.schemas import BatchIn, BatchOut, RouteOut, TicketIn
from serve.services import Services

router = APIRouter(prefix="/v1", tags=["route 分派"], responses=ERROR_RESPONSES)


def _check_lengths(tickets: Sequence[TicketIn], limit: int, batch: bool) -> None:
    # In a batch the error names the ticket, so that the platform can route the others without it.
    for i, ticket in enumerate(tickets):
        where = "text"
        if batch:
            where = f"tickets.{i}.text" + (f" ({ticket.id})" if ticket.id else "")
        check_text_length(ticket.text, limit, where)


def _route(request: Request, services: Services, tickets: Sequence[TicketIn], batch: bool) -> list[RouteOut]:
    _check_lengths(tickets, services.settings.max_text_chars, batch)
    settings = services.settings
    results = route_tickets(tickets, services.model, services.kb, settings.suggestions_k, services.repeats,
                            zone=settings.zone, weak_below=settings.route_weak_below)
    for result in results:
        labels = {"topic": result.topic.label, **({"unit": result.unit.label} if result.unit else {})}
        services.metrics.observe_route(labels, result.decision, bool(result.related_tickets), result.urgent,
                                       result.hand_over)
    request.state.log.update(
        tickets=[ticket.id for ticket in tickets] if any(ticket.id for ticket in tickets) else None,
        model_version=results[0].model_version,
        decisions=[r.decision for r in results],
        topics=[r.topic.label for r in results],
        masked_text=[r.masked_text for r in results] if len(results) > 1 else results[0].masked_text,
        related=[[t.ticket_id for t in r.related_tickets] for r in results] if any(r.related_tickets for r in results)
        else None,
    )
    return results


@router.post("/route", response_model=RouteOut, summary="分派一条工单 / route one ticket")
def route_one(
    ticket: TicketIn,
    request: Request,
    _caller: Caller = Depends(require("route")),
    services: Services = Depends(ready),
) -> RouteOut:
    """Topic, unit, jurisdiction, auto/review decision, knowledge-base suggestions and earlier tickets about the
    same matter for one ticket. A ticket with an `id` is kept for the repeat window, so later tickets find it. The same
    `id` again with the same words (a retry) gets the same answer; with other words (an agent's edit) it is routed
    anew and replaces the first in the repeat log, and a reason says so (工单 … 已于 … 以不同内容路由过)."""
    return _route(request, services, [ticket], batch=False)[0]


@router.post("/route/batch", response_model=BatchOut, summary="批量分派 / route a batch of tickets")
def route_batch(
    batch: BatchIn,
    request: Request,
    _caller: Caller = Depends(require("route")),
    services: Services = Depends(ready),
) -> BatchOut:
    """Up to `max_batch` tickets in one call (413 above); answers in the order given.

    All or nothing: a batch with one bad ticket is refused whole, and none of its tickets is routed or kept (a 422
    lists every field of every ticket that is wrong, each `loc` naming the ticket's place, `tickets.3.text`; a text
    too long is a 413 naming the first such ticket, checked once the fields are right). Mend and send the batch
    again, or send its good tickets."""
    limit = services.settings.max_batch
    if len(batch.tickets) > limit:
        raise too_large("批量过大", "batch too large", limit, len(batch.tickets), code="batch_too_large")
    return BatchOut(results=_route(request, services, batch.tickets, batch=True))
