"""Request and response bodies of the HTTP API, with the Chinese examples shown in the OpenAPI page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal

from pydantic import (AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints,
                      ValidationInfo, field_validator, model_validator)

from appeal.config import get_settings
from knowledge_base.cases import says_nothing
from knowledge_base.dispatch import PlaceRef, Refusal, UnitRef, default_routing
from knowledge_base.store import Entry, Source
from pipeline.normalize import normalize, strip_invisible
from pipeline.pii import PII_TOKENS, find_pii

EMPTY_TEXT = "不能为空 / must not be empty"  # the error names the field
EMPTY_TICKET = "不能为空（有标题时可以不填）/ must not be empty unless there is a title"


def _storable(value: str | None) -> str | None:
    """NUL cannot be stored in PostgreSQL text and has no meaning in a ticket: it is dropped at the door. JSON lets a
    client send half of a surrogate pair ("\\ud800"), which is no character: the tokenizer and the database would
    fail on it with a 500, so it is refused, as pydantic refuses it in a constrained field."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("不是有效的 Unicode 文本 / not valid Unicode text (an unpaired surrogate escape)") from None
    return value.replace("\x00", "")


def _says_something(value: str | None) -> bool:
    # Blank after clean-up too: text made only of markup or invisible characters says nothing. A text over the
    # limit is refused as too long (413) by its endpoint; cleaning it up first only cost time, in the request loop.
    if value and len(value) > get_settings().max_text_chars:
        return True
    return bool(value and value.strip() and normalize(value))


def _not_blank(value: str) -> str:
    if not _says_something(value):
        raise ValueError(EMPTY_TEXT)
    return value


def _body_or_title(value: str, info: ValidationInfo) -> str:
    """A web message may come as a title alone (社保卡怎么补办), which training reads as a ticket too; only a ticket
    with neither says nothing. `title` is declared before `text`, so it is already validated here."""
    if not _says_something(value) and not _says_something(info.data.get("title")):
        raise ValueError(EMPTY_TICKET)
    return value


NonBlank = Annotated[str, AfterValidator(_storable), AfterValidator(_not_blank)]
# A ticket's body as sent, "" when left out or null (as a form sends an empty field): the schema says null is taken.
AnyBody = Annotated[str | None, BeforeValidator(lambda value: "" if value is None else value),
                    AfterValidator(_storable), Field(default="", validate_default=True)]
# A ticket's body: may be empty or left out when the title says what the ticket is about.
Body = Annotated[AnyBody, AfterValidator(_body_or_title)]
# The length limit comes before the validators: after them pydantic checks it as a generic sequence length and
# tells a client "at most 128 items" instead of "at most 128 characters".
ShortText = Annotated[str, Field(max_length=200), AfterValidator(_storable)]
Title = Annotated[str, Field(max_length=500), AfterValidator(_storable)]
# Labels and ids are compared, counted and trained on as given, so the spaces a form pads them with go: "城乡建设 "
# was an unknown label, and retraining would have made it a class of its own.
_STRIPPED = StringConstraints(strip_whitespace=True)
# as are invisible characters a pasted label carries ("\ufeff城乡建设" and "城乡建设\u200b" were two more classes)
_VISIBLE = BeforeValidator(lambda value: strip_invisible(value) if isinstance(value, str) else value)


def _one_line(value: str) -> str:
    # a line break (U+2028 too) or a control character in a label or an id starts a line of its own in a log reader
    if not value.isprintable():
        raise ValueError("不能包含换行或控制字符 / may not hold a line break or control character")
    return value


# No label holds a number this long; a person's ID, card or passport number with a wrong check digit does
_LONG_NUMBER = re.compile("[0-9０-９]{7,}")


def _no_number_of_a_person(value: str) -> str:
    # a label is stored, counted and logged as given, never masked: a number pasted into the wrong field (the caller's
    # phone as the topic) would stay there for good, and a retrain learns it as a class (a re-tester's round: a
    # passport number reached a model card)
    if _LONG_NUMBER.search(value):
        raise ValueError("含一长串数字，不是标签（如证件、卡号或电话）/ holds a long number, not a label (an ID, card or "
                         "phone number?)")
    return _no_personal_number(value)


def _no_personal_number(value: str) -> str:
    # a model version or a rule's id is stored and exported as given too; its own digits (ensemble-20261203-162829)
    # are no long-number mistake, but a phone or an ID number is
    if found := [span.kind for span in find_pii(value) if span.kind != "name"]:
        kind = found[0]
        raise ValueError(f"含个人信息（{PII_TOKENS[kind].strip('[]')}），不是标签 / holds personal data ({kind}), not a label")
    return value


Label = Annotated[str, Field(max_length=100), _VISIBLE, _STRIPPED, AfterValidator(_storable),
                  AfterValidator(_not_blank), AfterValidator(_one_line), AfterValidator(_no_number_of_a_person)]
# An id as the catalogue writes them (twp-430581100, wg-zjj): ASCII with a hyphen, which no label or unit name is
_UNIT_ID = re.compile(r"[A-Za-z]+-[A-Za-z0-9-]+")


def _unit_by_id(value: str) -> str:
    # the ids GET /v1/labels lists (twp-430581100) are what a platform's answer form holds; stored as the unit's name,
    # which exports, reports and the repeat check read (the id was refused as a long number: a township's round)
    if not _UNIT_ID.fullmatch(value):
        return value
    unit = default_routing()[0].get(value)
    if unit is None:  # a re-tester's round: twp-430581999 was told it held "an ID, card or phone number"
        raise ValueError(f"{value} 不是单位目录中的 id（GET /v1/labels 列出）/ no unit of the catalogue has this id "
                         "(GET /v1/labels lists them)")
    return unit.name


UnitLabel = Annotated[str, Field(max_length=200), _VISIBLE, _STRIPPED, AfterValidator(_storable),
                      AfterValidator(_not_blank), AfterValidator(_one_line), AfterValidator(_unit_by_id),
                      AfterValidator(_no_number_of_a_person)]
# A message board numbers its messages: an id sent as a JSON number is read as its digits (a web channel's round: 422
# for 20261201001), never a float's or a boolean's.
_DIGITS_AS_TEXT = BeforeValidator(lambda value: str(value) if type(value) is int else value)
Identifier = Annotated[str, Field(max_length=128), _VISIBLE, _STRIPPED, AfterValidator(_storable),
                       AfterValidator(_not_blank), AfterValidator(_one_line), _DIGITS_AS_TEXT]
# a name the service gave (a model version, a rule's id), not the platform's own (a ticket id may be any number)
ServiceName = Annotated[Identifier, AfterValidator(_no_personal_number)]

# Clocks of the platform and the service drift apart by seconds, not by minutes.
CLOCK_SKEW = timedelta(minutes=5)


