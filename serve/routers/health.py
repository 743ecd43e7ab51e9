"""Liveness and readiness."""
from __future__ import annotations

from contextlib import suppress

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from serve.errors import ERROR_RESPONSES, retry_after
from serve.routers.deps import services as get_services
from serve.schemas import Health
from serve.services import Services

router = APIRouter(tags=["health 运行状态"])


@router.get("/healthz", response_model=Health, summary="进程存活 / the process answers")
def healthz(services: Services = Depends(get_services)) -> Health:
    current = services.models.current
    return Health(status="ok", model_version=current.version if current else None)


@router.get("/readyz", response_model=Health, responses={503: {"model": Health,
                                                                "headers": ERROR_RESPONSES[503]["headers"]}},
            summary="可以接单 / model and index are loaded")
def readyz(services: Services = Depends(get_services)):
    """200 once tickets are routed, `degraded` while the database cannot be read or written: routing goes on, so a
    load balancer keeps sending routes, and `database` and `detail` say what is refused and why."""
    if services.ready:
        database, why = services.database_state()
        if database == "ok":
            # entries a trainer wrote with `appeal kb` reach the index at the next search; a probe counting before
            # that said the import had not arrived (an editor's round); the probe answers whatever the database does
            with suppress(SQLAlchemyError):
                services.kb.refresh(wait=False)
        return Health(status="ok" if database == "ok" else "degraded", model_version=services.model.version,
                      kb_entries=len(services.kb), retrieval=services.retrieval,
                      repeats=services.repeats.index.method, database=database, detail=why)
    state = "unavailable" if services.error else "loading"
    # the Retry-After a route would get now: a script polling the probe before its first ticket waits as long
    return JSONResponse(status_code=503, content=Health(status=state, detail=services.error).model_dump(),
                        headers=retry_after(services.error_code if services.error else "loading", services.settings))
