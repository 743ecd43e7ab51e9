"""The TF-IDF + linear SVM baseline on teddy2020c: 5-fold CV and train → dev_raw, per configuration.

- CV: stratified 5-fold on train_segmented.csv (duplicates removed, the one label conflict resolved, as
  `training.tickets.load_tickets` does); every text is predicted once, by the fold that did not train on it.
- dev: trained on all of train_segmented.csv, tested on dev_raw.csv (raw text → `pipeline.canonical`), once
  as is and once with `pipeline.normalize` applied to title and body first.
- Configurations: word 1–2-grams, and word 1–2-grams + character n-grams inside the canonical text.
- Dispatch: `appeal train --baseline` (`training.train_baseline`, default configuration) picks each head's
  threshold on a 15 % held-out part of the training file; how much it dispatches, and how precisely, is then
  measured on dev_raw.csv as well.

    nice python3 bench/baseline.py                 # table on stdout (~10 min on 2 busy cores)
    nice python3 bench/baseline.py --write         # also rewrites the "## Baseline" section of bench/RESULTS.md
    nice python3 bench/baseline.py --folds 2 --configs "word 1-2"      # a quick look
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.model_selection import StratifiedKFold

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from models.baseline import BaselineConfig, BaselineModel  # noqa: E402
from pipeline import canonical, default_stopwords, normalize  # noqa: E402
from results_file import write_section  # noqa: E402
from training.evaluation import classification_report  # noqa: E402
from training.tickets import load_tickets  # noqa: E402

CONFIGS = {
    "word 1-2": BaselineConfig(char_ngrams=None),
    "word 1-2 + char 1-3": BaselineConfig(char_ngrams=(1, 3)),
}
SECTION = "## Baseline"
NOTES = """Reading: 5-fold CV reproduces the published ≈ 0.92 macro-F1 for this recipe; on dev_raw.csv the same model
scores about 6 points lower, and dev_raw.csv is the figure to expect on new tickets (see the last table for why
the gap is a shift between the files rather than near-duplicate leakage inside CV). 商贸旅游 (trade/tourism) is
the weakest class in every setting; it overlaps 城乡建设 and 劳动和社会保障.

Dispatch with the default configuration (threshold = lowest confidence whose held-out dispatched precision is
≥ 0.97; tickets below it go to a human):
"""
DISPATCH_NOTES = """The threshold keeps its promise on tickets like the training file, not on dev_raw.csv, whose tickets
the model gets right less often: there the same threshold dispatches at lower precision. A deployment should
pick its threshold on its own recent tickets (`appeal evaluate` prints coverage and precision at the card's
threshold). Near-duplicates do not explain the gap: held-out tickets with and without a near-duplicate in the
fitting part (85 % of the training file, default configuration):
"""


@dataclass
class Row:
    config: str
    evaluation: str
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, float]
    seconds: float


def predict(model: BaselineModel, texts: list[str]) -> list[str]:
    labels = model.labels("topic")
    return [labels[i] for i in model.logits(texts)["topic"].argmax(axis=1)]


def cross_validate(name: str, config: BaselineConfig, texts: list[str], topics: list[str], folds: int) -> Row:
    started = time.perf_counter()
    predicted = np.empty(len(texts), dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in splitter.split(texts, topics):
        model = BaselineModel(config).fit([texts[i] for i in train_idx], {"topic": [topics[i] for i in train_idx]})
        predicted[test_idx] = predict(model, [texts[i] for i in test_idx])
    report = classification_report(topics, list(predicted))
    return Row(name, f"{folds}-fold CV", report.n, report.accuracy, report.macro_f1,
               {k: v.f1 for k, v in report.per_class.items()}, time.perf_counter() - started)


def dev_rows(name: str, config: BaselineConfig, train, dev) -> list[Row]:
    started = time.perf_counter()
    model = BaselineModel(config).fit(train["canonical"], {"topic": train["topic"]})
    fit_seconds = time.perf_counter() - started
    stop = default_stopwords()
    variants = {
        "dev_raw": dev["canonical"],
        "dev_raw, normalize first": [canonical(normalize(t or ""), normalize(b or ""), stopwords=stop)
                                     for t, b in zip(dev["title"], dev["text"])],
    }
    rows = []
    for evaluation, texts in variants.items():
        report = classification_report(dev["topic"], predict(model, texts))
        rows.append(Row(name, evaluation, report.n, report.accuracy, report.macro_f1,
                        {k: v.f1 for k, v in report.per_class.items()}, fit_seconds))
    return rows


def dispatch(data: Path) -> tuple[str, dict]:
    """Train the production way and read threshold, coverage and dispatched precision off the model card."""
    from tempfile import TemporaryDirectory

    from training.train_baseline import train_baseline

    with TemporaryDirectory() as scratch:
        card = train_baseline(data / "train_segmented.csv", Path(scratch) / "model", dev=data / "dev_raw.csv")
    head = card.heads["topic"]
    held, dev = card.metrics["holdout"]["topic"], card.metrics["dev"]["topic"]
    lines = [
        "| head | target precision | threshold | held-out coverage | held-out precision | dev coverage | "
        "dev precision | dev macro-F1 |",
        "|---|---|---|---|---|---|---|---|",
        f"| topic | {head.target_precision} | {head.threshold:.3f} | {held['coverage']:.3f} | "
        f"{held['dispatched_precision']:.3f} | {dev['coverage']:.3f} | {dev['dispatched_precision']:.3f} | "
        f"{dev['macro_f1']:.4f} |",
    ]
    return "\n".join(lines), card.metrics


def leakage_check(train, cutoff: float = 0.5) -> str:
    """Is CV flattered by near-duplicates? Fit on 85 % (default configuration), then compare held-out tickets that
    have a near-duplicate in the fitting part (word TF-IDF cosine ≥ cutoff) with those that have none."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from training.evaluation import pick_threshold
    from training.tickets import stratified_split

    fit, held = stratified_split(train, 0.15, seed=0)
    model = BaselineModel().fit(fit["canonical"], {"topic": fit["topic"]})
    probs = np.exp(model.logits(held["canonical"])["topic"])
    correct = np.array(model.labels("topic"))[probs.argmax(axis=1)] == np.array(held["topic"])
    words = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False).fit(fit["canonical"])
    nearest = (words.transform(held["canonical"]) @ words.transform(fit["canonical"]).T).max(axis=1).toarray().ravel()
    lines = ["| held-out tickets | n | accuracy | threshold for 0.97 |", "|---|---|---|---|"]
    for name, keep in (("all", np.ones_like(correct)), (f"no near-duplicate (cosine < {cutoff})", nearest < cutoff),
                       (f"with a near-duplicate (cosine ≥ {cutoff})", nearest >= cutoff)):
        keep = keep.astype(bool)
        threshold = pick_threshold(probs.max(axis=1)[keep], correct[keep]).threshold
        lines.append(f"| {name} | {keep.sum()} | {correct[keep].mean():.4f} | "
                     + ("–" if threshold is None else f"{threshold:.3f}") + " |")
    return "\n".join(lines)


