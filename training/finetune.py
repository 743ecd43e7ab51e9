"""Fine-tune the router (shared e5 encoder + one head per target) and write an ONNX model directory.

What a run does, in order: load and canonicalise the tickets (`training.tickets`), hold out a stratified split
(or use `--dev`) for early stopping and calibration, train with AdamW + linear warm-up on length-bucketed,
dynamically padded batches (checkpointing so that `--resume` continues an interrupted run), keep the epoch with
the best holdout macro-F1, blend with the TF-IDF baseline (a fixed transformer share, or the share with the best
holdout macro-F1), fit a temperature and a dispatch threshold per head, then export one ONNX graph and the model card.

Model directory: `model.onnx` (input_ids, attention_mask → logits_<head>..., embedding), `tokenizer.json`,
`model.json`, `stopwords.txt`, `torch/` (encoder + heads for `load_torch_model`) and, for kind "ensemble",
`baseline.joblib`.
"""
from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from sklearn.metrics import f1_score
from sklearn.utils.class_weight import compute_class_weight
from tqdm.auto import tqdm

from appeal.config import centre_time
from models.card import CARD_FILE, STOPWORDS_FILE, HeadCard, ModelCard, code_version
from models.onnx_backend import ONNX_FILE, align_columns, blend
from models.predictor import softmax
from models.router_model import IGNORE, RouterModel, masked_loss
from models.tokenization import TOKENIZER_FILE, TextEncoder
from pipeline import InputError, default_stopwords, stopwords_fingerprint
from training.batching import length_bucketed_batches
from training.calibration import calibration_summary
from training.evaluation import pick_threshold
from training.finetune_config import FinetuneConfig, load_config
from training.tickets import HEADS, load_tickets, no_labels, stratified_split, units_read_as

TORCH_DIR = "torch"
HEADS_FILE = "heads.pt"
CHECKPOINT_DIR = ".checkpoint"
ENSEMBLE_WEIGHTS = np.round(np.linspace(0.0, 1.0, 11), 2)
# Training tickets a label needs to become a class of a head, as the baseline needs one per calibration fold: a
# label given once or twice is more often an agent's typo (城建 for 城乡建设) than a new class, and balanced class
# weights would give its one ticket the weight of a hundred. Such tickets still train the other head.
MIN_LABEL_EXAMPLES = 3


@dataclass
class Split:
    texts: list[str]
    labels: dict[str, np.ndarray]  # head → label index per text, IGNORE where the ticket has no such label


def head_labels(dataset, heads: Sequence[str] = HEADS, min_examples: int = 1) -> dict[str, list[str]]:
    """The label set of each head that has at least two labels given to `min_examples` tickets or more in the data
    (sorted: stable across runs)."""
    found = {}
    for head in heads:
        if head in dataset.column_names:
            counts = Counter(v for v in dataset[head] if v is not None)
            values = sorted(label for label, n in counts.items() if n >= min_examples)
            if len(values) >= 2:
                found[head] = values
    return found


def to_split(dataset, labels: dict[str, list[str]]) -> Split:
    index = {head: {label: i for i, label in enumerate(values)} for head, values in labels.items()}
    return Split(
        texts=list(dataset["canonical"]),
        labels={
            head: np.array([index[head].get(v, IGNORE) if v is not None else IGNORE for v in dataset[head]])
            for head in labels
        },
    )


def _device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _class_weights(labels: np.ndarray, n_classes: int, device) -> torch.Tensor:
    present = labels[labels != IGNORE]
    weights = np.ones(n_classes, dtype=np.float32)
    classes = np.unique(present)
    weights[classes] = compute_class_weight("balanced", classes=classes, y=present)
    return torch.tensor(weights, device=device)


def predict_logits(model: RouterModel, encoder: TextEncoder, ids: list[list[int]], batch_size: int) -> list[np.ndarray]:
    """Per-head logits (in `model.head_names` order) of already-tokenised texts, batched by length."""
    device = next(model.parameters()).device
    order = np.argsort([len(row) for row in ids], kind="stable")
    out: list[list[np.ndarray]] = [[] for _ in model.head_names]
    model.eval()
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            batch = encoder.pad([ids[i] for i in order[start : start + batch_size]])
            result = model(torch.from_numpy(batch.input_ids).to(device), torch.from_numpy(batch.attention_mask).to(device))
            for h in range(len(model.head_names)):
                out[h].append(result[h].float().cpu().numpy())
    inverse = np.argsort(order, kind="stable")
    return [np.concatenate(parts)[inverse] if parts else np.zeros((0, 0)) for parts in out]


