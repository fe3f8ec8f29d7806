import io
from datetime import timedelta

import numpy
import pytest
from django.utils import timezone
from PIL import Image

from inquiries.tests.factories import CallerFactory, CallFactory
from knowledgebase.search import embedder as kb_embedder
from referrals.tests.conftest import fresh_sync_executor  # noqa: F401 (the browser tests' fixture)
from referrals.tests.factories import ServiceFactory


@pytest.fixture
def police(reference_data):
    return ServiceFactory(
        slug="police-112",
        name_ko="경찰 112 (실종아동 등)",
        name_en="Police 112 (missing children)",
        kind="emergency",
        contact="112",
    )


@pytest.fixture
def report_call(agent, category, police):
    """Agent A's call: a daughter reports her father with dementia missing."""
    return CallFactory(agent=agent, category=category, caller=CallerFactory(number="01077771234"), vulnerable="senior")


@pytest.fixture
def sighting_call(other_agent, category):
    return CallFactory(agent=other_agent, category=category, caller=CallerFactory(number="01088885678"))


def case_body(call, **overrides):
    body = {
        "call": call.pk,
        "kind": "dementia",
        "name": "김철수",
        "age": 78,
        "sex": "male",
        "height_cm": 165,
        "build": "마른 체형",
        "clothing": "회색 점퍼, 검은 바지, 흰 운동화",
        "marks": "왼쪽 뺨에 큰 점",
        "last_seen_place": "종로3가역 1번 출구",
        "last_seen_at": (timezone.localtime() - timedelta(hours=2)).isoformat(timespec="seconds"),
        "guardian_number": "010-7777-1234",
        "consent": True,
    }
    body.update(overrides)
    return body


def image_bytes(fmt: str = "PNG", size=(64, 48), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


class FakeEmbedder:
    """Meanings by hand: each text becomes the sum of the concepts its words name,
    so "confused old man at the bus stop" is near "senior with dementia" without a shared word."""

    name = "fake:concepts-1"
    dimension = 4
    CONCEPTS = {
        0: ("치매", "어르신", "할아버지", "노인", "old", "senior", "dementia", "confused", "헤매"),
        1: ("아동", "어린이", "아이", "child", "kid", "girl", "boy"),
        2: ("점퍼", "jacket", "회색", "grey"),
    }

    def _vector(self, text: str) -> numpy.ndarray:
        vector = numpy.full(self.dimension, 0.05, dtype=numpy.float32)
        lowered = text.lower()
        for axis, words in self.CONCEPTS.items():
            vector[axis] += sum(1.0 for word in words if word in lowered)
        return vector / numpy.linalg.norm(vector)

    def embed_query(self, text: str) -> numpy.ndarray:
        return self._vector(text)

    def embed_passages(self, texts: list[str]) -> numpy.ndarray:
        return numpy.stack([self._vector(t) for t in texts]) if texts else numpy.zeros((0, 4), numpy.float32)


@pytest.fixture
def fake_embedder():
    fake = FakeEmbedder()
    kb_embedder.set_embedder(fake)
    yield fake
    kb_embedder.set_embedder(None)


@pytest.fixture(autouse=True)
def _media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
