"""Fine-tuned router quality on teddy2020c: train on train_segmented.csv, evaluate on dev_raw.csv.

The router is trained exactly as `appeal train --profile <p>` does (`training.finetune.train_file`, no --dev:
a stratified part of the training file is held out for early stopping, calibration, the ensemble weight and
the dispatch thresholds), then dev_raw.csv goes raw → `pipeline.model_text` → model. Rows, side by side:
the shipped model (ensemble or transformer), its transformer alone, and the TF-IDF + SVM baseline trained by
`appeal train --baseline` on the same file (`training.train_baseline`), all scored by `training.evaluation`.

    nice -n 5 python3 bench/router_quality.py                       # fast profile, full data (≈ 45 min, 2 cores)
    nice -n 5 python3 bench/router_quality.py --sample 1500 --config quick.toml    # a quick comparison
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from models.card import ModelCard  # noqa: E402
from models.predictor import Predictor, load_predictor  # noqa: E402
from training.evaluation import HeadReport, evaluate_predictor  # noqa: E402
from training.finetune import train_file  # noqa: E402
from training.finetune_config import load_config  # noqa: E402
from training.tickets import load_tickets  # noqa: E402
from training.train_baseline import train_baseline  # noqa: E402


def transformer_alone(predictor: Predictor) -> Predictor:
    """The ensemble's ONNX part on its own, with its own temperature (no threshold: not calibrated for it)."""
    card = predictor.card.model_copy(deep=True)
    blend = card.training.get("ensemble") or {}
    for head, head_card in card.heads.items():
        head_card.temperature = blend.get(head, {}).get("transformer_temperature", head_card.temperature)
        head_card.threshold = None
    predictor.backend.blend = None
    return Predictor(card, predictor.backend, predictor.stopwords)


def dev_weight_sweep(predictor: Predictor, dev) -> str:
    """Dev macro-F1 for other transformer shares of the blend: a diagnosis, not a way to choose one (that would
    tune on the test set)."""
    recorded = predictor.backend.blend
    scores = []
    for weight in (0.0, 0.3, 0.5, 0.6, 0.8, 1.0):
        predictor.backend.blend = {h: {**p, "weight": weight} for h, p in recorded.items()}
        scores.append(f"{weight:.1f} → {evaluate_predictor(predictor, dev)['topic'].macro_f1:.3f}")
    predictor.backend.blend = recorded
    return ", ".join(scores)


def row(name: str, report: HeadReport, seconds: float | None) -> str:
    per_class = " | ".join(f"{report.per_class[label].f1:.3f}" for label in sorted(report.per_class))
    coverage = "–" if report.threshold is None else f"{report.coverage:.2f} @ {report.dispatched_precision or 0:.3f}"
    fit = "–" if seconds is None else f"{seconds / 60:.1f}"
    return f"| {name} | {report.n} | {report.accuracy:.4f} | {report.macro_f1:.4f} | {per_class} | {coverage} | {fit} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "teddy2020c")
    parser.add_argument("--profile", default="fast")
    parser.add_argument("--config", type=Path, default=None, help="JSON/TOML overrides of the profile")
    parser.add_argument("--sample", type=int, default=None, help="train on a stratified sample of N tickets")
    parser.add_argument("--out", type=Path, default=None, help="keep the trained model here")
    parser.add_argument("--no-baseline", action="store_true", help="skip training the separate baseline")
    args = parser.parse_args()

    train_path = args.data / "train_segmented.csv"
    scratch = Path(tempfile.mkdtemp(prefix="router-quality-"))
    if args.sample:
        import pandas as pd
        from sklearn.model_selection import train_test_split

        frame = pd.read_csv(train_path)
        frame, _ = train_test_split(frame, train_size=args.sample, stratify=frame["label"], random_state=0)
        train_path = scratch / "train_segmented.csv"  # the name marks it as pre-segmented for the loader
        frame.to_csv(train_path, index=False)
    cfg = load_config(args.config, args.profile)
    out = args.out or scratch / "router"
    started = time.monotonic()
    train_file(train_path, cfg=cfg, out=out, profile=args.profile)
    router_seconds = time.monotonic() - started

    predictor = load_predictor(out, threads=cfg.threads or 2)
    card: ModelCard = predictor.card
    dev, _ = load_tickets(args.data / "dev_raw.csv", stopwords=predictor.stopwords,
                          labels={h: c.labels for h, c in card.heads.items()})
    results = [(f"{card.kind} (shipped)", evaluate_predictor(predictor, dev)["topic"], router_seconds)]
    sweep = dev_weight_sweep(predictor, dev) if card.kind == "ensemble" else None
    if card.kind == "ensemble":
        results.append(("transformer alone", evaluate_predictor(transformer_alone(predictor), dev)["topic"], None))
    if not args.no_baseline:
        started = time.monotonic()
        train_baseline(train_path, scratch / "baseline")
        seconds = time.monotonic() - started
        results.append(("TF-IDF + SVM baseline", evaluate_predictor(load_predictor(scratch / "baseline"), dev)["topic"],
                        seconds))

    labels = sorted(results[0][1].per_class)
    print(f"config: {cfg.model_dump_json()}")
    print(f"trained on {card.training['train_rows']} tickets (+{card.training['holdout_rows']} held out), "
          f"{card.training['steps']} steps, {card.training['epochs_run']} epoch(s), "
          f"fine-tuning {card.training['seconds'] / 60:.1f} min, whole run {router_seconds / 60:.1f} min")
    held = card.metrics["heads"]["topic"]
    print(f"holdout: transformer macro-F1 {held['transformer_macro_f1']:.4f}, baseline part "
          f"{held['baseline_macro_f1'] if held['baseline_macro_f1'] is None else round(held['baseline_macro_f1'], 4)}"
          f", shipped {held['macro_f1']:.4f} (weight {held['ensemble_weight']}); ECE {held['ece_before']:.3f} → "
          f"{held['ece_after']:.3f} (T={card.heads['topic'].temperature:.2f}); threshold "
          f"{card.heads['topic'].threshold} covers {card.heads['topic'].coverage:.2f} of the holdout")
    print()
    print("| model | dev n | accuracy | macro-F1 | " + " | ".join(labels) + " | dev coverage @ precision | train min |")
    print("|---" * (len(labels) + 6) + "|")
    for name, report, seconds in results:
        print(row(name, report, seconds))
    if sweep:
        print(f"\ndev macro-F1 by transformer share of the blend (diagnosis only): {sweep}")
    print(f"\nmodel: {out}" if args.out else "")


if __name__ == "__main__":
    main()
