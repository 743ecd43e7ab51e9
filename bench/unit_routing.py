"""Question → department routing on the Taipei City FAQ: how well can a unit head route real citizen questions?

Data: `../shared/data/taipei-faq/taipei_faq.csv` (1,432 real questions, 124 departments, Traditional Chinese,
converted with OpenCC t2s). Stratified 5-fold cross-validation; every question is predicted once, by the fold
that did not train on it, and the metrics are computed on all out-of-fold predictions together (per-fold spread
of top-1 is printed beside them).

Rare departments are handled in the open, never silently: `--rare fold` (default) puts every department with
fewer than `--min-count` questions into one class "其他" (a real hotline sends those to a human or a generalist
seat), `--rare exclude` drops their questions. `--level bureau` routes to the first-level body
(臺北市政府社會局婦女福利及兒童托育科 → 臺北市政府社會局), the granularity a 12345 centre dispatches at.

Models: `tfidf-char` (character 1–3-gram TF-IDF) and `tfidf-word` (jieba word 1–2-gram TF-IDF), each with a
class-balanced linear SVM (scikit-learn); `transformer` fine-tunes the router's `unit` head on each fold's
training questions exactly as `appeal train` does (`training.finetune.train_file`, the `--config` settings, a
stratified tenth of the fold held out for early stopping) and reports two rows from that one model: the
fine-tuned e5 head alone and the shipped blend with the TF-IDF baseline.

    nice python3 bench/unit_routing.py                     # all TF-IDF variants, one table
    nice python3 bench/unit_routing.py --model transformer --level dept --rare fold
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import jieba
import numpy as np
import pandas as pd
from opencc import OpenCC
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, top_k_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OTHER = "其他"
# First-level body: the name up to its first 局/處/委員會/中心/所/院/館/公司 (after the city prefix).
_BUREAU = re.compile(r"^(?:臺北市政府|臺北市立|臺北市|臺北)?.*?(?:委員會|局|處|中心|所|院|館|公司)")


def bureau(dept: str) -> str:
    match = _BUREAU.match(dept)
    return match.group(0) if match else dept


def load(shared_data: Path, level: str, rare: str, min_count: int) -> tuple[list[str], list[str], dict]:
    frame = pd.read_csv(shared_data / "taipei-faq" / "taipei_faq.csv", dtype=str)
    frame = frame.dropna(subset=["question", "dept"])
    frame["question"], frame["dept"] = frame["question"].str.strip(), frame["dept"].str.strip()
    # 22 questions are posted twice for the same department: one copy could sit in training and the other in
    # the test fold, so only the first copy is kept.
    before = len(frame)
    frame = frame.drop_duplicates(["question", "dept"])
    t2s = OpenCC("t2s")
    texts = [t2s.convert(q) for q in frame["question"]]
    labels = [t2s.convert(bureau(d) if level == "bureau" else d) for d in frame["dept"]]
    counts = pd.Series(labels).value_counts()
    rare_labels = set(counts[counts < min_count].index)
    info = {"duplicates": before - len(frame), "questions": len(labels), "departments": len(counts), "rare_departments": len(rare_labels),
            "rare_questions": int(counts[counts < min_count].sum())}
    if rare == "fold":
        labels = [OTHER if label in rare_labels else label for label in labels]
    else:
        keep = [i for i, label in enumerate(labels) if label not in rare_labels]
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
    return texts, labels, info


jieba.setLogLevel(60)


def _jieba_words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


def tfidf_model(kind: str):
    if kind == "tfidf-char":
        features = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    else:
        features = TfidfVectorizer(tokenizer=_jieba_words, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                                   sublinear_tf=True)
    return make_pipeline(features, LinearSVC(C=0.5, class_weight="balanced"))


def fine_tuned_scores(train_x: list[str], train_y: list[str], test_x: list[str],
                      config: Path | None) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Fine-tune a `unit` head on the fold; log-probabilities of the head alone and of the shipped blend."""
    from models.predictor import load_predictor
    from pipeline import model_text
    from training.finetune import train_file
    from training.finetune_config import load_config

    with tempfile.TemporaryDirectory(prefix="unit-routing-") as tmp:
        data = Path(tmp) / "train.jsonl"
        data.write_text("".join(json.dumps({"id": str(i), "text": x, "unit": y}, ensure_ascii=False) + "\n"
                                for i, (x, y) in enumerate(zip(train_x, train_y))), encoding="utf-8")
        model_dir = train_file(data, cfg=load_config(config), out=Path(tmp) / "model", profile="bench")
        predictor = load_predictor(model_dir)
        texts = [model_text(None, x, stopwords=predictor.stopwords) for x in test_x]
        order = predictor.card.heads["unit"].labels
        out = {"e5 fine-tuned + tfidf blend": (predictor.backend.logits(texts)["unit"], order)}
        predictor.backend.blend = None
        out["e5 fine-tuned"] = (predictor.backend.logits(texts)["unit"], order)
        return out