def _received_utc(value: datetime) -> datetime:
    try:
        value = value.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 has no UTC time: it failed later, as a 500
        raise ValueError("不是可用的时间 / not a usable time") from None
    # a ticket logged in the future would outlive the repeat window and count in "the last 24 hours" for days
    if value > datetime.now(timezone.utc) + CLOCK_SKEW:
        raise ValueError("晚于当前时间 / later than now")
    return value


def _written_time(value: object) -> object:
    # pydantic reads a number as seconds since 1970 in UTC: an integrator's epoch was taken for a year ago and its
    # ticket left out of the repeat window without a word
    if isinstance(value, (int, float)):
        raise ValueError("received_at 须为带时区的时间字符串 / received_at is a date-time string with its offset "
                         "(2026-12-01T09:30:00+08:00), not a number")
    return value


# With its offset: whether the platform's clock writes UTC or Beijing time, a bare 09:30 does not say. Given in UTC.
ReceivedAt = Annotated[AwareDatetime, BeforeValidator(_written_time), AfterValidator(_received_utc)]

EXAMPLE_TICKET = {
    "id": "WG-2026-000123",
    "title": "城区菜市场门口占道经营严重",
    "text": "武冈市迎春亭街道菜市场门口每天早上都有流动摊贩占道经营，车辆无法通行，请城管部门尽快处理。联系电话13807391234。",
    "location": "迎春亭街道",
    "channel": "电话",
}


AUTHOR = ("来电人 / 留言用户: the caller's name or account, when the platform has it; masked wherever the title or "
          "text names it (张建国家门口… → [姓名]家门口…), and never stored or logged itself")


class TicketIn(BaseModel):
    """One citizen appeal (工单) to route. Length of `text` is checked against the service limit (413 above it)."""

    # A field the service does not know is refused: a platform that sent the body as "content" had its ticket routed
    # on the title alone, and its feedback stored with no text, without a word.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_TICKET]})

    id: Identifier | None = Field(default=None, description="the caller's ticket id, echoed back as read (text; "
                                                             "spaces and invisible characters around it are removed; "
                                                             "a message board's number is read as its digits)")
    title: Title | None = Field(default=None, description="留言主题")
    text: Body = Field(description="留言详情 — the appeal as the citizen said it; may be left out (or null) when the "
                                   "title says it all")
    location: ShortText | None = Field(default=None, description="where it happens (乡镇/街道/地址), or the division "
                                                                "code of its township or village (430581101)")
    channel: ShortText | None = Field(default=None, description=(
        "电话, 网站, 微信…: one naming a call (电话, 热线, 来电, 12345, 呼入, 现场; or none given) has the caller on the "
        "line; any other is a written message, whose life at risk goes to review for an agent to phone the line"))
    author: ShortText | None = Field(default=None, description=AUTHOR)
    received_at: ReceivedAt | None = Field(
        default=None, description="when the centre received the appeal, with its offset (2026-12-01T09:30:00+08:00); "
                                  "default: now. A platform sending a backlog gives it, so that the ticket counts in "
                                  "the repeat window and the hotspots on the day it came in")


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"tickets": [EXAMPLE_TICKET]}]})

    tickets: list[TicketIn] = Field(min_length=1, description="more than maxItems (APPEAL_MAX_BATCH) are refused "
                                                              "with 413")

    @field_validator("tickets")
    @classmethod
    def _ids_once(cls, tickets: list[TicketIn]) -> list[TicketIn]:
        # The repeat log keeps one ticket per id: the second of two tickets sent with one id replaced the first
        # unseen, and neither listed the other. (A field's error: its `loc` names `tickets`, not the whole body.)
        ids = [t.id for t in tickets if t.id is not None]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"批量中多张工单使用同一 id {', '.join(twice)} / id {', '.join(twice)} given to more than one "
                             "ticket of the batch")
        return tickets


class LabelScore(BaseModel):
    label: str
    confidence: float


