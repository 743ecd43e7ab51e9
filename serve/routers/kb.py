"""/v1/kb/entries: the knowledge base's answers, listed, read, added, changed and removed (trainer, admin).

Changes go through the service's `KnowledgeBase`, so the next suggestion already sees them. An entry is read with
its `ETag`; a change or delete sent with it as `If-Match` is refused (412) when someone changed the entry meanwhile,
so that two trainers editing one answer in their forms never undo each other's work unseen.
"""
from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Response, status
from starlette.convertors import PathConvertor, register_url_convertor

from appeal.config import centre_minute
from knowledge_base.dispatch import default_routing
from knowledge_base.store import (Change, Entry, EntryChanged, EntryConflict, EntryFilter, EntryIn, EntryUpdate,
                                  Source, Status, WithdrawsAnswer, expired_warnings, rule_warnings,
                                  similar_question_warnings)
from knowledge_base.answer_checks import specifics_warnings
from knowledge_base.units import unknown_unit_warnings
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, ErrorOut
from serve.routers.deps import services as get_services
from serve.schemas import EntrySaved, KBListOut
from serve.services import Services

router = APIRouter(prefix="/v1/kb/entries", tags=["knowledge base 知识库"],
                   responses={**ERROR_RESPONSES, 404: {"model": ErrorOut, "description": "没有该条目 / no such entry"}})

EntryId = Path(min_length=1, max_length=64, description="entry id")
IfMatch = Header(None, description="the ETag of the entry as read: refused with 412 if it changed since")
ETAG = {"ETag": {"description": "the entry's version: send it back as If-Match with a PATCH or DELETE",
                 "schema": {"type": "string"}}}
CHANGED = {412: {"model": ErrorOut, "description": "条目已被他人修改或删除 / changed or deleted since it was read (If-Match)",
                 "headers": {"ETag": {"description": "the entry's version now (none when it was deleted, or If-Match "
                                                     "held no ETag of this service)", "schema": {"type": "string"}}}}}
CONFLICT = {409: {"model": ErrorOut, "description": "与已有条目冲突 / the id is taken, or another entry answers the same "
                                                    "question (in any of the two's phrasings) in the same period"}}


class _EntryIdConvertor(PathConvertor):
    """An id may hold "/" (a city's own numbering, 2024/017), which a client sends as %2F and the router sees as "/";
    unlike Starlette's path convertor it is never empty, so /v1/kb/entries/ still redirects to the list."""

    regex = ".+"


register_url_convertor("entry_id", _EntryIdConvertor())


def _found(services: Services, entry_id: str) -> Entry:
    entry = services.kb.get(entry_id)
    if entry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"没有该条目 / no entry {entry_id!r}")
    return entry


@router.get("", response_model=KBListOut, summary="列出条目 / list entries")
def list_entries(
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
    source: Source | None = Query(None, description="faq 常见问题 or case 历史案例"),
    unit: str | None = Query(None, max_length=200, description="责任单位: as stored, another name of it (人社局), "
                                                                "or a type by its own name (乡镇人民政府/街道办事处)"),
    status: Status | None = Query(None, description="active 有效 / expired 已过期 / scheduled 未生效, as of today"),
    q: str | None = Query(None, min_length=1, max_length=200,
                          description="text the id, question, another phrasing or the answer contains"),
    _caller: Caller = Depends(require("kb")),
    services: Services = Depends(get_services),
) -> KBListOut:
    """Entries ordered by id; `total` counts those the filters select, so a client can page through them."""
    entries = services.kb.entries(EntryFilter(source=source, unit=unit, status=status, contains=q))
    return KBListOut(entries=entries[offset : offset + limit], total=len(entries))


def _saved(entry: Entry, response: Response, services: Services) -> EntrySaved:
    response.headers["ETag"] = _etag(entry)
    warnings = [*unknown_unit_warnings([entry], default_routing()[0]), *specifics_warnings([entry]),
                *rule_warnings([entry]), *expired_warnings([entry]),
                *similar_question_warnings([entry], services.kb.entries(EntryFilter(source="faq")))]
    return EntrySaved(**entry.model_dump(), warnings=warnings)


def _etag(entry: Entry) -> str:
    return f'"{entry.updated_at.isoformat()}"'


def _read_at(if_match: str | None, current: Entry) -> datetime | None:
    """The `updated_at` an If-Match header holds: the entry's current one when the header lists it among others
    (RFC 9110), else the first it lists; None without a header (or with *). A header that holds no stamp matches
    no entry, nor does a weak tag (W/…: If-Match compares strongly): neither may let an edit through."""
    tags = [tag.strip() for tag in (if_match or "*").split(",") if tag.strip()]
    if "*" in tags:
        return None
    stamps = []
    for tag in tags:
        if tag.startswith("W/"):
            continue
        try:
            stamp = datetime.fromisoformat(tag.strip('"'))
        except ValueError:
            continue
        # the entry's updated_at as its JSON gives it (…+00:00) names the same version as the ETag (stored UTC, no
        # offset)
        stamps.append(stamp.astimezone(timezone.utc).replace(tzinfo=None) if stamp.tzinfo else stamp)
    if not stamps:
        raise HTTPException(status.HTTP_412_PRECONDITION_FAILED,
                            detail=f"If-Match {if_match!r} 不是本服务给出的 ETag / is no ETag this service gave")
    return current.updated_at if current.updated_at in stamps else stamps[0]


