"""The text of a ticket as the service stores, logs, routes and shows it: normalised and PII-masked."""
from __future__ import annotations

from collections.abc import Iterable

from pipeline.normalize import normalize
from pipeline.pii import mask_pii


def masked_text(text: str, people: Iterable[str | None] = ()) -> str:
    """`people`: names the text's record gives for its author, masked wherever they occur (see `mask_pii`); None for
    a record that gives none."""
    return mask_pii(normalize(text), [normalize(person) for person in people if person]).text


def title_and_body(title: str | None, body: str | None) -> str:
    """Title and body each on its own line, so that no place name or keyword is read across the join; a missing or
    blank part (a spreadsheet's empty cell may arrive as NaN) is left out."""
    return "\n".join(p for p in (title, body) if isinstance(p, str) and p.strip())


def routing_text(title: str | None, body: str | None) -> str:
    """`title_and_body` of the masked title and body: the text routing reads."""
    return title_and_body(*(masked_text(p) if isinstance(p, str) else None for p in (title, body)))
