"""GET /api/kb/search, /api/kb/entries/<id>, /api/kb/prices: good and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from knowledgebase.models import FAQEntry, ProducePrice
from knowledgebase.services import produce_prices_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(entry):
    return {
        "leak": entry(
            question_ko="누수 신고",
            answer_ko="도로의 누수는 수도사업소가 복구합니다.",
            question_en="Reporting a leak",
            answer_en="Leaks on roads are repaired by the Waterworks Office.",
            external_id="kb-leak",
        ),
        "draft": entry(question_ko="누수 감면 초안", answer_ko="준비 중", status=FAQEntry.Status.DRAFT),
    }


def test_search_response_shape(api_as, agent, entries):
    response = api_as(agent).get("/api/kb/search", {"q": "누수가", "lang": "en", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "total", "took_ms", "semantic"}
    assert body["semantic"] is False  # the model is off in this test: words only
    assert body["total"] == 1
    (hit,) = body["results"]
    assert set(hit) == {
        "id",
        "external_id",
        "category",
        "language",
        "question",
        "answer_excerpt",
        "score",
        "match",
        "low_confidence",
        "similarity",
        "fallback",
        "review_by",
        "review_overdue",
    }
    assert hit["id"] == entries["leak"].pk
    assert hit["external_id"] == "kb-leak"
    assert hit["category"] == "water"
    assert hit["language"] == "en"
    assert hit["question"] == "Reporting a leak"
    assert isinstance(hit["score"], float)
    assert hit["match"] == "lexical" and hit["fallback"] is False and hit["similarity"] is None


def test_excerpt_marks_terms(api_as, agent, entries):
    hit = api_as(agent).get("/api/kb/search", {"q": "누수"}).json()["results"][0]
    assert "<mark>누수</mark>" in hit["answer_excerpt"]


def test_agents_do_not_see_drafts_admins_do(api_as, agent, admin_user, entries):
    agent_ids = [hit["id"] for hit in api_as(agent).get("/api/kb/search", {"q": "누수"}).json()["results"]]
    admin_ids = [hit["id"] for hit in api_as(admin_user).get("/api/kb/search", {"q": "누수"}).json()["results"]]
    assert entries["draft"].pk not in agent_ids
    assert entries["draft"].pk in admin_ids


def test_empty_q_returns_no_results(api_as, agent, entries):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = api_as(agent).get("/api/kb/search", params)
        assert response.status_code == 200
        assert response.json()["results"] == []
        assert response.json()["total"] == 0


def test_q_over_200_characters_is_a_400(api_as, agent, entries):
    response = api_as(agent).get("/api/kb/search", {"q": "누" * 201})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid"
    assert "q" in body["fields"]
    assert api_as(agent).get("/api/kb/search", {"q": "누" * 200}).status_code == 200


@pytest.mark.parametrize("lang", ["fr", "KO", "kor", "ko-KR"])
def test_unknown_lang_is_a_400(api_as, agent, entries, lang):
    response = api_as(agent).get("/api/kb/search", {"q": "누수", "lang": lang})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert "lang" in response.json()["fields"]


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
def test_bad_limit_is_a_400(api_as, agent, entries, limit):
    assert api_as(agent).get("/api/kb/search", {"q": "누수", "limit": limit}).status_code == 400


@pytest.mark.parametrize("q", ['"', "*", ":", "(", "AND", "NEAR", "😀", "누수 OR", "title:누수"])  # NUL: test_inputs.py
def test_special_characters_are_not_errors(api_as, agent, entries, q):
    assert api_as(agent).get("/api/kb/search", {"q": q}).status_code == 200


def test_category_filter(api_as, agent, entries):
    assert api_as(agent).get("/api/kb/search", {"q": "누수", "category": "water"}).json()["total"] == 1
    assert api_as(agent).get("/api/kb/search", {"q": "누수", "category": "housing"}).json()["total"] == 0


def test_search_needs_a_staff_role(api, api_as, make_user, entries):
    assert api.get("/api/kb/search", {"q": "누수"}).status_code in (401, 403)
    partner = make_user(None, username="nobody")
    assert api_as(partner).get("/api/kb/search", {"q": "누수"}).status_code == 403


def test_entry_in_the_asked_language_with_korean_fallback(api_as, agent, entry):
    both = entry(question_ko="누수", answer_ko="한국어 답", question_en="Leak", answer_en="English answer")
    korean_only = entry(question_ko="전세", answer_ko="한국어만")
    english = api_as(agent).get(f"/api/kb/entries/{both.pk}", {"lang": "en"}).json()
    assert (english["language"], english["fallback"], english["answer"]) == ("en", False, "English answer")
    fallback = api_as(agent).get(f"/api/kb/entries/{korean_only.pk}", {"lang": "zh"}).json()
    assert (fallback["language"], fallback["fallback"], fallback["answer"]) == ("ko", True, "한국어만")


def test_an_imported_answer_comes_with_its_structure_as_lines_and_as_safe_html(api_as, agent, entry):
    imported = entry(
        question_ko="서울함 공원",
        answer_ko="▣\xa0관람시간\xa0\xa0○ 평일 10:00~19:00\xa0\xa0○ 주말 10:00~20:00 \xa0※ 문의 02-332-7500 "
        '<img src=x onerror="alert(1)">',
    )
    body = api_as(agent).get(f"/api/kb/entries/{imported.pk}").json()
    assert body["answer"].split("\n") == [
        "■ 관람시간",
        "• 평일 10:00~19:00",
        "• 주말 10:00~20:00",
        '※ 문의 02-332-7500 <img src=x onerror="alert(1)">',
    ]
    assert body["answer_html"] == (
        '<h4 class="kb-h">관람시간</h4><ul class="kb-list"><li>평일 10:00~19:00</li><li>주말 10:00~20:00</li></ul>'
        '<p class="kb-note">※ 문의 <a href="tel:023327500" class="kb-tel">02-332-7500</a> '
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>"
    )


def test_an_entry_past_its_review_date_says_so(api_as, agent, entry):
    three_days_ago = timezone.localdate() - timedelta(days=3)
    overdue = entry(question_ko="지난 안내", answer_ko="검토가 필요합니다.", review_by=three_days_ago)
    fresh = entry(question_ko="새 안내", answer_ko="최신입니다.", review_by=timezone.localdate() + timedelta(days=30))
    body = api_as(agent).get(f"/api/kb/entries/{overdue.pk}").json()
    assert (body["review_overdue"], body["review_by"]) == (True, three_days_ago.isoformat())
    assert api_as(agent).get(f"/api/kb/entries/{fresh.pk}").json()["review_overdue"] is False


def test_search_results_say_which_entries_are_past_their_review_date(api_as, agent, entry):
    three_days_ago = timezone.localdate() - timedelta(days=3)
    overdue = entry(question_ko="누수 신고 안내", answer_ko="검토가 필요합니다.", review_by=three_days_ago)
    in_a_month = timezone.localdate() + timedelta(days=30)
    fresh = entry(question_ko="누수 요금 감면", answer_ko="최신입니다.", review_by=in_a_month)
    undated = entry(question_ko="누수 탐지", answer_ko="기한이 없습니다.")
    results = api_as(agent).get("/api/kb/search", {"q": "누수"}).json()["results"]
    flags = {hit["id"]: (hit["review_overdue"], hit["review_by"]) for hit in results}
    assert flags == {
        overdue.pk: (True, three_days_ago.isoformat()),
        fresh.pk: (False, in_a_month.isoformat()),
        undated.pk: (False, None),
    }


def test_agents_cannot_open_a_draft(api_as, agent, admin_user, entries):
    url = f"/api/kb/entries/{entries['draft'].pk}"
    assert api_as(agent).get(url).status_code == 404
    assert api_as(admin_user).get(url).status_code == 200
    assert api_as(agent).get("/api/kb/entries/999999").json()["error"] == "not_found"


@pytest.fixture
def prices(reference_data):
    latest = date(2023, 4, 7)
    rows = []
    for back in range(400):
        day = latest - timedelta(days=back)
        rows.append(
            ProducePrice(item="배추", variety="월동(10kg)", grade="상품", unit="10kg", price=10000 + back, date=day)
        )
    produce_prices_save(prices=rows)


@pytest.mark.parametrize("text", ["배추", "배추값", "배추 가격", "배추값이 얼마예요", "cabbage price", "Napa cabbage"])
def test_prices_for_what_callers_say(api_as, agent, prices, text):
    response = api_as(agent).get("/api/kb/prices", {"item": text})
    assert response.status_code == 200
    body = response.json()
    assert body["item"] == "배추"
    assert body["price"] == 10000
    assert body["date"] == "2023-04-07"
    assert body["changes"]["week"] == {"price": 10007, "diff": -7, "percent": -0.1}
    assert body["changes"]["month"]["price"] == 10030
    assert body["changes"]["year"]["price"] == 10365
    assert len(body["series"]) == 90
    assert body["series"][-1] == {"date": "2023-04-07", "price": 10000}
    assert body["stale"] is True and body["age_days"] > 365  # a 2023 price is not today's


def test_a_price_of_this_week_is_not_stale(api_as, agent, reference_data):
    from django.utils import timezone

    today = timezone.localdate()
    produce_prices_save(
        prices=[
            ProducePrice(
                item="배추", variety="가을", grade="상품", unit="10kg", price=9000, date=today - timedelta(days=7)
            ),
            ProducePrice(
                item="무", variety="가을", grade="상품", unit="20kg", price=9000, date=today - timedelta(days=8)
            ),
        ]
    )

    cabbage = api_as(agent).get("/api/kb/prices", {"item": "배추"}).json()
    radish = api_as(agent).get("/api/kb/prices", {"item": "무"}).json()

    assert (cabbage["age_days"], cabbage["stale"]) == (7, False)
    assert (radish["age_days"], radish["stale"]) == (8, True)


def test_prices_unknown_item_and_bad_input(api_as, agent, prices):
    assert api_as(agent).get("/api/kb/prices", {"item": "수도요금"}).status_code == 404
    assert api_as(agent).get("/api/kb/prices").status_code == 400
    assert api_as(agent).get("/api/kb/prices", {"item": "배" * 201}).status_code == 400
