"""From the model's answer to a concrete unit: which unit leads, who assists, and whether a human must look.

The model predicts a functional type (and a topic); this module turns it, with the ticket's jurisdiction,
into units of the catalogue by the rules of `routing_rules.json` (format: `appeal/demo/UNITS.md` and the
`_doc` inside the file). Every decision carries its `reasons` — model confidence, rule id, matched place or
word — because an agent who overrides a routing must see what it rested on.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Collection, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge_base.units import SEAT_LEVEL, TOWNSHIP_LEVEL, Catalogue, Unit, load_catalogue, pack_catalogue
from models.predictor import HeadPrediction
from pipeline.area import deployment_area
from pipeline.errors import InputError
from pipeline.jurisdiction import Gazetteer, Jurisdiction, find_jurisdiction, places_elsewhere, scan_places
from pipeline.normalize import normalize
from pipeline.pii import without_personal_data, without_placeholders
from pipeline.segment import text_names_a_matter
from pipeline.ticket_text import caller_first, chinese_clause_marks, says_it_is_mended

TOWNSHIP = "township"
JURISDICTION_ASK = "请问清事发在哪个乡镇街道、哪个村（社区），再派给该乡镇街道 / ask the caller which township it is in"
DEPARTMENT = "department"
_HAN = re.compile(r"[\u3400-\u9fff]")


class _Strict(BaseModel):
    """A key the format does not know is refused, not ignored: a keeper's `"township": "邓元泰镇"` in a rule was
    dropped without a word, and the rule fired in every town. Keys that start with _ are comments (`_doc`)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _without_comments(cls, data):
        return {k: v for k, v in data.items() if not str(k).startswith("_")} if isinstance(data, dict) else data


PLACE_KINDS = ("town", "street", "none")


class When(_Strict):
    types: list[str] = []
    keywords: list[str] = []
    pattern: str | None = None
    unless: str | None = None  # a regex that vetoes the rule (a complaint is no consultation)
    # where the ticket's jurisdiction is: a 乡 or 镇 ("town"), a 街道 ("street", the city), none read ("none"), or one
    # township by its name or division code (read as its name now, `load_rules`); the city's water company serves its
    # streets only, a town's water comes from the town's own works, unless the company serves that town too
    places: list[str] = []
    # the unit head's confidence under which a rule on `types` holds: a department read near chance (死猪 in a river
    # read 民政 at 0.18, a dog bite between neighbours 农业农村 at 0.21) is no reading to send a village's matter by
    below: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _not_empty(self) -> "When":
        if not (self.types or self.keywords or self.pattern):
            raise ValueError("a rule needs at least one of types, keywords, pattern")
        if self.below is not None and not self.types:
            raise ValueError("below is the unit head's confidence in the type it read: it needs types")
        return self


class Then(_Strict):
    lead: str
    assist: list[str] = []
    type: str | None = None  # the functional type the ticket is filed under when this rule decides
    # true: the rule is explicit enough to dispatch even when the unit head is unsure, or sure of another type;
    # "unsure": only when it is unsure (an outage's words over a guess, but 停电两天了，另外卫生院乱收费 read sure of
    # 卫生健康 is two matters for a person to part)
    auto: bool | Literal["unsure"] = False
    urgent: bool = False  # the matter is an emergency whatever words tell it (a gas leak, a fire under way)
    # where the agent puts the caller through (a key of `RoutingRules.hand_over`: 119 for a fire under way), whatever
    # words tell it: a fire told as 着火了 named no line, while the rule's own note said to hand it over
    hand_over: str | None = None
    # what a person must find out before the rule's unit is dispatched (停水 with no place: the city's or a town's
    # water?); the ticket goes to review with it as the reason
    ask: str | None = None


class Rule(_Strict):
    id: str
    priority: int = 0
    note: str = ""
    when: When
    then: Then


class NotAcceptedRule(_Strict):
    id: str
    pattern: str
    reason: str
    refer_to: str
    # Regexes that veto the rule: `unless` within the sentence of the pattern's match (the caller asks how to go
    # about the channel, 请问行政复议在哪里申请; the case is over, 公司已经赔了), `unless_after` from that sentence to the
    # end (something new since a closed matter, 已经办结了。这周又堵了): a how-to question about another matter after
    # it (另外问一下失业金怎么申请) is no reason not to refer a case under way.
    unless: str | None = None
    unless_after: str | None = None
    # a regex searched in the pattern's match → the referral where it is found: a rule that covers several organs
    # named them all (人大常委会、政协办公室、人民法院或人民检察院、部队) to a caller who complained about a judge
    refer_by_match: dict[str, str] = {}

    def referral(self, matched: str) -> str:
        """Where to turn, for the words the pattern matched: the first `refer_by_match` entry found in them, else
        `refer_to`."""
        return next((to for words, to in self.refer_by_match.items() if re.search(words, matched)), self.refer_to)


class UrgentVeto(_Strict):
    """Where an urgent word's context says it is no emergency now, it does not flag the ticket: `before` is searched
    in the characters just before the word (一旦…, 以免…, a year), `sentence_before` in its sentence up to the word (a
    sentence that opens on yesterday and tells of nothing now, several clauses on: 昨天晚上我带我爸去急诊，…，老人家都疼得打滚了),
    `after` matched right after it (…隐患, …机). `still_after`, matched right after the word, says the danger goes on
    and lifts a veto `before` or `sentence_before` read (昨天就闻到煤气味，现在更大了: what began yesterday is now)."""

    before: str | None = None
    sentence_before: str | None = None
    after: str | None = None
    still_after: str | None = None


class Consultation(_Strict):
    """A question for information (咨询: how, where, what papers, how much) that an agent answers at once from the
    knowledge base (直接答复) rather than a work order for a unit: `pattern` (a regex) reads the question, `unless` (a
    regex, anywhere in the ticket) a complaint or a request to act that comes with it (态度差, 没到账, 为什么)."""

    pattern: str
    unless: str | None = None