def fit_scores(kind: str, train_x: list[str], train_y: list[str], test_x: list[str],
               config: Path | None) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per model variant: scores (n_test, n_labels) for the test texts and the label order of their columns."""
    if kind == "transformer":
        return fine_tuned_scores(train_x, train_y, test_x, config)
    model = tfidf_model(kind).fit(train_x, train_y)
    return {kind: (np.asarray(model.decision_function(test_x)), list(model.classes_))}


def cross_validate(kind: str, texts: list[str], labels: list[str], folds: int, seed: int,
                   config: Path | None = None) -> dict[str, dict]:
    labels_arr = np.asarray(labels)
    all_labels = sorted(set(labels))
    oof: dict[str, np.ndarray] = {}
    fold_top1: dict[str, list[float]] = {}
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels_arr):
        variants = fit_scores(kind, [texts[i] for i in train], list(labels_arr[train]), [texts[i] for i in test],
                              config)
        for name, (scores, order) in variants.items():
            table = oof.setdefault(name, np.full((len(texts), len(all_labels)), -np.inf))
            table[np.ix_(test, [all_labels.index(label) for label in order])] = scores
            fold_top1.setdefault(name, []).append(
                float(np.mean(np.asarray(all_labels)[table[test].argmax(1)] == labels_arr[test])))
    results = {}
    for name, table in oof.items():
        predicted = np.asarray(all_labels)[table.argmax(1)]
        finite = np.where(np.isfinite(table), table, np.nanmin(table[np.isfinite(table)]) - 1)
        results[name] = {
            "top1": float(np.mean(predicted == labels_arr)),
            "top1_std": float(np.std(fold_top1[name])),
            "top3": float(top_k_accuracy_score(labels_arr, finite, k=3, labels=all_labels)),
            "macro_f1": float(f1_score(labels_arr, predicted, labels=all_labels, average="macro", zero_division=0)),
            "classes": len(all_labels),
            "n": len(labels),
        }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=["tfidf-char", "tfidf-word", "transformer", "all-tfidf"], default="all-tfidf")
    parser.add_argument("--level", choices=["dept", "bureau", "both"], default="both")
    parser.add_argument("--rare", choices=["fold", "exclude", "both"], default="both")
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--shared-data", type=Path, default=None)
    parser.add_argument("--config", type=Path, default=REPO / "bench" / "unit_routing_finetune.toml",
                        help="fine-tuning settings (JSON/TOML) for --model transformer")
    args = parser.parse_args()

    if args.shared_data is None:
        from appeal.config import get_settings

        args.shared_data = get_settings().shared_data
    models = ["tfidf-char", "tfidf-word"] if args.model == "all-tfidf" else [args.model]
    levels = ["dept", "bureau"] if args.level == "both" else [args.level]
    rares = ["fold", "exclude"] if args.rare == "both" else [args.rare]

    print(f"Taipei FAQ question → department, stratified {args.folds}-fold CV (seed {args.seed}), "
          f"rare = fewer than {args.min_count} questions")
    print("Exact duplicate (question, department) rows are dropped before splitting.")
    print("| model | level | rare depts | questions | classes | top-1 | top-3 | macro-F1 | time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for level in levels:
        for rare in rares:
            texts, labels, info = load(args.shared_data, level, rare, args.min_count)
            rare_note = (f"{info['rare_departments']} of {info['departments']} "
                         f"({info['rare_questions']} q) {'→ 其他' if rare == 'fold' else 'excluded'}")
            for kind in models:
                start = time.perf_counter()
                results = cross_validate(kind, texts, labels, args.folds, args.seed, args.config)
                for name, result in results.items():
                    print(f"| {name} | {level} | {rare_note} | {result['n']} | {result['classes']} | "
                          f"{result['top1']:.3f} ± {result['top1_std']:.3f} | {result['top3']:.3f} | "
                          f"{result['macro_f1']:.3f} | {time.perf_counter() - start:.0f} s |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
