"""The text of a ticket as the service stores, logs, routes and shows it: normalised and PII-masked."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from pipeline.canonical import canonical
from pipeline.normalize import normalize, strip_invisible, to_simplified
from pipeline.pii import mask_pii, mask_together


def masked_text(text: str, people: Iterable[str | None] = ()) -> str:
    """`people`: names the text's record gives for its author, masked wherever they occur (see `mask_pii`); None for
    a record that gives none."""
    return mask_pii(normalize(text), [normalize(person) for person in people if person]).text


def masked_parts(*parts: str | None, people: Iterable[str | None] = ()) -> list[str | None]:
    """The parts of one record (title, body, reply) each as `masked_text` gives it, except that a name one part
    introduces is masked in all of them; a part that is no text (None, a spreadsheet's NaN) is returned as it is."""
    return _masked_parts(parts, people, normalize)


def _masked_parts(parts: Sequence[str | None], people: Iterable[str | None], read: Callable[[str], str]) -> list:
    present = [read(part) for part in parts if isinstance(part, str)]
    masked = iter(m.text for m in mask_together(present, [read(person) for person in people if person]))
    return [next(masked) if isinstance(part, str) else part for part in parts]


def title_and_body(title: str | None, body: str | None) -> str:
    """Title and body each on its own line, so that no place name or keyword is read across the join; a missing or
    blank part (a spreadsheet's empty cell may arrive as NaN) is left out."""
    return "\n".join(p for p in (title, body) if isinstance(p, str) and p.strip())


def routing_text(title: str | None, body: str | None) -> str:
    """`title_and_body` of the masked title and body: the text routing reads."""
    return title_and_body(*masked_parts(title, body))


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
        title, body = _masked_parts((title, body), people, _as_read)
    return canonical(title, body, presegmented=presegmented, stopwords=stopwords)
