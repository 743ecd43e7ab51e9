"""The model registry: every trained version on disk, which one serves (the champion), and the gate a challenger
must pass to replace it.

Layout under `root` (settings.registry_dir)::

    <root>/<version>/model.json …   one directory per version, never modified after it arrives
    <root>/<version>/files.sha256   the digests of its files as they arrived (`changed_since_added`)
    <root>/champion.json            {"version": …, "previous": [older champions, oldest first], "since": …}
    <root>/decisions.jsonl          one line per promotion, refusal, forced promotion, rollback or verdict
                                    asked for without promoting (`judge`), with the numbers and the digest of
                                    the line before it (`Registry.log_problems`)
    <root>/.incoming/               versions being copied in; renamed into place only when complete

Every change is a rename (`os.replace` of the pointer, `os.rename` of a finished directory), so a reader — the
HTTP service polling `champion()` — sees the old state or the new one, never a half-written model. Writers take
an exclusive lock on `<root>/.lock`, so two `promote`s cannot interleave.

Only numpy and scikit-learn are imported here (through `models.predictor`), so the service may use it.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from models.card import CARD_FILE, ModelCard
from pipeline.errors import InputError

log = logging.getLogger(__name__)

CHAMPION_FILE = "champion.json"
DECISIONS_FILE = "decisions.jsonl"
# Each version's files as added, in sha256sum's format (`sha256sum -c files.sha256` in the version checks it too): a
# card or weights edited after promotion (a threshold set to 0) served under the same version name, unnoticed.
MANIFEST_FILE = "files.sha256"
_INCOMING = ".incoming"
_LOCK = ".lock"
_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,127}\Z")  # \Z: $ also matched before a final line break

DEFAULT_TOLERANCE = 0.005
DEFAULT_CLASS_MARGIN = 0.03
# A class with fewer evaluation tickets is left to the macro-F1 rule: with 4 tickets one ticket moves its F1 by
# 0.2 or more, so a 0.03 margin would judge luck (retraining early in a deployment gates the unit head on a handful
# of held-out feedback tickets). A class losing all of few tickets still costs macro-F1 1/classes.
CLASS_MIN_SUPPORT = 5
# Likewise a head scored on fewer tickets is reported, not gated: early in a deployment the unit head is scored only
# on the few held-out feedback tickets, which agents mostly answered as the champion proposed.
HEAD_MIN_N = 30
# A change of the share dispatched without review this large is named in the decision's reasons: a recalibrated
# version (`appeal calibrate`) has the same macro-F1 and may send half as many tickets, or twice as many, unchecked.
DISPATCH_SHIFT = 0.05


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------------------------
# Scoring a version on a labelled evaluation set


@dataclass(frozen=True)
class EvaluationSet:
    """Labelled tickets a version is measured on. Texts stay raw: each model canonicalises them with its own
    stopwords. `labels[head][i]` is None where ticket i has no label for that head."""

    name: str
    titles: list[str]
    bodies: list[str]
    presegmented: list[bool]
    labels: dict[str, list[str | None]]

    def __post_init__(self) -> None:
        n = len(self.titles)
        if len(self.bodies) != n or len(self.presegmented) != n or any(len(v) != n for v in self.labels.values()):
            raise ValueError("EvaluationSet columns differ in length")

    def __len__(self) -> int:
        return len(self.titles)

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for i in range(len(self)):
            row = [self.titles[i], self.bodies[i], str(self.presegmented[i])]
            row += [f"{head}={self.labels[head][i]}" for head in sorted(self.labels)]
            digest.update("\x1f".join(row).encode("utf-8") + b"\x1e")
        return digest.hexdigest()[:16]

    @classmethod
    def from_dataset(cls, dataset, name: str, *, presegmented: bool, heads: Sequence[str] = ("topic", "unit")):
        """From a ticket table with `title`, `text` and one column per head (what `training.tickets.load_tickets`
        returns); heads with no label at all are left out."""
        columns = set(dataset.column_names)
        labels = {h: list(dataset[h]) for h in heads if h in columns and any(v is not None for v in dataset[h])}
        return cls(
            name=name,
            titles=[t or "" for t in dataset["title"]],
            bodies=[t or "" for t in dataset["text"]],
            presegmented=[presegmented] * len(dataset),
            labels=labels,
        )

    def without(self, rows: set[int], why: str) -> "EvaluationSet":
        """The set less `rows`, its name saying `why` they went."""
        kept = [i for i in range(len(self)) if i not in rows]
        return EvaluationSet(name=f"{self.name} ({len(rows)} {why} left out)", titles=[self.titles[i] for i in kept],
                             bodies=[self.bodies[i] for i in kept], presegmented=[self.presegmented[i] for i in kept],
                             labels={h: [v[i] for i in kept] for h, v in self.labels.items()})

    @classmethod
    def combine(cls, parts: Sequence["EvaluationSet"]) -> "EvaluationSet":
        """One set from several (the fixed set plus the newest feedback, say); a head missing from a part is
        unlabelled for its rows."""
        heads = sorted({h for p in parts for h in p.labels})
        return cls(
            name=" + ".join(p.name for p in parts),
            titles=[t for p in parts for t in p.titles],
            bodies=[b for p in parts for b in p.bodies],
            presegmented=[s for p in parts for s in p.presegmented],
            labels={h: [y for p in parts for y in p.labels.get(h, [None] * len(p))] for h in heads},
        )


@dataclass(frozen=True)
class HeadScore:
    """One head of one version on the labelled part of an evaluation set. Classes are those present in the
    evaluation labels, so two versions with different label sets are compared on the same classes."""

    n: int
    accuracy: float
    macro_f1: float
    f1: dict[str, float]
    support: dict[str, int]
    # Share of the tickets at or above the version's own threshold, and how often it was right on them: not gated
    # (two versions' thresholds answer to their own calibration), but what promoting changes at the desk.
    dispatched: float | None = None
    dispatched_precision: float | None = None


def _dispatch(score: HeadScore) -> str:
    precision = "–" if score.dispatched_precision is None else f"{score.dispatched_precision:.3f}"
    return f"{score.dispatched:.0%} @ {precision}"


def score_model(model_dir: Path, data: EvaluationSet) -> dict[str, HeadScore]:
    """Predict `data` with the model in `model_dir`; score every head that both the model and the data have."""
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    from models.predictor import load_predictor
    from pipeline import model_text

    predictor = load_predictor(model_dir)
    heads = [h for h in predictor.card.heads if any(y is not None for y in data.labels.get(h, []))]
    if not heads:
        raise InputError(
            f"{data.name}: has labels for {sorted(data.labels) or 'no head'}, "
            f"model {predictor.version} predicts {sorted(predictor.card.heads)}: nothing to compare"
        )
    rows = sorted({i for h in heads for i, y in enumerate(data.labels[h]) if y is not None})
    texts = [
        model_text(data.titles[i], data.bodies[i], presegmented=data.presegmented[i], stopwords=predictor.stopwords)
        for i in rows
    ]
    probs = predictor.probabilities(texts)
    scores: dict[str, HeadScore] = {}
    for head in heads:
        labels = predictor.card.heads[head].labels
        predicted = np.asarray(labels)[probs[head].argmax(axis=1)]
        keep = [k for k, i in enumerate(rows) if data.labels[head][i] is not None]
        y_true = [data.labels[head][rows[k]] for k in keep]
        y_pred = [str(predicted[k]) for k in keep]
        classes = sorted(set(y_true))
        _, _, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=classes, zero_division=0)
        threshold = predictor.card.heads[head].threshold
        sent = [t == p for t, p, c in zip(y_true, y_pred, probs[head][keep].max(axis=1))
                if threshold is not None and c >= threshold]
        scores[head] = HeadScore(
            n=len(y_true),
            accuracy=float(accuracy_score(y_true, y_pred)),
            macro_f1=float(np.mean(f1)),
            f1={c: float(v) for c, v in zip(classes, f1)},
            support={c: int(s) for c, s in zip(classes, support)},
            dispatched=len(sent) / len(y_true),
            dispatched_precision=float(np.mean(sent)) if sent else None,
        )
    return scores


# ---------------------------------------------------------------------------------------------------------------
# The promotion gate


@dataclass(frozen=True)
class GateVerdict:
    passed: bool
    reasons: list[str]


def gate(
    champion: dict[str, HeadScore],
    challenger: dict[str, HeadScore],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    class_margin: float = DEFAULT_CLASS_MARGIN,
) -> GateVerdict:
    """A challenger passes when, on every head the champion was scored on (with `HEAD_MIN_N` tickets or more; one
    such head at least), its macro-F1 is not lower by more than `tolerance` and no class with `CLASS_MIN_SUPPORT`
    evaluation tickets or more has an F1 lower by more than `class_margin`. Reasons list every failure (or, when it
    passes, the margins it passed by), and the heads and classes too small to judge, so the decision log says why."""
    reasons: list[str] = []
    passed = True
    judged = 0
    for head, old in sorted(champion.items()):
        new = challenger.get(head)
        if new is None:
            passed = False
            reasons.append(f"{head}: challenger has no {head} head")
            continue
        delta = new.macro_f1 - old.macro_f1
        if old.n < HEAD_MIN_N:
            reasons.append(f"{head}: {old.n} evaluation tickets, fewer than {HEAD_MIN_N}: not judged (macro-F1 "
                           f"{new.macro_f1:.4f} vs champion {old.macro_f1:.4f})")
            continue
        judged += 1
        if delta < -tolerance:
            passed = False
            reasons.append(f"{head}: macro-F1 {new.macro_f1:.4f} < champion {old.macro_f1:.4f} - {tolerance}")
        else:
            reasons.append(f"{head}: macro-F1 {new.macro_f1:.4f} vs champion {old.macro_f1:.4f} ({delta:+.4f})")
        if None not in (new.dispatched, old.dispatched) and abs(new.dispatched - old.dispatched) >= DISPATCH_SHIFT:
            reasons.append(f"{head}: dispatched without review {_dispatch(new)} vs champion {_dispatch(old)} (each "
                           "at its own threshold; not gated)")
        small = sorted(cls for cls in old.f1 if old.support.get(cls, 0) < CLASS_MIN_SUPPORT)
        if small:
            reasons.append(f"{head}: fewer than {CLASS_MIN_SUPPORT} evaluation tickets, not judged one by one: "
                           + ", ".join(f"{cls} ({old.support.get(cls, 0)})" for cls in small))
        for cls, f1_old in sorted(old.f1.items()):
            f1_new = new.f1.get(cls, 0.0)
            if cls not in small and f1_new < f1_old - class_margin:
                passed = False
                reasons.append(f"{head}/{cls}: F1 {f1_new:.4f} < champion {f1_old:.4f} - {class_margin}")
    # Small heads are let through beside a judged one (the unit head early on); with none judged, a small evaluation
    # file would otherwise wave any challenger through as an ordinary promotion.
    if passed and champion and not judged:
        passed = False
        reasons.append(f"no head has {HEAD_MIN_N} evaluation tickets: nothing judged (a larger evaluation set, or "
                       "--force)")
    return GateVerdict(passed, reasons)


# ---------------------------------------------------------------------------------------------------------------
# The registry


@dataclass(frozen=True)
class VersionInfo:
    version: str
    path: Path
    kind: str
    created_at: str
    heads: dict[str, int]  # head -> number of labels
    champion: bool
    metrics: dict = field(default_factory=dict)
    # Why this version cannot serve (an unreadable card, files removed by hand); None when it is whole. Listed
    # rather than raised: one damaged version must not hide the others from `models list` or the report.
    problem: str | None = None
    calibrated: bool = False  # its thresholds refitted by `appeal calibrate` after training


@dataclass
class Decision:
    """One line of decisions.jsonl."""

    # "promote" | "refuse" | "force" | "rollback" | "judge" (the gate asked, nothing promoted) | "remove" (deleted)
    action: str
    version: str
    previous: str | None
    at: str = field(default_factory=_now)
    reasons: list[str] = field(default_factory=list)
    tolerance: float | None = None
    class_margin: float | None = None
    evaluation: dict | None = None  # {"name", "fingerprint", "n"}
    champion_scores: dict | None = None
    challenger_scores: dict | None = None
    by: str | None = None  # who asked for it (None: recorded before this was kept)
    # why a promotion was asked for, as given (a trainer's round: a forced one said who, not why); a rollback keeps its
    # reason after "rollback" in `reasons`
    reason: str | None = None
    # sha256 of the line before this one in decisions.jsonl (None: the first line, or recorded before this was kept):
    # a line deleted or edited by hand (a forced promotion taken out) breaks the chain at the next line
    prev_sha256: str | None = None
    would: str | None = None  # a "judge" line's verdict: "promote" or "refuse"

    @property
    def promoted(self) -> bool:
        return self.action in ("promote", "force", "rollback")


class Registry:
    def __init__(self, root: Path | None = None):
        if root is None:
            from appeal.config import get_settings

            root = get_settings().registry_dir
        self.root = Path(root)

    # -- reading ---------------------------------------------------------------------------------------------

    @property
    def champion_file(self) -> Path:
        return self.root / CHAMPION_FILE

    def _pointer(self) -> dict | None:
        try:
            pointer = json.loads(self.champion_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            pointer = exc
        if not (isinstance(pointer, dict) and isinstance(pointer.get("version"), str)
                and isinstance(pointer.get("previous"), list)):
            # Written atomically by promote and rollback, so this is a hand edit or a damaged disk. Which version
            # should serve is a person's call; the decisions file says what served when.
            detail = pointer if isinstance(pointer, Exception) else "it must name a version and the previous ones"
            raise InputError(f"{self.champion_file}: not a champion pointer ({detail}). Delete it and name the "
                             f"champion again with `appeal models promote VERSION` ({DECISIONS_FILE} lists "
                             "what served when)")
        if not (self.root / (version := pointer["version"]) / CARD_FILE).is_file():
            # its directory deleted by hand: promote and rollback then failed on "not a model directory", even forced.
            # Its model is the centre's, which a backup holds: promoting another was advised with none left to promote.
            others = sorted(path.name for path in self._version_dirs())
            raise InputError(f"{self.champion_file}: names {version!r}, which is no longer in the registry: "
                             f"{self._restore(version)}" + (
                                 f", or delete {CHAMPION_FILE} and name another champion with `appeal models promote "
                                 f"VERSION` ({', '.join(others)})" if others else " (no other version is left)"))
        return pointer

    def _restore(self, version: str) -> str:
        return f"restore {self.root / version} from a backup (`appeal backup` copies the registry)"

    def lost_champion(self) -> str | None:
        """Where no version is champion: the last champion `decisions.jsonl` records, if its directory is gone
        (deleted by hand, or left out of a restore), said with how to bring it back; None otherwise. A demo model
        trained in its place answered the centre's tickets with the 300 sample tickets' lessons."""
        for line in reversed(self._decision_lines()):
            try:
                decision = Decision(**json.loads(line))
            except (ValueError, TypeError):  # a line cut short by a crash, or typed in by hand
                continue
            if decision.promoted:
                if self.has(decision.version):
                    return None
                return (f"{self.root}: no champion, and {decision.version}, the last one {DECISIONS_FILE} records, "
                        f"is gone: {self._restore(decision.version)}, then `appeal models promote "
                        f"{decision.version}`")
        return None

    def champion(self) -> tuple[str, Path] | None:
        pointer = self._pointer()
        if pointer is None:
            return None
        return pointer["version"], self.root / pointer["version"]

    def path(self, version: str) -> Path:
        path = self.root / version
        if not self.has(version):
            known = ", ".join(v.version for v in self.list())
            raise InputError(f"{self.root}: no version {version!r} " + (
                f"(known: {known})" if known else "nor any other: is it the service's registry (APPEAL_HOME)?"))
        return path

    def has(self, version: str) -> bool:
        return bool(_VERSION_RE.match(version)) and (self.root / version / CARD_FILE).is_file()

    def list(self) -> list[VersionInfo]:
        return self._versions(self.champion())

    def listing(self) -> tuple[list[VersionInfo], str | None]:
        """The versions, and why the champion pointer cannot be read or the last champion is gone (`lost_champion`;
        None otherwise): the service's listing failed on a damaged pointer, and showed none of the versions to name
        the champion again with."""
        try:
            current = self.champion()
        except InputError as exc:
            return self._versions(None), str(exc)
        return self._versions(current), None if current else self.lost_champion()

    def _version_dirs(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [path for path in self.root.iterdir() if not path.name.startswith(".") and (path / CARD_FILE).is_file()]

    def _versions(self, current: tuple[str, Path] | None) -> list[VersionInfo]:
        out = [_version_info(path, champion=current is not None and current[0] == path.name)
               for path in self._version_dirs()]
        return sorted(out, key=lambda v: (v.created_at, v.version))

    def decisions(self) -> list[Decision]:
        return [Decision(**json.loads(line)) for line in self._decision_lines()]

    # -- writing ---------------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self, *, create: bool = False) -> Iterator[None]:
        # Only adding a version makes a registry: a mistyped --registry to rollback must not leave a folder behind.
        if create:
            self.root.mkdir(parents=True, exist_ok=True)
        elif not self.root.is_dir():
            raise InputError(f"{self.root}: no such registry directory")
        with open(self.root / _LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, model_dir: Path, *, version: str | None = None, move: bool = False) -> str:
        """Bring a trained model directory in as a new version (its card's version unless `version` is given)
        and return the version. The model lands under `.incoming/` first and is renamed into place only once
        complete, so a crash mid-copy leaves no version at all."""
        from models.predictor import load_predictor

        model_dir = Path(model_dir)
        card = load_predictor(model_dir).card  # a model that cannot be opened would fail its promotion and the report
        version = version or card.version
        if not _VERSION_RE.match(version):
            raise InputError(f"{model_dir}: version {version!r} is not a valid version name (letters A–Z, digits and "
                             ". _ + -, starting with a letter or digit, at most 128)")
        with self._locked(create=True):
            target = self.root / version
            if target.exists():
                raise InputError(f"{self.root}: version {version!r} already exists; add it under another name "
                                 "(--version)")
            incoming = self.root / _INCOMING
            # Anything left here is from an add that died half-way (we hold the lock): it never became a version.
            shutil.rmtree(incoming, ignore_errors=True)
            incoming.mkdir()
            staging = incoming / uuid.uuid4().hex
            if move:
                shutil.move(str(model_dir), staging)
            else:
                shutil.copytree(model_dir, staging)
            if card.version != version:
                card.model_copy(update={"version": version}).save(staging)
            _write_manifest(staging)
            _fsync_tree(staging)
            os.rename(staging, target)
            _fsync_dir(self.root)
        log.info("registry %s: added %s", self.root, version)
        return version

    def _set_champion(self, version: str, previous: list[str], since: str) -> None:
        tmp = self.root / f".{CHAMPION_FILE}.{uuid.uuid4().hex}"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"version": version, "previous": previous, "since": since}, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.champion_file)
        _fsync_dir(self.root)

    def _servable(self, version: str) -> None:
        """Refuse to name as champion a version that cannot serve, even forced: the service would fail to load it."""
        if not self.has(version):  # a previous champion's directory deleted by hand
            raise InputError(f"{self.root}: {version} is no longer in the registry")
        if problem := _version_info(self.root / version, champion=False).problem:
            raise InputError(f"{self.root}: {version} cannot serve ({problem}); add the trained model again under a "
                             "new version")

    def _decision_lines(self) -> list[str]:
        path = self.root / DECISIONS_FILE
        if not path.is_file():
            return []
        # split at line feeds only, as the lines were written: a reason holding U+2028 (which JSON leaves as it is)
        # is no line break
        return [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]

    def log_problems(self) -> list[str]:
        """Where decisions.jsonl does not hold together: a line whose predecessor is not the one recorded when it
        was written (a line edited, removed or inserted by hand), or a champion that no decision made one."""
        lines, problems, chained, decisions = self._decision_lines(), [], False, []
        for number, line in enumerate(lines, start=1):
            try:
                decisions.append(Decision(**json.loads(line)))
            except (ValueError, TypeError):  # a line cut short by a crash, or typed in by hand
                problems.append(f"{DECISIONS_FILE} line {number}: not a decision")
                continue
            recorded = decisions[-1].prev_sha256
            if recorded is None and chained:
                problems.append(f"{DECISIONS_FILE} line {number}: written without the digest of the line before it")
            elif recorded is not None:
                chained = True
                if recorded != (_line_digest(lines[number - 2]) if number > 1 else None):
                    problems.append(f"{DECISIONS_FILE} line {number}: the line before it is not the one there when "
                                    "it was written (a decision edited, removed or inserted by hand)")
        pointer = self._pointer()
        if len(decisions) < len(lines):
            return problems  # the decisions cannot all be read to compare with the pointer
        made = next((d.version for d in reversed(decisions) if d.promoted), None)
        if pointer is not None and pointer["version"] != made:
            problems.append(f"{CHAMPION_FILE} names {pointer['version']}, but the last decision recorded made "
                            f"{made or 'no version'} the champion")
        return problems

    def _record(self, decision: Decision) -> None:
        lines = self._decision_lines()
        decision.prev_sha256 = _line_digest(lines[-1]) if lines else None
        with open(self.root / DECISIONS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(decision), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def promote(
        self,
        version: str,
        *,
        evaluation_data: EvaluationSet | None = None,
        force: bool = False,
        tolerance: float = DEFAULT_TOLERANCE,
        class_margin: float = DEFAULT_CLASS_MARGIN,
        by: str | None = None,
        reason: str | None = None,
        built_on: str | None = None,
        judge_only: bool = False,
        learnt: Callable[[Path, EvaluationSet], set[int]] | None = None,
    ) -> Decision:
        """Make `version` the champion if it passes the gate against the current champion on `evaluation_data`.
        `judge_only`: the decision the gate would take (`would`), recorded as a `judge` line that changes nothing (a
        retrain whose trainer decides after reading the scores; the version was listed as never compared).

        The first version needs no comparison. Without evaluation data only `force=True` can replace a
        champion. `built_on`: the champion whose data the challenger learnt (a retrain's); another champion since is
        a refusal, unscored. `learnt`: the tickets of an evaluation set a model directory was trained on
        (`training.tickets.learnt_evaluation_rows`); both versions are scored on the others. Every outcome — promotion,
        refusal, forced promotion — is appended to decisions.jsonl and returned; a refusal leaves the champion
        untouched."""
        path = self.path(version)
        with self._locked():
            pointer = self._pointer()
            current = pointer["version"] if pointer else None
            if current == version:
                raise InputError(f"{version} is already the champion")
            self._servable(version)
            decision = Decision(action="refuse", version=version, previous=current, by=by,
                                reason=reason.strip() if reason and reason.strip() else None)
            decision.tolerance, decision.class_margin = tolerance, class_margin
            challenger_scores = champion_scores = None
            # a trainer's round: a promotion while a retrain trained; the challenger learnt the old champion's data,
            # and the new champion's corrections would have dropped out of the line of versions (not worth scoring)
            moved = built_on is not None and current is not None and current != built_on
            if evaluation_data is not None and not moved and learnt is not None and current is not None:
                # a trainer's round: the champion was scored on 36 of 45 of the centre's tickets it had been trained
                # on, and every challenger kept from them was refused
                if seen := learnt(path, evaluation_data) | learnt(self.root / current, evaluation_data):
                    evaluation_data = evaluation_data.without(seen, f"learnt by {version} or {current}")
                    decision.reasons.append(f"{len(seen)} evaluation tickets learnt by {version} or {current} left "
                                            f"out: both scored on the {len(evaluation_data)} others")
            nothing_left = evaluation_data is not None and not moved and not len(evaluation_data)
            if nothing_left:
                evaluation_data = None
            if evaluation_data is not None and not moved:
                decision.evaluation = {
                    "name": evaluation_data.name,
                    "fingerprint": evaluation_data.fingerprint,
                    "n": len(evaluation_data),
                }
                challenger_scores = score_model(path, evaluation_data)
                decision.challenger_scores = {h: asdict(s) for h, s in challenger_scores.items()}
            if current is None:
                decision.action = "promote"
                decision.reasons.append("first champion")
            elif moved:
                decision.reasons.append(f"the champion changed from {built_on} to {current} while the challenger "
                                        f"learnt {built_on}'s data: retrain again on the new champion")
            elif challenger_scores is None:
                decision.reasons.append("every evaluation ticket was learnt by one of them: nothing to compare on "
                                        "(another evaluation file, or --force)" if nothing_left
                                        else "no evaluation data: cannot compare with the champion")
            else:
                champion_scores = score_model(self.root / current, evaluation_data)
                decision.champion_scores = {h: asdict(s) for h, s in champion_scores.items()}
                verdict = gate(champion_scores, challenger_scores, tolerance=tolerance, class_margin=class_margin)
                # a trainer's round: the retrain's terminal never named what the gate had judged on (446 board posts)
                labelled = ", ".join(f"{score.n} with a {head}" for head, score in sorted(champion_scores.items()))
                decision.reasons.append(f"scored on {evaluation_data.name}: {len(evaluation_data)} tickets"
                                        + (f" ({labelled})" if labelled else ""))
                decision.reasons.extend(verdict.reasons)
                # An evaluation set without unit labels scores the topic head alone: a topic-only challenger passed,
                # and the service then routed no ticket to a unit. The cards say which heads each model has.
                current_heads, heads = set(ModelCard.load(self.root / current).heads), set(ModelCard.load(path).heads)
                lost = sorted(current_heads - heads)
                decision.reasons.extend(f"{head}: challenger has no {head} head, which the champion has"
                                        for head in lost)
                # …and a head both have that the set does not label was passed over without a word (dev_raw.csv has
                # no units: a challenger with a worse unit head went through)
                decision.reasons.extend(f"{head}: no {head} labels in {evaluation_data.name}: not judged (check it on "
                                        "the centre's own tickets: appeal evaluate)"
                                        for head in sorted((current_heads & heads) - set(champion_scores)))
                if verdict.passed and not lost:
                    decision.action = "promote"
            if decision.action == "refuse" and force:
                decision.action = "force"
                # info, like every decision: the promotion log is the record, and the CLI says it (a warning here
                # printed it a second time, bare, on the trainer's terminal)
                log.info("registry %s: %s FORCED past the gate: %s", self.root, version, decision.reasons)
            elif force:  # an auditor reads who reached for --force, even where the gate let the version through
                decision.reasons.append("--force given, not needed: the gate passed")
            decision.at = _now()  # when it took effect, after the minutes of scoring
            if judge_only:
                # returned as recorded: a retrain's report.json said `action: promote` of a version left a challenger
                judged = replace(decision, action="judge", would=decision.action)
                self._record(judged)
                log.info("registry %s: %s judged, would %s (%s)", self.root, version, judged.would,
                         "; ".join(decision.reasons))
                return judged
            if decision.promoted:
                history = (pointer["previous"] + [current]) if pointer else []
                self._set_champion(version, history, decision.at)
            self._record(decision)
        log.info("registry %s: %s %s (%s)", self.root, decision.action, version, "; ".join(decision.reasons))
        return decision

    def rollback(self, by: str | None = None, reason: str | None = None) -> Decision:
        """Restore the champion before the current one. Repeated rollbacks walk further back. `reason`: why, as
        the person says it, recorded beside "rollback"."""
        with self._locked():
            pointer = self._pointer()
            if not pointer or not pointer["previous"]:
                raise InputError(f"{self.root}: no previous champion to roll back to; name one with `appeal "
                                 "models promote VERSION` (the versions: `appeal models list`)")
            *history, previous = pointer["previous"]
            self._servable(previous)
            decision = Decision(
                action="rollback", version=previous, previous=pointer["version"],
                reasons=["rollback", *([reason.strip()] if reason and reason.strip() else [])], by=by
            )
            self._set_champion(previous, history, decision.at)
            self._record(decision)
        log.info("registry %s: rolled back %s -> %s", self.root, decision.previous, previous)
        return decision

    def remove(self, version: str, by: str | None = None) -> Decision:
        """Delete a version that neither serves nor would serve again after a rollback (a refused or superseded
        challenger), recorded in decisions.jsonl: each holds a model of 100 MB or more."""
        path = self.path(version)
        with self._locked():
            pointer = self._pointer()
            if pointer and version == pointer["version"]:
                raise InputError(f"{version} is the champion: promote another version first")
            if pointer and version in pointer["previous"]:
                raise InputError(f"{version} was a champion and `appeal models rollback` would bring it back: it "
                                 "stays")
            # renamed first, so that an interrupted delete never leaves a half model listed as a version
            doomed = self.root / f".removing-{version}-{uuid.uuid4().hex}"
            path.rename(doomed)
            shutil.rmtree(doomed)
            decision = Decision(action="remove", version=version, previous=pointer["version"] if pointer else None,
                                by=by)
            self._record(decision)
        log.info("registry %s: removed %s", self.root, version)
        return decision


def _version_info(path: Path, *, champion: bool) -> VersionInfo:
    from models.predictor import incompleteness

    try:
        card = ModelCard.load(path)
    except InputError as error:
        # what the card would have said is unknown; the card file's own time keeps the list in a stable order
        made = datetime.fromtimestamp((path / CARD_FILE).stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
        return VersionInfo(path.name, path, kind="unknown", created_at=made, heads={}, champion=champion,
                           problem=str(error))
    return VersionInfo(path.name, path, kind=card.kind, created_at=card.created_at,
                       heads={h: len(c.labels) for h, c in card.heads.items()}, champion=champion,
                       metrics=card.metrics, problem=incompleteness(path, card) or changed_since_added(path),
                       calibrated=bool(card.calibration))


def _line_digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _files(directory: Path) -> list[str]:
    # hidden files are no part of a model (an editor's .model.json.swp beside the card it has open)
    relative = [path.relative_to(directory) for path in directory.rglob("*") if path.is_file()]
    return sorted(str(path) for path in relative
                  if path.name != MANIFEST_FILE and not any(part.startswith(".") for part in path.parts))


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _write_manifest(directory: Path) -> None:
    lines = "".join(f"{_sha256(directory / name)}  {name}\n" for name in _files(directory))
    (directory / MANIFEST_FILE).write_text(lines, encoding="utf-8")


# (path, size, mtime_ns) → digest: `models list` and /v1/models read every version, and weights are ~100 MB each;
# a file written again gets a new mtime and is read again.
_DIGESTS: dict[tuple[str, int, int], str] = {}


def _digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = _sha256(path)
    return _DIGESTS[key]


def changed_since_added(directory: Path, *, reread: bool = False) -> str | None:
    """Which of the version's files differ from what `Registry.add` recorded (edited, replaced, removed or added by
    hand), or None; None as well for a version added before the registry kept the record. `reread`: every file is
    read again, whatever its time says (loading a model to serve)."""
    manifest = directory / MANIFEST_FILE
    if not manifest.is_file():
        return None
    recorded = dict(reversed(line.split("  ", 1)) for line in manifest.read_text(encoding="utf-8").splitlines()
                    if "  " in line)
    present = set(_files(directory))
    digest = _sha256 if reread else _digest
    changed = sorted(name for name in recorded.keys() & present if digest(directory / name) != recorded[name])
    differences = (("changed", changed), ("removed", sorted(recorded.keys() - present)),
                   ("added", sorted(present - recorded.keys())))
    said = [f"{what}: {', '.join(names)}" for what, names in differences if names]
    return f"files differ from those added to the registry ({'; '.join(said)}; see {MANIFEST_FILE})" if said else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    """Flush every file before the rename makes the version visible: after a power cut a version either is
    absent or complete."""
    for dirpath, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as handle:
                os.fsync(handle.fileno())
        _fsync_dir(Path(dirpath))
