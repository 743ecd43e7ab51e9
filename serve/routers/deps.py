"""Dependencies shared by the routers."""
from __future__ import annotations

from fastapi import Request, status

from serve.errors import LOADING_RETRY_SECONDS, CodedError
from serve.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


def ready(request: Request) -> Services:
    """The services, once the model and the index are loaded (503 before)."""
    found: Services = request.app.state.services
    if not found.ready:
        raise CodedError(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=f"服务正在加载 / service is loading ({found.error or 'model and index not loaded yet'})",
            code="loading",
            headers={"Retry-After": str(LOADING_RETRY_SECONDS)},
        )
    return found
