"""What the service refuses before any route reads a request: a method HTTP does not define, a body that is not
JSON, and a body larger than the largest request it can accept."""
from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from knowledge_base.store import MAX_ITEMS, MAX_TAG_CHARS, MAX_TEXT_CHARS
from serve.errors import error_body, too_large

# Each method the metrics see is a label value of its own: any client, without a key, made 2,000 series a second
# with made-up methods (FOO1, FOO2 …), and /metrics grew to 3 MB until a restart.
# The methods HTTP defines (RFC 9110, and PATCH) reach the routes, which answer those they do not serve with 405.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
# Bytes a character of a JSON body may take: a client that escapes non-ASCII (Python's json.dumps does) sends
# 汉 as \u6c49.
_JSON_BYTES_PER_CHAR = 6
# Characters of a ticket besides its text: title (500), id, location, channel, author and the JSON around them.
_TICKET_OVERHEAD_CHARS = 2000


def max_body_bytes(max_batch: int, max_text_chars: int) -> int:
    """The largest body a valid request can have, every character escaped: a full batch of tickets at the text
    limit, or a FAQ entry at its own limits (which a small batch limit must not cut). A body below it can still be
    refused by the route's own limits, with the field named."""
    batch = max_batch * (max_text_chars + _TICKET_OVERHEAD_CHARS)
    entry = ((2 + MAX_ITEMS["alternatives"]) * MAX_TEXT_CHARS + MAX_ITEMS["tags"] * MAX_TAG_CHARS
             + _TICKET_OVERHEAD_CHARS)
    return max(batch, entry) * _JSON_BYTES_PER_CHAR


def one_ticket_bytes(max_text_chars: int) -> int:
    """The largest body of a request that carries one ticket or query (`ONE_TICKET_PATHS`), every character
    escaped: 8 MB sent to /v1/route was read and parsed whole under the batch's limit before the text limit refused
    it (an integrator's re-test)."""
    return (max_text_chars + _TICKET_OVERHEAD_CHARS) * _JSON_BYTES_PER_CHAR


ONE_TICKET_PATHS = frozenset({"/v1/route", "/v1/suggest"})


def _not_json(headers: dict[bytes, bytes]) -> str | None:
    """Why a body is no JSON the routes can read, or None. curl -d without a Content-Type sends a form
    (application/x-www-form-urlencoded), which the routes took for a body that is no object (a 422 that blamed the
    JSON), and a gzip body was called GBK (an integrator's round)."""
    has_body = headers.get(b"content-length", b"0") not in (b"0", b"") or b"transfer-encoding" in headers
    if not has_body:
        return None
    encoding = headers.get(b"content-encoding", b"identity").strip().lower()
    if encoding not in (b"identity", b""):
        return (f"不支持压缩的请求体（Content-Encoding: {encoding.decode('latin-1')}）/ a compressed body is not "
                "accepted: send it uncompressed")
    kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if kind != b"application/json" and not kind.endswith(b"+json"):
        return (f"请求体须为 JSON，请设置 Content-Type: application/json（收到 {kind.decode('latin-1') or '无'}）/ the body "
                "must be JSON, sent with Content-Type: application/json")
    return None


def _without_body(send: Send) -> Send:
    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return headers_only


class RequestLimits:
    """A body over the limit was read and parsed whole before the batch or text limit refused it: a 60 MB batch
    took 8 s and 600 MB of memory, and held every other request up meanwhile. Refused here by its Content-Length,
    or as it arrives when it comes in chunks."""

    def __init__(self, app: ASGIApp, max_body: int, one_ticket: int):
        self.app = app
        self.max_body = max_body
        self.one_ticket = min(one_ticket, max_body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in KNOWN_METHODS:
            # 405 as for a defined method a route does not serve: nothing here is a server's failure (5xx)
            response = JSONResponse(error_body("不支持的请求方法 / method not allowed", "method_not_allowed"),
                                    status_code=405)
            await response(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit = self.one_ticket if scope["path"] in ONE_TICKET_PATHS else self.max_body
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            error = self._too_large(int(declared), limit)
            await JSONResponse(error_body(error.detail, error.code), status_code=error.status_code)(scope, receive, send)
            return
        if refusal := _not_json(headers):
            await JSONResponse(error_body(refusal, "unsupported_media_type"), status_code=415)(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            # answered as GET without the body, as HTTP has it: FastAPI's routes answered 405, and a health probe
            # that asks HEAD /healthz took the service for broken
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        await self.app(scope, self._counted(receive, limit), send)

    @staticmethod
    def _too_large(got: int, limit: int):
        return too_large("请求体过大", "request body too large", limit, got, "body (bytes)", code="body_too_large")

    def _counted(self, receive: Receive, limit: int) -> Receive:
        read = 0

        async def counted() -> Message:
            nonlocal read
            message = await receive()
            read += len(message.get("body", b""))
            if read > limit:
                # raised inside the route's body read, which FastAPI answers with this error as it stands
                raise self._too_large(read, limit)
            return message

        return counted
