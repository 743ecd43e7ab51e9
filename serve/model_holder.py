"""The model that answers now, and how it is replaced without a restart.

A request reads `holder.current` once and uses that object to the end, so a swap never changes a model under a
running request; the old ONNX session is freed when its last request drops the reference. Loading the new version
happens before the swap, off the request path, and a version that fails to load leaves the old one serving.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from models.predictor import Predictor, load_predictor
from models.registry import Registry, changed_since_added
from pipeline.errors import InputError

log = logging.getLogger("appeal.serve")


class ModelLoadError(RuntimeError):
    def __init__(self, version: str, message: str):
        super().__init__(message)
        self.version = version


@dataclass(frozen=True)
class LoadedModel:
    version: str
    path: Path
    predictor: Predictor

    @property
    def kind(self) -> str:
        return self.predictor.card.kind


class ModelHolder:
    def __init__(self, registry: Registry, threads: int):
        self.registry = registry
        self.threads = threads
        self.current: LoadedModel | None = None
        self._load_lock = threading.Lock()
        # A champion that failed to load is not retried on every poll, only when the pointer moves on.
        self._failed: str | None = None
        self._pointer_fault: str | None = None

    def _load(self, version: str, path: Path) -> LoadedModel:
        try:
            if changed := changed_since_added(path, reread=True):
                raise InputError(f"{path}: {changed}. Restore them, or name another champion (`appeal models "
                                 "rollback` or `promote`)")
            loaded = LoadedModel(version, path, load_predictor(path, threads=self.threads))
            if "topic" not in loaded.predictor.card.heads:
                raise InputError(f"{path}: the service needs a model with a topic head")
            # Run once so the first real request does not pay for lazy initialisation.
            loaded.predictor.predict(["武冈市 城区 道路 维修 "])
        except Exception as exc:  # noqa: BLE001 — whatever breaks, the caller must know which version failed
            raise ModelLoadError(version, f"model {version} could not be loaded from {path}: "
                                          f"{type(exc).__name__}: {exc}") from exc
        return loaded

    def sync(self) -> tuple[LoadedModel | None, bool]:
        """Serve the registry's champion: loads it when it differs from the one serving.
        Returns (previous, changed)."""
        with self._load_lock:
            previous = self.current
            champion = self.registry.champion()
            if champion is None:
                if previous is None:
                    if lost := self.registry.lost_champion():
                        raise InputError(lost)
                    # the service picks one up as soon as it is named: no restart needed
                    raise InputError(f"{self.registry.root}: the registry has no champion model; name one with "
                                     "`appeal models promote VERSION` (or start `appeal serve` without --no-build "
                                     "on a fresh home, which trains the demo model)")
                return previous, False
            version, path = champion
            if previous is not None and previous.version == version:
                return previous, False
            self.current = self._load(version, path)
            log.info("model loaded", extra={"fields": {"model_version": version,
                                                       "previous": previous.version if previous else None}})
            return previous, True

    def sync_quietly(self) -> bool:
        """For the background watch: a champion that cannot be loaded is logged once, and the old model keeps
        serving; so is a pointer that cannot be read, once per distinct fault (the watch looks every 2 s, and a
        traceback each time filled the log with 40 MB a day)."""
        try:
            champion = self.registry.champion()
            if champion is None or champion[0] == self._failed:
                changed = False
            else:
                changed = self.sync()[1]
        except ModelLoadError as exc:
            self._failed = exc.version
            log.exception(self.still_serving())
            return False
        except Exception as exc:  # noqa: BLE001 — an unreadable pointer must not stop the watch or the service
            fault = f"{type(exc).__name__}: {exc}"
            if fault != self._pointer_fault:
                self._pointer_fault = fault
                log.exception(f"champion pointer unreadable; {self.still_serving()}")
            return False
        self._pointer_fault = None
        return changed

    def still_serving(self) -> str:
        """What serves while the champion cannot, as the log and a refused reload say it: at a start, nothing (the
        log said a previous model kept serving while every call got 503)."""
        return "the previous model keeps serving" if self.current else "no model serves until it is mended"