class RoutingRules(_Strict):
    version: str
    rules: list[Rule] = []
    urgent_words: list[str] = []
    urgent_unless: UrgentVeto = UrgentVeto()
    # where to hand a life at risk over by phone (120 急救, 110, 119) → the words that say so, read as urgent words are
    hand_over: dict[str, list[str]] = {}
    # the unit (an id of the catalogue) that follows up a ticket handed over on a line, where no rule chose its unit by
    # its words and the unit head is unsure (see `decide`); a ticket put through on several lines follows the first of
    # them in this map's order (a road accident with the injured bleeding is 120's and 110's: the police follow it up)
    hand_over_units: dict[str, str] = {}
    # functional types whose unit, even read by a sure unit head, gives a ticket handed over on a line to that line's
    # unit and assists it: a school's matters are read from 学生 and 学校, but a pupil missing after evening study is the
    # police's to find and the school's to answer for (an education agent's round: four such calls led by 教育局)
    hand_over_assisting_types: list[str] = []
    not_accepted: list[NotAcceptedRule] = []
    # the local speech the rules read as the Mandarin they are written in: a 武冈 caller's 着火哒, 喝哒农药 is 了
    read_as: dict[Annotated[str, Field(min_length=1)], str] = {}
    consultation: Consultation | None = None  # none: no ticket is read as a question to answer at once

    def all_urgent_words(self) -> list[str]:
        """The words that flag a ticket urgent: a life at risk (`hand_over`) is urgent whichever list names it. Each
        is a regular expression, most of them a plain word (喝了农药); a pattern reads the ways a caller says it
        (喝了一瓶农药: 喝了?[^，。！？\\n]{0,4}农药)."""
        return list(dict.fromkeys([*self.urgent_words, *(w for words in self.hand_over.values() for w in words)]))

    def ordered(self) -> list[Rule]:
        return sorted(self.rules, key=lambda r: -r.priority)  # stable: equal priorities keep file order


def load_rules(path: Path | None = None, catalogue: Catalogue | None = None) -> RoutingRules:
    """Routing rules from JSON, checked against the catalogue: every type, unit id and regex must exist/compile."""
    if path is None:
        from appeal.config import get_settings

        path = get_settings().demo_dir / "routing_rules.json"
    catalogue = catalogue or load_catalogue()
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    try:
        rules = RoutingRules.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        said = (f"unknown key {first['loc'][-1]!r}, which would be ignored (the keys: appeal/demo/UNITS.md; a "
                "comment's key starts with _)" if first["type"] == "extra_forbidden" else first["msg"])
        raise InputError(f"{path}: {where}: {said}") from exc
    seen: set[str] = set()
    for i, rule in enumerate(rules.rules):
        where = f"{path}: rules[{i}] ({rule.id})"
        if rule.id in seen:
            raise InputError(f"{where}: duplicate rule id")
        seen.add(rule.id)
        rule.when.types = [_known_type(t, catalogue, where) for t in rule.when.types]
        rule.when.places = [_known_place(p, where) for p in rule.when.places]
        if rule.then.type:
            rule.then.type = _known_type(rule.then.type, catalogue, where)
        if rule.then.hand_over is not None and rule.then.hand_over not in rules.hand_over:
            raise InputError(f"{where}: then.hand_over {rule.then.hand_over!r} is not one of hand_over's lines "
                             f"({', '.join(rules.hand_over)})")
        for target in [rule.then.lead, *rule.then.assist]:
            if target not in (TOWNSHIP, DEPARTMENT) and catalogue.get(target) is None:
                raise InputError(f"{where}: {target!r} is neither township, department nor a unit id of the catalogue")
        _compile(rule.when.pattern, where)
        _compile(rule.when.unless, where)
    for line, unit_id in rules.hand_over_units.items():
        where = f"{path}: hand_over_units[{line!r}]"
        if line not in rules.hand_over:
            raise InputError(f"{where}: not one of hand_over's lines ({', '.join(rules.hand_over)})")
        if catalogue.get(unit_id) is None:
            raise InputError(f"{where}: {unit_id!r} is no unit id of the catalogue")
    rules.hand_over_assisting_types = [_known_type(t, catalogue, f"{path}: hand_over_assisting_types")
                                       for t in rules.hand_over_assisting_types]
    for i, refusal in enumerate(rules.not_accepted):
        _compile(refusal.pattern, f"{path}: not_accepted[{i}] ({refusal.id})")
        _compile(refusal.unless, f"{path}: not_accepted[{i}] ({refusal.id}) unless")
        _compile(refusal.unless_after, f"{path}: not_accepted[{i}] ({refusal.id}) unless_after")
        for words in refusal.refer_by_match:
            _compile(words, f"{path}: not_accepted[{i}] ({refusal.id}) refer_by_match")
    for word in rules.all_urgent_words():
        _compile(word, f"{path}: urgent word")
    _compile(rules.urgent_unless.before, f"{path}: urgent_unless.before")
    _compile(rules.urgent_unless.sentence_before, f"{path}: urgent_unless.sentence_before")
    _compile(rules.urgent_unless.after, f"{path}: urgent_unless.after")
    _compile(rules.urgent_unless.still_after, f"{path}: urgent_unless.still_after")
    if rules.consultation:
        _compile(rules.consultation.pattern, f"{path}: consultation.pattern")
        _compile(rules.consultation.unless, f"{path}: consultation.unless")
    return rules


def _known_type(name: str, catalogue: Catalogue, where: str) -> str:
    canonical = catalogue.types.canonical(name)
    if canonical is None:
        raise InputError(f"{where}: unknown functional type {name!r}")
    return canonical


