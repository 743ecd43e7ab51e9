"""The text of a ticket as the service stores, logs, routes and shows it: normalised and PII-masked."""
from __future__ import annotations

from pipeline.normalize import normalize
from pipeline.pii import mask_pii


def masked_text(text: str) -> str:
    return mask_pii(normalize(text)).text


def routing_text(title: str | None, body: str | None) -> str:
    """Masked title and body, each on its own line so that no place name or keyword is read across the join;
    a missing or blank part is left out."""
    return "\n".join(masked_text(p) for p in (title, body) if isinstance(p, str) and p.strip())
