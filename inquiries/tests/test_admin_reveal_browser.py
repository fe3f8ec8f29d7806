"""Journey: an admin inspects a queued call in Django admin; the number is masked
until they ask for it in full, and that view is written to the access log."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callcenter.models import AccessLog
from callcenter.permissions import Role
from callcenter.testing.browser import login, screenshot
from floor.models import QueueCall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_a_queued_call_masked_then_in_full(live_server_url, page, make_user):
    make_user(Role.ADMIN, username="reveal_admin", password="pw-reveal-1", is_staff=True)
    call = QueueCall.objects.create(
        call_id="adm-1", caller_number="01055550100", offered_at=timezone.now(), status=QueueCall.Status.WAITING
    )
    login(page, live_server_url, "reveal_admin", "pw-reveal-1")
    page.goto(f"{live_server_url}/admin/floor/queuecall/{call.pk}/change/")
    expect(page.locator(".masked")).to_have_text("010-****-0100")
    assert "5555" not in page.content()
    screenshot(page, "admin-queued-call-masked")

    page.get_by_role("link", name="전체 보기 (개인정보 접근 기록에 남습니다)").click()
    expect(page.locator("#content")).to_contain_text("010-5555-0100")
    expect(page.locator("#content")).to_contain_text("접근 기록")
    screenshot(page, "admin-queued-call-revealed")
    assert AccessLog.objects.filter(user__username="reveal_admin", target=f"queuecall:{call.pk}").count() == 1

    page.get_by_role("link", name="기록으로 돌아가기").click()
    expect(page.locator(".masked")).to_have_text("010-****-0100")
