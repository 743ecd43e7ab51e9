"""How errors are answered, with a message in Chinese and English and never as a 500: bad input 4xx, a database
that cannot be reached 503."""
from __future__ import annotations

import logging
import math
import unicodedata
from typing import Literal

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeline.errors import InputError

log = logging.getLogger("appeal.serve")


# A stable kind for each error, for a program to branch on: a text, a batch and a body too large differed only in the
# words of their message (an integrator's round). The status alone says the kind where it has one.
ErrorCode = Literal["bad_request", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict",
                    "precondition_failed", "text_too_long", "batch_too_large", "body_too_large", "too_large",
                    "unsupported_media_type", "invalid_request", "loading", "model_unavailable", "database_unavailable",
                    "unavailable"]
_CODE_OF_STATUS: dict[int, ErrorCode] = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 412: "precondition_failed", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid_request", 503: "unavailable"}


class ErrorOut(BaseModel):
    """Every error the service answers, whatever its status: a platform reads `message`, a program `code`."""

    code: ErrorCode = Field(description="what kind of error, for a program: stable across releases, never translated "
                                        "(413: text_too_long, batch_too_large or body_too_large; 503: loading while "
                                        "the service loads (seconds), model_unavailable while no model can be served "
                                        "(a champion missing, deleted or damaged: until an operator mends the "
                                        "registry, which the service then picks up), database_unavailable, or "
                                        "unavailable when loading failed otherwise)")
    detail: str | list[dict] = Field(description="what was wrong: a sentence, or for a 422 of the request's fields "
                                                 "the list of fields with what is wrong with each (`loc`, `type`, "
                                                 "`msg`)")
    message: str = Field(description="one line in Chinese and English, to log or show")


class CodedError(HTTPException):
    """An HTTPException whose kind is more than its status says (`ErrorOut.code`)."""

    def __init__(self, status_code: int, detail: str, code: ErrorCode, headers: dict[str, str] | None = None):
        super().__init__(status_code, detail=detail, headers=headers)
        self.code = code


def error_code(status_code: int) -> ErrorCode:
    return _CODE_OF_STATUS.get(status_code, "bad_request" if status_code < 500 else "unavailable")


def error_body(detail: str, code: ErrorCode) -> dict:
    return {"code": code, "detail": detail, "message": detail}


# What a 503 asks a client to wait while the model and index load (a start takes seconds)
LOADING_RETRY_SECONDS = 5
# …and while no model can be served: an operator restores or promotes one, minutes at best
MODEL_RETRY_SECONDS = 60

# What a call is told while the service is not ready, by what keeps it so
NOT_READY: dict[ErrorCode, str] = {
    "loading": "服务正在加载 / service is loading",
    "model_unavailable": "无可用模型，需运维人员修复模型库 / no model to serve until an operator mends the registry",
    "database_unavailable": "数据库暂不可用 / database unavailable",
    "unavailable": "服务暂不可用 / service unavailable",
}


def database_retry_after(settings) -> int:
    # A server found lost is tried again every `database_timeout` seconds (appeal/server_guard.py): a client that
    # came back sooner would only be refused again.
    return math.ceil(settings.database_timeout)


def retry_after(code: ErrorCode, settings) -> dict[str, str]:
    """The Retry-After header of a 503 whose `code` says what keeps the service: when to try again."""
    retry = {"model_unavailable": MODEL_RETRY_SECONDS,
             "database_unavailable": database_retry_after(settings)}.get(code, LOADING_RETRY_SECONDS)
    return {"Retry-After": str(retry)}


def not_ready(code: ErrorCode, why: str, settings) -> CodedError:
    """The 503 of a call the service cannot answer yet: `code` says what keeps it, Retry-After when to try again."""
    return CodedError(status.HTTP_503_SERVICE_UNAVAILABLE, detail=f"{NOT_READY[code]} ({why})", code=code,
                      headers=retry_after(code, settings))


