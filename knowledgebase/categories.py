"""The call categories every installation starts with (slug, Korean, English).

Used by the data migration and by `category_seed()`; admins edit them later.
"""

CALL_CATEGORIES = [
    ("water", "수도", "Water supply"),
    ("transit", "교통", "Transit and traffic"),
    ("complaint", "불편사항 신고", "Complaint reports"),
    ("events", "문화·축제", "Events and festivals"),
    ("housing", "주택", "Housing"),
    ("produce", "농산물 가격", "Produce prices"),
    ("welfare", "복지", "Welfare"),
    ("legal", "법률 상담", "Legal counsel"),
    ("health", "보건", "Health"),
    ("other", "기타", "Other"),
]


def category_seed(Category) -> int:
    """Create the missing starting categories; returns how many were created."""
    created = 0
    for order, (slug, name_ko, name_en) in enumerate(CALL_CATEGORIES, start=1):
        _, was_created = Category.objects.get_or_create(
            slug=slug, defaults={"name_ko": name_ko, "name_en": name_en, "sort_order": order * 10}
        )
        created += was_created
    return created
