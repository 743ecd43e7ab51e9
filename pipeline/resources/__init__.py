"""Bundled data files (dictionaries, stopwords); a package so that wheels carry them."""
from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).parent

def read_dictionary(path: Path) -> list[tuple[str, str | None]]:
    """(word, part-of-speech tag) per line "word [tag]"; lines starting with # are comments. jieba's own
    loader has no comments, and the files say where their words come from."""
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                word, _, tag = line.partition(" ")
                entries.append((word, tag.strip() or None))
    return entries
