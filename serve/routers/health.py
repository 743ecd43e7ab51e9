"""Liveness and readiness."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from serve.routers.deps import services as get_services
from serve.schemas import Health
from serve.services import Services

router = APIRouter(tags=["health 运行状态"])


@router.get("/healthz", response_model=Health, summary="进程存活 / the process answers")
def healthz(services: Services = Depends(get_services)) -> Health:
    current = services.models.current
    return Health(status="ok", model_version=current.version if current else None)


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}},
            summary="可以接单 / model and index are loaded")
def readyz(services: Services = Depends(get_services)):
    if services.ready:
        database_error = services.database_error()
        return Health(status="ok", model_version=services.model.version, kb_entries=len(services.kb),
                      retrieval=services.retrieval, database="unavailable" if database_error else "ok",
                      detail=database_error)
    state = "unavailable" if services.error else "loading"
    return JSONResponse(status_code=503, content=Health(status=state, detail=services.error).model_dump())
