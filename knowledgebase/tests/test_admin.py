"""Django admin: an edit is findable at once; filters, bulk actions, import, export, revisions with restore."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from knowledgebase.models import Category, FAQEntry, Synonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def form_data(entry: FAQEntry, **changes) -> dict:
    data = {
        "category": entry.category_id,
        "status": entry.status,
        "external_id": entry.external_id or "",
        "keywords": entry.keywords,
        "valid_from": "",
        "valid_to": "",
        "review_by": "",
        **{
            f"{kind}_{lang}": getattr(entry, f"{kind}_{lang}")
            for lang in ("ko", "en", "zh", "ja")
            for kind in ("question", "answer")
        },
    }
    data.update(changes)
    return data


def test_an_admin_edit_is_found_by_agents_at_once_in_korean_and_english(admin_client, api_as, agent, entry):
    item = entry(question_ko="한강 수영장 개장", answer_ko="7월에 엽니다.")
    url = reverse("admin:knowledgebase_faqentry_change", args=[item.pk])
    response = admin_client.post(
        url,
        form_data(
            item,
            question_ko="한강 물놀이장 개장 안내",
            question_en="Han River outdoor pools open",
            answer_en="They open in July.",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    search = api_as(agent)
    korean = search.get("/api/kb/search", {"q": "물놀이장이", "lang": "ko"}).json()["results"]
    english = search.get("/api/kb/search", {"q": "outdoor pool", "lang": "en"}).json()["results"]
    assert [hit["id"] for hit in korean] == [item.pk]
    assert english[0]["question"] == "Han River outdoor pools open"
    assert item.revisions.count() == 2


def test_adding_an_entry_in_admin_indexes_it(admin_client, api_as, agent, reference_data):
    water = Category.objects.get(slug="water")
    blank = FAQEntry(category=water, status="published")
    response = admin_client.post(
        reverse("admin:knowledgebase_faqentry_add"),
        form_data(blank, question_ko="계량기 동파 신고", answer_ko="수도사업소가 교체합니다.", external_id=""),
    )
    assert response.status_code == 302
    created = FAQEntry.objects.get(question_ko="계량기 동파 신고")
    assert created.revisions.get().author.username == "admin_x"
    assert api_as(agent).get("/api/kb/search", {"q": "동파"}).json()["results"][0]["id"] == created.pk


def test_an_invalid_edit_shows_the_error_and_changes_nothing(admin_client, entry):
    item = entry(question_ko="누수 신고", answer_ko="답")
    response = admin_client.post(
        reverse("admin:knowledgebase_faqentry_change", args=[item.pk]), form_data(item, question_ko="", answer_en="x")
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    item.refresh_from_db()
    assert item.question_ko == "누수 신고"


def test_changelist_search_uses_the_engine_and_filters_work(admin_client, entry):
    today = timezone.localdate()
    leak = entry(question_ko="누수 신고", answer_ko="답", question_en="Leak", answer_en="Answer")
    stale = entry(question_ko="전세 대출", answer_ko="답", review_by=today - timedelta(days=1))
    seasonal = entry(question_ko="김장 시장", answer_ko="답", valid_from=today, valid_to=today + timedelta(days=30))
    url = reverse("admin:knowledgebase_faqentry_changelist")

    def listed(params):
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {obj.pk for obj in response.context["cl"].result_list}

    assert listed({"q": "누수가"}) == {leak.pk}  # particle handled: the same engine as the console
    assert listed({"missing": "en"}) == {stale.pk, seasonal.pk}
    assert listed({"stale": "stale"}) == {stale.pk}
    assert listed({"season": "now"}) == {seasonal.pk}
    assert listed({"season": "always"}) == {leak.pk, stale.pk}
    assert listed({"status__exact": "published"}) == {leak.pk, stale.pk, seasonal.pk}


def test_bulk_publish_and_archive(admin_client, entry, api_as, agent):
    drafts = [entry(question_ko=f"불꽃축제 {n}", answer_ko="답", status="draft") for n in range(3)]
    url = reverse("admin:knowledgebase_faqentry_changelist")
    response = admin_client.post(url, {"action": "publish_entries", "_selected_action": [d.pk for d in drafts]})
    assert response.status_code == 302
    assert api_as(agent).get("/api/kb/search", {"q": "불꽃축제"}).json()["total"] == 3
    admin_client.post(url, {"action": "archive_entries", "_selected_action": [drafts[0].pk]})
    assert api_as(agent).get("/api/kb/search", {"q": "불꽃축제"}).json()["total"] == 2
    assert FAQEntry.objects.get(pk=drafts[0].pk).status == "archived"


def test_export_action_and_import_view(admin_client, entry):
    item = entry(question_ko="따릉이 대여", answer_ko="앱", external_id="x-1")
    url = reverse("admin:knowledgebase_faqentry_changelist")
    response = admin_client.post(url, {"action": "export_csv", "_selected_action": [item.pk]})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    exported = response.content.decode("utf-8")
    assert "x-1,water,따릉이 대여,앱" in exported
    changed = exported.replace("따릉이 대여,앱", "따릉이 대여,앱에서 빌립니다")
    upload = SimpleUploadedFile("faq.csv", changed.encode("utf-8"), content_type="text/csv")
    response = admin_client.post(reverse("admin:knowledgebase_faqentry_import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["report"].updated == 1
    item.refresh_from_db()
    assert item.answer_ko == "앱에서 빌립니다"


def test_import_view_reports_bad_rows_and_imports_nothing(admin_client, reference_data):
    text = "question_ko,answer_ko,status\n좋은 질문,답,\n,빈 질문,\n"
    upload = SimpleUploadedFile("faq.csv", text.encode("utf-8"), content_type="text/csv")
    response = admin_client.post(reverse("admin:knowledgebase_faqentry_import"), {"file": upload})
    page = response.content.decode()
    assert "question_ko is empty" in page
    assert FAQEntry.objects.count() == 0


def test_revision_history_shows_the_diff_and_restores(admin_client, entry, api_as, agent):
    item = entry(question_ko="한강 수영장 개장", answer_ko="7월에 엽니다.")
    admin_client.post(
        reverse("admin:knowledgebase_faqentry_change", args=[item.pk]),
        form_data(item, answer_ko="6월 말에 엽니다."),
    )
    url = reverse("admin:knowledgebase_faqentry_revisions", args=[item.pk])
    page = admin_client.get(url).content.decode()
    assert "6월 말에 엽니다." in page and "7월에 엽니다." in page
    first = item.revisions.get(number=1)
    response = admin_client.post(url, {"revision": first.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.answer_ko == "7월에 엽니다."
    assert item.revisions.count() == 3
    opened = api_as(agent).get(f"/api/kb/entries/{item.pk}").json()
    assert opened["answer"] == "7월에 엽니다."


def test_synonym_admin_saves_through_the_service(admin_client, entry, api_as, agent):
    crematorium = entry(question_ko="서울시립승화원 이용", answer_ko="예약은 누리집에서")
    response = admin_client.post(
        reverse("admin:knowledgebase_synonym_add"), {"terms": "화장장 = 승화원", "kind": "synonym"}
    )
    assert response.status_code == 302
    assert Synonym.objects.count() == 1
    assert api_as(agent).get("/api/kb/search", {"q": "화장장"}).json()["results"][0]["id"] == crematorium.pk


def test_agents_cannot_open_the_admin(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:knowledgebase_faqentry_changelist"))
    assert response.status_code == 302


def test_categories_are_added_changed_and_deleted_in_admin_through_the_services(admin_client, monkeypatch):
    from knowledgebase import services

    calls = []

    def recorded(name):
        original = getattr(services, name)

        def service(**kwargs):
            calls.append(name)
            return original(**kwargs)

        return service

    for name in ("category_save", "category_delete"):
        monkeypatch.setattr(services, name, recorded(name))
    add = admin_client.post(
        reverse("admin:knowledgebase_category_add"),
        {"slug": "parking", "name_ko": "주차", "name_en": "Parking", "sort_order": 90, "is_active": "on"},
    )
    assert add.status_code == 302, add.content[:500]
    category = Category.objects.get(slug="parking")
    change = admin_client.post(
        reverse("admin:knowledgebase_category_change", args=[category.pk]),
        {"slug": "parking", "name_ko": "주차 단속", "name_en": "Parking", "sort_order": 90},
    )
    assert change.status_code == 302
    category.refresh_from_db()
    assert (category.name_ko, category.is_active) == ("주차 단속", False)
    delete = admin_client.post(reverse("admin:knowledgebase_category_delete", args=[category.pk]), {"post": "yes"})
    assert delete.status_code == 302 and not Category.objects.filter(slug="parking").exists()
    assert calls == ["category_save", "category_save", "category_delete"]


def test_an_faq_entry_cannot_be_deleted_in_admin_its_revisions_are_history(admin_client, entry):
    made = entry(question_ko="수도 요금 납부", answer_ko="가상계좌로 납부합니다.")
    assert admin_client.get(reverse("admin:knowledgebase_faqentry_delete", args=[made.pk])).status_code == 403
    assert (
        admin_client.post(reverse("admin:knowledgebase_faqentry_delete", args=[made.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert FAQEntry.objects.filter(pk=made.pk).exists()


def test_synonym_admin_tells_glossary_groups_from_synonyms(admin_client):
    Synonym.objects.create(terms="화장장, 승화원")
    Synonym.objects.create(terms="여권, passport, 护照", kind=Synonym.Kind.GLOSSARY)
    url = reverse("admin:knowledgebase_synonym_changelist")
    glossary = admin_client.get(url, {"kind__exact": "glossary"}).content.decode()
    assert "passport" in glossary and "승화원" not in glossary
    everything = admin_client.get(url).content.decode()
    assert "passport" in everything and "승화원" in everything
