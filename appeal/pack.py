"""The pack a home is built from (APPEAL_DEMO_DIR): its FAQ and sample tickets in any format their readers take, read
whole before a first start builds anything, and the home's record of the pack it was built from (`pack.json`).

A home keeps what its first start took from the pack, the FAQ in its database and a model trained on the tickets,
while units, rules and area are read from the pack at every start. Started with another pack, or with the pack's
FAQ or tickets changed since, it served the first ones without a word: `pack_drift` says what it still serves of
them."""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pipeline.errors import InputError

RECORD_FILE = "pack.json"
# `updated_by` of the FAQ entries a first start imports: an entry still stamped so is the pack's, unedited since
BUILD_STAMP = "appeal serve (demo pack)"
ROUTING_FILES = ("units.csv", "functional_types.csv", "routing_rules.json")
_RECORD_KEYS = ("pack", "fingerprint", "files", "faq", "tickets", "model", "built_at")


@dataclass(frozen=True)
class Pack:
    directory: Path

    @property
    def faq(self) -> Path:
        from knowledge_base.files import ENTRY_SUFFIXES

        return _one_file(self.directory, "faq", "FAQ", ENTRY_SUFFIXES)

    @property
    def tickets(self) -> Path:
        from pipeline.records import TICKET_FORMATS

        return _one_file(self.directory, "tickets", "sample tickets", tuple(TICKET_FORMATS))

    def digests(self) -> dict[str, str]:
        """The SHA-256 of each file of the pack that is read, by name (the area files where the pack has its own)."""
        from pipeline.area import AREA_FILES

        names = [*ROUTING_FILES, *AREA_FILES, self.faq.name, self.tickets.name]
        return {name: _sha256(self.directory / name) for name in names if (self.directory / name).is_file()}


def _one_file(directory: Path, stem: str, what: str, suffixes: tuple[str, ...]) -> Path:
    """The pack's `stem` file in whichever format its reader takes (faq.csv as an office exports it, or faq.jsonl);
    two of them is a mistake, since either could be the one meant."""
    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory (APPEAL_DEMO_DIR?)")
    found = sorted(path for path in directory.iterdir()
                   if path.stem.lower() == stem and path.suffix.lower() in suffixes and path.is_file())
    if not found:
        names = [stem + suffix for suffix in suffixes]
        raise InputError(f"{directory}: no {what} file ({', '.join(names[:-1])} or {names[-1]})")
    if len(found) > 1:
        raise InputError(f"{directory}: {' and '.join(path.name for path in found)} are both its {what}: keep one")
    return found[0]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(digests: dict[str, str]) -> str:
    """One digest for a pack's files (`Pack.digests`), whatever directory they are in."""
    listing = "".join(f"{name}\t{digest}\n" for name, digest in sorted(digests.items()))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def read_pack(pack: Pack) -> tuple[list, dict[str, str]]:
    """The FAQ and the sample tickets read and checked as a first start uses them, before it builds anything.
    Returns the entries it imports and the pack's digests as read (for `record_build`, minutes later); the tickets
    are split as the default model's training splits them. Both files are found before either is read, so that a
    missing one is said at once."""
    from knowledge_base.files import read_entries
    from training.finetune import check_default_data

    digests = pack.digests()
    entries = read_entries(pack.faq)
    check_default_data(pack.tickets)
    return entries, digests


def record_build(home: Path, pack: Pack, digests: dict[str, str], model: str | None) -> None:
    """Write down in the home the pack it was built from: where it was, its files' `digests`, and the model the
    build trained on its tickets (None where a champion was there already)."""
    from models.atomic_dir import replacing_file

    record = {"pack": str(pack.directory.resolve()), "fingerprint": fingerprint(digests), "files": digests,
              "faq": pack.faq.name, "tickets": pack.tickets.name, "model": model,
              "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    with replacing_file(home / RECORD_FILE) as partial:
        partial.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def built_from(home: Path) -> dict | None:
    """The home's record of its pack; None for a home not built yet, or built by a release that kept none."""
    path = home / RECORD_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc}); restore it from a backup of the home") from None
    if not isinstance(record, dict) or any(key not in record for key in _RECORD_KEYS):
        raise InputError(f"{path}: not a record of the pack the home was built from (keys {', '.join(_RECORD_KEYS)}); "
                         "restore it from a backup of the home")
    return record


