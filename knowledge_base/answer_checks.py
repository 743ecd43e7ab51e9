"""What a curated answer should not state unchecked: the centre reads it to citizens as the unit's word, and a phone
number, fee, street address or deadline that is wrong (or made up, as sample content must never be) sends them to
the wrong place or the wrong amount. Such an answer is stored as written, and the trainer is told what to check; a
phone number its clause names a citizen's (`citizens_phones`) is refused, as a caller's details are."""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.pii import PII_TOKENS, PiiSpan, find_pii

# A number is read from its first digit only: tried from every digit of a long run, each pattern took seconds on an
# answer of 20,000 digits, holding every other request of the service meanwhile.
_SPECIFICS = {
    ("费用", "a fee"): re.compile(r"(?<![0-9０-９.])[0-9０-９]+(?:\.[0-9]+)?\s*(?:元|块钱)|(?<![一二三四五六七八九十百千两])"
                        r"[一二三四五六七八九十百千两]+\s*(?:元(?!旦|月|素|宵)|块钱)"),
    ("地址", "an address"): re.compile(r"[\u4e00-\u9fff]{1,8}(?:路|街|大道|巷)[0-9０-９]+号"),
    # 人社 answers live by them: 1年内 for a work injury, the arbitration 时效 of a year, 每年6月30日前 for a check
    # …and a day it ends on: 集中缴费期截至2026年12月31日 (a knowledge-base editor's round: 两周内 was named, this not)
    ("期限", "a deadline"): re.compile(r"(?<![0-9０-９一二三四五六七八九十两])[0-9０-９一二三四五六七八九十两]+\s*个?"
                                     r"(?:工作日|自然日|日内|天内|个月内|年内|周内|小时内)"
                                     r"|时效[^，。；\n]{0,6}?[0-9０-９一二三四五六七八九十两]+\s*个?(?:年|月|日)"
                                     r"|(?<![0-9０-９])[0-9０-９]{1,2}月[0-9０-９]{1,2}日(?:前|之前|以前)"
                                     r"|(?:截至|截止)[^，。；\n]{0,4}?(?:[0-9０-９]{4}年)?[0-9０-９]{1,2}月[0-9０-９]{1,2}日"),
}
_PHONES = frozenset({"mobile", "landline"})
# A citizen named in a phone number's clause (市民刘女士（电话…）反映的问题已修复, 经联系投诉人（…）): the number is theirs,
# pasted from a ticket. Not an institution named after its people (村民委员会, 城乡居民医保, 市民热线), nor a
# number the clause tells them to call (居民可拨打…, 业主可联系物业…): an office's, as 联系人：王科长 138… is.
_CITIZEN = re.compile(r"(?:市民|群众|来电人|反映人|投诉人|举报人|网友|业主|村民|居民|当事人|求助人|诉求人)"
                      r"(?!委员会|委会|大会|小组|代表|服务|中心|之家|热线|来访|医保|医疗|养老|小区|区|楼)"
                      # nor a street's name read across a city's (台北市民权东路145号电话：…, an office's address)
                      r"(?![\u4e00-\u9fff]{0,4}[路街巷])")
_CALLED = re.compile(r"拨打|致电|联系(?!电话|方式|号码)|咨询|垂询")
_CLAUSE_ENDS = "，,。；;！!？?\n"
# A clause that is only a number's label goes on with the one before it: 投诉人：刘女士，联系电话：138…
_LABEL_ONLY = re.compile(r"\s*(?:联系)?(?:电话|手机|手机号码?|方式|号码)\s*[：:]?\s*")


