from concurrent.futures import ThreadPoolExecutor

import pytest

from callcenter.permissions import Role
from inquiries.tests.factories import CallerFactory, CallFactory
from referrals.tests.factories import Open311ApiKeyFactory, ServiceFactory


@pytest.fixture
def legal_service(reference_data):
    return ServiceFactory(
        slug="dasan-plaza-legal",
        name_ko="다산플라자 무료법률상담",
        name_en="Dasan Plaza free legal counsel",
        kind="partner",
    )


@pytest.fixture
def water_service(reference_data):
    return ServiceFactory(
        slug="waterworks",
        name_ko="수도사업소",
        name_en="Waterworks regional offices",
        open311_published=True,
        service_code="water-leak",
        keywords="누수, 단수, water, leak",
        group="수도 Water",
        description_ko="누수·단수 신고",
    )


@pytest.fixture
def transit_service(reference_data):
    return ServiceFactory(
        slug="transit",
        name_ko="교통불편신고센터",
        name_en="Transit complaints",
        open311_published=True,
        service_code="transit-complaint",
        group="교통 Transit",
    )


OPEN311_KEY = "test-key-123"


@pytest.fixture
def key(reference_data):
    """The Open311 API key the tests' clients send."""
    return Open311ApiKeyFactory(key=OPEN311_KEY)


@pytest.fixture
def legal_partner(make_user, legal_service):
    user = make_user(Role.PARTNER, username="legal_p")
    legal_service.members.add(user)
    return user


@pytest.fixture
def water_partner(make_user, water_service):
    user = make_user(Role.PARTNER, username="water_p")
    water_service.members.add(user)
    return user


@pytest.fixture
def call(agent, category):
    return CallFactory(agent=agent, category=category, caller=CallerFactory(number="01055550100"), vulnerable="senior")


@pytest.fixture
def plain_call(agent, category):
    return CallFactory(agent=agent, category=category, caller=CallerFactory(number="0212345678"))


@pytest.fixture(scope="session")
def fresh_sync_executor():
    """Browser tests ask for this before `live_server_url`.

    daphne is forked from this process; if async tests ran first, asgiref's
    single-thread executor already has its worker thread, which a forked child
    does not get, so every database_sync_to_async in the child would hang. A
    fresh executor (no thread yet) makes the child start its own.
    """
    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