class Out(BaseModel):
    """A response body: a field with a default is still always sent, so the schema marks it required (an
    integrator's round: generated clients made `unit`, `reasons` and `related_tickets` optional)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class HeadOut(Out):
    label: str
    confidence: float = Field(description="calibrated probability")
    alternatives: list[LabelScore] = Field(default_factory=list, description="next best labels")
    below_threshold: bool = Field(default=False, description="under the head's dispatch threshold: a person checks the "
                                                             "label (for the unit, the ticket goes to review, unless a "
                                                             "routing rule explicit enough to dispatch chose the unit: "
                                                             "`rule` set, decision auto)")


class SuggestionOut(Out):
    id: str
    question: str
    answer: str
    unit: str | None = None
    source: Literal["faq", "case"] = Field(description="faq: an answer the centre wrote; case: the official reply "
                                                       "to an earlier ticket, to adapt rather than read out")
    score: float = Field(description="reciprocal-rank fusion score, Σ 1/(k + rank) over BM25 and (in /v1/suggest, "
                                     "/v1/route with APPEAL_ROUTE_DENSE) "
                                     "the e5 ranking: orders the suggestions of one answer; not a probability")
    bm25_score: float | None = Field(default=None, description="BM25 score; none when no word of the query is in it")
    dense_score: float | None = Field(default=None, description="e5 cosine similarity of query and entry (/v1/suggest; "
                                      "/v1/route with APPEAL_ROUTE_DENSE, of the ticket's first 128 "
                                      "characters): how close in meaning, whatever the words")
    weak_match: bool | None = Field(default=None, description="true: dense_score is below APPEAL_KB_WEAK_COSINE, "
                                    "where the suggestions agents judged were nearly all about another matter: check "
                                    "it before reading it out (none where e5 did not score it: /v1/route without "
                                    "APPEAL_ROUTE_DENSE)")


class RelatedTicketOut(Out):
    """An earlier ticket of the repeat window about the same matter (重复诉求)."""

    ticket_id: str
    received_at: str = Field(description="when the centre received it (UTC): the received_at the platform sent, "
                                         "else when it was routed")
    similarity: float | None = Field(default=None, description="cosine with the ticket routed, 0–1, of character-gram "
                                                                "TF-IDF vectors or, with APPEAL_REPEAT_METHOD=e5, of e5 "
                                                                "embeddings (none in a hotspot list)")
    title: str | None = None
    excerpt: str = Field(description="the start of its masked text")
    township: str | None = None
    topic: str | None = Field(default=None, description="the topic the route gave it; in a hotspot's tickets, the "
                                                        "agent's answer where there is one, as the group's topics "
                                                        "count it")
    lead_unit: str | None = Field(default=None, description="the lead unit it was routed to")
    assigned_unit: str | None = Field(default=None, description="the unit an agent's answer (/v1/feedback) sent it "
                                                                "to, the route's own included: where it is now; null "
                                                                "while no answer named one")
    linked_by: Literal["words", "incident", "number"] = Field(
        default="words", description="words: its text is similar; incident: a call of the last hours in the same "
                                     "township that named the same line to put the caller through (119 …), however "
                                     "it told the emergency (two fires of one evening are listed too); number: the "
                                     "ticket gives its number (工单号…), listed first")


class RouteOut(Out):
    # What the demo model `appeal serve` trains on a fresh clone answered for EXAMPLE_TICKET, two days after
    # WG-2026-000101 (suggestions from the demo FAQ)
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "WG-2026-000123",
                    "topic": {"label": "商贸旅游", "confidence": 0.4651,
                              "alternatives": [{"label": "城乡建设", "confidence": 0.4169},
                                               {"label": "交通运输", "confidence": 0.0891}],
                              "below_threshold": True},
                    "unit": {"label": "城市管理和综合执法", "confidence": 0.5304,
                             "alternatives": [{"label": "商务", "confidence": 0.3454},
                                              {"label": "市场监督管理", "confidence": 0.033}],
                             "below_threshold": True},
                    "jurisdiction": {"township": "迎春亭街道", "code": "430581002", "matched": "迎春亭街道",
                                     "method": "name_with_suffix", "source": "location", "village": None,
                                     "former": None},
                    "decision": "review",
                    "reasons": ["topic: 商贸旅游 置信度 0.4651（低于阈值 0.8889，请坐席核对类别，派单不等待 / below "
                                "threshold: an agent checks it, the dispatch goes on）",
                                "unit: 城市管理和综合执法 置信度 0.5304（低于阈值 0.8180，需人工 / below threshold）",
                                "属地: 迎春亭街道（location: “迎春亭街道”, name_with_suffix）",
                                "可能重复诉求 / possible repeat: WG-2026-000101（相似度 0.39，2 天前 / 2 days ago，"
                                "路由建议 武冈市城市管理和综合执法局）"],
                    "urgent": False,
                    "hand_over": [],
                    "on_the_line": True,
                    "follow_up": False,
                    "consultation": False,
                    "sent_on_to": None,
                    "replaced_other_text": False,
                    "repeat_checked": True,
                    "not_accepted": None,
                    "lead_unit": {"id": "wg-cgj", "name": "武冈市城市管理和综合执法局",
                                  "functional_type": "城市管理和综合执法", "level": "市直部门"},
                    "assisting_units": [],
                    "ask": None,
                    "rule": None,
                    "suggestions": [
                        {"id": "wg-cg-01", "question": "占道经营、乱摆摊怎么办？",
                         "answer": "占道经营、乱摆乱放等问题可向城市管理和综合执法部门反映，请说明具体位置和时间段。",
                         "unit": "武冈市城市管理和综合执法局", "source": "faq", "score": 0.0164, "bm25_score": 24.063,
                         "dense_score": None, "weak_match": None},
                        {"id": "wg-sp-02", "question": "餐馆卫生很差怎么举报？",
                         "answer": "餐饮服务单位卫生状况差、无证经营等问题可向市场监督管理部门举报，请说明店名、地址和具体问题。",
                         "unit": "武冈市市场监督管理局", "source": "faq", "score": 0.0161, "bm25_score": 5.866,
                         "dense_score": None, "weak_match": None},
                        {"id": "wg-yyzz-02", "question": "营业执照地址或经营范围怎么变更？",
                         "answer": "市场主体登记事项发生变化的，应向登记机关申请变更登记，可线上或到政务服务中心登记窗口办理。"
                                   "需提交的材料视变更事项而定。",
                         "unit": "武冈市市场监督管理局", "source": "faq", "score": 0.0159, "bm25_score": 4.094,
                         "dense_score": None, "weak_match": None},
                    ],
                    "related_tickets": [
                        {"ticket_id": "WG-2026-000101", "received_at": "2026-12-01T11:44:18Z", "similarity": 0.3946,
                         "title": "菜市场门口摊贩占道", "excerpt": "迎春亭街道菜市场门口早上流动摊贩很多,占了半边路,车子过不去。",
                         "township": "迎春亭街道", "topic": "城乡建设", "lead_unit": "武冈市城市管理和综合执法局",
                         "assigned_unit": None, "linked_by": "words"}
                    ],
                    "masked_title": "城区菜市场门口占道经营严重",
                    "masked_text": "武冈市迎春亭街道菜市场门口每天早上都有流动摊贩占道经营,车辆无法通行,请城管部门尽快处理。"
                                   "联系电话[手机号]。",
                    "model_version": "ensemble-20261203-192948",
                }
            ]
        }
    )

    id: str | None = None
    topic: HeadOut
    unit: HeadOut | None = Field(default=None, description="the unit head's reading of the unit's functional type "
                                                           "(职能类型), when the model has a unit head; a routing rule "
                                                           "may lead to another type's unit (lead_unit, rule), and one "
                                                           "explicit enough dispatches whatever the head's confidence "
                                                           "(decision auto beside below_threshold)")
    jurisdiction: PlaceRef | None = Field(default=None, description="乡镇/街道 named in the text or the location")
    decision: Literal["auto", "review"] = Field(description="auto: dispatch without a human; review: an agent decides "
                                                            "(also for a ticket an agent already sent on: see reasons)")
    reasons: list[str] = Field(default_factory=list, description="what the decision rests on (confidence, rules, place)")
    urgent: bool = Field(default=False, description="safety words found, or a follow-up of a ticket flagged urgent "
                                                    "in the last 12 hours that does not say it is over: handle first")
    hand_over: list[str] = Field(
        default_factory=list, description="a life may be at risk now: put the caller through to these (120 急救, 110 "
                                          "报警, 119 救援, as the routing rules name them) while on the line")
    # What the reasons also say, for a platform to act on without reading them (an integrator's round)
    on_the_line: bool = Field(
        default=True, description="whether the caller is on the line: a call (channel 电话, 热线, 12345 …, or no "
                                  "channel given); false for a written message (网站, 微信, 短信 …), whose hand_over "
                                  "asks the agent to call that line for the writer")
    follow_up: bool = Field(
        default=False, description="the text says the matter was reported before (催办, 我反映了三次了): the earlier "
                                   "ticket is among related_tickets where this service routed it within the window")
    consultation: bool = Field(
        default=False, description="a question for information (咨询: how, where, what papers, how much) with no "
                                   "complaint or request to act: the agent answers it from the suggestions (直接答复), "
                                   "so it goes to review; lead_unit is where to send it if a unit must act. Earlier "
                                   "tickets are listed only where it gives their number (two callers asking the same "
                                   "question are no repeat)")
    sent_on_to: str | None = Field(default=None, description="the unit an agent already sent this ticket on to "
                                                             "(/v1/feedback unit, now lead_unit): do not dispatch it "
                                                             "again by this answer")
    replaced_other_text: bool = Field(
        default=False, description="this id was routed before within the repeat window with another title or text: "
                                   "this route replaced what the service kept of it (an id reused by mistake, or a "
                                   "ticket edited since); a retry with the same text is false")
    repeat_checked: bool = Field(default=True, description="whether the ticket was compared with the tickets of the "
                                                           "repeat window (false: no text to compare, the ticket log "
                                                           "unavailable, or received before the window)")
    not_accepted: Refusal | None = Field(
        default=None, description="set when a refusal rule matched: 12345 may not accept the matter (agent confirms)")
    lead_unit: UnitRef | None = Field(
        default=None, description="承办单位 from the unit catalogue and routing rules; with not_accepted set, the unit "
                                  "for when the agent accepts the ticket after all; for a ticket routed again after an "
                                  "agent sent it on (/v1/feedback unit), that unit, with decision review")
    assisting_units: list[UnitRef] = Field(default_factory=list, description="协办单位")
    ask: str | None = Field(default=None, description="what the agent must find out from the caller before the lead "
                                                      "unit is dispatched (a routing rule's `ask`: 停水 with no place, "
                                                      "the city's water or a town's?; the township of a "
                                                      "village matter that names none); the ticket is in review with "
                                                      "it among the reasons")
    rule: str | None = Field(default=None, description="the routing rule that chose the lead unit; none where the "
                                                       "unit head's type did, or a line the caller was put through to "
                                                       "(hand_over, its follow-up unit)")
    suggestions: list[SuggestionOut] = Field(
        default_factory=list, description="knowledge-base answers by BM25 (fast); /v1/suggest adds e5 dense ranking")
    related_tickets: list[RelatedTicketOut] = Field(
        default_factory=list, description="tickets routed in the last days that report the same matter, most similar "
                                          "first: merge or link them (the decision is left to the platform)")
    masked_title: str | None = Field(default=None, description="the title with personal data masked (a ticket may be "
                                                                "its title alone); none when it has none")
    masked_text: str = Field(description="the text with personal data masked")
    model_version: str


class BatchOut(Out):
    results: list[RouteOut]


class SuggestIn(BaseModel):
    # as TicketIn: a misspelt field ("top_k") was dropped without a word, and a client never learnt its k was not used
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "孩子上小学需要准备哪些材料？", "k": 3}]}
    )

    text: NonBlank = Field(description="a question or a ticket text")
    k: int = Field(default=3, ge=1, le=20, strict=True)
    source: Source | None = Field(default=None, description="only the centre's own answers (faq) or only earlier "
                                                             "tickets' replies (case); both, ranked together, when "
                                                             "left out")


class SuggestOut(Out):
    suggestions: list[SuggestionOut]
    masked_text: str
    hand_over: list[str] = Field(default_factory=list, description="where to put the caller through at once when the "
                                 "text tells of a life at risk (120 急救, 110 报警, 119 救援), as /v1/route says it; the "
                                 "suggestions are then only those of the units that take the call")


class FeedbackIn(BaseModel):
    """What the agent finally decided for a ticket; stored as a labelled ticket for retraining."""

    model_config = ConfigDict(
        extra="forbid",  # as for TicketIn
        json_schema_extra={
            "examples": [
                {
                    "ticket_id": "WG-2026-000123",
                    "title": EXAMPLE_TICKET["title"],
                    "text": EXAMPLE_TICKET["text"],
                    "topic": "城乡建设",
                    "unit": "城市管理和综合执法",
                    "suggestion_id": "wg-cg-01",
                    # the route's answer in RouteOut's example, which the agent corrected
                    "predicted_topic": "商贸旅游",
                    "model_version": "ensemble-20261203-192948",
                    "related_ticket_ids": ["WG-2026-000101"],
                    "repeat_of": "WG-2026-000101",
                    "refusal_rule": None,
                    "refused": False,
                }
            ]
        }
    )

    ticket_id: Identifier | None = None
    title: Title | None = Field(default=None, description="the ticket title (masked before it is stored); see text")
    # Not `Body`: whether it may be empty takes the ticket log, which the router reads (`ticket_left_out`).
    text: AnyBody = Field(
        description="the ticket text (masked before it is stored); may be left out when the title says it all. With "
                    "neither text nor title, the title and text the service kept when it routed ticket_id within the "
                    "repeat window (APPEAL_REPEAT_WINDOW_DAYS, already masked) are stored; 422 for a ticket not "
                    "routed in that window (never routed, or routed before it)")
    author: ShortText | None = Field(default=None, description=AUTHOR)
    topic: Label = Field(description="the agent's final topic (一级分类)")
    unit: UnitLabel | None = Field(
        default=None, description="the final unit: where the agent kept the route's, lead_unit.name; else the unit's "
                                  "name (武冈市城市管理和综合执法局), its id in GET /v1/labels (stored as its name), a "
                                  "type or an alias (城管局), read as its type. The type the route filed the ticket "
                                  "under is the route's unit kept, also where a rule led to another type's unit: "
                                  "lead_unit.functional_type, or unit.label where no rule re-filed the ticket (a "
                                  "reason 职能类型按规则改为 … says one did; unit.label is then the model's reading, "
                                  "and names another unit). A unit that sends the ticket back (退单): the unit it goes "
                                  "to next, or the centre's own seat-12345 while the centre decides; null leaves the "
                                  "ticket where an earlier answer put it")
    suggestion_id: Identifier | None = Field(default=None, description="the knowledge-base answer the agent used")
    predicted_topic: Label | None = Field(default=None, description="topic.label as /v1/route gave it; left out, "
                                                                  "it is read from the ticket's last route (by "
                                                                  "ticket_id, within the repeat window)")
    predicted_unit: UnitLabel | None = Field(default=None, description="unit.label or lead_unit.name as /v1/route "
                                                                      "gave it; left out, the last route's lead unit")
    model_version: ServiceName | None = Field(default=None, description="model_version as /v1/route gave it; left "
                                                                      "out, that of the last route")
    related_ticket_ids: list[Identifier] | None = Field(
        default=None, max_length=20,
        description="the ids /v1/route listed in related_tickets for this ticket ([] when it listed none); omit it "
                    "when the platform does not show them to agents. With repeat_of it measures the repeat check")
    repeat_of: Identifier | None = Field(
        default=None, description="the earlier ticket the agent linked this one to as a repeat (重复件), listed or "
                                  "not; null: the agent judged it a new matter (with related_ticket_ids, it is "
                                  "then no longer grouped with those tickets in the hotspots)")
    refusal_rule: ServiceName | None = Field(
        default=None, description="not_accepted.rule as /v1/route gave it for this ticket (null: no refusal rule)")
    refused: bool | None = Field(
        default=None, description="whether the centre refused the ticket (不予受理) in the end; omit it when the "
                                  "platform does not record that. With refusal_rule it measures the refusal rules")
    hand_over: list[HandOverLine] | None = Field(
        default=None, max_length=5,
        description="hand_over as /v1/route gave it for this ticket ([] when it named none); left out, that of the "
                    "ticket's last route (by ticket_id, within the repeat window)")
    put_through: list[HandOverLine] | None = Field(
        default=None, max_length=5,
        description="the lines the agent put the caller through to (120 急救, 110 报警, 119 救援; its number or word "
                    "alone will do); "
                    "[]: none (no life at risk now: a false alarm, an event over); omit it when the platform does not "
                    "record that. With hand_over it measures the emergency words: a line put through that the route "
                    "did not name is a missed emergency")
    closed: bool | None = Field(
        default=None,
        description="本级办结: the centre closed the ticket itself, for no unit to handle: the agent answered the caller "
                    "on the call (a consultation: suggestion_id), put the call through, or the caller withdrew it. "
                    "`unit` is then the unit whose matter it is, a label for retraining, and the ticket is sent to "
                    "none: it stands `closed` (GET /v1/tickets), and a unit it was dispatched to can no longer reply "
                    "to it or send it back. A refused ticket (refused: true) is closed so too. A later answer that "
                    "does not close it sends it to its unit again")
    closing_note: Annotated[str, Field(max_length=2000), AfterValidator(_storable), AfterValidator(_not_blank),
                            AfterValidator(_says_what_the_caller_was_told)] | None \
        = Field(default=None, description="办结意见, needed with closed: true, and with refused: true at will: what the "
                                          "agent told the caller or did (masked before it is stored), which a later "
                                          "call about the ticket shows the agent, and the unit if it is sent to one "
                                          "since; one that only says it was closed (已办结, 已解释) is a 422")

    # The ticket as it was sent to /v1/route may come along with the answer: its id names the ticket, and where and by
    # which channel it came are known fields rather than unknown ones (which are refused).
    id: Identifier | None = Field(default=None, description="the ticket's id as sent to /v1/route: ticket_id")
    location: ShortText | None = Field(default=None, description="as sent to /v1/route (not stored)")
    channel: ShortText | None = Field(default=None, description="as sent to /v1/route (the route's is kept)")

    @model_validator(mode="after")
    def _one_ticket_id(self) -> "FeedbackIn":
        if self.id is not None and self.ticket_id is not None and self.id != self.ticket_id:
            raise ValueError("id and ticket_id name different tickets / id 与 ticket_id 不是同一工单")
        self.ticket_id = self.ticket_id or self.id
        return self

    @model_validator(mode="after")
    def _not_its_own_repeat(self) -> "FeedbackIn":
        if self.repeat_of is not None and self.repeat_of == self.ticket_id:
            raise ValueError("repeat_of names the ticket itself / 工单不能标记为自身的重复件")
        return self

    @model_validator(mode="after")
    def _a_note_of_a_close(self) -> "FeedbackIn":
        if self.closing_note is not None and not self.closes:
            raise ValueError("closing_note goes with closed: true (or refused: true): a ticket sent to a unit is the "
                             "unit's to reply to / 办结意见须与 closed（本级办结）或 refused 同填")
        # a re-tester's round: a close without its note was stored, and a later call about it could not be answered
        if self.closed and self.closing_note is None:
            raise ValueError("closed: true needs closing_note: what the caller was told or why it closes / 本级办结须"
                             "填写办结意见（告知来电人的内容或办结理由）")
        return self

    @property
    def closes(self) -> bool:
        """Whether the answer closes the ticket at the centre: answered there (`closed`) or refused."""
        return bool(self.closed or self.refused)

    @property
    def ticket_left_out(self) -> bool:
        """Neither title nor text says anything: the ticket is the one its route kept."""
        return not _says_something(self.text) and not _says_something(self.title)


def _a_line(value: str) -> str:
    """A line of the routing rules' `hand_over` (119 救援), also by its number or its word alone (119, 救援), with or
    without the space (119救援: a re-tester's round lost an agent's answer to that 422)."""
    lines = list(default_routing()[1].hand_over)
    said = "".join(normalize(value).split())  # a platform's full-width １２０ (an integrator's round: a 422)
    named = [line for line in lines if said in ("".join(line.split()), *line.split())]
    if not named:
        raise ValueError(f"{value!r} is no line of the routing rules ({', '.join(lines)}) / 不是分派规则中的转接线路")
    return named[0]


HandOverLine = Annotated[ShortText, AfterValidator(_a_line)]


class FeedbackOut(Out):
    id: int = Field(description="id of the stored labelled ticket")
    ticket_id: str | None
    stored_at: str
    routed: bool = Field(description="whether the service routed this ticket_id within the repeat window; false for "
                                     "an answer without ticket_id, a typo in it or a ticket routed before the "
                                     "window: what the route said is then only what the answer gives")
    unknown_labels: dict[str, str] = Field(
        default_factory=dict,
        description="head → the answer the serving model has no label for (a unit is also looked up in the unit "
                    "catalogue: aliases and unit names count as their functional type); stored all the same, it "
                    "would become a new class at the next retrain, so check the spelling. Also refusal_rule → a rule "
                    "the routing rules do not name (its verdict is counted under rule \"other\"), suggestion_id "
                    "→ an id the knowledge base does not hold now (a typo, or an entry deleted since), and repeat_of "
                    "or related_ticket_ids → the tickets named that the service did not route within the repeat "
                    "window (、-joined)",
    )
    in_catalogue: list[str] = Field(
        default_factory=list,
        description="the heads of unknown_labels whose answer the unit catalogue knows: a unit or type the serving "
                    "model has not learnt yet (a new unit after a reorganisation, 武冈市数据局), no typo; the next "
                    "retrain learns it")
    assigned_unit: str | None = Field(
        default=None,
        description="the unit the service now records the routed ticket as sent to, named by this answer's unit or "
                    "an earlier one's (a late retry of an answer is told where the ticket went since): a later repeat "
                    "names it (已派 …) and a retry of the ticket's route is answered with it. Null where the ticket "
                    "was not routed or no answer has named one unit (unit_not_recorded says why this one did not)")
    closed: bool = Field(default=False, description="the service records the routed ticket as closed by the centre "
                                                    "(本级办结: closed or refused): sent to no unit")
    unit_not_recorded: str | None = Field(
        default=None,
        description="why the answer's unit, stored as the label, is not recorded as where the ticket went: a type of "
                    "several units (公安: 武冈市公安局 and its traffic police), or a unit the catalogue does not know; "
                    "send the unit's name")
    reopened: bool = Field(default=False, description="this answer sent to a unit a ticket the centre had closed (重新"
                                                      "派单): the close stays on it (`closed.reopened_at`), for the unit "
                                                      "to read what the caller was told; shown to the agent, who may "
                                                      "have meant another ticket")
    close_not_recorded: str | None = Field(
        default=None, description="why a close (closed or refused: true) is not recorded: the ticket_id was not routed "
                                  "within the repeat window (a typo, or a ticket routed elsewhere); the answer is "
                                  "stored as a label all the same")


class AgentAnswerOut(Out):
    """The latest answer agents sent for a ticket (/v1/feedback), as stored (a trainer's correction included)."""

    answered_at: str = Field(description="when the answer was stored (UTC)")
    topic: str
    unit: str | None = None
    put_through: list[str] | None = Field(default=None, description="the lines the agent put the caller through to "
                                                                    "([]: none needed; null: the answer did not say)")
    refused: bool | None = Field(default=None, description="whether the centre refused the ticket (不予受理; null: "
                                                           "the answer did not say)")
    repeat_of: str | None = Field(default=None, description="the earlier ticket the agent linked it to")
    closed: bool | None = Field(default=None, description="whether it closed the ticket at the centre (本级办结; null: "
                                                          "the answer did not say)")


class ReturnIn(BaseModel):
    """A unit's sending back to the centre of a ticket that is not its to handle (退回), and why."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "新东路路灯属城区市政路灯，由城管局维护，不属本单位职责", "proposed_unit": "城管局"}]})

    reason: Annotated[str, Field(max_length=500), AfterValidator(_storable), AfterValidator(_not_blank)] = Field(
        description="why the ticket is not the unit's (masked before it is stored): what the centre reads to send it "
                    "on")
    proposed_unit: UnitLabel | None = Field(default=None, description="the unit the ticket is for, where the unit "
                                                                      "knows (城管局, or its id in GET /v1/labels; "
                                                                      "one outside the catalogue is kept as written)")


class ReturnOut(Out):
    """The last time the unit a ticket was sent to sent it back to the centre (退回)."""

    unit: str = Field(description="the unit that sent it back")
    returned_at: str = Field(description="when (UTC)")
    reason: str | None = Field(description="why, PII masked (null: erased with the ticket's words)")
    proposed_unit: str | None = Field(description="the unit it said the ticket is for, as the catalogue names it or "
                                                  "else as written (null: it did not say)")
    sent_by: str | None = Field(description="the name of the key that sent it (the liaison's, as `appeal keys` "
                                            "issued it)")
    earlier: list[str] = Field(description="the units that sent it back before, oldest first: a ticket bouncing "
                                           "between units")
    pending: bool = Field(description="no agent's answer (/v1/feedback) came after it: the centre has yet to send "
                                      "the ticket on, or back to the unit")


# The words a closing note may be made of that say only that it was closed: what was told is missing.
_CLOSED_ONLY = re.compile(r"已经|已|经|并|直接|电话|当场|现场|坐席|话务员|向|给|对|来电人|来电者|市民|群众|诉求人|办结|处理|"
                          r"解释|答复|回复|告知|说明|解答|完成|完毕|结案|办理|解决|了|好|ok|OK|[\s\W_]")


def _says_what_the_caller_was_told(note: str) -> str:
    if not _CLOSED_ONLY.sub("", note):
        raise ValueError("只写了已办结、已解释等，没有告知来电人的内容：请写明答复了什么或为何办结 / says only that it was "
                         "closed or explained: write what the caller was told, or why it closes")
    return note


def _says_what_was_done(reply: str) -> str:
    if says_nothing(reply):
        raise ValueError("只说了收悉、转办或同某件答复，不是办理结果：不属本单位的请退回（/return），办完再答复 / says only that "
                         "the ticket was received or forwarded, or answered as another: send back a ticket that is not "
                         "the unit's (/return), and reply once it is dealt with, saying what was done")
    return reply


class ReplyIn(BaseModel):
    """The reply of the unit a ticket is at (答复): what it did, for the centre to tell the caller."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reply": "经核实，新东路3盏路灯线路老化，已于当日更换线路并恢复照明。", "contact": "城管局市政股 王股长 0739-4522111"}]})

    reply: Annotated[str, Field(max_length=2000), AfterValidator(_storable), AfterValidator(_not_blank),
                     AfterValidator(_says_what_was_done)] = Field(
        description="what the unit found and did (masked before it is stored): what the centre reads to the caller, "
                    "and a case to learn from (`appeal tickets --cases`); one that only says the ticket was received "
                    "or forwarded (已收悉, 已转…处理, 同…答复) is a 422")
    contact: Annotated[str, Field(max_length=100), AfterValidator(_storable), AfterValidator(_one_line)] | None = Field(
        default=None, description="whom at the unit the caller may ring about it (科室, 姓名, 电话): the unit's own, kept "
                                  "as written, unlike the reply, where every phone and name is masked; never in a case")
    replace: bool = Field(default=False, description="a second reply replaces the first (a correction); without it, "
                                                     "it is added to the first as 补充")


