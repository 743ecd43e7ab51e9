"""Display-level clean-up of scraped or typed ticket text: one spelling for the same text.

Used for search, deduplication and display; NOT for model input, which must stay in the `canonical` form the
training data was published in (that recipe works on raw text and keeps full-width punctuation; of the steps here it
takes only `strip_markup`, `strip_invisible` and `to_simplified`).
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import opencc

# Script and style bodies are code, not text; comments are markup.
_HIDDEN_OPEN = re.compile(r"<(script|style)\b[^>]*>|<!--", re.IGNORECASE)
_HIDDEN_CLOSE = {"script": re.compile(r"</script\s*>", re.IGNORECASE), "style": re.compile(r"</style\s*>", re.IGNORECASE),
                 "!--": re.compile("-->")}
# Only things that look like tags: "a < b > c" or "<3" in a citizen's complaint is text.
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>|<![A-Za-z][^<>]*>")
# Tags that end a line or a cell in the rendered page become a line break, so that the words on either side
# do not run together (and `canonical` drops it as it drops a typed one); inline tags (<b>, <span>) vanish so that
# a word they wrap stays whole.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre "
    "section table tbody td tfoot th thead tr ul".split()
)
# Invisible format characters (zero-width space/joiners, BOM, soft hyphen, bidi marks and isolates, variation
# selectors, tag characters, the grapheme joiner, blank fillers) and C0/C1 controls that are not whitespace. They sit
# inside words in pasted text, so they are deleted rather than turned into a space that would split the word; one left
# in a phone number (138\u206607391234) kept it from being masked. A keycap (1 + U+FE0F + U+20E3) leaves its digit.
_INVISIBLE = re.compile("[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u034f\u061c\u115f\u1160"
                        "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u20e3\u3164\ufe00-\ufe0f\ufeff"
                        "\ufff9-\ufffb\uffa0\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef]")
# A spreadsheet stores a control character of a cell as _xHHHH_ (Office Open XML), the carriage return of a line
# break typed in Excel as _x000D_, and a tool that reads the workbook without undoing it leaves that in the text
# (131 times in teddy2020c's dev_raw.csv): a line break, not a word that search and the repeat check should match on.
_OOXML_CONTROL = re.compile(r"_x00[01][0-9A-Fa-f]_")
_SPACE_RUN = re.compile(r"\s+")
# Circled list numbers (①…⑳, ㉑…, ❶, ⓫) read as NFKC reads the parenthesized ones (⑴ → "(1)"): NFKC alone makes ② a
# bare 2 that runs into the digits after it, so that ②15号栋 became building 215 and ②13907391234 no mobile number.
# Before 号, 栋, 组 … one is a building's or a group's number (①号楼302室, the home masked as such), the digits NFKC gives.
CIRCLED_VALUES = {chr(code): int(unicodedata.numeric(chr(code))) for code in range(0x2460, 0x32C0)
                   if re.search("CIRCLED (SANS-SERIF )?(DIGIT|NUMBER)", unicodedata.name(chr(code), ""))}
CIRCLED_UNITS = "号|栋|幢|组|单元|室"
_CIRCLED = re.compile(f"([{''.join(CIRCLED_VALUES)}])({CIRCLED_UNITS})?")


def _circled_number(match: re.Match[str]) -> str:
    value = CIRCLED_VALUES[match.group(1)]
    return f"{value}{match.group(2)}" if match.group(2) else f"({value})"

# Every step undoes at most one layer (doubly escaped entities, tags spelled with full-width brackets);
# real text settles after two passes, the bound only guards against pathological input.
_MAX_PASSES = 8


@lru_cache(maxsize=1)
def _t2s() -> tuple[opencc.OpenCC, frozenset[str]]:
    """The Traditional → Simplified converter and the characters that can make it change anything.

    The converter is pure Python and costs about 1 ms per ticket; most tickets are Simplified already,
    and a text without any of these characters is provably left as it is, so it is skipped.
    """
    converter = opencc.OpenCC("t2s")
    converter.convert("")  # loads the dictionaries now, not on the first real call
    phrases, characters = converter._dict_chain_data[0]  # the group TSPhrases + TSCharacters of config t2s
    changing = {key for key, value in characters[2].items() if key != value.split(" ")[0]}
    for key, value in phrases[2].items():
        target = value.split(" ")[0]
        # A phrase can only match where all its characters occur; one that holds a character the
        # character table changes is already caught by that character.
        if changing.isdisjoint(key):
            if len(key) == len(target):
                changing.update(a for a, b in zip(key, target) if a != b)
            elif key != target:
                changing.update(key)
    return converter, frozenset(changing)


def _strip_tag(match: re.Match[str]) -> str:
    name = match.group(1)
    return "\n" if name is not None and name.lower() in _BLOCK_TAGS else ""


# 著 read zháo (著火, 著急, 睡著了) is 着 in Simplified. OpenCC's t2s keeps every 著, since 著名 is Simplified too, and
# its Taiwan configuration also turns 什么 into 什幺: a Traditional 著火 got no 119 (a web channel's round).
_ZHAO = re.compile("(?<![穿戴])著(?=大?火)|著(?=[急凉涼迷陆陸])|(?<=[睡烧燒点點])著")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC t2s, and 著 read zháo as 着), and nothing else; Simplified text is
    returned as it is."""
    converter, changing = _t2s()
    if not changing.isdisjoint(text):
        text = converter.convert(text)
    return _ZHAO.sub("着", text) if "著" in text else text


def strip_markup(text: str) -> str:
    """HTML entities decoded, tags removed (a block-level tag leaves a line break), script and style bodies and
    comments dropped; text without `&` or `<` is returned as it is."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(_strip_tag, _drop_hidden_blocks(text))
    return text


def _drop_hidden_blocks(text: str) -> str:
    """Script and style bodies and comments, each made a line break; an opening that is never closed stays text. The
    end of each kind is looked for once past the point where it was last missing: a lazy regex searched the rest of
    the text again for every unclosed "<!--", and 20,000 characters of them held the service for seconds."""
    parts, position, unclosed = [], 0, set()
    for opening in _HIDDEN_OPEN.finditer(text):
        kind = (opening.group(1) or "!--").lower()
        if opening.start() < position or kind in unclosed:
            continue
        closing = _HIDDEN_CLOSE[kind].search(text, opening.end())
        if closing is None:
            unclosed.add(kind)  # no later opening of this kind is closed either
            continue
        parts += [text[position:opening.start()], "\n"]
        position = closing.end()
    return "".join(parts) + text[position:] if parts else text


def strip_invisible(text: str) -> str:
    """Invisible format and control characters deleted and every line ending made "\n" (a web form sends "\r\n");
    nothing else is changed."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text)


def _one_pass(text: str) -> str:
    # NFKC also makes full-width ASCII, U+3000 and U+00A0 ASCII
    text = unicodedata.normalize("NFKC", _CIRCLED.sub(_circled_number, text))
    text = strip_markup(text)
    text = strip_invisible(text)
    text = _OOXML_CONTROL.sub(" ", text)
    text = to_simplified(text)
    return _SPACE_RUN.sub(" ", text).strip()


def normalize(text: str) -> str:
    """NFKC (full-width ASCII → half-width), HTML entities and tags removed, invisible characters deleted, a
    spreadsheet's escaped line breaks (_x000D_) made spaces, Traditional → Simplified Chinese, every whitespace run one
    space, stripped. Idempotent."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() expects str, got {type(text).__name__}")
    for _ in range(_MAX_PASSES):
        cleaned = _one_pass(text)
        if cleaned == text:
            break
        text = cleaned
    return text
