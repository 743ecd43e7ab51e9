"""Dependencies shared by the routers."""
from __future__ import annotations

from fastapi import Request, status

from serve.errors import LOADING_RETRY_SECONDS, NOT_READY, CodedError, database_retry_after
from serve.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


def ready(request: Request) -> Services:
    """The services, once the model and the index are loaded (503 before, saying what keeps them)."""
    found: Services = request.app.state.services
    if not found.ready:
        code = found.error_code if found.error else "loading"
        retry = database_retry_after(found.settings) if code == "database_unavailable" else LOADING_RETRY_SECONDS
        raise CodedError(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"{NOT_READY[code]} ({found.error or 'model and index not loaded yet'})",
            code=code,
            headers={"Retry-After": str(retry)},
        )
    return found