class ReplyOut(Out):
    """The reply of the unit a ticket was sent to (答复)."""

    unit: str = Field(description="the unit that replied")
    replied_at: str = Field(description="when (UTC), the last time it replied")
    reply: str | None = Field(description="what it said, PII masked, a later reply added as 补充 (null: erased with the "
                                          "ticket's words)")
    contact: str | None = Field(description="whom at the unit the caller may ring, as the unit wrote it")
    sent_by: str | None = Field(description="the name of the key that sent it (the liaison's, as `appeal keys` issued "
                                            "it)")


class ClosedOut(Out):
    """The centre's close of a ticket it answered itself (本级办结)."""

    closed_at: str = Field(description="when the answer that closed it came (UTC)")
    note: str | None = Field(description="what the agent told the caller or did (办结意见), PII masked (null: not said, "
                                         "or erased with the ticket's words)")
    sent_by: str | None = Field(description="the name of the key that sent the answer")
    reopened_at: str | None = Field(description="when an answer sent it to a unit after this close (重新派单, UTC; "
                                                "null: it stands closed)")
    reopened_by: str | None = Field(description="the name of the key that sent that answer")


# Where a ticket stands (`serve.routing.ticket_state`).
TicketState = Literal["proposed", "open", "returned", "replied", "closed"]
TICKET_STATES = ("proposed: 路由建议, routed for review and sent to no unit yet; open: 办理中, at its unit, not replied; "
                 "returned: 退回, sent back by its unit, for the centre to send on; replied: 已答复, replied by the unit "
                 "it is at; closed: 本级办结, closed by the centre itself (answered on the call, put through, refused)")