# Documented on every operation, so clients (and the schema test) know them.
ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorOut, "description": description} for status, description in {
        400: "请求体不是 UTF-8 编码的有效 JSON / the body is not valid UTF-8 encoded JSON",
        401: "缺少或无效的 API 密钥 / missing or invalid API key",
        403: "角色无权访问 / the key's role may not use this endpoint",
        413: "文本、批量或请求体过大 / text, batch or request body too large",
        415: "请求体须为 JSON（Content-Type: application/json），不压缩 / the body must be JSON, not compressed",
        422: "请求无效 / invalid request",
        503: "服务正在加载、无可用模型或数据库暂不可用 / model or index not loaded yet, no model to serve, or the database "
             "unavailable",
    }.items()
}
ERROR_RESPONSES[503]["headers"] = {"Retry-After": {
    "description": f"秒数 / seconds to wait before trying again: {LOADING_RETRY_SECONDS} while the service loads its "
                   f"model and index, {MODEL_RETRY_SECONDS} while no model can be served, APPEAL_DATABASE_TIMEOUT "
                   "rounded up while the database is unavailable",
    "schema": {"type": "integer"}}}


def too_large(zh: str, en: str, limit: int, got: int, where: str | None = None, *,
              code: ErrorCode = "text_too_long") -> CodedError:
    """`where` names the part that is too large, as a 422 names a field (tickets.3.text)."""
    return CodedError(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        detail=(f"{where}: " if where else "") + f"{zh}：上限 {limit}，实际 {got} / {en}: limit {limit}, got {got}",
        code=code,
    )


# How far NFKC may lengthen a text within the limit: ellipses (… → ...) and numbered lists (⑴ → (1)) make a long
# letter a little longer, and were refused with a length the client never sent; one character of a few (ﷺ) becomes
# eighteen, and 20,000 of them a 360,000-character answer.
_NORMALISED_GROWTH = 2


def check_text_length(text: str, limit: int, where: str = "text") -> None:
    if len(text) > limit:
        raise too_large("文本过长", "text too long", limit, len(text), where)
    if not unicodedata.is_normalized("NFKC", text):  # a quick check; most texts need no second copy
        grown = len(unicodedata.normalize("NFKC", text))
        if grown > _NORMALISED_GROWTH * limit:
            raise too_large("文本规范化（NFKC）后过长", "text too long once normalised (NFKC)",
                            _NORMALISED_GROWTH * limit, grown, where)


def text_limit(limit: int) -> str:
    """`check_text_length` in words, for the API document: a JSON-schema maxLength would call valid a text that
    normalisation makes too long, which is refused."""
    return (f"At most {limit} characters as sent, and at most {_NORMALISED_GROWTH * limit} once normalised (NFKC, "
            "which makes … three characters and ﷺ eighteen): 413 above either (APPEAL_MAX_TEXT_CHARS)")


# Pydantic's own messages are English: the common ones get the Chinese an agent or a platform's developer reads first.
_IN_CHINESE = {
    "missing": "缺少此字段", "string_too_long": "过长", "string_too_short": "过短", "too_long": "条目过多",
    "too_short": "条目过少", "string_pattern_mismatch": "含不允许的字符",
    "string_type": "须为文本", "int_parsing": "须为整数", "int_type": "须为整数", "bool_parsing": "须为 true 或 false",
    "literal_error": "不是允许的取值", "date_parsing": "不是有效的日期", "date_from_datetime_parsing": "不是有效的日期",
    "greater_than_equal": "过小", "less_than_equal": "过大", "timezone_aware": "须带时区（如 +08:00）",
    "datetime_parsing": "不是有效的时间", "datetime_from_date_parsing": "不是有效的时间", "list_type": "须为列表",
    "model_type": "须为 JSON 对象 {…}", "model_attributes_type": "须为 JSON 对象 {…}", "dict_type": "须为 JSON 对象 {…}",
}


# What to send, where a missing field's name alone leaves the caller guessing (a trainer's round: an agent who only
# changed the unit got "topic: 缺少此字段" and no word of which topic)
_MISSING_HINTS = {
    ("/v1/feedback", "topic"): "只改单位时也请带上坐席最终的类别，未改的即路由给出的 topic.label / send the agent's "
                               "final topic with a changed unit too: topic.label of the route where they kept it",
}


