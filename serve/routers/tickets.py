"""GET /v1/tickets/hotspots: groups of recent tickets about the same matter (热点诉求), for agents and supervisors."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES
from serve.routers.deps import ready
from serve.routing import hotspots_out
from serve.schemas import HotspotsOut
from serve.services import Services

router = APIRouter(prefix="/v1/tickets", tags=["tickets 工单"], responses=ERROR_RESPONSES)


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
    _caller: Caller = Depends(require("hotspots")),
    services: Services = Depends(ready),
) -> HotspotsOut:
    """Tickets routed with an id in the period, grouped when linked by similarity at or above the repeat threshold
    (directly or through each other); each group's most central ticket first, with its 乡镇/街道, topics and lead
    units counted. Agents' answers overrule the similarity: a ticket they linked (`repeat_of`) joins the group, and
    one they judged a new matter (`repeat_of: null`) is not joined through the tickets it was listed with."""
    return hotspots_out(services.repeats, services.feedback, days=days, min_size=min_size, limit=limit,
                        township=township, unit=unit)
