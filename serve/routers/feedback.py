"""POST /v1/feedback: the agent's final topic and unit, stored as a labelled ticket for retraining.

The row keeps the agent's own words; the answer says which of them the serving model has no label for."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timezone
from functools import partial

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import SQLAlchemyError
from starlette.status import HTTP_200_OK, HTTP_201_CREATED, HTTP_409_CONFLICT

from appeal.database import stored_utc
from knowledge_base.dispatch import default_routing
from knowledge_base.ticket_log import SeenTicket, echoes_the_filing, unit_answered
from knowledge_base.units import Catalogue, Unit
from pipeline import masked_parts
from serve.auth import Caller, require
from serve.errors import ERROR_RESPONSES, ErrorOut, check_text_length
from serve.model_holder import LoadedModel
from serve.routers.deps import services as get_services
from serve.schemas import EMPTY_TICKET, FeedbackIn, FeedbackOut
from serve.services import Services
from training.feedback_store import Feedback, IdempotencyKeyReused

log = logging.getLogger("appeal.serve")
router = APIRouter(prefix="/v1", tags=["feedback 反馈"], responses=ERROR_RESPONSES)

# Visible ASCII (a UUID, a platform's request id): HTTP drops a header's outer spaces, and each client sends other
# characters in its own encoding, so a retry's key might not match its first send's; 128 characters as the column.
IdempotencyKey = Header(None, max_length=128, pattern="^[!-~]+$",
                        description="the platform's name for this answer's request (a UUID), the same in each of "
                                    "its retries: a retry stored under it is answered 200 with that answer's id, even "
                                    "after the ticket was answered again; another answer under it is a 409. Without "
                                    "it, only a retry of the ticket's last answer is told apart")


@router.post("/feedback", response_model=FeedbackOut, status_code=HTTP_201_CREATED,
             responses={HTTP_200_OK: {"model": FeedbackOut, "description": "the ticket's last answer again, or the "
                                                                          "answer of an Idempotency-Key sent before (a "
                                                                          "retry): stored and counted once"},
                        HTTP_409_CONFLICT: {"model": ErrorOut, "description": "Idempotency-Key 已用于该工单的另一答复 "
                                                                              "/ the key was sent with another answer "
                                                                              "for this ticket"}},
             summary="提交人工结果 / store the agent's final answer")
def post_feedback(
    body: FeedbackIn,
    request: Request,
    response: Response,
    idempotency_key: str | None = IdempotencyKey,
    caller: Caller = Depends(require("feedback")),
    services: Services = Depends(get_services),
) -> FeedbackOut:
    """Stored durably before the answer is sent; the returned `id` names the stored labelled ticket. The same answer
    for the same ticket again (a retry after a timeout) is stored once: 200 with the stored row's id. A platform that
    may send a retry late, after the agent corrected the ticket, sends an `Idempotency-Key`: without one, that retry
    would be stored as the ticket's latest answer, undoing the correction."""
    check_text_length(body.text, services.settings.max_text_chars)
    routed = services.repeats.routed(body.ticket_id) if body.ticket_id else None
    # not stored: see FeedbackIn
    values = body.model_dump(exclude={"author", "id", "location", "channel"})
    # the closing note with the ticket's words: a name the ticket introduces is masked in the note too. Kept with the
    # ticket (`Repeats.close_at_centre`) and with the answer, where a resend that adds or changes it is a new answer
    # (a re-tester's round: one was taken for a retry, and the note was dropped with a 200)
    values["title"], values["text"], values["closing_note"] = masked_parts(
        *_the_ticket(body, routed, services.repeats.index.window.days), body.closing_note, people=[body.author])
    values["repeat_of_seen"] = services.repeats.knows(body.repeat_of) if body.repeat_of else None
    catalogue = default_routing()[0]
    values |= _what_the_route_said(values, routed, catalogue)
    try:
        with services.last_write.watch():  # /readyz says when answers are refused
            row, new = services.feedback.add_once(Feedback(**values, idempotency_key=idempotency_key))
    except IdempotencyKeyReused as exc:
        raise HTTPException(HTTP_409_CONFLICT, detail=(
            f"Idempotency-Key 已用于该工单的另一答复（第 {exc.stored.id} 条），新的答复须用新的键 / the key was sent "
            f"with another answer for this ticket (id {exc.stored.id}): a new answer takes a new key")) from None
    refusal_rules = {rule.id for rule in default_routing()[1].not_accepted}
    # the links other answers made, where the agent linked a ticket the route did not list: another of the same matter
    listed = row.related_ticket_ids
    linked = (services.feedback.links([*listed, row.repeat_of]) if listed and row.repeat_of not in (None, *listed)
              else {})
    repeat = row.repeat_verdict(linked)
    # a ticket the centre closed is sent to no unit: the answer's unit is whose matter it is, a label alone
    placed = unit_answered(catalogue, body.unit, routed) if routed is not None and body.unit and not body.closes \
        else None
    if new:
        if routed is not None:
            _note_where_it_went(services, routed, placed, values["closing_note"], body.closes, caller.name)
        services.metrics.observe_feedback(
            _metric_label(row.model_version, services.models.registry.has), row.predicted_topic, body.topic,
            repeat, (_metric_label(row.refusal_rule, refusal_rules.__contains__), row.refusal_verdict),
            row.hand_over_verdict)
    else:
        response.status_code = HTTP_200_OK  # a retry: stored and counted once
    known_entry = (lambda entry_id: services.kb.get(entry_id) is not None) if services.kb_loaded else None
    unknown = _unknown_labels(body, services.models.current, refusal_rules, known_entry)
    # a link to a ticket not routed in the window (an integrator's round: a typo in repeat_of was stored without a word)
    if body.repeat_of and not values["repeat_of_seen"]:
        unknown["repeat_of"] = body.repeat_of
    if unseen := [ticket for ticket in body.related_ticket_ids or [] if not services.repeats.knows(ticket)]:
        unknown["related_ticket_ids"] = "、".join(unseen)
    request.state.log.update(feedback_id=row.id, tickets=[row.ticket_id], masked_text=values["text"],
                             unknown_labels=unknown or None, repeat_verdict=repeat,
                             refusal_verdict=row.refusal_verdict, hand_over_verdict=row.hand_over_verdict,
                             retry=not new)
    # UTC written as the other times of the API are (…Z)
    stored_at = stored_utc(row.created_at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    # a keeper's round: a new unit of the catalogue came back as a typo would (武冈市数据局 beside 武冈市数椐局)
    in_catalogue = ["unit"] if "unit" in unknown and catalogue.functional_type_of(unknown["unit"]) else []
    # where the log has the ticket now: this answer's unit where it was new and named one (`_note_where_it_went`),
    # else where an earlier answer put it, as read above: a late retry was told the unit it had named, after the
    # agent's correction had moved the ticket on (an integrator's round)
    assigned = placed.name if new and placed else routed.assigned_unit if routed else None
    not_recorded = _not_placed(catalogue, body.unit, assigned) \
        if routed is not None and body.unit and placed is None and not body.closes else None
    unrecorded_close = (f"该 ticket_id 不在本服务近 {services.repeats.index.window.days} 天路由过的工单中（请核对工单号），办结未"
                        "记录，答复已作为标注保存 / ticket_id is not among the tickets this service routed in the window "
                        "(check it for a typo): the close is not recorded, the answer is stored as a label") \
        if body.closes and routed is None else None
    return FeedbackOut(id=row.id, ticket_id=row.ticket_id, stored_at=stored_at, routed=routed is not None,
                       unknown_labels=unknown, in_catalogue=in_catalogue, assigned_unit=assigned,
                       unit_not_recorded=not_recorded, closed=routed is not None and body.closes,
                       reopened=new and routed is not None and not body.closes and routed.closed_at_centre,
                       close_not_recorded=unrecorded_close)


def _not_placed(catalogue: Catalogue, answer: str, assigned: str | None) -> str:
    """Why an answer's unit names no one unit to record the ticket at (a township liaison's round: 公安 was answered
    201, and the ticket's retry still went to the township that had sent it back), and where it stays recorded, an
    earlier answer having placed it (an integrator's round: 通信 after 中国移动武冈分公司 read as "not recorded")."""
    answered = catalogue.functional_type_of(answer)
    stays_zh, stays_en = (f"，仍记录为 {assigned}", f" (it stays recorded at {assigned})") if assigned else ("", "")
    if answered is None:
        return (f"“{answer}”不是单位目录中的单位，工单去向未记录{stays_zh}，请写单位名称 / {answer!r} is no unit of the "
                f"catalogue: where the ticket went is not recorded{stays_en}; send the unit's name")
    # its expert seat too: the type by its own name is the seat's as well (`Catalogue.unit_named`), and a re-tester's
    # round was told 市场监督管理 was a type of 1 unit, to send "the unit's name"
    units = [unit.name for unit in catalogue.units if unit.functional_type == answered]
    named, more = units[:3], "…" if len(units) > 3 else ""  # the 18 townships' governments are one type
    return (f"“{answer}”是有 {len(units)} 个单位的类型（{'、'.join(named)}{more}），工单去向未记录{stays_zh}，请写单位名称 / "
            f"{answer!r} is a type of {len(units)} units ({', '.join(named)}{more}): where the ticket went is not "
            f"recorded{stays_en}; send the unit's name")


def _the_ticket(body: FeedbackIn, routed: SeenTicket | None, window_days: int) -> tuple[str | None, str]:
    """The answer's title and text; where it gives neither, those the ticket's route kept: a platform need not send
    a citizen's words a second time to record a label. They were masked when routed and are masked again as the
    answer's own would be, with its author: the same row for retraining either way."""
    if not body.ticket_left_out:
        return body.title or None, body.text
    if routed is not None:
        return routed.title, routed.text
    why = EMPTY_TICKET if body.ticket_id is None else (
        f"不能为空：该 ticket_id 不在本服务近 {window_days} 天路由过的工单中（请核对工单号），须提供 text 或 title / must not be "
        f"empty: ticket_id is not among the tickets this service routed in the last {window_days} days (check it for "
        "a typo), so the text or title is needed")
    # a 422 of the field, as the schema's own: the message and `detail` name `text`
    raise RequestValidationError([{"type": "value_error", "loc": ("body", "text"), "msg": f"Value error, {why}"}])


def _what_the_route_said(values: dict, routed: SeenTicket | None, catalogue: Catalogue) -> dict:
    """The route's topic, unit and version the platform left out, from the ticket's last route within the repeat
    window: a platform that sends the answer alone left every row without them, and the report without the share
    of topics kept. Nothing is taken when the platform names another version or topic (the answer is to another
    route: a row would mix two). The unit is not compared: a platform may send the type, the log keeps the unit.
    The route's unit is its lead unit, unless the answer names a type other than that unit's: then the type the
    route filed the ticket under (an agent who kept 村(居)委会 did not overrule the 乡镇 government it led to). An
    answer that says whether the ticket was refused, and not which rule the route named, is that rule's verdict;
    one that says where the caller was put through, and not where the route said to, is the verdict on its lines."""
    if routed is None:
        return {}
    answer, lead = values["unit"], routed.lead_unit
    # the type the route filed it under, echoed where a rule led to another type's unit, is that type kept (供水 for
    # a 马坪乡 ticket rural-water-supply led to the township), though it names the city's water company too
    names_a_unit = catalogue.unit_named(answer) is not None and not echoes_the_filing(catalogue, answer, routed)
    in_its_terms = answer is None or names_a_unit or routed.unit_type is None \
        or catalogue.functional_type_of(answer) == catalogue.functional_type_of(lead)
    # no lead (logged before a refusal-flagged ticket kept its lead): the type the route read, which the report
    # compares the answer with (a supervisor's round: a unit changed on such a ticket was counted nowhere)
    unit = lead if in_its_terms and lead else routed.unit_type
    said = {"predicted_topic": routed.topic, "predicted_unit": unit, "model_version": routed.model_version}
    if values.get("refused") is not None:
        said["refusal_rule"] = routed.refusal_rule
    if values.get("put_through") is not None:
        said["hand_over"] = routed.lines
    if any(values[field] not in (None, said[field]) for field in ("predicted_topic", "model_version")):
        return {}
    return {field: value for field, value in said.items() if values[field] is None}


def _note_where_it_went(services: Services, routed: SeenTicket, unit: Unit | None, note: str | None, closes: bool,
                        by: str) -> None:
    """Where an agent's answer names one unit, the ticket log says the ticket went there (`Repeats.reassign`), with
    that unit's township where it has one: a ticket sent on by 湾头桥镇 to 邓元泰镇 stayed 湾头桥镇's alone, so a call
    about it that named 邓元泰镇 was not compared with it, and one that found it was told "已派 湾头桥镇". An answer
    that keeps the route's unit is recorded too: a later repeat says 已派, not the route's proposal (a re-tester's
    round). An answer that `closes` it records the centre's close (`Repeats.close_at_centre`, `note` what the agent
    told the caller, by the key named `by`), and one that does not, after a close, sends it to its unit again."""
    if closes:
        write = partial(services.repeats.close_at_centre, routed, note, by)
    elif unit is not None and unit.name != routed.assigned_unit or routed.closed_at_centre:
        to, township = (unit.name, unit.jurisdiction) if unit else (routed.assigned_unit, routed.assigned_township)
        write = partial(services.repeats.reassign, routed, to, township, by)
    else:
        return
    try:
        write()
    except SQLAlchemyError as error:  # the answer is stored: the repeat check is what waits for the database
        log.warning("ticket log not written; %d tickets wait in memory for the database: %s",
                    services.repeats.unsaved, type(error).__name__)


def _metric_label(value: str | None, known: Callable[[str], bool]) -> str | None:
    """`value` where the registry or the rules file names it, else "other": Prometheus keeps a series for every label
    value it sees, and a client that sends ticket ids as the model version would add one per ticket."""
    return value if value is None or known(value) else "other"


def _unknown_labels(body: FeedbackIn, model: LoadedModel | None, refusal_rules: set[str],
                    known_entry: Callable[[str], bool] | None) -> dict[str, str]:
    """The answers the serving model has no label for, so the platform can flag a typo at once. A unit answer
    counts as known when the unit catalogue reads it as a known label (住建局 or 武冈市住房和城乡建设局 for the
    type 住房和城乡建设): that is how `appeal feedback export` will label it. A refusal rule the routing rules do not
    name is one too (an integrator's round: counted as some rule's verdict, unsaid), and a suggestion the knowledge
    base does not hold (`known_entry`; None while it loads): stored all the same, as the entry may have been deleted
    since it was suggested (an integrator's round: an id of no entry was stored without a word)."""
    unknown = {}
    if body.refusal_rule and body.refusal_rule not in refusal_rules:
        unknown["refusal_rule"] = body.refusal_rule
    if body.suggestion_id and known_entry is not None and not known_entry(body.suggestion_id):
        unknown["suggestion_id"] = body.suggestion_id
    if model is None:  # still loading: the row is stored all the same
        return unknown
    heads = model.predictor.card.heads
    if "topic" in heads and body.topic not in heads["topic"].labels:
        unknown["topic"] = body.topic
    if body.unit and "unit" in heads and default_routing()[0].unit_label(body.unit, heads["unit"].labels) is None:
        unknown["unit"] = body.unit
    return unknown
