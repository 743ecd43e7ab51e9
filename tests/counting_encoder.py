"""The real e5 encoder, counting the texts it is asked to encode: tests of what is encoded once and then read back
(the knowledge base's cache, the repeat check's stored vectors)."""
from __future__ import annotations

from knowledge_base.kb import E5Encoder


class CountingEncoder(E5Encoder):
    queries = 0
    passages = 0

    def encode_queries(self, texts):
        self.queries += len(texts)
        return super().encode_queries(texts)

    def encode_passages(self, texts):
        self.passages += len(texts)
        return super().encode_passages(texts)
