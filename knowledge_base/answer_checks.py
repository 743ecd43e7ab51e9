"""What a curated answer should not state unchecked: the centre reads it to citizens as the unit's word, and a phone
number, fee, street address or deadline that is wrong (or made up, as sample content must never be) sends them to
the wrong place or the wrong amount. Such an answer is stored as written, and the trainer is told what to check."""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.pii import PII_TOKENS, PiiSpan, find_pii

# A number is read from its first digit only: tried from every digit of a long run, each pattern took seconds on an
# answer of 20,000 digits, holding every other request of the service meanwhile.
_SPECIFICS = {
    "a fee": re.compile(r"(?<![0-9０-９.])[0-9０-９]+(?:\.[0-9]+)?\s*(?:元|块钱)"),
    "an address": re.compile(r"[\u4e00-\u9fff]{1,8}(?:路|街|大道|巷)[0-9０-９]+号"),
    "a deadline": re.compile(r"(?<![0-9０-９一二三四五六七八九十两])[0-9０-９一二三四五六七八九十两]+\s*个?"
                             r"(?:工作日|自然日|日内|天内|个月内)"),
}
_PHONES = frozenset({"mobile", "landline"})


def _specifics(answer: str, spans: list[PiiSpan]) -> list[str]:
    found = [f"a phone number ({span.value})" for span in spans if span.kind in _PHONES][:1]
    found += [f"{what} ({match.group(0)})" for what, pattern in _SPECIFICS.items()
              if (match := pattern.search(answer))]
    return found


def _answer_lines(entry) -> list[str]:
    spans = find_pii(entry.answer)
    name, lines = entry.id or entry.question[:20], []
    if found := _specifics(entry.answer, spans):
        lines.append(f"{name}: the answer gives {', '.join(found)}; check it against the unit's published one")
    # an ID or card number, a plate, a name: a caller's, pasted from a ticket, which every agent would be shown
    if personal := sorted({PII_TOKENS[span.kind] for span in spans if span.kind not in _PHONES}):
        lines.append(f"{name}: the answer holds personal data ({'、'.join(personal)}); leave a caller's details out of "
                     "an answer every agent is shown")
    return lines


def specifics_warnings(entries: Iterable, most: int = 10) -> list[str]:
    """One line per curated answer among `entries` that states a phone number, fee, address or deadline, and one per
    answer that holds personal data; the first `most` of them, and one line counting the rest (a city's whole FAQ
    imported at once)."""
    lines = [line for entry in entries if entry.source == "faq" for line in _answer_lines(entry)]
    return lines[:most] + ([f"… and {len(lines) - most} more answers that give such details"] if len(lines) > most
                           else [])