def _known_place(place: str, where: str) -> str:
    """A kind of place, or the township a name or division code stands for now (a merged one's survivor)."""
    if place in PLACE_KINDS:
        return place
    if (found := find_jurisdiction("", place)) is None:
        raise InputError(f"{where}: when.places {place!r} is neither {', '.join(PLACE_KINDS)} nor a township of the "
                         "gazetteer (its name, 邓元泰镇, or its division code)")
    if found.former:  # read as its survivor, the rule would hold for the whole of it (a re-tester's round)
        raise InputError(f"{where}: when.places {place!r} names {found.former}, merged into {found.township}: name "
                         f"{found.township} for the whole of it (the place a ticket names is read as the township "
                         "it is part of now)")
    return found.township


def _compile(pattern: str | None, where: str) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise InputError(f"{where}: bad regex {pattern!r} ({exc})") from exc


def default_routing() -> tuple[Catalogue, RoutingRules]:
    """The configured pack's catalogue and rules (APPEAL_DEMO_DIR), loaded once per pack."""
    from appeal.config import get_settings

    return _routing(get_settings().demo_dir)


@lru_cache(maxsize=4)
def _routing(pack: Path) -> tuple[Catalogue, RoutingRules]:
    catalogue = pack_catalogue(pack)
    return catalogue, load_rules(pack / "routing_rules.json", catalogue=catalogue)


class UnitRef(BaseModel):
    id: str
    name: str
    functional_type: str
    level: str

    @classmethod
    def of(cls, unit: Unit) -> "UnitRef":
        return cls(id=unit.id, name=unit.name, functional_type=unit.functional_type, level=unit.level)


class PlaceRef(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # as Entry's
    township: str
    code: str
    matched: str
    method: str
    source: str
    village: str | None = None
    former: str | None = Field(None, description="the merged township the ticket named (水浸坪乡): `township` is the one "
                                                  "it is part of now")


class Refusal(BaseModel):
    rule: str
    reason: str
    refer_to: str


class RoutingDecision(BaseModel):
    status: Literal["accepted", "not_accepted"] = "accepted"
    decision: Literal["auto", "review"]
    lead: UnitRef | None = None
    assisting: list[UnitRef] = []
    functional_type: str | None = None
    topic: str | None = None
    jurisdiction: PlaceRef | None = None
    urgent: bool = False
    hand_over: list[str] = []  # `RoutingRules.hand_over` keys whose words the ticket says (120 急救, …)
    not_accepted: Refusal | None = None
    rule: str | None = Field(default=None, description="id of the rule that chose the lead unit, if any")
    consultation: bool = False  # `RoutingRules.consultation`: a question the agent answers, sent to review
    # what to find out from the caller before dispatch (in reasons too): the rule's `then.ask`, or the township of a
    # matter the township leads where none was read
    ask: str | None = None
    rules_version: str
    reasons: list[str] = []


@dataclass
class _Trace:
    """Reasons in the order they were found, and the causes that send the ticket to a human."""

    reasons: list[str] = field(default_factory=list)
    causes: set[str] = field(default_factory=set)
    _first: int = 0  # reasons put before the others, in the order they were found

    def note(self, reason: str, cause: str | None = None, *, first: bool = False) -> None:
        """`first`: what the agent must do now (put the caller through), read before the confidences (a night
        agent's round found it fourth to sixth)."""
        if first:
            self.reasons.insert(self._first, reason)
            self._first += 1
        else:
            self.reasons.append(reason)
        if cause:
            self.causes.add(cause)


def _head(trace: _Trace, name: str, prediction: HeadPrediction | None) -> None:
    if prediction is None:
        trace.note(f"无{name}预测 / no {name} head", cause=name if name == "unit" else None)
        return
    # the threshold said, to the four places the response gives confidences in: "0.88（低于阈值）" beside
    # "0.90（达到阈值）" left the agent guessing where the line was, and 0.886 under 0.889 read as 0.89 below
    places, threshold = (2, "") if prediction.threshold is None else (4, f" {prediction.threshold:.4f}")
    # both in Chinese and English, as every other reason line (a trainer's round)
    # Only the unit holds the dispatch up: the topic (诉求类别) files the ticket and does not choose who works it (a
    # dispatcher's round: 11 of 79 tickets waited for a person with the unit sure and right, the topic 0.8878 under
    # 0.8889); the agent checks an unsure topic without the work order waiting.
    sure = (f"达到阈值{threshold} / at or above threshold" if not prediction.review
            else f"低于阈值{threshold}，需人工 / below threshold" if name == "unit"
            else f"低于阈值{threshold}，请坐席核对类别，派单不等待 / below threshold: an agent checks it, the dispatch goes on")
    trace.note(f"{name}: {prediction.label} 置信度 {prediction.confidence:.{places}f}（{sure}）",
               cause=name if prediction.review and name == "unit" else None)


def _place_kind(place: Jurisdiction | None) -> str:
    return "none" if place is None else "street" if place.township.endswith("街道") else "town"


def _matches(rule: Rule, functional_type: str | None, text: str, place: Jurisdiction | None = None,
             confidence: float | None = None) -> str | None:
    """What made the rule match (a keyword, the regex match or the type), or None. `confidence`: the unit head's in
    `functional_type`, None where the type is no guess of it (the ticket named the unit it asks for)."""
    when = rule.when
    if when.types and functional_type not in when.types:
        return None
    if when.below is not None and (confidence is None or confidence >= when.below):
        return None
    if when.places and _place_kind(place) not in when.places and (place is None or place.township not in when.places):
        return None
    if when.unless and re.search(when.unless, text):
        return None
    if when.keywords or when.pattern:
        return _words_hit(when, text)
    return functional_type


def _words_hit(when: When, text: str) -> str | None:
    """The keyword or the regex match of `when` that `text` holds, its other conditions aside."""
    hit = next((k for k in when.keywords if k in text), None)
    if hit is None and when.pattern:
        found = re.search(when.pattern, text)
        hit = found.group(0) if found else None
    return hit


def _department(catalogue: Catalogue, functional_type: str, place: Jurisdiction | None, text: str,
                trace: _Trace) -> Unit | None:
    """The non-township unit of a type; a local branch of the jurisdiction first, then by keywords."""
    units = [u for u in catalogue.units_of_type(functional_type) if u.level != TOWNSHIP_LEVEL]
    local = [u for u in units if place and u.jurisdiction == place.township]
    units = local or [u for u in units if u.jurisdiction is None]
    if len(units) <= 1:
        return units[0] if units else None
    # the words of the matter, not a contact's (我的身份证号是[身份证号] chose the police bureau over the traffic police
    # by 身份证 for a licence to renew, and a placeholder alone did too: a transport agent's round)
    said = without_personal_data(text)
    hits = {u.id: [k for k in u.keywords if k in said] for u in units}
    best = max(units, key=lambda u: len(hits[u.id]))
    if sum(len(hits[u.id]) == len(hits[best.id]) for u in units) > 1:
        trace.note(f"{functional_type} 有多个单位，关键词无法区分，暂派 {best.name} / several units of the type",
                   cause="unit_choice")
    else:
        trace.note(f"{best.name}: 关键词 {'、'.join(hits[best.id])}")
    return best


def _target(spec: str, catalogue: Catalogue, functional_type: str | None, place: Jurisdiction | None, text: str,
            trace: _Trace) -> Unit | None:
    if spec == TOWNSHIP:
        return catalogue.township_unit(place.township) if place else None
    if spec == DEPARTMENT:
        return _department(catalogue, functional_type, place, text, trace) if functional_type else None
    return catalogue.get(spec)


def rule_text(text: str, rules: RoutingRules) -> str:
    """`text` as the routing rules read it: clause marks in their Chinese form, local words as `rules.read_as` says,
    a call's transcript with the caller's words first (`caller_first`: a rule that reads how a ticket opens)."""
    text = caller_first(chinese_clause_marks(text))
    for local, word in rules.read_as.items():
        text = text.replace(local, word)
    return text


def first_refusal(text: str, rules: RoutingRules) -> tuple[NotAcceptedRule, re.Match] | None:
    """The first `not_accepted` rule whose pattern `text` matches and whose `unless` does not veto it, with the
    match; None when none does."""
    text = rule_text(text, rules)
    return next(((r, found) for r in rules.not_accepted
                 if (found := re.search(r.pattern, text)) and not _refusal_vetoed(r, found, text)), None)


# A call that says it brings two matters (两个事情反映一下：第一个…第二个…): one unit was named, without a word, where the
# hospital's overcharging and the insurance's settlement were two bureaus' (a medical desk's round). Not 问题 (有两个问题想
# 问问 asks one unit two questions on the board as often), nor 这两件事 (what was said of them).
_SEVERAL_MATTERS = re.compile(r"(?<![这那上以])(两|二|几|三|2|3)(个|件)事(?!实)|(另外|还有)一?(个|件)事(?!实)")
SEVERAL_MATTERS = "来电含多项诉求，请逐项核对承办单位（需要时分别建单）/ the call holds several matters: check each one's unit"
# The caller withdrew the matter on the call (不投诉了, 灯又亮了那就不用了): no unit is to act, the agent closes it at
# the centre (a re-tester's round: 你们就不用派人了，我不投诉了 went `auto` to the city management bureau, which then held
# a ticket the centre had closed). In the first person: the board's one 撤回举报 is of staff made to withdraw theirs.
_WITHDRAWN = re.compile(r"不再?(投诉|反映|举报)了|(就|那就|你们就)?不用(派人|来人|再派人?|处理|管|麻烦你们)了|那就不用了|就不用了|"
                        r"算了算了|我们?(就|先)?(要|想)?(撤回|撤销|取消)(这个|我的|刚才的)?(投诉|诉求|工单|举报)")
_SENTENCE_MARKS = "。！？!?\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_MARKS}]")


