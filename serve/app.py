"""The FastAPI application: `create_app(settings)` builds it; the lifespan warms it up and watches the registry."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from appeal.config import Settings, get_settings
from pipeline.area import deployment_area
from serve import errors
from serve.auth import load_keys
from serve.metrics import ServeMetrics
from serve.request_limits import RequestLimits, max_body_bytes, one_ticket_bytes
from serve.request_log import RequestLogMiddleware, configure_logging
from serve.routers import feedback, health, kb, labels, models, route, suggest, tickets
from serve.schemas import EXAMPLES, TEXT_LIMITED
from serve.services import Services

log = logging.getLogger("appeal.serve")

# How often the service looks at the registry's champion pointer (one small file read).
CHAMPION_POLL_SECONDS = 2.0

# How long a failed warm-up (a database locked or not answering at start) waits before it tries again.
WARM_UP_RETRY_SECONDS = 5.0

# How often the routed tickets held in memory for a database that refused them are written without a ticket coming.
WRITE_RETRY_SECONDS = 5.0

ROUTERS = (route, suggest, feedback, labels, tickets, kb, models, health)

DESCRIPTION = """
{city} 12345 政务服务便民热线工单智能分派服务 — routes citizen appeals of the {city} 12345 hotline:
topic (一级分类), responsible unit (责任单位), jurisdiction (乡镇/街道), auto-dispatch or human review,
and knowledge-base answers. Every `/v1` call needs an API key in `X-API-Key`; its role
(platform, agent, trainer, admin) decides what it may call: each call below names the roles it takes.
An `X-Request-ID` sent with a request (at most 128 letters, digits, `-`, `_`, `.`, `:`) names it in the
service's log and comes back in the answer's `X-Request-ID`; without one, or for one that holds a phone or ID
number (never logged), the service makes one.
"""


async def _watch_champion(services: Services) -> None:
    while True:
        await asyncio.sleep(CHAMPION_POLL_SECONDS)
        try:
            await run_in_threadpool(services.watch_once)
        except Exception:  # noqa: BLE001 — the watch must outlive any one failed look at the registry
            log.exception("champion watch failed; retrying")


async def _warm_up(services: Services, stopping: asyncio.Event) -> None:
    # Tried again until it succeeds: a database locked for a moment at start (a backup, a migration) left the service
    # not ready for good, though everything it needed came back.
    while True:
        await run_in_threadpool(services.warm_up)
        if services.error is None or stopping.is_set():
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), WARM_UP_RETRY_SECONDS)


async def _write_waiting(services: Services, stopping: asyncio.Event) -> None:
    # The first run is at start: forgetting expired tickets is a write, and the warm-up that did it never ended on a
    # database that refused it (read-only), leaving every route 503.
    while not stopping.is_set():
        await run_in_threadpool(services.write_waiting)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopping.wait(), WRITE_RETRY_SECONDS)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    services: Services = app.state.services
    # Loading runs in the background so /healthz answers at once and /readyz reports progress.
    stopping = asyncio.Event()
    warm = asyncio.create_task(_warm_up(services, stopping))
    writing = asyncio.create_task(_write_waiting(services, stopping))
    watch = asyncio.create_task(_watch_champion(services))
    try:
        yield
    finally:
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        stopping.set()
        # an attempt under way ends before the stores it uses are closed
        await warm
        await writing
        services.close()


def _openapi(app: FastAPI, settings: Settings) -> Callable[[], dict]:
    """FastAPI's document, completed as it is first written (it keeps it for the next requests): with the examples
    as written, the limits as this service is configured and the roles each call takes (a platform's developer
    found them only in the README)."""
    generate = app.openapi

    def openapi() -> dict:
        written = app.openapi_schema is not None
        document = generate()
        if not written:
            schemas = document["components"]["schemas"]
            for name, examples in EXAMPLES.items():
                schemas[name]["examples"] = examples
            schemas["BatchIn"]["properties"]["tickets"]["maxItems"] = settings.max_batch
            for model in TEXT_LIMITED:
                text = schemas[model.__name__]["properties"]["text"]
                text["description"] += f". {errors.text_limit(settings.max_text_chars)}"
            for api_route in (api_route for module in ROUTERS for api_route in module.router.routes):
                if roles := _roles(api_route):
                    for method in api_route.methods:
                        operation = document["paths"][api_route.path_format][method.lower()]
                        said = operation.get("description", "")
                        operation["description"] = f"{said}\n\n角色 / roles: {', '.join(roles)}".lstrip()
        return document

    return openapi


def _roles(api_route) -> list[str]:
    """The roles whose keys a call takes (`serve.auth.require`); none for a call open to all."""
    if not isinstance(api_route, APIRoute):
        return []
    return next((dependency.call.roles for dependency in api_route.dependant.dependencies
                 if hasattr(dependency.call, "roles")), [])


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()
    metrics = ServeMetrics()
    app = FastAPIOffline(
        title="appeal-router 12345 工单分派",
        version="1",
        description=DESCRIPTION.format(city=deployment_area().name),
        lifespan=_lifespan,
    )
    app.openapi = _openapi(app, settings)
    app.state.settings = settings
    app.state.keys = load_keys(settings.api_keys, settings.home)
    app.state.metrics = metrics
    app.state.services = Services(settings, metrics)
    errors.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    metrics.instrument(app)
    # inside the request log (a refusal is logged) and outside the metrics (a made-up method is no series)
    app.add_middleware(RequestLimits, max_body=max_body_bytes(settings.max_batch, settings.max_text_chars),
                       one_ticket=one_ticket_bytes(settings.max_text_chars))
    app.add_middleware(RequestLogMiddleware, log_text=settings.log_text)
    return app
