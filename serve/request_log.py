"""One JSON line per request, with a request id that travels in and out as `X-Request-ID`.

Handlers add fields (ticket ids, masked text, decision, model version) through `request.state.log`; raw ticket text,
headers and API keys are never written, the masked text only where `Settings.log_text` says so.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.pii import find_pii

LOGGER_NAME = "appeal.serve"
REQUEST_ID_HEADER = "x-request-id"
# A client-chosen id is echoed into logs and headers, so it is held to a safe shape.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


# The layers below that speak while serving: the knowledge base says when it answers without its database, the
# database guard when it cuts off or refuses a server.
_LOWER_LOGGERS = ("knowledge_base", "appeal.database")


def configure_logging(level: int = logging.INFO) -> logging.Logger:
    for name in (LOGGER_NAME, *_LOWER_LOGGERS):
        logger = logging.getLogger(name)
        if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    return logging.getLogger(LOGGER_NAME)


# For `uvicorn.run(log_config=...)`: uvicorn's own messages (start, stop, errors) as JSON lines too.
UVICORN_LOG_CONFIG: dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonFormatter}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "loggers": {
        "uvicorn": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


class RequestLogMiddleware:
    """Pure ASGI middleware (no body buffering): assigns the request id, times the request, writes the line."""

    def __init__(self, app: ASGIApp, log_text: bool = True):
        self.app = app
        self.logger = logging.getLogger(LOGGER_NAME)
        self.log_text = log_text

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        # a platform may send its caller's number as the id (15001242486): that would sit in every log line unmasked
        request_id = incoming if _SAFE_ID.match(incoming) and not find_pii(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["log"] = {}
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                **state["log"],
            }
            if not self.log_text:
                fields.pop("masked_text", None)
            self.logger.info("request", extra={"fields": fields})