class RoutedTicketOut(Out):
    """A ticket the service routed with an id, as its log keeps it for the repeat window (GET /v1/tickets/{id}): what
    the route said, and where an agent's answer sent it since. A platform that lost a route's answer reads it here
    instead of routing the ticket again."""

    ticket_id: str
    received_at: str = Field(description="when the centre received it (UTC): the received_at the platform sent, "
                                         "else when it was first routed")
    kept_until: str = Field(description="when it leaves the log (received_at + APPEAL_REPEAT_WINDOW_DAYS, UTC): "
                                        "after it, a 404")
    title: str | None = None
    text: str = Field(description="the text as kept, PII masked")
    township: str | None = None
    topic: str | None = Field(default=None, description="the topic the route gave it")
    unit_type: str | None = Field(default=None, description="the functional type the route filed it under")
    decision: Literal["auto", "review"] | None = Field(default=None, description="the route's decision")
    urgent: bool | None = None
    hand_over: list[str] = Field(default_factory=list, description="the lines the route said to put the caller "
                                                                   "through to (120, 110, 119)")
    not_accepted: str | None = Field(default=None, description="the refusal rule the route flagged it with")
    lead_unit: str | None = Field(default=None, description="the lead unit the route sent it to")
    assisting_units: list[str] = Field(default_factory=list)
    assigned_unit: str | None = Field(default=None, description="the unit an agent's answer (/v1/feedback) sent it "
                                                                "to: where it is now; null while no answer named one")
    rule: str | None = Field(default=None, description="the routing rule that chose the lead unit")
    reasons: list[str] = Field(default_factory=list, description="what the route said its decision rests on, as its "
                                                                 "answer gave them (none for a ticket routed before "
                                                                 "they were kept, 2026-12-07)")
    related_tickets: list[str] = Field(default_factory=list, description="the earlier tickets the route listed as "
                                                                         "the same matter (ids)")
    model_version: str | None = None
    answer: AgentAnswerOut | None = Field(default=None, description="what the agents' latest answer said of it; null: "
                                                                    "none yet (a ticket dispatched `auto` may never "
                                                                    "get one)")
    returned: ReturnOut | None = Field(default=None, description="the last time its unit sent it back to the centre "
                                                                 "(POST /v1/tickets/{id}/return); null: never")
    replied: ReplyOut | None = Field(default=None, description="the reply of a unit it was sent to (POST "
                                                               "/v1/tickets/{id}/reply); null: none")
    closed: ClosedOut | None = Field(default=None, description="the centre's close (an agent's answer with closed or "
                                                               "refused), kept when an answer sent it to a unit since "
                                                               "(`reopened_at`); null: never closed")
    state: TicketState = Field(description=f"where it stands: {TICKET_STATES}")
    held_by: str | None = Field(default=None, description="the unit it is at: where an agent's answer sent it, else "
                                                          "where the route dispatched it; null while only proposed, "
                                                          "or closed by the centre (a unit's key: its own, or another "
                                                          "it only assists)")
    channel: str | None = Field(default=None, description="the channel it came by, as sent to /v1/route (null: none "
                                                          "given, or routed before it was kept, 2026-12-07)")
    follow_up: bool | None = Field(default=None, description="whether the route read it as a follow-up (催办) of a "
                                                             "matter reported before (null: routed before it was kept)")