def citizens_phones(answer: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """The phone numbers among `spans` (`find_pii` of `answer`) whose clause names them a citizen's, after 市民, 投诉人,
    业主 … with no word of calling (拨打, 联系 …) between."""
    found = []
    for span in spans:
        if span.kind in _PHONES:
            start = _clause_start(answer, span.start)
            if _LABEL_ONLY.fullmatch(answer, start, span.start) and start > 0:
                start = _clause_start(answer, start - 1)
            clause = answer[start : span.start]
            named = [match.end() for match in _CITIZEN.finditer(clause)]
            if named and not _CALLED.search(clause, named[-1]):
                found.append(span)
    return found


# …and the person a case was about, named right after the word for them: no official is (a privacy officer's round:
# 经调查，投诉人陈卫东反映…属实 was saved with a warning and suggested to every agent, a whistle-blower named).
# (Not 市民 or 群众: the real Taipei FAQ holds 市民广场前举办「市民童乐会」, which masking reads as a name. A villager is
# named so: 可直接找村民李满仓…电话138… was saved with a warning and suggested to every agent, a knowledge-base editor's
# round.)
_NAMED_CITIZEN = re.compile(r"(?:来电人|反映人|投诉人|举报人|控告人|信访人|受害人|当事人|求助人|诉求人|申请人|村民|居民|患者|病人|死者|伤者|嫌疑人"
                            r"|车主|母亲|父亲|儿子|女儿|妻子|丈夫|弟媳|儿媳|嫂子)[：:\s]?$")


def citizens_names(answer: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """The names among `spans` (`find_pii` of `answer`) right after a word for a citizen (投诉人, 患者 …)."""
    return [span for span in spans if span.kind == "name" and _NAMED_CITIZEN.search(answer, 0, span.start)]


def _clause_start(text: str, end: int) -> int:
    return max(text.rfind(mark, 0, end) for mark in _CLAUSE_ENDS) + 1


_SHOWN = 3  # values named per kind: a trainer checks each, and the second number was the private mobile


def _named(what: tuple[str, str], values: list[str]) -> tuple[str, str]:
    """What an answer gives, in Chinese and in English: its kind and the first `_SHOWN` values."""
    values = list(dict.fromkeys(values))
    more = len(values) - _SHOWN
    return (f"{what[0]}（{'、'.join(values[:_SHOWN])}{f' 等 {len(values)} 处' if more > 0 else ''}）",
            f"{what[1]} ({', '.join(values[:_SHOWN])}{f' and {more} more' if more > 0 else ''})")


def _specifics(answer: str, spans: list[PiiSpan]) -> list[tuple[str, str]]:
    found = []
    if lines := [span.value for span in spans if span.kind == "landline"]:
        found.append(_named(("电话号码", "a phone number"), lines))
    if mobiles := [span.value for span in spans if span.kind == "mobile"]:
        # an office answers on a landline: a mobile number is a person's, and every agent reads it out
        zh, en = _named(("手机号码", "a mobile number"), mobiles)
        found.append((zh + "（是个人手机，不是单位电话？）", en + " (a person's phone, not an office's line?)"))
    for what, pattern in _SPECIFICS.items():
        if values := [match.group(0) for match in pattern.finditer(answer)]:
            found.append(_named(what, values))
    return found


def curated_pii(text: str) -> list[PiiSpan]:
    """`find_pii` as a curated entry is read: a web address is a citizen's to mask in a ticket, but an entry may name
    the city's site."""
    return [span for span in find_pii(text) if span.kind != "url"]


# An answer an agent reads out on a call: the real Taipei FAQ's are under 621 characters in 95 of 100 (a knowledge-base
# editor's round saved one of 5,088 without a word).
LONG_ANSWER = 1000
# …and one with something to read out: a trainer's round saved "x" over an answer, a slip, without a word
SHORT_ANSWER = 2  # characters of text (汉字, letters, digits)


def _curated_lines(entry) -> list[str]:
    spans = curated_pii(entry.answer)
    name, lines = entry.id or entry.question[:20], []
    if found := _specifics(entry.answer, spans):
        lines.append(f"{name}: 答复给出{'、'.join(zh for zh, _ in found)}，请与单位公布的核对 / the answer gives "
                     f"{', '.join(en for _, en in found)}; check it against the unit's published one")
    # an ID or card number, a plate, a name: a caller's, pasted from a ticket, which every agent would be shown
    if personal := sorted({PII_TOKENS[span.kind] for span in spans if span.kind not in _PHONES}):
        lines.append(f"{name}: 答复含个人信息（{'、'.join(personal)}）：来电人的请删去，单位联系人的请核对 / the answer "
                     f"holds personal data ({'、'.join(personal)}): a caller's must not stay in an answer every agent "
                     "is shown; check an office's contact")
    if (said := sum(ch.isalnum() for ch in entry.answer)) < SHORT_ANSWER:
        lines.append(f"{name}: 答复只有 {said} 个字，坐席无可读给来电人，是否误存 / the answer holds {said} character(s) of "
                     "text, nothing an agent can read out: saved by mistake?")
    if len(entry.answer) > LONG_ANSWER:
        lines.append(f"{name}: 答复有 {len(entry.answer)} 字，坐席在电话中读不完，请精简 / the answer has "
                     f"{len(entry.answer)} characters, more than an agent reads out on a call: shorten it")
    return lines


def specifics_warnings(entries: Iterable, most: int = 10) -> list[str]:
    """One line per curated answer among `entries` that states a phone number, fee, address or deadline, one per
    answer that holds personal data and one per answer under `SHORT_ANSWER` characters of text or over `LONG_ANSWER`;
    the first `most` of them, and one line counting the rest (a city's whole FAQ imported at once)."""
    lines = [line for entry in entries if entry.source == "faq" for line in _curated_lines(entry)]
    return first_lines(lines, most, "答复如此", "answers that give such details")


def first_lines(lines: list[str], most: int, more_zh: str, more_en: str) -> list[str]:
    """The first `most` of a check's warning lines, and one counting the rest (a city's whole FAQ imported at once
    would hide the import's result): …另有 3 条{more_zh} / … and 3 more {more_en}."""
    rest = len(lines) - most
    return lines[:most] + ([f"…另有 {rest} 条{more_zh} / … and {rest} more {more_en}"] if rest > 0 else [])