def table(rows: list[Row], labels: list[str]) -> Table:
    out = Table("config", "evaluated on", "n", "accuracy", "macro-F1", *labels, "fit s")
    for r in rows:
        out.add_row(r.config, r.evaluation, str(r.n), f"{r.accuracy:.4f}", f"{r.macro_f1:.4f}",
                    *(f"{r.per_class.get(label, 0):.3f}" for label in labels), f"{r.seconds:.0f}")
    return out


def markdown(rows: list[Row], labels: list[str], command: str) -> str:
    head = ["config", "evaluated on", "n", "accuracy", "macro-F1", *labels, "fit s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.config, r.evaluation, str(r.n), f"{r.accuracy:.4f}", f"{r.macro_f1:.4f}",
                 *(f"{r.per_class.get(label, 0):.3f}" for label in labels), f"{r.seconds:.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + (
        f"\n\n`{command}` — {time.strftime('%Y-%m-%d', time.gmtime())}, Python {platform.python_version()}, "
        "2 shared CPU cores (fit s = wall seconds for all folds, or for one fit on the full training set, "
        "under load from other jobs).\n"
    )


def conclusions(rows: list[Row]) -> str:
    """What the numbers decide: the default n-grams and whether raw text is normalised before `canonical`."""
    def score(config: str, evaluation: str) -> float | None:
        return next((r.macro_f1 for r in rows if r.config == config and r.evaluation == evaluation), None)

    lines = []
    for r in rows:
        if r.evaluation == "dev_raw":
            with_norm = score(r.config, "dev_raw, normalize first")
            lines.append(f"- {r.config}: `pipeline.normalize` before `canonical` changes dev macro-F1 by "
                         f"{with_norm - r.macro_f1:+.4f}.")
    cv = {r.config: r.macro_f1 for r in rows if r.evaluation.endswith("CV")}
    dev = {r.config: r.macro_f1 for r in rows if r.evaluation == "dev_raw"}
    if cv and dev:
        lines.append(f"- best CV macro-F1: {max(cv, key=cv.get)} ({max(cv.values()):.4f}); "
                     f"best dev macro-F1: {max(dev, key=dev.get)} ({max(dev.values()):.4f}).")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "teddy2020c")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--write", action="store_true", help="rewrite the ## Baseline section of bench/RESULTS.md")
    args = parser.parse_args()

    train, _ = load_tickets(args.data / "train_segmented.csv")
    dev, _ = load_tickets(args.data / "dev_raw.csv")
    labels = sorted(set(train["topic"]))
    console = Console(width=200)  # the per-class columns do not fit 80 characters
    rows: list[Row] = []
    for name in args.configs:
        rows.append(cross_validate(name, CONFIGS[name], train["canonical"], train["topic"], args.folds))
        rows.extend(dev_rows(name, CONFIGS[name], train, dev))
        console.print(table(rows[-3:], labels))
    console.print(table(rows, labels))
    findings = conclusions(rows)
    console.print(findings)
    dispatch_table, _ = dispatch(args.data)
    leakage_table = leakage_check(train)
    console.print(dispatch_table + "\n\n" + leakage_table)
    if args.write:
        default = next(name for name, config in CONFIGS.items() if config == BaselineConfig())
        text = (markdown(rows, labels, "nice python3 bench/baseline.py --write") + "\n" + findings
                + f"\nDefault (`BaselineConfig()`): **{default}**.\n\n" + NOTES + "\n" + dispatch_table + "\n\n"
                + DISPATCH_NOTES + "\n" + leakage_table + "\n")
        write_section(SECTION, text)

if __name__ == "__main__":
    main()
