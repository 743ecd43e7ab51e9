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
from pipeline import mask_pii, normalize  # noqa: E402

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
]


def main() -> None:
    print("| function | input | seconds |\n|---|---|---:|")
    for function, what, run in CASES:
        started = time.perf_counter()
        run()
        print(f"| {function} | {what} | {time.perf_counter() - started:.3f} |")


if __name__ == "__main__":
    main()
