"""Text in, canonical text out: pure functions with no model. The only I/O is reading: the bundled resources, the
deployment pack's area files and, in `records`, the ticket and FAQ files a caller names."""
from pipeline.canonical import canonical, default_stopwords, read_stopwords, stopwords_fingerprint
from pipeline.errors import InputError
from pipeline.normalize import normalize
from pipeline.pii import PII_TOKENS, MaskedText, PiiSpan, find_pii, mask_pii, mask_together
from pipeline.segment import bundled_stopwords, segment, tokens_for_search
from pipeline.ticket_text import masked_parts, masked_text, model_text, routing_text, title_and_body

__all__ = [
    "PII_TOKENS",
    "InputError",
    "MaskedText",
    "PiiSpan",
    "bundled_stopwords",
    "canonical",
    "default_stopwords",
    "find_pii",
    "mask_pii",
    "mask_together",
    "masked_parts",
    "masked_text",
    "model_text",
    "normalize",
    "read_stopwords",
    "routing_text",
    "segment",
    "stopwords_fingerprint",
    "title_and_body",
    "tokens_for_search",
]
