"""Retraining from agents' corrections, promoted only through the registry's gate."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from models.registry import EvaluationSet
from pipeline import InputError
from training.tickets import load_tickets


def default_evaluation_files() -> list[Path]:
    """The fixed evaluation set every challenger is measured on: teddy2020c's dev_raw.csv (448 raw tickets,
    none of them in the training file)."""
    from appeal.config import get_settings

    path = get_settings().teddy_dir / "dev_raw.csv"
    if not path.is_file():
        raise InputError(f"{path}: the fixed evaluation set is missing; pass evaluation files with --data")
    return [path]


def load_evaluation_set(paths: Sequence[Path] | None = None) -> EvaluationSet:
    parts = []
    for path in paths or default_evaluation_files():
        dataset, report = load_tickets(path)
        parts.append(EvaluationSet.from_dataset(dataset, str(path), presegmented=report.presegmented))
    return parts[0] if len(parts) == 1 else EvaluationSet.combine(parts)