class TicketsOut(Out):
    """A day's tickets routed with an id, in the order they came in, with what the route said and why (GET
    /v1/tickets): a supervisor's review of the dispatch."""

    date: str = Field(description="the centre's day listed (APPEAL_TIMEZONE), from midnight to midnight; of a period "
                                  "asked with `since`, the day it starts")
    since: str = Field(description="the start of the period listed, on the centre's clock (2026-12-06T18:00+08:00)")
    until: str = Field(description="its end, not included: the next midnight of a day, or `until` (default now)")
    township: str | None = Field(default=None, description="the township asked for, as the gazetteer names it")
    unit: str | None = Field(default=None, description="the unit asked for, as the unit catalogue names it")
    received: int = Field(description="tickets routed with an id that day (of `township`: reported in it or sent on "
                                      "to it; of `unit`: sent to it, by the route or an agent, or assisted by it)")
    auto: int = Field(description="of them, dispatched by the route without a person")
    review: int = Field(description="of them, sent to an agent to decide")
    urgent: int = Field(description="of them, flagged urgent")
    handed_over: int = Field(description="of them, with a line to put the caller through to (120, 110, 119)")
    answered: int = Field(description="of them, answered by an agent (/v1/feedback)")
    put_through: int = Field(description="of them, put through to a line, as the agents' answers say")
    refused: int = Field(description="of them, refused (不予受理), as the agents' answers say")
    returned: int = Field(description="of them, sent back by their unit and not sent on since (`returned.pending`)")
    open: int = Field(description="of them, at their unit and not replied (`state` open)")
    replied: int = Field(description="of them, replied by the unit they are at (`state` replied)")
    closed: int = Field(description="of them, closed by the centre itself (`state` closed)")
    sent_back: int = Field(description="of them, sent back (退回) by a unit at least once, sent on since or not "
                                       "(`returned` counts those still to send on)")
    matching: int = Field(description="of them, those of the `decision`, `urgent`, `answered`, `returned` and `state` "
                                      "asked: `tickets` lists `limit` of them from `offset`")
    tickets: list[RoutedTicketOut]


