"""Parsing of record text shared by every file reader (tickets, knowledge-base entries)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from pipeline.errors import InputError


def jsonl_objects(text: str, source: str | Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank line; a line that is not a JSON object is refused, named."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(record, dict):
            raise InputError(f"{source}: line {number}: expected a JSON object, got {type(record).__name__}")
        yield number, record
