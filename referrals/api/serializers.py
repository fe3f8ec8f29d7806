from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from callcenter.inputs import BoundedDateTimeField, InputSerializer
from inquiries.models import Call
from referrals.models import REASON_MAX_LENGTH, FollowUp, Referral, ReferralEvent, Service, Status


class ServiceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    languages = serializers.ListField(source="language_list", read_only=True)
    accept_within_minutes = serializers.SerializerMethodField()
    urgent_accept_within_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "slug",
            "name",
            "name_ko",
            "name_en",
            "kind",
            "contact",
            "opening_hours",
            "languages",
            "accept_within_minutes",
            "urgent_accept_within_minutes",
            "open311_published",
            "service_code",
            "keywords",
            "group",
        ]
        read_only_fields = fields

    def get_accept_within_minutes(self, service: Service) -> int:
        return int(service.accept_within.total_seconds() // 60)

    def get_urgent_accept_within_minutes(self, service: Service) -> int:
        return int(service.urgent_accept_within.total_seconds() // 60)


class ReferralInputSerializer(InputSerializer):
    call = serializers.PrimaryKeyRelatedField(
        queryset=Call.objects.select_related("caller"),
        error_messages={"does_not_exist": _("No call with id {pk_value}."), "incorrect_type": _("Give the call's id.")},
    )
    service = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Service.objects.filter(is_active=True),
        error_messages={"does_not_exist": _("Unknown service “{value}”.")},
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    priority = serializers.ChoiceField(choices=Referral.Priority.choices, default=Referral.Priority.NORMAL)
    consent = serializers.BooleanField(
        help_text=_("Did the caller agree to share their contact details with the service? Required: true or false."),
        error_messages={
            "required": _("Ask the caller whether they agree to share their number, and record the answer.")
        },
    )
    callback_preference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    transferred_to = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Emergency services: the number the caller was put through to (default: the service's)."),
    )
    incident_number = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Emergency services: their incident number, if they gave one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # BooleanField treats a missing key as False in form data; this API is JSON, where "missing" must stay missing.
        self.fields["consent"].default_empty_html = serializers.empty


class OptionalBooleanField(serializers.BooleanField):
    """A query-string flag: absent means "do not filter" (None), not False."""

    default_empty_html = serializers.empty

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)


class ReferralListQuerySerializer(InputSerializer):
    service = serializers.SlugField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Referral.Priority.choices, required=False)
    overdue = OptionalBooleanField(help_text=_("true: only referrals not accepted in time; false: the others."))
    open = OptionalBooleanField(help_text=_("true: only new, accepted or scheduled."))


class TransitionSerializer(InputSerializer):
    to = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
    scheduled_for = BoundedDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        future=lambda: timedelta(days=settings.REFERRAL_SCHEDULE_MAX_DAYS),
    )
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ReferralEvent
        fields = ["at", "actor", "kind", "kind_display", "from_status", "to_status", "note"]
        read_only_fields = fields

    def get_actor(self, event: ReferralEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


class FollowUpSerializer(serializers.ModelSerializer):
    referral = serializers.PrimaryKeyRelatedField(read_only=True)
    service = serializers.CharField(source="referral.service.slug", read_only=True)
    service_name = serializers.CharField(source="referral.service.name", read_only=True)
    agent = serializers.SerializerMethodField()
    closed_by = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    referral_outcome = serializers.CharField(source="referral.outcome", read_only=True)
    contact_number = serializers.CharField(source="referral.contact_masked", read_only=True)
    callback_preference = serializers.CharField(source="referral.callback_preference", read_only=True)
    pressing = serializers.BooleanField(source="referral.pressing", read_only=True)
    call = serializers.IntegerField(source="referral.call_id", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "referral",
            "call",
            "service",
            "service_name",
            "agent",
            "status",
            "due_at",
            "overdue",
            "pressing",
            "reason",
            "referral_outcome",
            "contact_number",
            "callback_preference",
            "outcome",
            "outcome_display",
            "note",
            "closed_at",
            "closed_by",
        ]
        read_only_fields = fields

    def get_agent(self, followup: FollowUp) -> str | None:
        return followup.agent.get_username() if followup.agent else None

    def get_closed_by(self, followup: FollowUp) -> str | None:
        return followup.closed_by.get_username() if followup.closed_by else None


class ReferralSerializer(serializers.ModelSerializer):
    service = serializers.CharField(source="service.slug", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    contact_number = serializers.CharField(source="contact_masked", read_only=True)
    created_by = serializers.SerializerMethodField()
    consent_by = serializers.SerializerMethodField()
    transferred_by = serializers.SerializerMethodField()
    pressing = serializers.BooleanField(read_only=True)
    acceptance_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "source",
            "call",
            "service",
            "service_name",
            "status",
            "status_display",
            "priority",
            "vulnerable",
            "pressing",
            "reason",
            "callback_preference",
            "consent",
            "consent_at",
            "consent_by",
            "contact_number",
            "created_by",
            "created_at",
            "updated_at",
            "accept_due_at",
            "acceptance_overdue",
            "accepted_at",
            "scheduled_for",
            "outcome",
            "decline_reason",
            "closed_at",
            "transferred_at",
            "transferred_by",
            "transferred_to",
            "incident_number",
        ]
        read_only_fields = fields

    def get_transferred_by(self, referral: Referral) -> str | None:
        return referral.transferred_by.get_username() if referral.transferred_by else None

    def get_created_by(self, referral: Referral) -> str | None:
        return referral.created_by.get_username() if referral.created_by else None

    def get_consent_by(self, referral: Referral) -> str | None:
        return referral.consent_by.get_username() if referral.consent_by else None


class ReferralDetailSerializer(ReferralSerializer):
    """One referral with its history and follow-up. `contact_number_full` is set by
    the view only when the reader may see it (and that view is logged)."""

    history = ReferralEventSerializer(source="events", many=True, read_only=True)
    followup = serializers.SerializerMethodField()
    contact_number_full = serializers.SerializerMethodField()
    contact_name = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "contact_number_full", "contact_name", "history", "followup"]
        read_only_fields = fields

    def get_followup(self, referral: Referral) -> dict | None:
        followup = referral.followup
        return FollowUpSerializer(followup).data if followup else None

    def get_contact_number_full(self, referral: Referral) -> str | None:
        return referral.contact_formatted if self.context.get("unmasked") else None

    def get_contact_name(self, referral: Referral) -> str | None:
        return referral.contact_name if self.context.get("unmasked") else None


class FollowUpListQuerySerializer(InputSerializer):
    due = OptionalBooleanField(help_text=_("true: still to call back; false: closed."))
    overdue = OptionalBooleanField(help_text=_("true: due and past the call-back time."))
    agent = serializers.CharField(required=False, max_length=150)


class FollowUpCompleteSerializer(InputSerializer):
    outcome = serializers.ChoiceField(choices=FollowUp.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)
