"""Crafted texts a caller could send to hold the service: each function that reads a ticket or an answer, timed on
the input that made it slowest (a security review of 2026-12-01 found them). Every one of these runs while a request
is read, and a regular expression holds the interpreter lock, so its time is every other request's wait too.

    python3 bench/hostile_inputs.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge_base.answer_checks import specifics_warnings  # noqa: E402
from knowledge_base.store import EntryIn  # noqa: E402
from pipeline import mask_pii, model_text, normalize  # noqa: E402
from pipeline.segment import tokens_for_search  # noqa: E402
from pipeline.ticket_text import says_reported_before  # noqa: E402
from knowledge_base.dispatch import default_routing, urgent_words_in  # noqa: E402

CASES = [
    ("normalize", "20,000 chars: &amp; layers, then unclosed <!--",
     lambda: normalize("&" + "amp;" * 8 + "lt;" + "<!--" * 4998)),
    ("normalize", "20,000 chars: unclosed <script>", lambda: normalize("<script>" * 2500)),
    ("mask_pii", "a name repeated 10,000 times", lambda: mask_pii("联系人：张三。" + "张三" * 10000)),
    ("mask_pii", "an author's name repeated 10,000 times", lambda: mask_pii("ab" * 10000, ["ab"])),
    ("answer checks", "an answer of 20,000 digits", lambda: specifics_warnings(
        [EntryIn(question="问", answer="1" * 20000, unit="单位")])),
    ("answer checks", "an answer of 20,000 一", lambda: specifics_warnings(
        [EntryIn(question="问", answer="一" * 20000, unit="单位")])),
    # jieba's HMM over a run of single characters (an integrator's round: 路 × 20,000 routed in 5 s)
    ("model_text", "20,000 × 路 (the model's input)", lambda: model_text(None, "路" * 20000)),
    ("tokens_for_search", "20,000 × 路 (BM25's terms)", lambda: tokens_for_search("路" * 20000)),
    # a name's cue tagged anew each time, and digits tried from each digit (a re-tester's round: 62 s for one route)
    ("mask_pii", "我叫 × 10,000", lambda: mask_pii("我叫" * 10000)),
    ("mask_pii", "我叫张三 × 5,000", lambda: mask_pii("我叫张三" * 5000)),
    ("says_reported_before", "20,000 digits", lambda: says_reported_before("1" * 20000)),
    ("routing rules", "20,000 digits", lambda: urgent_words_in("1" * 20000, default_routing()[1])),
]


def main() -> None:
    mask_pii("联系人：张三"), model_text(None, "路灯"), tokens_for_search("路灯")  # jieba loads once, not in a case
    urgent_words_in("路灯", default_routing()[1])
    print("| function | input | seconds |\n|---|---|---:|")
    for function, what, run in CASES:
        started = time.perf_counter()
        run()
        print(f"| {function} | {what} | {time.perf_counter() - started:.3f} |")


if __name__ == "__main__":
    main()
