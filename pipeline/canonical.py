"""The canonical model-input form of a ticket.

It is the exact recipe that produced `teddy2020c/train_segmented.csv` (the only form in which the real training
data exists): title and body concatenated, cut with jieba's *default* dictionary, every token that is in the
stopword list or is a tab or newline dropped, and each remaining token followed by one space. The stopword file
was read with `str.strip()` on each line, so whitespace entries such as U+3000 collapse to "" and do not
remove anything; reproducing that quirk is what makes the output match the published file byte for byte.
Two steps are ours. Traditional characters are made Simplified first, so a ticket typed in either script reaches
the models alike (the published recipe did not, so 3 of the 54 hot messages that are also training rows no longer
match theirs byte for byte: they hold a stray Traditional character). And HTML markup is removed, which a web form's
rich-text editor sends (<p>…&nbsp;…</p>) and none of the board's messages hold: the models would read p, nbsp and br
as words. Likewise a line ending "\r\n" (a web form's) is read as "\n", which the recipe drops, where "\r\n" stayed
a word, and invisible characters pasted from a chat app are deleted, where a zero-width space cut 路\u200b灯 into
路 and 灯.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import jieba

from pipeline.normalize import strip_invisible, strip_markup, to_simplified
from pipeline.resources import RESOURCES

_DROPPED = frozenset({"\t", "\n"})


@lru_cache(maxsize=1)
def _default_tokenizer() -> jieba.Tokenizer:
    # A private Tokenizer keeps the default dictionary untouched by the domain words `segment` adds.
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


# jieba finds the words of a run its dictionary cuts into single characters with an HMM whose Viterbi copies every path
# at every step: time quadratic in the run ("路" × 20,000 took 2.3 s to cut, a batch of 64 such tickets 6.5 minutes,
# an integrator's round). Runs of what jieba reads as one block (Chinese characters, letters, digits) are cut in pieces
# of at most this many characters; the longest in the board's 10,736 messages and replies is 344, so none is cut.
_LONGEST_RUN = 500
_LONG_RUN = re.compile(f"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\\-]{{{_LONGEST_RUN + 1},}}")


def cut_in_bounded_runs(cut: Callable[[str], Iterable[str]], text: str) -> Iterator[str]:
    """`cut(text)` (a jieba tokenizer's `cut` or `cut_for_search`), a run longer than `_LONGEST_RUN` cut in pieces."""
    at = 0
    for run in _LONG_RUN.finditer(text):
        yield from cut(text[at : run.start()])
        for start in range(run.start(), run.end(), _LONGEST_RUN):
            yield from cut(text[start : min(start + _LONGEST_RUN, run.end())])
        at = run.end()
    yield from cut(text[at:])


def read_stopwords(path: Path) -> frozenset[str]:
    with open(path, encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle)


def stopwords_fingerprint(stopwords: frozenset[str]) -> str:
    return hashlib.sha256("\n".join(sorted(stopwords)).encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=4)
def default_stopwords(path: Path | None = None) -> frozenset[str]:
    """The stopword list models are trained with: the published teddy2020c list when it is present (so that
    raw text lands in the same form as the training data), else the project's bundled list."""
    if path is None:
        from appeal.config import get_settings

        teddy = get_settings().teddy_dir / "stop_words.txt"
        path = teddy if teddy.is_file() else RESOURCES / "stopwords.txt"
    return read_stopwords(path)


def canonical(
    title: str | None,
    body: str | None,
    *,
    presegmented: bool = False,
    stopwords: frozenset[str] | None = None,
) -> str:
    """Title + body in canonical form. `presegmented=True` marks text that already is canonical (such as
    `train_segmented.csv`); it is returned unchanged so that segmenting twice never damages it."""
    # a part that is no text (None, a spreadsheet's empty cell read as NaN) is missing, not the word "nan"
    text = "".join(part for part in (title, body) if isinstance(part, str))
    if presegmented:
        return text
    # The published rows are Simplified: a ticket typed in Traditional characters would otherwise reach the models
    # as words they never saw (routing accuracy on dev_raw.csv written in Traditional: 0.81 against 0.86).
    text = to_simplified(strip_invisible(strip_markup(text)))
    stop = default_stopwords() if stopwords is None else stopwords
    return "".join(f"{word} " for word in cut_in_bounded_runs(_default_tokenizer().cut, text)
                   if word not in stop and word not in _DROPPED)
