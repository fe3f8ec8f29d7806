"""Demo data for the knowledge base (loaded by `manage.py seed_demo`): idempotent.

Entries written for this product (Korean and English, with the team's Chinese and
Japanese), synonyms callers use, the team's translations of the shared corpus's 52
"[핵심생활정보 FAQ]" entries (applied when the corpus is imported: run `seed_demo` again
after `import_faq`), and produce prices from ../shared/data/kamis when that folder exists.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from knowledgebase.categories import category_seed
from knowledgebase.glossary import shipped_glossary
from knowledgebase.kamis import read_prices
from knowledgebase.models import TRANSLATION_LANGUAGES, Category, FAQEntry, ProducePrice, Synonym
from knowledgebase.models.faq import TranslationSource
from knowledgebase.services import faq_entry_create, faq_entry_update, produce_prices_save, synonyms_add

DEMO_SYNONYMS = [
    "수도세, 수도요금, 상수도요금, water bill",
    "화장장, 승화원",
    "핸드폰, 휴대폰, 휴대전화",
    "SH, 서울주택도시공사, SH공사",
    "불꽃축제, 불꽃놀이, 세계불꽃축제, fireworks",
    "배추값, 배추 가격, 배추 시세",
    "분실물, 유실물, 잃어버린 물건, lost property",
    "따릉이, 공공자전거, 서울자전거",
    "장기전세, 시프트, SHift",
    "악취, 냄새",
    "야간, 밤",
    "반려동물, 애완동물, 반려견, 애완견, 강아지",
    "폐기물, 쓰레기",
]

DEMO_ENTRIES = [
    {
        "external_id": "demo-water-quality",
        "category": "water",
        "keywords": "수질검사, 녹물, 아리수, tap water test",
        "question_ko": "수돗물 수질검사는 어떻게 신청하나요?",
        "answer_ko": (
            "서울시는 가정의 수돗물 수질검사를 무료로 해 드립니다(아리수 품질확인제).\n"
            "○ 신청: 120 다산콜센터 또는 관할 수도사업소에 전화로 신청\n"
            "○ 방문: 검사원이 약속한 날 방문하여 탁도, 잔류염소, pH, 철, 구리 등 5개 항목을 현장에서 검사\n"
            "○ 결과: 현장에서 바로 안내하며, 기준 초과 시 수도관 점검을 연계합니다.\n"
            "녹물이 나오면 2~3분 물을 흘려보낸 뒤 사용하세요."
        ),
        "question_en": "How do I request a tap water quality test?",
        "answer_en": (
            "Seoul tests household tap water for free (Arisu quality check).\n"
            "- Request: call 120 Dasan Call Center or your local Waterworks Office.\n"
            "- Visit: an inspector comes on the agreed day and tests five items on site "
            "(turbidity, residual chlorine, pH, iron, copper).\n"
            "- Results: given on the spot; if a value is over the limit, the pipes are inspected.\n"
            "If rusty water comes out, let it run for 2-3 minutes before use."
        ),
    },
    {
        "external_id": "demo-water-leak",
        "category": "water",
        "keywords": "누수, 물샘, 계량기, 동파, leak",
        "question_ko": "집 안이나 도로에서 물이 새요(누수 신고)",
        "answer_ko": (
            "도로·보도의 누수는 120 또는 관할 수도사업소로 신고하면 긴급 복구반이 출동합니다(24시간).\n"
            "집 안(계량기 이후) 누수는 소유자가 수리해야 하며, 누수가 확인되면 수도요금 감면을 신청할 수 있습니다.\n"
            "겨울철 계량기 동파 시에는 수도사업소에서 계량기를 교체해 드립니다(고의·과실 시 비용 부담)."
        ),
        "question_en": "Water is leaking at home or on the street (reporting a leak)",
        "answer_en": (
            "Leaks on roads and pavements: report to 120 or the local Waterworks Office; an emergency crew "
            "is sent, day and night.\n"
            "Leaks inside the home (after the meter) are repaired by the owner; once a leak is confirmed "
            "you can apply for a water bill reduction.\n"
            "A meter burst by frost in winter is replaced by the Waterworks Office."
        ),
    },
    {
        "external_id": "demo-water-bill",
        "category": "water",
        "keywords": "수도요금, 수도세, 고지서, 자동이체, water bill",
        "question_ko": "수도요금 고지서와 납부 방법",
        "answer_ko": (
            "수도요금은 2개월마다 고지됩니다(일부 격월·매월).\n"
            "○ 납부: 은행·우체국, 인터넷지로, 서울시 ETAX, 가상계좌, 자동이체\n"
            "○ 이사 시: 전출 전날 계량기 지침을 수도사업소에 알려 정산을 신청하세요.\n"
            "○ 요금이 평소보다 많이 나오면 누수 여부를 먼저 확인하세요."
        ),
        "question_en": "Water bills and how to pay them",
        "answer_en": (
            "Water bills are issued every two months (monthly for some users).\n"
            "- Pay at banks or post offices, online (Internet Giro, Seoul ETAX), by virtual account or direct debit.\n"
            "- Moving out: tell the Waterworks Office the meter reading the day before, to settle the bill.\n"
            "- If a bill is much higher than usual, check for a leak first."
        ),
    },
    {
        "external_id": "demo-transit-lost",
        "category": "transit",
        "keywords": "분실물, 유실물, 지하철, 버스, 택시, lost and found",
        "question_ko": "지하철·버스·택시에서 물건을 잃어버렸어요",
        "answer_ko": (
            "경찰청 유실물 통합포털(lost112.go.kr)에서 먼저 검색하세요.\n"
            "○ 지하철: 호선별 유실물센터(1~8호선 시청·충무로·왕십리·태릉입구 등)로 문의\n"
            "○ 버스: 버스 회사 차고지로 문의(버스 번호·탑승 시간 확인)\n"
            "○ 택시: 카드 결제 시 결제 내역으로 차량 확인 후 120 또는 택시 회사로 문의"
        ),
        "question_en": "I lost something on the subway, a bus or a taxi",
        "answer_en": (
            "Search the police lost-property portal (lost112.go.kr) first.\n"
            "- Subway: the line's lost and found centre (City Hall, Chungmuro, Wangsimni, Taereung stations).\n"
            "- Bus: the bus company's depot (note the bus number and time).\n"
            "- Taxi: with a card payment the taxi can be identified; call 120 or the taxi company."
        ),
    },
    {
        "external_id": "demo-transit-transfer",
        "category": "transit",
        "keywords": "환승, 교통카드, 환승할인, transfer",
        "question_ko": "대중교통 환승 할인은 어떻게 받나요?",
        "answer_ko": (
            "교통카드로 타고 내릴 때 모두 단말기에 찍으면 환승 할인이 됩니다.\n"
            "○ 하차 후 30분 이내(21시~07시는 60분) 환승, 최대 4회\n"
            "○ 같은 번호 버스로 갈아타면 환승이 되지 않습니다."
        ),
        "question_en": "How does the public transport transfer discount work?",
        "answer_en": (
            "Tap your transit card when boarding and when leaving; the transfer discount is applied.\n"
            "- Transfer within 30 minutes of getting off (60 minutes from 21:00 to 07:00), up to 4 times.\n"
            "- Changing to a bus of the same number does not count as a transfer."
        ),
    },
    {
        "external_id": "demo-housing-shift",
        "category": "housing",
        "keywords": "장기전세, 시프트, SHift, SH, 청약, 전세",
        "question_ko": "장기전세주택(SHift) 입주자 모집과 신청 자격",
        "answer_ko": (
            "장기전세주택(시프트)은 서울주택도시공사(SH)가 주변 전세 시세의 80% 이하로 최장 20년 동안 공급하는 "
            "공공임대주택입니다.\n"
            "○ 자격: 무주택 세대구성원, 소득·자산 기준 충족(모집 공고별 상이)\n"
            "○ 신청: SH 인터넷 청약시스템(i-sh.co.kr)에서 공고 기간에 신청\n"
            "○ 문의: SH 콜센터 1600-3456"
        ),
        "question_en": "Long-term jeonse housing (SHift): application rounds and who may apply",
        "answer_en": (
            "SHift is public rental housing from Seoul Housing & Communities Corporation (SH) at up to 80% of the "
            "local jeonse price, for up to 20 years.\n"
            "- Who: homeless households meeting income and asset limits (see each round's notice).\n"
            "- How: apply online at i-sh.co.kr during the round.\n"
            "- Questions: SH call centre 1600-3456."
        ),
    },
    {
        "external_id": "demo-festival-hiseoul",
        "category": "events",
        "keywords": "하이서울페스티벌, 하이서울, 축제, Hi Seoul Festival",
        "question_ko": "하이서울페스티벌 일정과 장소",
        "answer_ko": (
            "하이서울페스티벌은 서울의 대표 거리예술 축제로, 매년 봄 서울광장·광화문광장·청계광장 일대에서 열립니다.\n"
            "○ 공연: 국내외 거리극, 서커스, 야간 공연(무료)\n"
            "○ 교통: 행사 기간 세종대로 일부 통제, 대중교통 이용 권장\n"
            "○ 일정과 프로그램은 축제 누리집에서 확인하세요."
        ),
        "question_en": "Hi Seoul Festival: dates and venues",
        "answer_en": (
            "Hi Seoul Festival is Seoul's street arts festival, held every spring around Seoul Plaza, "
            "Gwanghwamun Square and Cheonggye Plaza.\n"
            "- Shows: street theatre, circus and night performances from Korea and abroad (free).\n"
            "- Traffic: parts of Sejong-daero are closed during the festival; take public transport.\n"
            "- See the festival website for the dates and programme."
        ),
    },
    {
        "external_id": "demo-festival-fireworks",
        "category": "events",
        "keywords": "불꽃축제, 불꽃놀이, 여의도, 한강, fireworks",
        "question_ko": "서울세계불꽃축제 관람 안내(여의도 한강공원)",
        "answer_ko": (
            "서울세계불꽃축제는 매년 가을 여의도 한강공원 일대에서 열립니다.\n"
            "○ 교통: 당일 여의동로 통제, 지하철 5호선 여의나루역 무정차 통과 가능 → 여의도역·샛강역 이용\n"
            "○ 안전: 인파가 많으니 안내요원 지시에 따르고, 귀가는 시간차를 두세요.\n"
            "○ 분실물·미아: 현장 안내소 또는 120으로 연락"
        ),
        "question_en": "Seoul International Fireworks Festival (Yeouido Hangang Park)",
        "answer_en": (
            "The fireworks festival is held every autumn at Yeouido Hangang Park.\n"
            "- Traffic: Yeouidong-ro is closed on the day; trains may skip Yeouinaru station (line 5): use "
            "Yeouido or Saetgang station.\n"
            "- Safety: crowds are large; follow the stewards and leave in stages.\n"
            "- Lost children or property: the on-site information desk or 120."
        ),
    },
    {
        "external_id": "demo-produce-kimjang",
        "category": "produce",
        "keywords": "배추값, 배추 가격, 무 가격, 김장, 김장철, cabbage price, radish",
        "question_ko": "김장철 배추·무 가격은 어디서 확인하나요?",
        "answer_ko": (
            "배추·무 등 농산물 소매가격은 한국농수산식품유통공사 KAMIS(kamis.or.kr)에서 매일 공개합니다.\n"
            "○ 상담원 화면에는 최근 배추 가격과 1주·1개월·1년 전 대비 변동이 함께 표시됩니다.\n"
            "○ 김장철(11~12월)에는 서울시 김장시장(가락시장 등) 운영 정보도 안내하세요."
        ),
        "question_en": "Where can I check napa cabbage and radish prices in kimjang season?",
        "answer_en": (
            "Daily retail prices of napa cabbage, radish and other produce are published by KAMIS (kamis.or.kr).\n"
            "- The agent console shows the latest cabbage price with its change against a week, a month and a "
            "year before.\n"
            "- In kimjang season (November-December), also mention Seoul's kimjang markets (Garak Market, ...)."
        ),
    },
    {
        "external_id": "demo-legal-dasan-plaza",
        "category": "legal",
        "keywords": "무료법률상담, 법률상담, 변호사, 사기, 다산플라자, free legal counsel",
        "question_ko": "다산플라자 무료 법률상담 이용 방법",
        "answer_ko": (
            "서울시청 다산플라자에서 변호사가 시민에게 무료 법률상담을 해 드립니다.\n"
            "○ 대상: 서울 시민 누구나(사기 피해, 임대차, 채무, 가사 등)\n"
            "○ 예약: 120 다산콜센터로 전화 예약(상담원이 사연을 접수해 연결)\n"
            "○ 준비물: 계약서, 문자·통화 기록 등 관련 자료\n"
            "혼자 사는 어르신 등 긴급한 피해는 우선 연결합니다."
        ),
        "question_en": "Free legal counsel at Dasan Plaza: how to use it",
        "answer_en": (
            "Lawyers give free legal counsel to citizens at Dasan Plaza in Seoul City Hall.\n"
            "- Who: anyone living in Seoul (fraud, leases, debts, family matters, ...).\n"
            "- Booking: call 120; the agent takes down the case and books the session.\n"
            "- Bring: contracts, messages, call records and other papers.\n"
            "Urgent cases (for example a senior living alone who lost savings) are connected first."
        ),
    },
]


TRANSLATIONS_FILE = Path(__file__).resolve().parent / "data" / "translations.json"


def _seed_entries() -> tuple[int, int]:
    created = updated = 0
    categories = {category.slug: category for category in Category.objects.all()}
    for item in DEMO_ENTRIES:
        data = {
            **item,
            "category": categories[item["category"]],
            "status": FAQEntry.Status.PUBLISHED,
            "en_source": TranslationSource.TEAM,
        }
        existing = FAQEntry.objects.filter(external_id=item["external_id"]).first()
        if existing is None:
            faq_entry_create(data=data, comment="Demo data")
            created += 1
        else:
            before = existing.updated_at
            if faq_entry_update(entry=existing, data=data, comment="Demo data").updated_at != before:
                updated += 1
    return created, updated


def translations_seed() -> int:
    """The team's translations (knowledgebase/data/translations.json) into the entries that exist
    and lack that language; an existing translation (an admin's) is never overwritten.
    Returns how many translations were added."""
    entries = json.loads(TRANSLATIONS_FILE.read_text(encoding="utf-8"))["entries"]
    added = 0
    for entry in FAQEntry.objects.filter(external_id__in=list(entries)):
        data = {}
        for lang, text in entries[entry.external_id].items():
            if lang in TRANSLATION_LANGUAGES and not entry.has_language(lang):
                data |= {f"question_{lang}": text["question"], f"answer_{lang}": text["answer"]}
                data[f"{lang}_source"] = text.get("source", TranslationSource.TEAM)
                added += 1
        if data:
            faq_entry_update(entry=entry, data=data, comment="Team translation")
    return added


def _seed_synonyms() -> int:
    """The demo's synonyms and the team's glossary (knowledgebase/data/glossary.tsv)."""
    return synonyms_add(groups=DEMO_SYNONYMS) + synonyms_add(groups=shipped_glossary(), kind=Synonym.Kind.GLOSSARY)


def _seed_prices() -> str:
    folder = settings.SHARED_DIR / "data" / "kamis"
    if not folder.is_dir():
        return f"produce prices: skipped ({folder} not found)"
    if ProducePrice.objects.exists():
        return "produce prices: up to date"
    stored = 0
    for path in sorted(folder.glob("*cabbage*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as stream:
            stored += produce_prices_save(prices=read_prices(stream).rows)
    return f"produce prices: {stored} stored"


def seed() -> list[str]:
    lines = []
    created = category_seed(Category)
    lines.append(f"categories: {created} created" if created else "categories: up to date")
    synonyms = _seed_synonyms()
    lines.append(f"synonyms: {synonyms} created" if synonyms else "synonyms: up to date")
    created, updated = _seed_entries()
    lines.append(f"FAQ entries: {created} created, {updated} updated" if created or updated else "FAQ: up to date")
    added = translations_seed()
    lines.append(f"translations: {added} added" if added else "translations: up to date")
    lines.append(_seed_prices())
    return lines
