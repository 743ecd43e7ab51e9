"""The text of a ticket as the service stores, logs, routes and shows it: normalised and PII-masked."""
from __future__ import annotations

from collections.abc import Iterable

from pipeline.canonical import canonical
from pipeline.normalize import normalize, strip_invisible, to_simplified
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


def _as_read(text: str) -> str:
    return to_simplified(strip_invisible(text))


def model_text(title: str | None, body: str | None, *, presegmented: bool = False,
               stopwords: frozenset[str] | None = None, people: Iterable[str | None] = ()) -> str:
    """What every model reads, in training and in service alike: `canonical` of the title and body with their
    personal data masked first (13807391234 → 手机号), so that a caller's number or name never becomes a word of a
    model's vocabulary (the TF-IDF half keeps every word seen in two tickets, and a caller who rings twice gives his
    number twice). Masked as written, not normalised (the recipe keeps full-width punctuation), but in Simplified
    characters and without invisible ones, as `canonical` reads it: the names are recognised by Simplified surnames
    and titles (我叫張建國 reached the models as 张建国), and a zero-width space inside a number hid it from the
    masking until `canonical` deleted it and joined the digits. Pre-segmented text is canonical already and passes
    unchanged, as in `canonical`."""
    if not presegmented:
        named = [_as_read(person) for person in people if person]
        title, body = (mask_pii(_as_read(part), named).text if isinstance(part, str) else part
                       for part in (title, body))
    return canonical(title, body, presegmented=presegmented, stopwords=stopwords)