def macro_f1(logits: np.ndarray, labels: np.ndarray) -> float:
    rows = labels != IGNORE
    if not rows.any():
        return 0.0
    return float(f1_score(labels[rows], logits[rows].argmax(axis=1), average="macro"))


class Trainer:
    """One fine-tuning run; the state it checkpoints is exactly what `--resume` needs to go on."""

    def __init__(self, cfg: FinetuneConfig, base: Path, labels: dict[str, list[str]], train: Split, holdout: Split,
                 checkpoint_dir: Path):
        self.cfg, self.labels, self.train_split, self.holdout = cfg, labels, train, holdout
        self.checkpoint_dir = checkpoint_dir
        self.device = _device()
        torch.manual_seed(cfg.seed)
        self.encoder = TextEncoder.from_dir(base, cfg.max_length)
        self.model = RouterModel.from_base(base, {h: len(v) for h, v in labels.items()}, layers=cfg.layers,
                                           dropout=cfg.dropout).to(self.device)
        self.model.freeze(embeddings=cfg.freeze_embeddings, lower_layers=cfg.freeze_layers)
        self.train_ids = self.encoder.ids(train.texts)
        self.holdout_ids = self.encoder.ids(holdout.texts)
        self.class_weights = [
            _class_weights(train.labels[h], len(labels[h]), self.device) if cfg.class_weighting else None
            for h in self.model.head_names
        ]
        self.steps_per_epoch = len(length_bucketed_batches([len(r) for r in self.train_ids], cfg.batch_size, 0))
        total = self.steps_per_epoch * cfg.epochs
        head_params = list(self.model.heads.parameters())
        encoder_params = [p for p in self.model.encoder.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(
            [{"params": encoder_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
            weight_decay=cfg.weight_decay,
        )
        from transformers import get_linear_schedule_with_warmup

        self.scheduler = get_linear_schedule_with_warmup(self.optimizer, int(total * cfg.warmup_ratio), total)
        self.epoch, self.batch_in_epoch, self.step = 0, 0, 0
        self.best_score, self.best_state, self.stale_epochs = -1.0, None, 0
        self.history: list[dict] = []
        self.seconds = 0.0

    # --- checkpoints -------------------------------------------------------------------------------------------
    def _trainable_state(self) -> dict[str, torch.Tensor]:
        names = {n for n, p in self.model.named_parameters() if p.requires_grad}
        return {n: t.detach().cpu().clone() for n, t in self.model.state_dict().items() if n in names}

    def save_checkpoint(self) -> None:
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "config": self.cfg.model_dump(), "labels": self.labels, "weights": self._trainable_state(),
            "optimizer": self.optimizer.state_dict(), "scheduler": self.scheduler.state_dict(),
            "epoch": self.epoch, "batch_in_epoch": self.batch_in_epoch, "step": self.step,
            "best_score": self.best_score, "best_state": self.best_state, "stale_epochs": self.stale_epochs,
            "history": self.history, "seconds": self.seconds, "rng": torch.get_rng_state(),
        }
        tmp = self.checkpoint_dir / "state.pt.tmp"
        torch.save(state, tmp)
        tmp.replace(self.checkpoint_dir / "state.pt")  # a crash mid-write leaves the previous checkpoint intact

    def load_checkpoint(self) -> bool:
        path = self.checkpoint_dir / "state.pt"
        if not path.is_file():
            return False
        state = torch.load(path, map_location="cpu", weights_only=False)
        if state["config"] != self.cfg.model_dump() or state["labels"] != self.labels:
            raise InputError(f"{path}: checkpoint was made with other settings or labels; train without --resume")
        self.model.load_state_dict(state["weights"], strict=False)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        for key in ("epoch", "batch_in_epoch", "step", "best_score", "best_state", "stale_epochs", "history", "seconds"):
            setattr(self, key, state[key])
        torch.set_rng_state(state["rng"])
        return True

    # --- training ----------------------------------------------------------------------------------------------
    def evaluate(self) -> tuple[float, list[np.ndarray]]:
        logits = predict_logits(self.model, self.encoder, self.holdout_ids, self.cfg.eval_batch_size)
        scores = [macro_f1(l, self.holdout.labels[h]) for l, h in zip(logits, self.model.head_names)]
        return float(np.mean(scores)), logits

    def run(self, stop_at_step: int | None = None) -> bool:
        """Train to the end (True), or checkpoint and return False at `stop_at_step` (an interruption)."""
        cfg, lengths = self.cfg, [len(r) for r in self.train_ids]
        labels = [torch.from_numpy(self.train_split.labels[h]) for h in self.model.head_names]
        total = self.steps_per_epoch * cfg.epochs
        # Redirected to a log (a service's first start, a batch job) a bar is a megabyte of carriage returns; the
        # per-epoch line below then carries the progress.
        bar = tqdm(total=total, initial=self.step, desc="fine-tuning", unit="step", dynamic_ncols=True,
                   disable=not sys.stderr.isatty())
        started = time.monotonic() - self.seconds
        while self.epoch < cfg.epochs and not (self.best_state is not None and self.stale_epochs > cfg.patience):
            batches = length_bucketed_batches(lengths, cfg.batch_size, cfg.seed + self.epoch)
            self.model.train()
            for rows in batches[self.batch_in_epoch :]:
                batch = self.encoder.pad([self.train_ids[i] for i in rows])
                out = self.model(torch.from_numpy(batch.input_ids).to(self.device),
                                 torch.from_numpy(batch.attention_mask).to(self.device))
                loss = masked_loss(list(out[:-1]), [l[rows].to(self.device) for l in labels], self.class_weights)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                self.optimizer.step()
                self.scheduler.step()
                self.optimizer.zero_grad(set_to_none=True)
                self.step += 1
                self.batch_in_epoch += 1
                bar.update(1)
                bar.set_postfix(epoch=self.epoch + 1, loss=f"{loss.item():.3f}")
                if self.step % cfg.checkpoint_every == 0 or self.step == stop_at_step:
                    self.seconds = time.monotonic() - started
                    self.save_checkpoint()
                if self.step == stop_at_step:
                    bar.close()
                    return False
            score, _ = self.evaluate()
            self.history.append({"epoch": self.epoch + 1, "holdout_macro_f1": score, "step": self.step})
            bar.write(f"epoch {self.epoch + 1}/{cfg.epochs}: holdout macro-F1 {score:.4f}"
                      f" · {_progress(self.step, total, time.monotonic() - started)}")
            if score > self.best_score:
                self.best_score, self.best_state, self.stale_epochs = score, self._trainable_state(), 0
            else:
                self.stale_epochs += 1
            self.epoch, self.batch_in_epoch = self.epoch + 1, 0
            self.seconds = time.monotonic() - started
            self.save_checkpoint()
        bar.close()
        self.model.load_state_dict(self.best_state, strict=False)
        return True


def _progress(step: int, total: int, seconds: float) -> str:
    left = seconds / step * (total - step) if step else 0.0
    return (f"step {step}/{total}, {_clock(seconds)} elapsed, at most {_clock(left)} left"
            " (early stopping may end sooner)")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


# --- ensemble with the TF-IDF baseline ----------------------------------------------------------------------------
def _baseline_logprobs(baseline, texts: Sequence[str], labels: dict[str, list[str]]) -> dict[str, np.ndarray]:
    raw = baseline.logits(texts)
    return {h: align_columns(raw[h], baseline.labels(h), labels[h]) for h in labels if h in raw}


def choose_blend(nn_logits: np.ndarray, nn_temperature: float, base_logprobs: np.ndarray,
                 labels: np.ndarray) -> float:
    """Weight of the transformer in w·log p_transformer + (1−w)·log p_baseline with the best holdout macro-F1
    (ties go to the larger transformer weight)."""
    scores = [(macro_f1(blend(nn_logits, nn_temperature, base_logprobs, w), labels), w) for w in ENSEMBLE_WEIGHTS]
    return float(max(scores)[1])


# --- export -------------------------------------------------------------------------------------------------------
def export_model(model: RouterModel, encoder: TextEncoder, out: Path, sample_texts: Sequence[str]) -> dict[str, float]:
    """Write model.onnx and return the largest |torch − ONNX Runtime| per output on `sample_texts`."""
    from models.onnx_export import export_onnx, max_abs_diff

    model = model.to("cpu").eval()
    batch = encoder.encode(list(sample_texts))
    inputs = {"input_ids": torch.from_numpy(batch.input_ids), "attention_mask": torch.from_numpy(batch.attention_mask)}
    names = [f"logits_{h}" for h in model.head_names] + ["embedding"]
    path = export_onnx(model, inputs, names, out / ONNX_FILE,
                       dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                                     "attention_mask": {0: "batch", 1: "sequence"},
                                     **{n: {0: "batch"} for n in names}})
    return max_abs_diff(model, path, inputs, names)


def load_torch_model(model_dir: Path) -> tuple[RouterModel, TextEncoder]:
    """The trained router as a torch module (for benchmarks and continued training) and its text encoder."""
    model_dir = Path(model_dir)
    card = ModelCard.load(model_dir)
    model = RouterModel.from_base(model_dir / TORCH_DIR, {h: len(c.labels) for h, c in card.heads.items()})
    model.heads.load_state_dict(torch.load(model_dir / TORCH_DIR / HEADS_FILE, map_location="cpu"))
    return model.eval(), TextEncoder.from_dir(model_dir, card.max_length or 512)


def _library_versions() -> dict[str, str]:
    import onnxruntime
    import sklearn
    import tokenizers
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
            "onnxruntime": onnxruntime.__version__, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "appeal-router": code_version()}


