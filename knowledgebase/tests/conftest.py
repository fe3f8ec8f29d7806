"""Fixtures of the knowledge-base tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from knowledgebase.search import embedder as kb_embedder
from knowledgebase.tests.factories import FAQEntryFactory
from knowledgebase.tests.fakes import CountingEmbedder


@pytest.fixture
def entry(reference_data):
    """Make a published, indexed entry: entry(question_ko=..., answer_ko=..., ...)."""

    def make(**fields):
        return FAQEntryFactory(**fields)

    return make


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (settings.SHARED_DIR), or skip with the reason."""
    folder = Path(settings.SHARED_DIR) / "data"
    if not (folder / "ds120_faq.csv").exists():
        pytest.skip(f"shared data not found at {folder} (tests read ../shared/data relative to the project root)")
    return folder


@pytest.fixture
def counting():
    """Semantic search on with a small fake model (knowledgebase/tests/fakes.py) that counts what it embeds."""
    model = CountingEmbedder()
    kb_embedder.set_embedder(model)
    yield model
    kb_embedder.set_embedder(None)
