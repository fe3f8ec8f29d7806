"""Django admin for the knowledge base. Every write goes through knowledgebase.services."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from callcenter.admin import ReadOnlyAdmin
from callcenter.errors import ApplicationError
from knowledgebase import importing, services
from knowledgebase.models import (
    TRANSLATION_LANGUAGES,
    Category,
    FAQEntry,
    FAQRevision,
    ProducePrice,
    SearchLog,
    Synonym,
)
from knowledgebase.models.faq import CONTENT_FIELDS, LANGUAGE_NAMES, TranslationSource
from knowledgebase.search import faq_search
from knowledgebase.search.vectors import entry_vector_state
from knowledgebase.search_log_selectors import unanswered_question_list


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ko", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("slug", "name_ko", "name_en")
    prepopulated_fields = {"slug": ("name_en",)}

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)

    def delete_model(self, request, obj):
        services.category_delete(category=obj)

    def delete_queryset(self, request, queryset):
        for category in queryset:
            services.category_delete(category=category)


class MissingLanguageFilter(admin.SimpleListFilter):
    title = _("missing language")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(lang, LANGUAGE_NAMES[lang]) for lang in TRANSLATION_LANGUAGES]

    def queryset(self, request, queryset):
        lang = self.value()
        if lang in TRANSLATION_LANGUAGES:
            return queryset.filter(Q(**{f"question_{lang}": ""}) | Q(**{f"answer_{lang}": ""}))
        return queryset


class StaleFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [
            ("stale", _("Stale (review date passed)")),
            ("soon", _("Review within 30 days")),
            ("ok", _("Up to date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "stale":
            return queryset.filter(review_by__lt=today)
        if self.value() == "soon":
            return queryset.filter(review_by__gte=today, review_by__lte=today + timedelta(days=30))
        if self.value() == "ok":
            return queryset.filter(Q(review_by__isnull=True) | Q(review_by__gte=today))
        return queryset


class SeasonFilter(admin.SimpleListFilter):
    title = _("season")
    parameter_name = "season"

    def lookups(self, request, model_admin):
        return [
            ("now", _("In season now")),
            ("upcoming", _("Not yet in season")),
            ("ended", _("Season ended")),
            ("always", _("All year")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "now":
            return queryset.filter(Q(valid_from__isnull=False) | Q(valid_to__isnull=False)).filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_to__isnull=True) | Q(valid_to__gte=today)
            )
        if value == "upcoming":
            return queryset.filter(valid_from__gt=today)
        if value == "ended":
            return queryset.filter(valid_to__lt=today)
        if value == "always":
            return queryset.filter(valid_from__isnull=True, valid_to__isnull=True)
        return queryset


class FAQEntryForm(forms.ModelForm):
    class Meta:
        model = FAQEntry
        fields = list(CONTENT_FIELDS)
        widgets = {
            **{f"answer_{lang}": forms.Textarea(attrs={"rows": 8, "cols": 90}) for lang in ("ko", "en", "zh", "ja")},
            **{f"question_{lang}": forms.TextInput(attrs={"size": 90}) for lang in ("ko", "en", "zh", "ja")},
        }


class TranslationForm(forms.Form):
    question = forms.CharField(
        label=_("Question"), max_length=300, required=False, widget=forms.TextInput(attrs={"size": 70})
    )
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 70}))
    source = forms.ChoiceField(label=_("Translated by"), choices=TranslationSource.choices, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or JSON Lines file"))
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows even if some are rejected"), required=False, initial=False
    )


@admin.register(FAQEntry)
class FAQEntryAdmin(admin.ModelAdmin):
    form = FAQEntryForm
    change_form_template = "knowledgebase/admin/faq_change_form.html"
    change_list_template = "knowledgebase/admin/faq_change_list.html"
    list_display = (
        "question_ko",
        "category",
        "status",
        "translations",
        "review_flag",
        "season",
        "usage_count",
        "updated_at",
    )
    list_filter = ("status", "category", MissingLanguageFilter, StaleFilter, SeasonFilter)
    list_select_related = ("category",)
    search_fields = ("question_ko",)  # shows the box; get_search_results uses the search engine
    search_help_text = _(
        "Searches like the agents' console (Korean particles, spacing, synonyms, typos), all statuses."
    )
    readonly_fields = ("usage_count", "translation_status_display", "vector_state_display", "created_at", "updated_at")
    actions = ["publish_entries", "archive_entries", "export_csv", "export_jsonl"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["category", "status", "external_id", "keywords"]}),
        (_("Season and review"), {"fields": [("valid_from", "valid_to"), "review_by"]}),
        (_("Korean"), {"fields": ["question_ko", "answer_ko"]}),
        (_("Translations"), {"fields": ["translation_status_display"]}),
        (_("English"), {"fields": ["question_en", "answer_en", "en_source"], "classes": ["collapse"]}),
        (_("Chinese"), {"fields": ["question_zh", "answer_zh", "zh_source"], "classes": ["collapse"]}),
        (_("Japanese"), {"fields": ["question_ja", "answer_ja", "ja_source"], "classes": ["collapse"]}),
        (_("Use"), {"fields": ["usage_count", "vector_state_display", "created_at", "updated_at"]}),
    ]

    # --- list columns ----------------------------------------------------------
    @admin.display(description=_("translations"))
    def translations(self, entry: FAQEntry):
        labels = {"missing": _("missing"), "outdated": _("outdated"), "ok": _("ok")}
        return format_html_join(
            " ",
            '<a class="kb-tr kb-tr-{}" title="{}" href="{}">{}</a>',
            (
                (
                    state,
                    labels[state],
                    reverse("admin:knowledgebase_faqentry_translate", args=[entry.pk, lang]),
                    lang.upper(),
                )
                for lang, state in entry.translation_status().items()
            ),
        )

    @admin.display(description=_("translation status"))
    def translation_status_display(self, entry: FAQEntry):
        if entry.pk is None:
            return "-"
        labels = {"missing": _("missing"), "outdated": _("older than the Korean text"), "ok": _("up to date")}
        return format_html_join(
            ", ",
            '<a class="kb-tr kb-tr-{}" href="{}">{}: {}</a> ({})',
            (
                (
                    state,
                    reverse("admin:knowledgebase_faqentry_translate", args=[entry.pk, lang]),
                    LANGUAGE_NAMES[lang],
                    labels[state],
                    _("translate beside the Korean text"),
                )
                for lang, state in entry.translation_status().items()
            ),
        )

    @admin.display(description=_("semantic search"))
    def vector_state_display(self, entry: FAQEntry):
        if entry.pk is None:
            return "-"
        state = entry_vector_state(entry)
        if not state:
            return _("off in this process (KB_EMBEDDER=none or the model did not load): found by words only")
        labels = {
            "ok": _("searchable by meaning"),
            "outdated": _("older than the text: run kb_embed"),
            "missing": _("not embedded yet: run kb_embed"),
        }
        return format_html_join(
            ", ",
            '<span class="kb-vec kb-vec-{}">{}: {}</span>',
            ((s, LANGUAGE_NAMES[lang], labels[s]) for lang, s in state.items()),
        )

    @admin.display(description=_("review"), ordering="review_by")
    def review_flag(self, entry: FAQEntry):
        if entry.is_stale():
            return format_html('<strong class="kb-stale">{} {}</strong>', _("stale since"), entry.review_by)
        return entry.review_by or "-"

    @admin.display(description=_("season"))
    def season(self, entry: FAQEntry):
        if not entry.valid_from and not entry.valid_to:
            return _("all year")
        span = f"{entry.valid_from or '…'} – {entry.valid_to or '…'}"
        return span if entry.in_season() else format_html("<em>{}</em> ({})", span, _("out of season"))

    # --- search through the engine ----------------------------------------------
    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        result = faq_search(query=term, limit=200, include_unpublished=True)
        ids = [hit.entry.pk for hit in result.hits]
        return queryset.filter(Q(pk__in=ids) | Q(external_id=term)), False

    # --- writes through the services ----------------------------------------------
    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in CONTENT_FIELDS if name in form.cleaned_data}
        # The form has already run the model's validation on these values.
        if change:
            entry = services.faq_entry_update(entry=obj, data=data, author=request.user)
        else:
            entry = services.faq_entry_create(data=data, author=request.user)
        obj.pk = obj.id = entry.pk
        obj.updated_at = entry.updated_at

    def save_related(self, request, form, formsets, change):
        """No related objects to save: the entry has no inlines (translations are its own fields)."""

    def has_delete_permission(self, request, obj=None):
        # Archived, never deleted here: an entry's revisions are history, and go with it.
        return False

    # --- bulk actions ------------------------------------------------------------
    @admin.action(description=_("Publish selected entries"))
    def publish_entries(self, request, queryset):
        try:
            count = services.faq_entry_publish(entries=queryset, author=request.user)
        except ValidationError as exc:
            self.message_user(request, _("Not published: %s") % " ".join(exc.messages), messages.ERROR)
            return
        self.message_user(request, ngettext("%d entry published.", "%d entries published.", count) % count)

    @admin.action(description=_("Archive selected entries"))
    def archive_entries(self, request, queryset):
        count = services.faq_entry_archive(entries=queryset, author=request.user)
        self.message_user(request, ngettext("%d entry archived.", "%d entries archived.", count) % count)

    def _export(self, queryset, fmt: str) -> HttpResponse:
        text = importing.faq_export_text(fmt=fmt, entries=queryset.select_related("category").order_by("id"))
        content_type = "text/csv" if fmt == "csv" else "application/x-ndjson"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="faq-{stamp}.{"csv" if fmt == "csv" else "jsonl"}"'
        return response

    @admin.action(description=_("Export selected entries (CSV)"))
    def export_csv(self, request, queryset):
        return self._export(queryset, "csv")

    @admin.action(description=_("Export selected entries (JSON Lines)"))
    def export_jsonl(self, request, queryset):
        return self._export(queryset, "jsonl")

    # --- extra pages: import, revisions --------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="knowledgebase_faqentry_import"),
            path("<int:pk>/revisions/", wrap(self.revisions_view), name="knowledgebase_faqentry_revisions"),
            path("<int:pk>/translate/<str:lang>/", wrap(self.translate_view), name="knowledgebase_faqentry_translate"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return HttpResponseRedirect(reverse("admin:knowledgebase_faqentry_changelist"))
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
                report = importing.faq_import(
                    stream=io.StringIO(text, newline=""),
                    fmt=importing.format_of(upload.name),
                    author=request.user,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                )
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            if report is not None and report.applied:
                messages.success(request, _("Imported: %s") % report.summary())
            elif report is not None:
                messages.error(request, _("Nothing imported: some rows are not valid (see below)."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import FAQ entries"),
            "form": form,
            "report": report,
            "columns": importing.COLUMNS,
        }
        return TemplateResponse(request, "knowledgebase/admin/faq_import.html", context)

    def translate_view(self, request, pk: int, lang: str):
        """One translation written beside its Korean source, with what changed in Korean since."""
        entry = get_object_or_404(FAQEntry, pk=pk)
        if lang not in TRANSLATION_LANGUAGES or not self.has_view_permission(request, entry):
            return HttpResponseRedirect(reverse("admin:knowledgebase_faqentry_change", args=[pk]))
        can_change = self.has_change_permission(request, entry)
        initial = {
            "question": getattr(entry, f"question_{lang}"),
            "answer": getattr(entry, f"answer_{lang}"),
            "source": getattr(entry, f"{lang}_source"),
        }
        form = TranslationForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and can_change and form.is_valid():
            try:
                services.faq_translation_save(
                    entry=entry,
                    language=lang,
                    question=form.cleaned_data["question"],
                    answer=form.cleaned_data["answer"],
                    source=form.cleaned_data["source"],
                    author=request.user,
                )
            except ValidationError as exc:
                for messages_ in exc.message_dict.values():
                    form.add_error(None, " ".join(messages_))
            else:
                messages.success(request, _("%(language)s translation saved.") % {"language": LANGUAGE_NAMES[lang]})
                return HttpResponseRedirect(request.path)
        entry.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": entry,
            "title": _("%(language)s translation of “%(question)s”")
            % {"language": LANGUAGE_NAMES[lang], "question": entry.question_ko},
            "form": form,
            "lang": lang,
            "language_name": LANGUAGE_NAMES[lang],
            "status": entry.translation_status()[lang],
            "korean_changes": services.korean_changes_since(entry=entry, language=lang),
            "vector_state": entry_vector_state(entry).get(lang),
            "other_languages": [(code, LANGUAGE_NAMES[code]) for code in TRANSLATION_LANGUAGES if code != lang],
            "can_change": can_change,
        }
        return TemplateResponse(request, "knowledgebase/admin/faq_translate.html", context)

    def revisions_view(self, request, pk: int):
        entry = get_object_or_404(FAQEntry, pk=pk)
        if not self.has_view_permission(request, entry):
            return HttpResponseRedirect(reverse("admin:index"))
        if request.method == "POST":
            if not self.has_change_permission(request, entry):
                return HttpResponseRedirect(request.path)
            revision = get_object_or_404(FAQRevision, entry=entry, pk=request.POST.get("revision"))
            try:
                services.faq_entry_restore(entry=entry, revision=revision, author=request.user)
            except (ValidationError, ApplicationError) as exc:
                messages.error(request, _("Could not restore: %s") % exc)
            else:
                messages.success(request, _("Revision %(number)s restored.") % {"number": revision.number})
            return HttpResponseRedirect(request.path)
        revisions = [
            {"revision": revision, "diff": services.revision_diff(revision=revision)}
            for revision in entry.revisions.select_related("author").order_by("-number")
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": entry,
            "title": _("Revisions of “%s”") % entry.question_ko,
            "revisions": revisions,
            "can_restore": self.has_change_permission(request, entry),
        }
        return TemplateResponse(request, "knowledgebase/admin/faq_revisions.html", context)


@admin.register(FAQRevision)
class FAQRevisionAdmin(ReadOnlyAdmin):
    list_display = ("entry", "number", "created_at", "author", "comment")
    list_select_related = ("entry", "author")
    readonly_fields = ("entry", "number", "created_at", "author", "comment", "changed_fields", "data")


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "updated_at")
    list_filter = ("kind",)
    search_fields = ("terms",)

    def save_model(self, request, obj, form, change):
        services.synonym_save(synonym=obj)

    def delete_model(self, request, obj):
        services.synonym_delete(synonym=obj)

    def delete_queryset(self, request, queryset):
        for synonym in queryset:
            services.synonym_delete(synonym=synonym)


@admin.register(ProducePrice)
class ProducePriceAdmin(ReadOnlyAdmin):
    """Read-only: prices come from the KAMIS import (`produce_prices_save`)."""

    list_display = ("date", "item", "variety", "grade", "unit", "price", "source")
    list_filter = ("item", "grade", "source")
    date_hierarchy = "date"


@admin.register(SearchLog)
class SearchLogAdmin(ReadOnlyAdmin):
    """The search log, read-only (rows are pruned after KB_SEARCH_LOG_DAYS), and the questions without an answer."""

    change_list_template = "knowledgebase/admin/search_log_change_list.html"
    list_display = ("created_at", "query", "language", "source", "result_count", "linked_entry", "linked_rank")
    list_filter = ("source", "language", ("linked_entry", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("linked_entry",)
    search_fields = ("query",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "query",
        "normalized",
        "language",
        "source",
        "results",
        "result_count",
        "closed_at",
        "linked_entry",
        "linked_rank",
    )
    PERIODS = (7, 30, 90)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and super().has_view_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("unanswered/", wrap(self.unanswered_view), name="knowledgebase_searchlog_unanswered"),
            *super().get_urls(),
        ]

    def unanswered_view(self, request):
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        days = days if days in self.PERIODS else 30
        questions, by_meaning = unanswered_question_list(days=days)
        add_url = reverse("admin:knowledgebase_faqentry_add")
        for question in questions:
            others = [text for text, _count in question.phrasings if text != question.query]
            params = {"question_ko": question.query[:300]}
            if others:
                params["keywords"] = ", ".join(others)[:500]
            question.add_url = f"{add_url}?{urlencode(params)}"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Questions without an answer"),
            "questions": questions,
            "by_meaning": by_meaning,
            "days": days,
            "periods": self.PERIODS,
        }
        return TemplateResponse(request, "knowledgebase/admin/search_unanswered.html", context)
