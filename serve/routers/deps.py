"""Dependencies shared by the routers."""
from __future__ import annotations

from fastapi import Request

from serve.errors import not_ready
from serve.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


def ready(request: Request) -> Services:
    """The services, once the model and the index are loaded (503 before, saying what keeps them)."""
    found: Services = request.app.state.services
    if not found.ready:
        raise not_ready(found.error_code if found.error else "loading",
                        found.error or "model and index not loaded yet", found.settings)
    return found
