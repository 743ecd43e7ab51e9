"""Text in, canonical text out: pure functions with no model and no I/O beyond bundled resources."""
from pipeline.canonical import canonical, default_stopwords, read_stopwords, stopwords_fingerprint
from pipeline.errors import InputError

__all__ = ["InputError", "canonical", "default_stopwords", "read_stopwords", "stopwords_fingerprint"]
