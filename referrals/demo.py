"""Demo services directory and partner-desk users (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model

from callcenter.demo import user_seed
from callcenter.permissions import Role
from inquiries.models import Call
from referrals.models import Open311ApiKey, Referral, Service
from referrals.services import referral_create

# Demo only: printed by `make run`; never use these outside a demo machine.
DEMO_LOGINS = [
    ("legal1", "dasan-legal1", Role.PARTNER.value),
    ("water1", "dasan-water1", Role.PARTNER.value),
]
DEMO_OPEN311_KEY = "demo-open311-key-not-for-production"

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTES_30 = timedelta(minutes=30)
MINUTES_10 = timedelta(minutes=10)

# slug, name_ko, name_en, kind, contact, hours, languages, accept, urgent accept, open311 code, keywords, group
DEMO_SERVICES = [
    (
        "dasan-plaza-legal",
        "다산플라자 무료법률상담",
        "Dasan Plaza free legal counsel",
        Service.Kind.PARTNER,
        "서울시청 서소문청사 1층 다산플라자, 02-2133-7878",
        "평일 09:00–18:00 (상담 예약제)",
        "ko,en",
        DAY,
        MINUTES_30,
        "",
        "",
        "",
    ),
    (
        "waterworks",
        "수도사업소",
        "Waterworks regional offices",
        Service.Kind.DEPARTMENT,
        "서울특별시 상수도사업본부 지역 수도사업소 (8곳)",
        "평일 09:00–18:00, 누수·단수 긴급복구 24시간",
        "ko",
        DAY,
        MINUTES_30,
        "water-leak",
        "누수, 단수, 수도, water, leak",
        "수도 Water",
    ),
    (
        "transit-complaints",
        "교통불편신고센터",
        "Transit complaints desk",
        Service.Kind.DEPARTMENT,
        "서울시 교통불편신고센터",
        "평일 09:00–18:00",
        "ko,en,zh,ja",
        DAY,
        HOUR,
        "transit-complaint",
        "버스, 택시, 지하철, bus, taxi",
        "교통 Transit",
    ),
    (
        "dementia-support",
        "치매지원센터",
        "Dementia support center",
        Service.Kind.PARTNER,
        "서울시광역치매센터, 1899-9988",
        "평일 09:00–18:00, 실종 신고는 112",
        "ko",
        DAY,
        MINUTES_30,
        "",
        "",
        "",
    ),
    (
        "sh-housing",
        "SH 장기전세주택",
        "SH long-term jeonse housing",
        Service.Kind.DEPARTMENT,
        "SH서울주택도시공사 콜센터 1600-3456",
        "평일 09:00–18:00",
        "ko",
        2 * DAY,
        HOUR,
        "",
        "",
        "",
    ),
    (
        "police-112",
        "경찰 112 (실종아동 등)",
        "Police 112 (missing children)",
        Service.Kind.EMERGENCY,
        "112",
        "24시간",
        "ko,en,zh,ja",
        MINUTES_10,
        MINUTES_10,
        "",
        "",
        "",
    ),
    (
        "fire-119",
        "소방 119",
        "Fire and rescue 119",
        Service.Kind.EMERGENCY,
        "119",
        "24시간",
        "ko,en,zh,ja",
        MINUTES_10,
        MINUTES_10,
        "",
        "",
        "",
    ),
]

MEMBERS = {"legal1": "dasan-plaza-legal", "water1": "waterworks"}
NAMES = {"legal1": ("법률", "상담"), "water1": ("수도", "사업소")}


def seed() -> list[str]:
    created_services = 0
    for order, row in enumerate(DEMO_SERVICES):
        slug, name_ko, name_en, kind, contact, hours, languages, accept, urgent, code, keywords, group = row
        _, created = Service.objects.get_or_create(
            slug=slug,
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "kind": kind,
                "contact": contact,
                "opening_hours": hours,
                "languages": languages,
                "accept_within": accept,
                "urgent_accept_within": urgent,
                "open311_published": bool(code),
                "service_code": code or None,
                "keywords": keywords,
                "group": group,
                "description_ko": name_ko,
                "description_en": name_en,
                "sort_order": (order + 1) * 10,
            },
        )
        created_services += created
    created_users = [
        username
        for username, password, _role in DEMO_LOGINS
        if user_seed(
            username=username,
            password=password,
            role=Role.PARTNER,
            first_name=NAMES[username][1],
            last_name=NAMES[username][0],
        )
    ]
    User = get_user_model()
    for username, slug in MEMBERS.items():
        Service.objects.get(slug=slug).members.add(User.objects.get(username=username))
    Open311ApiKey.objects.get_or_create(key=DEMO_OPEN311_KEY, defaults={"name": "Demo Open311 client"})
    referral_line = _demo_referral()
    return [
        referral_line,
        f"services: {created_services} created" if created_services else "services: up to date",
        f"partner users: {len(created_users)} created" if created_users else "partner users: up to date",
        f"Open311 demo api_key: {DEMO_OPEN311_KEY}",
    ]


def _demo_referral() -> str:
    """The centre's own example (DOMAIN.md §3): the apartment-cooperative fraud call,
    referred to the Dasan Plaza legal counsel, so the legal desk is not empty."""
    call = Call.objects.filter(client_request_id="demo-4").first()
    if call is None:
        return "referrals: no demo call to refer"
    if Referral.objects.filter(call=call).exists():
        return "referrals: up to date"
    referral_create(
        call=call,
        service=Service.objects.get(slug="dasan-plaza-legal"),
        reason="70대 어르신, 아파트 조합 사기로 노후자금 피해. 무료법률상담 연결 요청.",
        consent=True,
        actor=call.agent,
        callback_preference="평일 오후 2시 이후",
    )
    return "referrals: 1 created"