def trainable_labels(train_set) -> dict[str, list[str]]:
    """The labels each head learns from `train_set` (`head_labels` with `MIN_LABEL_EXAMPLES`); none is an error."""
    labels = head_labels(train_set, min_examples=MIN_LABEL_EXAMPLES)
    if not labels:
        raise InputError(f"no head has two or more labels given to {MIN_LABEL_EXAMPLES} training tickets or more "
                         "(columns topic, unit)")
    return labels


# --- the whole run ------------------------------------------------------------------------------------------------
def fine_tune(train_set, holdout_set, *, cfg: FinetuneConfig, base: Path, out: Path, resume: bool = False,
              stopwords: frozenset[str], data_fingerprint: str | None = None, source: dict | None = None) -> Path:
    """Train on `train_set`, stop early and calibrate on `holdout_set` (datasets from `load_tickets`)."""
    out = Path(out)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    labels = trainable_labels(train_set)
    rare = {h: sorted({v for part in (train_set, holdout_set) for v in part[h] if v is not None} - set(labels[h]))
            for h in labels}
    train, holdout = to_split(train_set, labels), to_split(holdout_set, labels)
    checkpoint_dir = out / CHECKPOINT_DIR
    # Everything is written into a staging dir beside `out` and moved in at the end, so that `out` holds
    # either the checkpoint of an unfinished run or a complete model, never half a model.
    staging = out.with_name(out.name + ".partial")
    if (staging / CARD_FILE).is_file() and not (checkpoint_dir / "state.pt").is_file():
        # killed while a finished model was moved in: its checkpoint is gone and the model is whole in `staging`
        return _finish_move_in(staging, out, cfg, resume)
    if out.exists() and not resume and any(out.iterdir()):
        raise InputError(f"{out}: directory is not empty (use --resume to continue a run there, or another --out)")
    if resume and (out / CARD_FILE).is_file():
        # a finished run keeps no checkpoint: resuming would train it again from the start and replace it
        raise InputError(f"{out}: holds a finished model ({CARD_FILE}), nothing to resume; train into another --out")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # the load report lists every dropped upper layer: expected, not news
    trainer = Trainer(cfg, base, labels, train, holdout, checkpoint_dir)
    if resume and trainer.load_checkpoint():
        print(f"resuming at epoch {trainer.epoch + 1}, step {trainer.step}")
    elif resume:
        print(f"no checkpoint in {out}: training from the start")
    trainer.run()
    train_seconds = trainer.seconds
    model, heads = trainer.model, trainer.model.head_names
    _, nn_logits = trainer.evaluate()

    baseline = None
    if cfg.ensemble:
        from models.baseline import BaselineModel

        baseline = BaselineModel().fit(train.texts, {h: train_set[h] for h in heads})
    base_logprobs = _baseline_logprobs(baseline, holdout.texts, labels) if baseline is not None else {}

    head_cards: dict[str, HeadCard] = {}
    metrics: dict[str, dict] = {}
    blend_params: dict[str, dict] = {}
    for h, logits in zip(heads, nn_logits):
        y = holdout.labels[h]
        rows = y != IGNORE
        nn_cal = calibration_summary(logits[rows], y[rows])
        if h not in base_logprobs:
            weight = 1.0
        elif cfg.ensemble_weight is not None:
            weight = cfg.ensemble_weight
        else:
            weight = choose_blend(logits[rows], nn_cal["temperature"], base_logprobs[h][rows], y[rows])
        final = blend(logits, nn_cal["temperature"], base_logprobs.get(h), weight)
        cal = calibration_summary(final[rows], y[rows])
        blend_params[h] = {"weight": weight, "transformer_temperature": nn_cal["temperature"]}
        probs = softmax(final[rows], cal["temperature"])
        choice = pick_threshold(probs.max(axis=1), probs.argmax(axis=1) == y[rows], cfg.target_precision)
        head_cards[h] = HeadCard(labels=labels[h], temperature=cal["temperature"], threshold=choice.threshold,
                                 target_precision=cfg.target_precision, coverage=choice.coverage,
                                 dispatched=choice.dispatched, dispatched_precision=choice.precision)
        metrics[h] = {
            "holdout_n": int(rows.sum()),
            "transformer_macro_f1": macro_f1(logits, y),
            "baseline_macro_f1": macro_f1(base_logprobs[h], y) if h in base_logprobs else None,
            "macro_f1": macro_f1(final, y), "accuracy": float((final[rows].argmax(1) == y[rows]).mean()),
            "ensemble_weight": weight, "ece_before": cal["ece_before"], "ece_after": cal["ece_after"],
            "transformer_ece_before": nn_cal["ece_before"], "transformer_ece_after": nn_cal["ece_after"],
            "threshold": choice.threshold, "coverage": choice.coverage, "dispatched_precision": choice.precision,
        }
    uses_baseline = any(p["weight"] < 1.0 for p in blend_params.values())

    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    parity = export_model(model, trainer.encoder, staging, holdout.texts[:8] or train.texts[:8])
    shutil.copy(Path(base) / TOKENIZER_FILE, staging / TOKENIZER_FILE)
    model.encoder.save_pretrained(staging / TORCH_DIR)
    torch.save(model.heads.state_dict(), staging / TORCH_DIR / HEADS_FILE)
    if uses_baseline:
        baseline.save(staging)
    (staging / STOPWORDS_FILE).write_text("".join(f"{w}\n" for w in sorted(stopwords)), encoding="utf-8")
    stamp = datetime.now(timezone.utc)
    main = "topic" if "topic" in metrics else heads[0]
    card = ModelCard(
        version=f"{'ensemble' if uses_baseline else 'transformer'}-{centre_time(stamp):%Y%m%d-%H%M%S}",
        created_at=stamp.isoformat(timespec="seconds"),  # one clock reading: the name and the time agree
        kind="ensemble" if uses_baseline else "transformer",
        heads=head_cards,
        base=_base_name(base),
        data_fingerprint=data_fingerprint,
        stopwords_sha=stopwords_fingerprint(stopwords),
        max_length=cfg.max_length,
        metrics={"evaluated_on": "holdout", "head": main, "macro_f1": metrics[main]["macro_f1"],
                 "accuracy": metrics[main]["accuracy"], "heads": metrics, "onnx_parity_max_abs": parity},
        training={"config": cfg.model_dump(), "seconds": round(train_seconds, 1), "steps": trainer.step,
                  "epochs_run": trainer.epoch, "history": trainer.history, "device": str(trainer.device),
                  "train_rows": len(train.texts), "holdout_rows": len(holdout.texts),
                  "ensemble": blend_params if uses_baseline else None,
                  "rare_labels_left_out": {h: values for h, values in rare.items() if values}, **(source or {})},
        library_versions=_library_versions(),
    )
    card.save(staging)
    shutil.rmtree(checkpoint_dir, ignore_errors=True)
    _move_in(staging, out)
    return out