class HotspotOut(Out):
    """Tickets of the period linked by similarity (热点诉求), most central first."""

    size: int
    first_at: str
    last_at: str
    last_24h: int = Field(description="tickets of the group received in the last 24 hours: a matter still coming in")
    urgent: int = Field(description="tickets of the group the route flagged urgent")
    lines: dict[str, int] = Field(description="line the route said to put a caller through to (119 …) → tickets")
    keywords: list[str] = Field(description="words shared by the group's tickets that say what it is about, "
                                            "most telling first")
    townships: dict[str, int] = Field(description="乡镇/街道 → tickets")
    city_wide: bool = Field(description="全市: reported in 3 townships or more, one matter of the whole county; "
                                        "otherwise the same words in two townships are two matters, two groups")
    topics: dict[str, int] = Field(description="topic → tickets, each counted under its agent's answer where there is "
                                               "one, else the route's")
    lead_units: dict[str, int] = Field(description="unit → tickets, each counted where it was last sent (an agent's "
                                                   "answer over the route's lead unit)")
    assisting_units: dict[str, int] = Field(description="unit → tickets the route named it to assist on (协办)")
    tickets: list[RelatedTicketOut]


class CountOut(Out):
    name: str | None = Field(description="what is counted (a day, a channel, a topic, a township); null: not given or "
                                         "not placed")
    tickets: int


class UnitFiguresOut(Out):
    """One unit's share of a period's tickets (GET /v1/tickets/summary)."""

    unit: str
    sent: int = Field(description="tickets at the unit (sent by the route or an agent, not closed by the centre), "
                                  "less those it sent back that wait for the centre")
    replied: int = Field(description="of them, those it replied to (答复)")
    open: int = Field(description="of them, those it has not replied to")
    reply_rate: float | None = Field(description="replied / sent; null where none was sent")
    oldest_open_days: float | None = Field(description="days since the oldest open one came in (received_at); null: "
                                                       "none open")
    sent_back: int = Field(description="tickets of the period it sent back (退回), wherever they are now")