def _conflict(exc: EntryConflict) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=f"与已有条目冲突：{exc}")


def _withdraws(exc: WithdrawsAnswer) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                         detail=f"今天有效的条目不能推迟生效，否则今天的答复会被撤下：请把新答复另建为条目（新编号）自该日起生效，"
                                f"并把本条的失效日期设为前一天 / {exc}")


def _changed(exc: EntryChanged) -> HTTPException:
    current = exc.current
    headers = {"ETag": _etag(current)} if current else None
    # who and when on the centre's clock: "他人" was said to an editor whose own earlier save it was, in UTC
    said = f"已被 {current.updated_by} 于 {centre_minute(current.updated_at)} 修改" if current else "已被删除"
    return HTTPException(status.HTTP_412_PRECONDITION_FAILED, detail=f"条目读取后{said}，请重新读取 / {exc}",
                         headers=headers)


@router.post("", response_model=EntrySaved, status_code=status.HTTP_201_CREATED,
             responses={status.HTTP_201_CREATED: {"headers": ETAG}, **CONFLICT}, summary="新增条目 / add an entry")
def add_entry(
    entry: EntryIn,
    response: Response,
    caller: Caller = Depends(require("kb")),
    services: Services = Depends(get_services),
) -> EntrySaved:
    """The stored entry; `warnings` names what is stored as written but worth a look (a unit the unit catalogue
    does not know may be a typo, or a unit newer than the catalogue; a valid_to already past; a question nearly
    that of another entry)."""
    try:
        with services.last_write.watch():  # /readyz says when edits are refused
            stored = services.kb.add(entry, updated_by=caller.editor)
        return _saved(stored, response, services)
    except EntryConflict as exc:
        raise _conflict(exc) from None


# Before the entry's own routes, so that …/history is not read as part of an id.
@router.get("/{entry_id:entry_id}/history", response_model=list[Change], summary="修改记录 / an entry's history")
def entry_history(
    entry_id: str = EntryId,
    _caller: Caller = Depends(require("kb")),
    services: Services = Depends(get_services),
) -> list[Change]:
    """Every add, update and delete of the entry, oldest first, each with the entry as it then stood and who made
    the change; still there after the entry is deleted (what did the answer say on the day a citizen was told?)."""
    changes = services.kb.store.history(entry_id)
    if not changes:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"没有该条目 / no entry {entry_id!r}, ever")
    return changes


@router.get("/{entry_id:entry_id}", response_model=Entry, responses={status.HTTP_200_OK: {"headers": ETAG}},
            summary="读取条目 / read an entry")
def get_entry(
    response: Response,
    entry_id: str = EntryId,
    _caller: Caller = Depends(require("kb")),
    services: Services = Depends(get_services),
) -> Entry:
    entry = _found(services, entry_id)
    response.headers["ETag"] = _etag(entry)
    return entry


@router.patch("/{entry_id:entry_id}", response_model=EntrySaved,
              responses={status.HTTP_200_OK: {"headers": ETAG}, **CHANGED, **CONFLICT},
              summary="修改条目 / change an entry")
def update_entry(
    change: EntryUpdate,
    response: Response,
    entry_id: str = EntryId,
    if_match: str | None = IfMatch,
    caller: Caller = Depends(require("kb")),
    services: Services = Depends(get_services),
) -> EntrySaved:
    read_at = _read_at(if_match, _found(services, entry_id))
    try:
        with services.last_write.watch():
            stored = services.kb.update(entry_id, change, updated_by=caller.editor, read_at=read_at)
        return _saved(stored, response, services)
    except EntryChanged as exc:
        raise _changed(exc) from None
    except EntryConflict as exc:
        raise _conflict(exc) from None
    except WithdrawsAnswer as exc:
        raise _withdraws(exc) from None


@router.delete("/{entry_id:entry_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CHANGED,
               summary="删除条目 / remove an entry")
def delete_entry(
    entry_id: str = EntryId,
    if_match: str | None = IfMatch,
    caller: Caller = Depends(require("kb")),
    services: Services = Depends(get_services),
) -> Response:
    read_at = _read_at(if_match, _found(services, entry_id))
    try:
        with services.last_write.watch():
            services.kb.delete(entry_id, deleted_by=caller.editor, read_at=read_at)
    except EntryChanged as exc:
        raise _changed(exc) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