def _move_in(staging: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


def _finish_move_in(staging: Path, out: Path, cfg: FinetuneConfig, resume: bool) -> Path:
    if not resume:
        raise InputError(f"{staging}: holds the finished model of an interrupted run; --resume moves it to {out} "
                         "(or delete it to train afresh)")
    if ModelCard.load(staging).training.get("config") != cfg.model_dump():
        raise InputError(f"{staging}: holds a finished model trained with other settings; move it away or train "
                         "without --resume into another --out")
    _move_in(staging, out)
    print(f"the run had finished: moved its model from {staging} to {out}")
    return out


def _base_name(base: Path) -> str:
    build = Path(base) / "build.json"
    if build.is_file():
        info = json.loads(build.read_text(encoding="utf-8"))
        return f"{Path(base).name} (sha {str(info.get('source_sha256', ''))[:12]})"
    return Path(base).name


def train_file(data: Path, *, cfg: FinetuneConfig, out: Path, dev: Path | None = None, base: Path | None = None,
               resume: bool = False, profile: str = "custom",
               unit_label: Callable[[str], str | None] | None = None) -> Path:
    """Fine-tune on a ticket file; without `dev`, a stratified `cfg.holdout_fraction` of it is held out.
    `unit_label` reads the unit names of both files as the unit head's labels (see `load_tickets`)."""
    stopwords = default_stopwords()
    train, holdout, report = training_sets(data, cfg=cfg, dev=dev, stopwords=stopwords, unit_label=unit_label)
    if base is None:
        from models.base_model import ensure_base_model

        base = ensure_base_model(layers=cfg.layers, prune_vocab=cfg.prune_vocab)
    elif not (Path(base) / "config.json").is_file() or not (Path(base) / TOKENIZER_FILE).is_file():
        raise InputError(f"{base}: not a base encoder directory (needs config.json and {TOKENIZER_FILE})")
    return fine_tune(train, holdout, cfg=cfg, base=Path(base), out=out, resume=resume, stopwords=stopwords,
                     data_fingerprint=report.fingerprint,
                     source={"data": str(Path(data).resolve()), "dev": str(Path(dev).resolve()) if dev else None,
                             "profile": profile,
                             "columns": report.column_sources(), "units_read_as": units_read_as(report.units_read_as),
                             "label_counts": report.label_counts, "blank_labels": dict(report.blank_labels)})


def training_sets(data: Path, *, cfg: FinetuneConfig, stopwords: frozenset[str], dev: Path | None = None,
                  unit_label: Callable[[str], str | None] | None = None) -> tuple:
    """(train, holdout, load report) of `train_file`, read and split as it trains on them, so that a mistake in the
    data that would stop a run can be said before anything is built (`appeal serve` reads a pack with it)."""
    tickets, report = load_tickets(data, stopwords=stopwords, unit_label=unit_label)
    labels = head_labels(tickets)
    if not labels:
        raise no_labels(data)
    if dev is not None:
        holdout, _ = load_tickets(dev, stopwords=stopwords, labels=labels, unit_label=unit_label)
        train = tickets
    else:
        train, holdout = stratified_split(tickets, cfg.holdout_fraction, cfg.seed, column=next(iter(labels)))
    trainable_labels(train)
    return train, holdout, report


def train_from_cli(data: Path, dev: Path | None, base: Path | None, config: Path | None, profile: str, out: Path,
                   resume: bool, unit_label: Callable[[str], str | None] | None = None) -> Path:
    """`appeal train` without --baseline."""
    return train_file(data, cfg=load_config(config, profile), out=out, dev=dev, base=base, resume=resume,
                      profile=profile, unit_label=unit_label)


# Small enough to train on the 300 demo tickets in a few CPU minutes; the heads need more epochs than the
# encoder on so little data, hence the high head learning rate.
DEMO_CONFIG = FinetuneConfig(layers=2, max_length=96, epochs=10, batch_size=16, lr=3e-4, head_lr=5e-3, patience=3,
                             holdout_fraction=0.2)


def train_default_model(tickets: Path, out: Path) -> Path:
    """The model `appeal serve` starts with on a fresh home: the pack's tickets (topic + unit heads)."""
    return train_file(tickets, cfg=DEMO_CONFIG, out=out, profile="demo")


def check_default_data(tickets: Path) -> None:
    """The pack's tickets read and split as `train_default_model` would, without training."""
    training_sets(tickets, cfg=DEMO_CONFIG, stopwords=default_stopwords())
