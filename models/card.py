"""`model.json`: what a trained model is, how it was made and how far to trust it."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from pipeline.errors import InputError

CARD_FILE = "model.json"
STOPWORDS_FILE = "stopwords.txt"


def code_version() -> str:
    """appeal-router's version, and where it runs from a git checkout its commit (+dirty with uncommitted changes):
    an auditor asks which code made a model, and the package version alone names every commit since it was set."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        said = version("appeal-router")
    except PackageNotFoundError:
        said = "not installed"
    git = ["git", "-C", str(Path(__file__).resolve().parent)]
    try:
        commit = subprocess.run([*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return said
        changed = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                                 text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):  # no git on the machine
        return said
    return f"{said} ({commit.stdout.strip()}{'+dirty' if changed else ''})"


class HeadCard(BaseModel):
    """One classification target (`topic` or `unit`)."""

    labels: list[str]
    temperature: float = 1.0
    # Confidence at or above which the head's answer is dispatched without a human; None = always review.
    threshold: float | None = None
    target_precision: float | None = None
    coverage: float | None = None
    # The held-out tickets at or above the threshold and how often the head was right on them: a precision
    # measured on a few dozen tickets is an estimate with a wide margin (see `precision_low`).
    dispatched: int | None = None
    dispatched_precision: float | None = None

    def precision_low(self, confidence: float = 0.95) -> float | None:
        """The lower end of the Wilson interval of the held-out dispatched precision."""
        if not self.dispatched or self.dispatched_precision is None:
            return None
        return precision_low(self.dispatched_precision, self.dispatched, confidence)


def precision_low(precision: float, n: int, confidence: float = 0.95) -> float:
    """The lower end of the Wilson interval of a precision measured on `n` tickets (6 of 6 right: 0.61)."""
    from scipy.stats import binomtest

    return float(binomtest(round(precision * n), n).proportion_ci(confidence, method="wilson").low)


class ModelCard(BaseModel):
    version: str
    kind: Literal["baseline", "transformer", "ensemble"]
    heads: dict[str, HeadCard]
    base: str | None = None
    created_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    data_fingerprint: str | None = None
    # The model's own stopword list (a copy sits beside model.json): preprocessing travels with the model.
    stopwords_sha: str | None = None
    max_length: int | None = None
    metrics: dict = Field(default_factory=dict)
    training: dict = Field(default_factory=dict)
    # Where `appeal calibrate` refitted the heads' temperatures and thresholds (empty: as training fitted them).
    calibration: dict = Field(default_factory=dict)
    library_versions: dict[str, str] = Field(default_factory=dict)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / CARD_FILE).write_text(self.model_dump_json(indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "ModelCard":
        path = Path(directory) / CARD_FILE
        if not path.is_file():
            raise InputError(f"{directory}: not a model directory (no {CARD_FILE})")
        try:
            return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as error:  # JSON and pydantic's ValidationError are ValueErrors
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise InputError(f"{path}: not a readable model card ({first})") from error