class PeriodSummaryOut(Out):
    """The figures of a period's tickets a 12345 centre reports each week (周报), from what became of each ticket:
    the agents' answers and the units' replies and returns, not the route's guesses alone (GET /v1/tickets/summary)."""

    since: str = Field(description="the period's start, on the centre's clock")
    until: str = Field(description="its end, not included")
    received: int = Field(description="tickets routed with an id that came in during the period")
    by_day: list[CountOut] = Field(description="per day of the centre, every day of the period")
    by_channel: list[CountOut] = Field(description="per channel as the platform named it (null: none given, or routed "
                                                   "before channels were kept, 2026-12-07); most first")
    by_topic: list[CountOut] = Field(description="per topic: the agent's answer's where one came, else the route's; "
                                                 "most first")
    by_township: list[CountOut] = Field(description="per 乡镇/街道 it is handled in (the agent's unit's township, else "
                                                    "where the text places it; null: not placed); most first")
    closed_at_centre: int = Field(description="closed by the centre on the call (本级办结 / 直接办结)")
    closed_rate: float | None = Field(description="closed_at_centre / received")
    sent_to_units: int = Field(description="at a unit (sent by the route or an agent), whatever they stand at")
    proposed: int = Field(description="routed for an agent to review and not yet answered: sent to no unit")
    open: int = Field(description="at their unit, not replied to")
    replied: int = Field(description="replied to by their unit")
    returned: int = Field(description="sent back by their unit and not sent on yet")
    sent_back: int = Field(description="sent back (退回) by a unit at least once")
    urgent: int = Field(description="flagged urgent by the route")
    put_through: int = Field(description="put through to 120 / 110 / 119 by an agent's answer")
    refused: int = Field(description="refused by an agent's answer (不予受理)")
    follow_ups: int = Field(description="read by the route as a follow-up (催办) of a matter reported before (kept "
                                        "since 2026-12-07)")
    repeats: int = Field(description="linked by an agent's answer to an earlier ticket of the same matter (repeat_of)")
    units: list[UnitFiguresOut] = Field(description="per unit that had tickets of the period or sent one back, most "
                                                    "sent first")


class HotspotsOut(Out):
    days: int = Field(description="the period covered: the days asked for, at most the repeat window "
                      "(APPEAL_REPEAT_WINDOW_DAYS), since older tickets are not kept (of a period asked with `since`, "
                      "its days, a part of one counted whole)")
    since: str = Field(description="the period's start, on the centre's clock")
    until: str = Field(description="its end, not included")
    township: str | None = Field(description="the township asked for, as the gazetteer names it (湾头桥 or "
                                             "430581101 asked: 湾头桥镇); null for the whole county")
    unit: str | None = Field(default=None, description="the unit asked for, as the unit catalogue names it (卫健局 "
                             "asked: 武冈市卫生健康局): the groups holding a ticket sent to it or that it assists; null for "
                             "every unit")
    tickets_in_period: int = Field(description="tickets routed with an id in the period (of `township`: reported in "
                                               "it or sent on to it; of `unit`: sent to it, by the route or an agent, "
                                               "or assisted by it)")
    hotspots: list[HotspotOut]


class EntrySaved(Entry):
    warnings: list[str] = Field(
        default_factory=list, description="stored, but worth a look: a 责任单位 the unit catalogue does not know, an "
        "answer that gives a phone number, fee, address or deadline to check against the unit's published one, a "
        "valid_to already past (never suggested), a question nearly that of another entry (怎样 for 怎么)")


class KBListOut(Out):
    entries: list[Entry]
    total: int


class ModelOut(Out):
    version: str
    kind: str
    champion: bool
    serving: bool = Field(description="this version answers requests now")
    created_at: str | None = None
    heads: dict[str, int] = Field(default_factory=dict, description="number of labels per head")
    problem: str | None = Field(default=None, description="why this version cannot serve (unreadable card, "
                                                          "missing files); null when it is whole")


class ModelsOut(Out):
    serving: str | None
    champion_problem: str | None = Field(description="why registry/champion.json cannot be read (hand-edited, "
                                                     "damaged, or naming a deleted version), or why there is none "
                                                     "(the last champion's directory gone), and how to mend it; null "
                                                     "otherwise. No version is then marked champion")
    models: list[ModelOut]


class ReloadOut(Out):
    previous: str | None
    serving: str
    changed: bool


class Health(Out):
    status: Literal["ok", "degraded", "loading", "unavailable"] = Field(
        description="ok, or degraded (the database is not ok; still 200: tickets are routed), both ready; loading, "
                    "or unavailable (the warm-up failed and is tried again every 5 s, `detail` says why), both 503")
    model_version: str | None = None
    kb_entries: int | None = None
    retrieval: Literal["hybrid", "bm25"] | None = Field(default=None, description="hybrid = BM25 + e5 dense")
    repeats: Literal["characters", "e5"] | None = Field(
        default=None, description="how the repeat check compares tickets (APPEAL_REPEAT_METHOD; characters where e5 "
                                  "was asked for and no encoder is built)")
    database: Literal["ok", "unwritable", "unavailable"] | None = Field(
        default=None, description="unwritable: read, but its last write failed or routed tickets wait in memory for "
                                  "it; unavailable: it cannot be read. Either way a ready service routes on, and "
                                  "agents' answers and KB edits are refused (503); `detail` says why")
    detail: str | None = None


class CatalogueUnitOut(UnitRef):
    # a platform maps a hotspot's or a jurisdiction's township (湾头桥镇) to its unit (a township clerk's round: only
    # the id, twp-430581101, implied it)
    township: str | None = Field(description="the 乡镇/街道 the unit serves (a township's government, a local "
                                             "branch), as jurisdiction.township and the hotspots name it; null for a "
                                             "unit of the whole county")
    unit_label: str | None = Field(description="the unit head's label an answer naming this unit is read as; null "
                                               "where the head has none (a unit rules alone reach, 残联, an expert "
                                               "seat): an answer naming it is stored, and named in unknown_labels")


class LabelsOut(Out):
    model_version: str = Field(description="the serving model, whose heads these labels are")
    rules_version: str = Field(description="`version` of the routing rules the service started with (the pack's "
                                           "routing_rules.json): a catalogue change serves from the restart that "
                                           "reads it")
    topic: list[str] = Field(description="the labels of the topic head (诉求类别): what `topic` of /v1/feedback should be")
    unit: list[str] = Field(description="the labels of the unit head (functional types of unit, 行业)")
    units: list[CatalogueUnitOut] = Field(description="the unit catalogue: `unit` of /v1/feedback may name one of "
                                                      "these by its name (the ticket is then where it was sent), or "
                                                      "give a type above")


# FastAPI writes its document without a single null (fastapi#5559), the examples' nulls too: RouteOut's lost the
# `not_accepted` and `rule` its schema requires. The app puts the examples back as written here.
EXAMPLES = {model.__name__: model.model_config["json_schema_extra"]["examples"]
            for model in (TicketIn, BatchIn, RouteOut, SuggestIn, FeedbackIn)}

# The bodies whose `text` their endpoint holds to APPEAL_MAX_TEXT_CHARS (serve.errors.check_text_length)
TEXT_LIMITED = (TicketIn, SuggestIn, FeedbackIn)
