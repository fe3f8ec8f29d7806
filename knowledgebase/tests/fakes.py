"""A small deterministic embedder for tests where the real model is not the point (it costs
~80 ms an entry): it counts what it is asked to embed, so a test sees what was embedded again."""

from __future__ import annotations

import numpy


class CountingEmbedder:
    """Characters folded into 8 dimensions: the same text, the same vector; counts every passage."""

    name, dimension = "test:counting", 8

    def __init__(self):
        self.passages: list[str] = []
        self.calls = 0

    def embed_query(self, text):
        return self._vector(text)

    def embed_passages(self, texts):
        self.calls += 1
        self.passages.extend(texts)
        return numpy.stack([self._vector(text) for text in texts]) if texts else numpy.zeros((0, 8), "f4")

    def _vector(self, text):
        vector = numpy.zeros(self.dimension, dtype=numpy.float32)
        for char in text:
            vector[ord(char) % self.dimension] += 1
        return vector / (numpy.linalg.norm(vector) or 1)
