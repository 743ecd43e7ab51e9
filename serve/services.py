"""Everything a request needs, built once per process: the model, the knowledge base, the feedback store, the
repeat check.

Construction is cheap; `warm_up` does the loading (model session, tokenizer, index), like a Haystack
component, so the app answers /healthz at once and /readyz turns ready when loading has finished.
"""
from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from appeal.config import Settings
from appeal.database import LastWrite
from knowledge_base.kb import E5Encoder, KnowledgeBase, encoder_dir, load_encoder
from knowledge_base.repeats import Repeats
from models.registry import Registry
from pipeline.errors import InputError
from serve.errors import ErrorCode
from serve.model_holder import LoadedModel, ModelHolder
from serve.metrics import ServeMetrics
from serve.routing import route_tickets
from serve.schemas import TicketIn
from training.feedback_store import FeedbackStore

log = logging.getLogger("appeal.serve")
# As the request body gives it (validated when used, not at import: validation reads the settings, and a bad
# APPEAL_* value met inside it was reported as this ticket's error, with the value — a database password — in it).
# A name after a role loads the name tagger (jieba's part-of-speech tables, ~5 s), which the first ticket naming a
# relative or an official otherwise waited for.
WARM_UP_TICKET = {"title": "路灯不亮", "text": "某小区门口路灯坏了一个月，物业经理李建国不管，晚上出行不便，请尽快维修。"}


class NotReady(RuntimeError):
    pass


def _dense_encoder(settings: Settings) -> E5Encoder | None:
    """The e5 encoder `appeal serve` builds in the service's home; without it suggestions come from BM25 alone
    (said once in the log and in /readyz), because a missing encoder must not keep the service from routing."""
    try:
        return load_encoder(encoder_dir(settings), build=False)
    except InputError as exc:
        log.warning("dense retrieval off, suggestions use BM25 only: %s", exc)
        return None


def _said_briefly(exc: Exception) -> str:
    """The error's first line only: /readyz answers without a key, and a database error's next lines are its SQL."""
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


class Services:
    def __init__(self, settings: Settings, metrics: ServeMetrics):
        self.settings = settings
        self.metrics = metrics
        self.models = ModelHolder(Registry(settings.registry_dir), threads=settings.onnx_threads)
        self.feedback = FeedbackStore(settings.db_url)
        encoder = _dense_encoder(settings)
        self.kb = KnowledgeBase(settings.db_url, encoder=encoder)
        # the writes of the ticket log, agents' answers and knowledge-base edits: one database, one outcome
        self.last_write = LastWrite()
        self.repeats = Repeats.configured(settings, encoder=encoder, last_write=self.last_write)
        metrics.unsaved.set_function(lambda: self.repeats.unsaved)
        self.kb_loaded = False
        self.warmed = False
        self.error: str | None = None
        self.error_code: ErrorCode = "loading"  # what a call refused while `error` holds is told (`ErrorOut.code`)

    def warm_up(self) -> None:
        try:
            self.kb.warm_up()
            # Reading only: the forgetting of expired tickets, a write, is `write_waiting`'s, since a database that
            # could not be written at start (read-only, locked) kept every ticket from being routed.
            self.repeats.sync()
            self.kb_loaded = True
            self.models.sync()
            self._model_changed()
        except Exception as exc:  # noqa: BLE001 — reported by /readyz; the process stays up to say why, and tries again
            error = _said_briefly(exc)
            if error != self.error:  # the traceback once, not at every attempt
                log.exception("warm-up failed; trying again")
            self.error = error
            # Said apart from a first load: a model that cannot be loaded (its files damaged, its directory or the
            # champion pointer deleted) or a database page that cannot be read answered "loading" for ever, a wait a
            # platform sits out.
            if isinstance(exc, SQLAlchemyError):
                self.error_code = "database_unavailable"
            elif self.kb_loaded and self.models.current is None:
                self.error_code = "model_unavailable"
            else:
                self.error_code = "unavailable"

    def _model_changed(self) -> None:
        self.metrics.set_model(self.model.version, self.model.kind)
        # One full pass loads everything lazy (segmenter dictionaries, converters, gazetteer, unit catalogue,
        # routing rules) before the service says it is ready, so no request pays for it.
        route_tickets([TicketIn.model_validate(WARM_UP_TICKET)], self.model, self.kb, self.settings.suggestions_k,
                      self.repeats, zone=self.settings.zone, weak_below=self.settings.route_weak_below)
        self.warmed = True
        if self.kb_loaded:
            self.error = None

    def write_waiting(self) -> None:
        """Called periodically: writes the routed tickets held in memory and forgets expired ones, without waiting for
        a ticket to come and do it, so that /readyz says the database is written again as soon as it is."""
        failing = self.last_write.error is not None
        try:
            self.repeats.flush()
        except Exception as exc:  # noqa: BLE001 — the loop that calls it must outlive any one failed write
            if not failing:  # once when writes start failing, not every few seconds of an outage
                log.warning("database not written (routed tickets wait in memory, expired ones are forgotten "
                            "later): %s", _said_briefly(exc))

    def database_state(self) -> tuple[str, str | None]:
        """The database as /readyz says it, and why: "unavailable" when it cannot be read, "unwritable" when it is read
        but its last write failed or routed tickets wait for it. Routing goes on either way (the ticket log waits
        in memory), so readiness does not hang on it, but agents' answers and knowledge-base edits are refused."""
        try:
            self.feedback.check()
        except Exception as exc:  # noqa: BLE001 — said by /readyz, which must answer whatever the database does
            return "unavailable", _said_briefly(exc)
        failed, held = self.last_write.error, self.repeats.unsaved
        if failed is None and not held:
            return "ok", None
        why = [_said_briefly(failed)] if failed is not None else []
        if held:
            why.append(f"{held} routed tickets wait in memory")
        return "unwritable", "; ".join(why)

    @property
    def retrieval(self) -> str:
        return "hybrid" if self.kb.encoder is not None else "bm25"

    @property
    def ready(self) -> bool:
        return self.kb_loaded and self.warmed and self.models.current is not None

    @property
    def model(self) -> LoadedModel:
        current = self.models.current
        if current is None:
            raise NotReady(self.error or "model not loaded yet")
        return current

    def reload(self) -> tuple[LoadedModel | None, bool]:
        previous, changed = self.models.sync()
        if changed:
            self._model_changed()
        return previous, changed

    def watch_once(self) -> None:
        """Called periodically: picks up a newly promoted champion."""
        if self.models.sync_quietly():
            self._model_changed()

    def close(self) -> None:
        self.feedback.close()
        self.kb.close()
        self.repeats.close()
