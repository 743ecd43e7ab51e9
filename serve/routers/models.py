"""GET /v1/models, POST /v1/models/reload: which versions exist, which one serves, switch to the champion."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from pipeline.errors import InputError
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, ErrorOut
from serve.model_holder import ModelLoadError
from serve.routers.deps import services as get_services
from serve.schemas import ModelOut, ModelsOut, ReloadOut
from serve.services import Services

router = APIRouter(prefix="/v1/models", tags=["models 模型"], responses=ERROR_RESPONSES)


@router.get("", response_model=ModelsOut, summary="模型版本 / model versions")
def list_models(
    _caller: Caller = Depends(require("models")),
    services: Services = Depends(get_services),
) -> ModelsOut:
    current = services.models.current
    serving = current.version if current else None
    versions, champion_problem = services.models.registry.listing()
    return ModelsOut(
        serving=serving,
        champion_problem=champion_problem,
        models=[
            ModelOut(version=v.version, kind=v.kind, champion=v.champion, serving=v.version == serving,
                     created_at=v.created_at, heads=v.heads, problem=v.problem)
            for v in versions
        ],
    )


@router.post("/reload", response_model=ReloadOut,
             responses={409: {"model": ErrorOut, "description": "no champion, or it cannot be loaded"}},
             summary="加载当前冠军模型 / serve the registry's champion now")
async def reload_model(
    request: Request,
    _caller: Caller = Depends(require("reload")),
    services: Services = Depends(get_services),
) -> ReloadOut:
    """Loads the champion beside the serving model and swaps them; requests in flight finish on the old one."""
    try:
        previous, changed = await run_in_threadpool(services.reload)
    except (InputError, ModelLoadError) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"冠军模型无法加载 / champion not loaded, {services.models.still_serving()}: "
                                   f"{exc}") from exc
    serving = services.model.version
    request.state.log.update(model_version=serving, reloaded=changed)
    return ReloadOut(previous=previous.version if previous else None, serving=serving, changed=changed)
