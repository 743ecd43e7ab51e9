"""bench/RESULTS.md: each bench script owns one "## " section and rewrites only that one."""
from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(heading: str, body: str, path: Path = RESULTS) -> None:
    """Replace the text under `heading` up to the next "## " heading, or append the section. The heading is matched
    as a whole line: a section that cites another (see ## Repeat appeals, the e5 method) inside a line had the cited
    section written over the citing one's rest."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmark results\n"
    section = f"{heading}\n\n{body.strip()}\n"
    if found := re.search(f"^{re.escape(heading)}$", text, re.MULTILINE):
        end = text.find("\n## ", found.end())
        text = text[:found.start()] + section + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