@dataclass
class Drift:
    """What a home still serves of the pack it was built from (`record`) that the configured one does not hold."""

    record: dict
    pack: Path
    faq: Path | None  # the configured pack's, None where it cannot be found (`problems` says why)
    tickets: Path | None
    fingerprint: str | None  # None where its FAQ or tickets cannot be found
    # FAQ entries the first start imported, unedited since, that the configured pack's FAQ lacks or words otherwise
    entries_not_in_pack: list[str] = field(default_factory=list)
    entries_not_in_kb: list[str] = field(default_factory=list)  # of the configured pack's FAQ
    model: str | None = None  # the champion, trained by the first start on tickets the configured pack does not hold
    problems: list[str] = field(default_factory=list)  # why the configured pack could not be compared in full

    def __bool__(self) -> bool:
        return bool(self.entries_not_in_pack or self.entries_not_in_kb or self.model)


def pack_drift(settings) -> Drift | None:
    """What the home of `settings` still serves of the pack it was built from that APPEAL_DEMO_DIR's pack does not
    hold; None where it serves nothing of the kind (or keeps no record). Only the FAQ and the model count: units,
    rules and area are read from the configured pack at every start. The FAQ is compared entry by entry only when
    its file changed, so that entries trainers edited since (no longer stamped by the first start) and entries added
    by hand count for nothing, and a FAQ brought in with `appeal kb import FILE --prune` ends the drift."""
    record = built_from(settings.home)
    if record is None:
        return None
    pack = Pack(settings.demo_dir)
    problems: list[str] = []
    faq, tickets = _found(lambda: pack.faq, problems), _found(lambda: pack.tickets, problems)
    digests = {} if problems else pack.digests()

    def changed(path: Path | None, kind: str) -> bool:
        return path is None or (digests.get(path.name) or _sha256(path)) != record["files"].get(record[kind])

    drift = Drift(record, pack.directory, faq, tickets, fingerprint(digests) if digests else None, problems=problems)
    if changed(faq, "faq"):
        drift.entries_not_in_pack, drift.entries_not_in_kb = _faq_drift(settings.db_url, faq, problems)
    if changed(tickets, "tickets"):
        drift.model = _first_model_serving(settings, record["model"])
    return drift if drift else None


def _found(locate, problems: list[str]) -> Path | None:
    try:
        return locate()
    except InputError as exc:
        problems.append(str(exc))
        return None


def _faq_drift(db_url: str, faq: Path | None, problems: list[str]) -> tuple[list[str], list[str]]:
    """(ids of the first start's entries, unedited, that `faq` lacks or words otherwise; ids of `faq`'s entries that
    the knowledge base lacks and nobody deleted from it)."""
    from sqlalchemy.exc import OperationalError

    from knowledge_base.files import ReadWarning, read_entries
    from knowledge_base.store import EntryStore, known_to, question_key

    entries = []
    if faq is not None:
        try:
            with warnings.catch_warnings():  # said by the import that reads it; at every start it would be noise
                warnings.simplefilter("ignore", ReadWarning)
                entries = read_entries(faq)
        except InputError as exc:
            problems.append(str(exc))
    try:
        store = EntryStore(db_url)
        try:
            stored, deleted = store.all(), store.deleted()
        finally:
            store.close()
    except OperationalError as exc:  # a database down at start: the service routes without it, and so starts
        problems.append(f"the knowledge base cannot be read to compare it with the pack's FAQ ({exc.orig})")
        return [], []
    in_pack = {key: entry for entry in entries for key in (entry.id, question_key(entry.source, entry.question))}

    def held(entry) -> bool:
        given = in_pack.get(entry.id) or in_pack.get(question_key(entry.source, entry.question))
        return given is not None and all(getattr(given, name) == getattr(entry, name)
                                         for name in given.model_fields_set - {"id"})

    known = known_to(stored, deleted)  # an entry trainers deleted is no drift: it is gone on purpose
    return ([entry.id for entry in stored if entry.updated_by == BUILD_STAMP and not held(entry)],
            [entry.id for entry in entries if not known(entry)])


def _first_model_serving(settings, model: str | None) -> str | None:
    """`model` where it is still the champion."""
    from models.registry import Registry

    try:
        champion = Registry(settings.registry_dir).champion()
    except InputError:  # a damaged pointer: said at start by itself (`_warn_if_no_model`)
        return None
    return model if model is not None and champion is not None and champion[0] == model else None