def _refusal_vetoed(rule: NotAcceptedRule, found: re.Match, text: str) -> bool:
    start = max(text.rfind(mark, 0, found.start()) for mark in _SENTENCE_MARKS) + 1
    end = stop.start() if (stop := _SENTENCE_END.search(text, found.end())) else len(text)
    return ((rule.unless is not None and re.search(rule.unless, text[start:end]) is not None)
            or (rule.unless_after is not None and re.search(rule.unless_after, text[start:]) is not None))


_URGENT_CONTEXT = 16  # characters before an urgent word that its veto reads: about a clause
_MENDED_REACH = 40  # characters after it where a caller says it is mended (…漏气，燃气公司已经来修好了): two clauses


@lru_cache(maxsize=8)
def _urgent_patterns(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((word, re.compile(word)) for word in words)


def _said_now(pattern: re.Pattern[str] | str, text: str, veto: UrgentVeto) -> str | None:
    """What `pattern` first matches in `text` (as the rules read it) where `veto` does not read its context as no
    emergency now (上个月…着火了, 万一着火了, 拿着刀在路边杀鱼); None where it matches nowhere else. A first line that asks
    about the words (an agent's title: 燃气味怎么处理, 电梯困人打哪个电话) sums up what follows, which says whether they
    happen now (a re-tester's round: 燃气味怎么处理 over 要是家里万一闻到燃气味应该怎么处理 went `auto` to 119)."""
    said = _first_said(pattern, text, veto)
    first_line = text.split("\n", 1)[0]
    if said is not None and said.start < len(first_line) and _sums_up(first_line) and re.search(
            pattern, text[len(first_line):]):
        said = _first_said(pattern, text, veto, len(first_line))
    return said.text if said else None


# A line that asks rather than tells (…怎么办, …打哪个电话, …吗？)
_ASKS = re.compile(r"怎么|怎样|如何|哪个|哪里|找谁|什么|吗|[？?]")
# …or a headline that names the kind of matter (电梯困人, 燃气泄漏: an agent's or a platform's title), with no word of
# it happening now or of how it is (家里燃气味好大 tells)
_HEADLINE = re.compile(r"[^了啦快正现刚在还又着好很太！!救，,。\s]{2,12}")


def _sums_up(first_line: str) -> bool:
    """Whether a ticket's first line sums up what follows rather than telling it: a question or a headline."""
    return bool(_ASKS.search(first_line) or _HEADLINE.fullmatch(first_line.strip()))


@dataclass(frozen=True)
class _Said:
    text: str
    start: int


def _first_said(pattern: re.Pattern[str] | str, text: str, veto: UrgentVeto, start: int = 0) -> _Said | None:
    for found in re.compile(pattern).finditer(text, start):
        before, after = text[max(0, found.start() - _URGENT_CONTEXT) : found.start()], text[found.end() :]
        sentence = text[max(text.rfind(mark, 0, found.start()) for mark in _SENTENCE_MARKS) + 1 : found.start()]
        past = ((veto.before and re.search(veto.before, before)
                 or veto.sentence_before and re.search(veto.sentence_before, sentence))
                and not (veto.still_after and re.match(veto.still_after, after)))
        # a matter mended is no emergency now, whatever the rules' vetoes read (a utilities liaison's round: a gas main
        # the company had mended was put through to 119)
        if not (past or veto.after and re.match(veto.after, after) or says_it_is_mended(after[:_MENDED_REACH])):
            return _Said(found.group(0).strip(), found.start())  # 着火 at a title's end matches with the line break
    return None


def _rule_said_now(rule: Rule, text: str, rules: RoutingRules) -> bool:
    """Whether the words of `rule` occur in `text` somewhere the veto does not read them as past or supposed (a rule
    that names no words, only types, is said wherever it matches)."""
    said = [*map(re.escape, rule.when.keywords), *filter(None, [rule.when.pattern])]
    return not said or any(_said_now(pattern, text, rules.urgent_unless) is not None for pattern in said)


def emergency_rules(text: str, rules: RoutingRules) -> list[Rule]:
    """The rules that read an emergency to put through by its words alone (fire, gas leak, violence) where `text`
    says it now: what /v1/route puts through by its rule, also where no type is read (/v1/suggest gave no 119 for
    闻到煤气味怎么办, which every route put through: a night agent's round)."""
    text = rule_text(text, rules)
    return [rule for rule in rules.ordered()
            if rule.then.hand_over and not rule.when.types and (rule.when.keywords or rule.when.pattern)
            and _matches(rule, None, text) and _rule_said_now(rule, text, rules)]


def rules_of_lines(text: str, lines: Collection[str], rules: RoutingRules) -> list[Rule]:
    """The emergency rules of `lines` whose words `text` holds, their vetoes aside: the matters of a call put through
    on those lines, whose units' answers suit it (电梯困人了找谁？电梯老是坏… names 119 by its words while 老是 vetoes the
    lift rule, and its unit's 被困在电梯里怎么办 was filtered out with every other answer: a city-management desk's round)."""
    text = rule_text(text, rules)
    return [rule for rule in rules.ordered()
            if rule.then.hand_over in lines and not rule.when.types and _words_hit(rule.when, text) is not None]


@dataclass(frozen=True)
class EmergencySigns:
    """What a text names of emergencies, their vetoes aside: about what a question or an answer is, not whether it
    happens now (万一燃气泄漏了怎么处理 names 119 and gas-leak as 闻到燃气泄漏的味道怎么办 does)."""

    words: frozenset[str]  # the urgent words it holds, as the rules file writes them
    lines: frozenset[str]  # the lines (120 / 110 / 119) whose words or emergency rules it holds
    rules: frozenset[str]  # those emergency rules' ids


def emergency_signs(text: str, rules: RoutingRules) -> EmergencySigns:
    read = rule_text(text, rules)
    held = frozenset(word for word, pattern in _urgent_patterns(tuple(rules.all_urgent_words()))
                     if pattern.search(read))
    told = rules_of_lines(text, list(rules.hand_over), rules)  # which reads it as the rules do itself
    lines = {rule.then.hand_over for rule in told} | {line for line, words in rules.hand_over.items()
                                                      if held.intersection(words)}
    return EmergencySigns(held, frozenset(lines), frozenset(rule.id for rule in told))


def lines_to_put_through(urgent: dict[str, str], rules: RoutingRules) -> dict[str, list[str]]:
    """The lines of `rules.hand_over` (120 急救, …) whose words are among `urgent` (`urgent_words_in`, so read with the
    same veto), each with what the text said. A work order reaches a unit in hours: a life at risk now is the agent's
    to put through while the caller is on the line (喝了农药 was dispatched to the agriculture bureau, a child in the
    water to the township)."""
    lines = {}
    for refer_to, words in rules.hand_over.items():
        if found := [urgent[word] for word in words if word in urgent]:
            # what one word matched inside what another did is said once (a housing re-tester's reason read
            # 她说胸口闷、喘不上气、胸口闷、喘不上气)
            lines[refer_to] = [said for said in dict.fromkeys(found)
                               if not any(said != other and said in other for other in found)]
    return lines


def urgent_words_in(text: str, rules: RoutingRules) -> dict[str, str]:
    """The urgent words of `rules` (`all_urgent_words`) that occur in `text` somewhere their context
    (`urgent_unless`) does not veto, each with what it matched there."""
    text = rule_text(text, rules)
    patterns = _urgent_patterns(tuple(rules.all_urgent_words()))
    found = {}
    for word, pattern in patterns:
        if (said := _said_now(pattern, text, rules.urgent_unless)) is not None:
            found[word] = said
    first_line, _, body = text.partition("\n")
    if found and _sums_up(first_line) and any(pattern.search(body) for _, pattern in patterns) and not any(
            _said_now(pattern, body, rules.urgent_unless) for _, pattern in patterns):
        # a title that asks over a body that tells of the emergency only as supposed or past, in other words (老人晕倒
        # 怎么处理 / 如果家里老人突然晕倒了…我想提前了解一下: a social desk's round was told to put it through to 120), or a
        # headline over such a body (电梯困人 / …电梯经常坏，上个礼拜还困了人: a supervisor's round, put through to 119)
        return {}
    return found


# A channel named by one of these is a call the agent answered; any other (网站, 微信, 12345小程序, 短信) a written message.
# (12345 and 呼入 are how a platform names its calls, a re-tester's round; 现场 / 来访: the person is there)
_CALL_WORDS = ("电话", "热线", "来电", "语音", "12345", "呼入", "来话", "现场", "来访", "窗口", "phone", "call", "hotline",
               "voice", "walk")
_WRITTEN_WORDS = ("网", "微", "信", "短", "留言", "平台", "程序", "app", "web", "mail", "sms", "chat")


def _asks_for_information(text: str, rules: RoutingRules) -> str | None:
    """The words that ask for information where the ticket is a question (`RoutingRules.consultation`), else None."""
    asks = rules.consultation
    if asks is None or (asks.unless and re.search(asks.unless, text)):
        return None
    found = re.search(asks.pattern, text)
    return found.group(0) if found else None


def by_phone(channel: str | None) -> bool:
    """Whether a ticket of this channel is a call, the caller on the line while the agent types it (no channel
    given: a call)."""
    if channel is None or not channel.strip():
        return True
    named = channel.strip().lower()
    return any(word in named for word in _CALL_WORDS) and not any(word in named for word in _WRITTEN_WORDS)


def decide(
    prediction: Mapping[str, HeadPrediction],
    text: str,
    location: str | None = None,
    catalogue: Catalogue | None = None,
    rules: RoutingRules | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    channel: str | None = None,
) -> RoutingDecision:
    """Route one ticket. `prediction` is one item of `Predictor.predict` ({"topic": …, "unit": …}); `text` is
    the ticket's title and body; `location` its location field, if any; `channel` the one it came by (电话, 网站,
    微信…; none: a call, as the service has always read it). Catalogue and rules default to the demo pack."""
    if catalogue is None or rules is None:
        default_catalogue, default_rules = default_routing()
        catalogue, rules = catalogue or default_catalogue, rules or default_rules
    trace, text = _Trace(), rule_text(text or "", rules)
    # A masked ticket's placeholders are Chinese: "13807391234" alone, masked as [手机号], still says nothing.
    if not _HAN.search(without_placeholders(text)):
        trace.note("文本不含中文，需人工处理 / no Chinese text", cause="no_chinese")
    elif not text_names_a_matter(text):
        # 我要投诉，电话…: whatever the heads say about it, no unit can act on a ticket that does not say what is wrong
        trace.note("未说明诉求内容，需人工处理 / names no matter", cause="no_matter")

    topic, unit = prediction.get("topic"), prediction.get("unit")
    _head(trace, "topic", topic)
    _head(trace, "unit", unit)
    functional_type = catalogue.types.canonical(unit.label) if unit else None
    type_confidence = unit.confidence if unit else None
    asked = catalogue.types.asked_for(text) if unit else None
    if unit and functional_type is None:
        trace.note(f"unit 标签 {unit.label!r} 不在职能类型表中 / not a functional type", cause="unit")
    elif asked and asked[1] == functional_type:
        # the ticket asks for the unit the head read: no guess, however unsure (请应急管理局管一管 read 0.26)
        type_confidence = None
    elif asked and unit.review:
        # the unsure head's guess gives way to the unit the ticket names (a night agent's round: 请派出所出警 and
        # 去派出所办户口迁移 were proposed to the labour bureau); a person still confirms it
        trace.note(f"工单点名 {asked[0]}：按 {asked[1]} 建议（模型: {functional_type}，未确定）/ the ticket names the "
                   f"unit it asks for")
        functional_type, type_confidence = asked[1], None

    place = find_jurisdiction(text, location, gazetteer)
    named = sorted({m.township for m in scan_places(text, gazetteer)})
    # a location field naming another county (隆回县司马冲镇) is no township of ours, and was then read past
    location_elsewhere = places_elsewhere(normalize(location)) if location else []
    if location and location.strip() and (place is None or place.source != "location") and not location_elsewhere:
        # a platform still sending a division code the gazetteer lacks, or a field that names no township: said, or
        # the agent takes the text's township, or none, for the field's
        trace.note("地点字段未能识别为乡镇街道 / the location field names no township of the gazetteer")
    if place:
        trace.note(f"属地: {place.township}（{place.source}: “{place.matched}”, {place.method}）")
        if place.former:
            trace.note(f"原{place.former}已并入{place.township} / a former township, merged into {place.township}")
        in_text = [township for township in named if township != place.township]
        if place.source == "location" and in_text:
            # The field may hold the caller's address and the text the place of the matter, or the other way
            # round: the field still names the unit, and an agent checks which place the matter is in.
            trace.note(f"属地不一致: 地点为 {place.township}，正文提到 {' / '.join(in_text)} / location and text name "
                       "different townships", cause="jurisdiction")
        elif place.source != "location" and location_elsewhere:
            trace.note(f"属地不一致: 地点为 {'、'.join(location_elsewhere)}，正文提到 {place.township} / the location "
                       "names another county", cause="jurisdiction")
        elif also := places_elsewhere(text):
            # 我是湾头桥镇的，在洞口县竹市镇买的商品房: the caller's home is ours, the matter may be the other county's
            trace.note(f"属地待核实: 正文提到 {place.township}，也提到 {'、'.join(also)} / the text also names a place "
                       "outside the deployment's area", cause="jurisdiction")
    elif len(named) > 1:
        trace.note(f"属地不明确: 提到 {' / '.join(named)} / ambiguous jurisdiction")
    elif elsewhere := list(dict.fromkeys(location_elsewhere + places_elsewhere(text))):
        # A city unit would otherwise be dispatched a matter of another county without anyone looking.
        home = deployment_area().name  # 本市 would be wrong in a county's pack (新宁县)
        trace.note(f"可能非{home}事项: 提到 {'、'.join(elsewhere)}，未提到{home}乡镇街道；如事发外地，请告知来电人向当地 "
                   "12345 反映 / may be outside the deployment's area", cause="elsewhere")

    urgent = urgent_words_in(text, rules)
    if urgent:
        trace.note(f"紧急: 含安全类词语 {'、'.join(dict.fromkeys(urgent.values()))} / urgent")
    lines = lines_to_put_through(urgent, rules)
    for refer_to, found in lines.items():
        trace.note(f"如正在发生，请立即转接 {refer_to}（{'、'.join(found)}）/ a life at risk: hand over by phone",
                   cause="hand_over", first=True)
    hand_over = list(lines)

    base = dict(
        functional_type=functional_type,
        topic=topic.label if topic else None,
        jurisdiction=PlaceRef(township=place.township, code=place.code, matched=place.matched, method=place.method,
                              source=place.source, village=place.village, former=place.former) if place else None,
        urgent=bool(urgent),
        hand_over=hand_over,
        rules_version=rules.version,
    )
    refusal, found = first_refusal(text or "", rules) or (None, None)
    if refusal:
        refer_to = refusal.referral(found.group(0))
        trace.note(f"不予受理规则 {refusal.id}: “{found.group(0)}” — {refusal.reason}；请告知来电人: {refer_to}",
                   cause="not_accepted")
        # The units are still worked out: a refusal rule reads a phrase, the agent reads the matter, and a
        # ticket the agent accepts after all must not arrive without a unit.
        base |= dict(status="not_accepted",
                     not_accepted=Refusal(rule=refusal.id, reason=refusal.reason, refer_to=refer_to))

    rule, hit = next(((r, h) for r in rules.ordered()
                      if (h := _matches(r, functional_type, text or "", place, type_confidence))), (None, None))
    lead_spec, assist_specs, ask = DEPARTMENT, [], None
    # A ticket put through on a line whose unit the model read, unsure, from the matter's words (a missing child
    # 放学没回来 went to the forestry bureau, 喝农药 to agriculture) goes to the line's unit. A rule that reads the
    # ticket's words (gas leak, fire, violence) keeps its unit, and so does a sure unit head (an accident to 公安, a
    # lift to 市场监督管理), except one of `hand_over_assisting_types`, which assists; a rule that reads the type alone
    # (村级事项 to the township) gives way.
    line = next((named for named in rules.hand_over_units if named in hand_over), None)
    follows = catalogue.get(rules.hand_over_units[line]) if line else None
    assists = unit is not None and not unit.review and functional_type in rules.hand_over_assisting_types
    gives_way = unit is None or unit.review or assists
    if follows and (rule is None or not (rule.when.keywords or rule.when.pattern)) and gives_way:
        rule, lead_spec = None, follows.id
        if assists and (sure := _target(DEPARTMENT, catalogue, functional_type, place, text or "", trace)):
            assist_specs = [sure.id]
        trace.note(f"转接 {line} 的事项由 {follows.name} 跟进（模型: {functional_type}"
                   f"{'，协办' if assists else '，未确定'}）/ a ticket handed over is followed up by the line's unit")
        functional_type = base["functional_type"] = follows.functional_type
    if rule:
        # a rule that reads the type alone is as sure as the unit head that read the type: 自然资源和规划 at 0.23 sent a
        # 户口迁移 question to the natural-resources bureau under a line an agent took for a fixed rule
        by_type = not (rule.when.keywords or rule.when.pattern) and unit is not None
        read = f"单位类型 “{hit}”（模型 {unit.confidence:.4f}{'，未确定' if unit.review else ''}）" if by_type else f"“{hit.strip()}”"
        trace.note(f"规则 {rule.id}: {read}" + (f" — {rule.note}" if rule.note else ""))
        lead_spec, assist_specs, ask = rule.then.lead, rule.then.assist, rule.then.ask
        if ask:
            trace.note(ask, cause="rule_asks")
        # an emergency the rule names is one now only where its words are (上个月隔壁着火了 still goes to the fire
        # brigade, but no one is to be put through)
        # (read again only for a rule that names an emergency: most rules name none, and every route matches one)
        now = not (rule.then.urgent or rule.then.hand_over) or _rule_said_now(rule, text, rules)
        # nor does it dispatch by itself where its words read as past or supposed (要是倒下会打死人, 存在燃气泄漏的风险
        # went out to the police and the gas company unseen)
        auto = rule.then.auto and now
        if rule.then.auto and not auto:
            trace.note(f"规则 {rule.id} 的词语读作已过去或假设，需人工确认 / the rule's words read as past or supposed",
                       cause="rule_context")
        if rule.then.urgent and now and not base["urgent"]:
            base["urgent"] = True
            trace.note(f"紧急: 规则 {rule.id} / urgent by rule")
        if rule.then.hand_over and now:
            # no review cause: the rule's unit stands, the call is put through as well (着火了 names 119 as a word
            # too; another line its words name, a 120 for the injured, still wants a person)
            if rule.then.hand_over not in hand_over:
                hand_over.append(rule.then.hand_over)
                trace.note(f"如正在发生，请立即转接 {rule.then.hand_over}（规则 {rule.id}）/ hand over by phone",
                           first=True)
            if hand_over == [rule.then.hand_over]:
                trace.causes.discard("hand_over")
        if rule.then.type and rule.then.type != functional_type:
            trace.note(f"职能类型按规则改为 {rule.then.type}（模型: {functional_type}）")
            if unit and not unit.review and (not auto or rule.then.auto == "unsure"):
                # a phrase against a sure reading of the whole ticket (学生被同学打伤了，请教育局处理 is no violence
                # under way; 停电两天了，另外卫生院乱收费 is two matters): a person decides which is right
                trace.note(f"规则 {rule.id} 与模型不一致（模型以 {unit.confidence:.4f} 判为 {functional_type}），需人工确认 "
                           "/ the rule overrides a sure unit head", cause="rule_conflict")
            functional_type = base["functional_type"] = rule.then.type
        if auto and "unit" in trace.causes and unit is not None:
            # the explicit rule, not the unsure unit head, chose the unit; other review causes still stand, and the
            # reasons say so, where the unit line above says a person must decide (a model with no unit head sends
            # every ticket to a person: 超市…牛奶过期…拒绝退换 went `auto` to the 12315 seat by its rule alone)
            trace.causes.discard("unit")
            trace.note(f"unit: 由规则 {rule.id} 确定，单位无需人工确认 / the rule, not the unsure unit head, sets the unit")
        elif "unit" in trace.causes and not by_type and now and unit is not None and rule.then.type == unit.label:
            # two readings agree: the rule's words and the unit head's first choice (a utilities liaison's round: 15 of
            # 20 calls of one outage, 供电 at 0.51–0.80, waited for agents in the hour they were busiest)
            trace.causes.discard("unit")
            trace.note(f"unit: 规则 {rule.id} 的词语与模型的首选 {unit.label} 一致，单位无需人工确认 / the rule's words "
                       "confirm the unsure unit head's first choice")
        elif "unit" in trace.causes and by_type and rule.then.lead != DEPARTMENT and rule.when.below is None:
            # the head's readings this rule sends to one unit are one reading (a township liaison's round: 21 of 21
            # tickets sent to the township waited, the head torn between 村(居)委会 and 乡镇人民政府, both the township's)
            alike = [a for a in unit.alternatives if catalogue.types.canonical(a.label) in rule.when.types]
            joint = unit.confidence + sum(a.confidence for a in alike)
            if alike and unit.threshold is not None and joint >= unit.threshold:
                trace.causes.discard("unit")
                readings = " + ".join([unit.label, *(a.label for a in alike)])
                trace.note(f"unit: {readings} 合计 {joint:.4f}（达到阈值 {unit.threshold:.4f}），规则 {rule.id} 派往同一单位，"
                           "单位无需人工确认 / readings the rule sends to one unit are, together, sure")

    if _SEVERAL_MATTERS.search(text or ""):
        trace.note(SEVERAL_MATTERS, cause="several_matters")
    if not hand_over and (withdrawn := _WITHDRAWN.search(text or "")):
        trace.note(f"来电人表示撤回（“{withdrawn.group()}”）：坐席核实后本级办结（closed，写明办结意见），不派单 / the caller "
                   "withdrew it: the agent confirms and closes it at the centre, no unit gets it", cause="withdrawn")
    consultation = None if base["urgent"] or refusal else _asks_for_information(text or "", rules)
    if hand_over and not by_phone(channel):
        # A rule dispatches a gas leak or a fire by itself because the agent who typed the ticket has the caller on the
        # line to put through; a web or WeChat message has no one on the line (a shift leader's round: 网站 起火了 went
        # out `auto`, and no one phoned 119).
        trace.note(f"{channel} 来件，来件人不在线上：请坐席立即拨打 {'、'.join(hand_over)}，并回拨来件人 / not a call: an "
                   "agent phones the line now", cause="hand_over_unattended", first=True)

    if trace.causes & {"no_matter", "no_chinese"} and not hand_over:
        # no unit can act on a call that told nothing, whatever the heads guessed (a night agent's re-tester: 来电人未说明
        # 诉求即挂断 was proposed to the environment bureau as lead; a platform integrator's round: 😡😡😡😡 to the civil
        # affairs bureau, which a platform pre-filling its dispatch form would have sent it); a cry for help alone (救命)
        # keeps its line's unit
        lead, assist_specs = None, []
    elif (lead := _target(lead_spec, catalogue, functional_type, place, text or "", trace)) is None:
        if lead_spec == TOWNSHIP:
            # the places the text named, each township once, and a short name too common to be read alone (秦桥那边,
            # 家住大甸: a village of that name may be anywhere): the dispatcher need not reread the ticket
            said: dict[str, str] = {}
            for mention in scan_places(text or "", gazetteer, structured=True):
                said.setdefault(mention.code, mention.matched)
            named_places = f"（提到 {'、'.join(said.values())}）" if said else ""
            trace.note(f"该类事项须按属地派给乡镇街道，但未找到唯一属地{named_places}，需人工 / needs a jurisdiction",
                       cause="jurisdiction")
            # a field to act on (a school-season liaison's round: 村委会不给开贫困证明 came back with no lead and no
            # ask, and the ticket waited for someone to reread it)
            if ask is None:
                ask = JURISDICTION_ASK
                trace.note(ask)
        else:
            trace.note("目录中没有可派的承办单位，需人工 / no unit for this type", cause="no_unit")
    if consultation:
        # a policy desk's round: 19 of 57 questions (身份证补办, 高龄津贴, 个税汇算) went out as work orders; an agents'
        # round: 社保卡补办 and 失业金 went `auto` to the expert seat, which answers what the agent cannot
        to = (f"答不了再转 {lead.name}" if lead.level == SEAT_LEVEL else f"需单位办理时再派 {lead.name}") if lead \
            else "需单位办理时再派单"
        trace.note(f"咨询: “{consultation}” — 坐席可按知识库直接答复，{to} / a question for information: the agent answers "
                   "it from the knowledge base, and sends it on only if a unit must act", cause="consultation")
        base["consultation"] = True
    assisting: list[UnitRef] = []
    for spec in assist_specs:
        helper = _target(spec, catalogue, functional_type, place, text or "", trace)
        if helper is None:
            trace.note(f"协办 {spec} 无法确定（{'无属地' if spec == TOWNSHIP else '无单位'}），未加入")
        elif helper.id != (lead.id if lead else None) and helper.id not in {a.id for a in assisting}:
            assisting.append(UnitRef.of(helper))
    return RoutingDecision(
        decision="review" if trace.causes else "auto",
        lead=UnitRef.of(lead) if lead else None,
        assisting=assisting,
        rule=rule.id if rule else None,
        ask=ask,
        reasons=trace.reasons,
        **base,
    )
