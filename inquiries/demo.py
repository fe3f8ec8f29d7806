"""Demo calls so the console and history are not empty on first sight."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from inquiries.models import Call
from inquiries.services import call_log
from knowledgebase.models import Category

DEMO_CALLS = [
    # caller, category, summary, resolution, days ago, language
    (
        "010-2345-6789",
        "water",
        "아파트 단지 수돗물에서 녹물이 나온다는 문의. 수도사업소 수질검사 신청 방법 안내.",
        "answered",
        3,
        "ko",
    ),
    ("010-2345-6789", "water", "지난주 수질검사 결과 문의. 결과 문자 발송 예정 안내.", "answered", 1, "ko"),
    ("02-739-1234", "housing", "장기전세주택(SHift) 2차 모집 일정과 소득 기준 문의.", "answered", 2, "ko"),
    (
        "+82 10 9876 5432",
        "events",
        "Asked for Hi Seoul Festival opening times and the nearest subway exit.",
        "answered",
        5,
        "en",
    ),
    (
        "010-5555-0100",
        "legal",
        "아파트 조합 사기 피해 상담 요청. 다산플라자 무료법률상담 연결 필요.",
        "callback_needed",
        4,
        "ko",
    ),
]


def seed() -> list[str]:
    if Call.objects.filter(client_request_id__startswith="demo-").exists():
        return ["calls: up to date"]
    agent = get_user_model().objects.get(username="agent1")
    now = timezone.now()
    for index, (number, category, summary, resolution, days, language) in enumerate(DEMO_CALLS):
        started = now - timedelta(days=days, minutes=7)
        call_log(
            agent=agent,
            caller_number=number,
            category=Category.objects.get(slug=category),
            summary=summary,
            resolution=resolution,
            language=language,
            started_at=started,
            ended_at=started + timedelta(minutes=4, seconds=index * 13),
            satisfaction=5 - index % 2,
            client_request_id=f"demo-{index}",
        )
    return [f"calls: {len(DEMO_CALLS)} created"]