def _validation_message(errors: list[dict], body: object = None, path: str = "") -> str:
    parts = []
    for error in errors:
        loc = [p for p in error.get("loc", ()) if p != "body"]
        where = ".".join(str(p) for p in loc) or "body"
        if len(loc) > 1 and loc[0] == "tickets" and isinstance(loc[1], int) and isinstance(body, dict):
            where += _batch_ticket_id(body, loc[1])  # as a 413 names it: tickets.1.text (WG-9)
        if error.get("type") == "json_invalid":
            return "请求体不是有效的 JSON / request body is not valid JSON"
        if error.get("type") == "extra_forbidden":
            parts.append(f"{where}: 不是本接口的字段 / not a field of this request (see /docs)")
            continue
        zh = _IN_CHINESE.get(error.get("type", ""))
        # our validators' own sentences, without the prefix pydantic puts before them (an agent read "Value error,")
        said = error.get("msg", "").removeprefix("Value error, ")
        hint = _MISSING_HINTS.get((path, where)) if error.get("type") == "missing" else None
        parts.append(f"{where}: {zh + ' / ' if zh else ''}{said}{f' — {hint}' if hint else ''}")
    return "请求无效 / invalid request — " + "; ".join(parts)


def _batch_ticket_id(body: dict, position: int) -> str:
    tickets = body.get("tickets")
    ticket = tickets[position] if isinstance(tickets, list) and position < len(tickets) else None
    ticket_id = ticket.get("id") if isinstance(ticket, dict) else None
    return f" ({ticket_id})" if isinstance(ticket_id, str) and ticket_id.strip() else ""


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")})
    # the route's own path, whatever prefix a proxy serves it under
    message = _validation_message(errors, exc.body, getattr(request.scope.get("route"), "path", ""))
    if any(error.get("type") == "json_invalid" for error in errors):
        # a body that is no JSON is the request's, not its fields' (a 400, as documented and as GBK bytes are)
        return JSONResponse(status_code=400, content=error_body(message, "bad_request"))
    # Echoing the rejected input back could leak personal data into client logs; the location says enough.
    for error in errors:
        error.pop("input", None)
        error.pop("ctx", None)
        error.pop("url", None)  # only pydantic's own errors (a merged PATCH) carry it; keep one shape
    return JSONResponse(status_code=422, content={"code": "invalid_request", "detail": errors, "message": message})


async def _on_model_validation_error(request: Request, exc: ValidationError) -> JSONResponse:
    # Raised when a change is merged into a stored object (a PATCH that makes an entry inconsistent).
    return await _on_validation_error(request, RequestValidationError(exc.errors()))


async def _on_input_error(_request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"code": "invalid_request", "detail": str(exc),
                                                  "message": f"请求无效 / invalid request — {exc}"})


# What Starlette says itself, in English only
_IN_BOTH = {"Not Found": "未找到 / not found", "Method Not Allowed": "不支持的请求方法 / method not allowed"}


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # FastAPI answers a body it cannot decode with an English-only 400; the usual cause here is a platform that
    # sends GBK, so say which encoding the API reads.
    if isinstance(exc.__cause__, UnicodeDecodeError):
        return JSONResponse(status_code=400, content=error_body(
            "请求体须为 UTF-8 编码的 JSON（收到的字节不是 UTF-8，如 GBK）/ the body must be UTF-8 encoded JSON "
            "(got bytes that are not UTF-8, e.g. GBK)", "bad_request"))
    # any other body the parser gave up on (a RecursionError: JSON nested thousands of levels deep)
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return JSONResponse(status_code=400, content=error_body(
            "请求体无法解析（如 JSON 嵌套过深）/ the body could not be parsed (e.g. JSON nested too deeply)", "bad_request"))
    # one shape for every error (an integrator's round: 401, 403, 404, 405 and 413 came without `message`)
    detail = _IN_BOTH.get(exc.detail, exc.detail) if isinstance(exc.detail, str) else exc.detail
    code = getattr(exc, "code", None) or error_code(exc.status_code)
    content = error_body(detail, code) if isinstance(detail, str) else {
        "code": code, "detail": detail, "message": "请求无效 / invalid request"}
    return JSONResponse(status_code=exc.status_code, content=content, headers=getattr(exc, "headers", None))


async def _on_database_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
    # Nothing the client sent is wrong: 503 tells it to try again, and the cause goes to the log, not the client.
    log.error("database error on %s", request.url.path, exc_info=exc)
    return JSONResponse(status_code=503, headers={"Retry-After": str(database_retry_after(request.app.state.settings))},
                        content={"code": "database_unavailable", "detail": "数据库暂不可用 / database unavailable",
                                 "message": "数据库暂不可用，请稍后重试 / database unavailable, try again later"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(SQLAlchemyError, _on_database_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ValidationError, _on_model_validation_error)
    app.add_exception_handler(InputError, _on_input_error)
