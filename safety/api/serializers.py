from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from callcenter.inputs import BoundedDateTimeField, InputSerializer
from inquiries.models import Call
from safety.describe import describe
from safety.models import NOTE_MAX_LENGTH, Case, CaseEvent, Kind, Registration, Sex, Sighting, Status

CLOCK_SKEW = timedelta(minutes=5)


def _backdate() -> timedelta:
    """How far back "last seen" and a sighting may be: as far as a call may be backdated."""
    return timedelta(days=settings.CALL_BACKDATE_DAYS)


def _seen_field() -> BoundedDateTimeField:
    return BoundedDateTimeField(require_zone=True, past=_backdate, future=CLOCK_SKEW)


_CALL_ERRORS = {"does_not_exist": _("No call with id {pk_value}."), "incorrect_type": _("Give the call's id.")}


class StrictBooleanField(serializers.BooleanField):
    """A consent answer: missing stays missing (also in a multipart form)."""

    default_empty_html = serializers.empty


class DescriptionInputSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    age = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True, default=None)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default=Sex.UNKNOWN)
    height_cm = serializers.IntegerField(min_value=30, max_value=250, required=False, allow_null=True, default=None)
    build = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    clothing = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    marks = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    photo = serializers.FileField(required=False, allow_null=True, default=None, allow_empty_file=False)
    guardian_number = serializers.CharField(max_length=40)
    consent = StrictBooleanField(
        help_text=_("Did the guardian agree that the centre keeps these details? Must be true."),
        error_messages={"required": _("Ask the guardian for consent and record the answer.")},
    )


class CaseInputSerializer(DescriptionInputSerializer):
    call = serializers.PrimaryKeyRelatedField(
        queryset=Call.objects.select_related("caller"), error_messages=_CALL_ERRORS
    )
    last_seen_place = serializers.CharField(max_length=300)
    last_seen_at = _seen_field()
    incident_number = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("The police's incident number, if 112 gave one when the report was handed over."),
    )


class RegistrationInputSerializer(DescriptionInputSerializer):
    review_on = serializers.DateField(required=False, allow_null=True, default=None)


class RegistrationPatchSerializer(InputSerializer):
    """Only the fields sent change; `renew: true` restarts the two years."""

    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    age = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    height_cm = serializers.IntegerField(min_value=30, max_value=250, required=False, allow_null=True)
    build = serializers.CharField(max_length=100, required=False, allow_blank=True)
    clothing = serializers.CharField(max_length=300, required=False, allow_blank=True)
    marks = serializers.CharField(max_length=300, required=False, allow_blank=True)
    photo = serializers.FileField(required=False, allow_empty_file=False)
    guardian_number = serializers.CharField(max_length=40, required=False)
    review_on = serializers.DateField(required=False)
    renew = serializers.BooleanField(required=False, default=False)


class CaseTransitionSerializer(InputSerializer):
    to = serializers.ChoiceField(choices=[(s, s) for s in (Status.FOUND, Status.CLOSED, Status.CANCELLED)])
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class CaseAcknowledgeSerializer(InputSerializer):
    status = serializers.ChoiceField(
        choices=[(s, s) for s in (Status.OPEN, Status.FOUND)],
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The status the banner showed (open or found); by default the case's current one."),
    )


class SightingInputSerializer(InputSerializer):
    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.all(), error_messages=_CALL_ERRORS)
    place = serializers.CharField(max_length=300)
    seen_at = _seen_field()
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class SearchQuerySerializer(InputSerializer):
    q = serializers.CharField(max_length=300, trim_whitespace=True)


def _username(user) -> str | None:
    return user.get_username() if user else None


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["at", "actor", "kind", "from_status", "to_status", "note"]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        return _username(event.actor)


class SightingSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    followup = serializers.SerializerMethodField()

    class Meta:
        model = Sighting
        fields = ["id", "case", "call", "place", "seen_at", "note", "created_by", "created_at", "followup"]
        read_only_fields = fields

    def get_created_by(self, sighting) -> str | None:
        return _username(sighting.created_by)

    def get_followup(self, sighting) -> dict | None:
        followup = sighting.followup
        if followup is None:
            return None
        return {
            "id": followup.pk,
            "status": followup.status,
            "due_at": followup.due_at,
            "agent": _username(followup.agent),
        }


class PersonSerializer(serializers.ModelSerializer):
    """A person's description for everyone; name, guardian and photo only when the view
    says so (`identity` in the context; that view is written to the access log)."""

    description = serializers.SerializerMethodField()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    identity = serializers.SerializerMethodField()

    def get_description(self, person) -> str:
        return describe(person)

    def get_identity(self, person) -> dict | None:
        if not self.context.get("identity"):
            return None
        return {
            "name": person.name,
            "guardian_number": person.guardian_formatted,
            "photo_url": self.photo_url(person) if person.photo else None,
        }

    def photo_url(self, person) -> str:
        raise NotImplementedError


class CaseSerializer(PersonSerializer):
    opened_by = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "call",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "description",
            "age",
            "sex",
            "height_cm",
            "build",
            "clothing",
            "marks",
            "last_seen_place",
            "last_seen_at",
            "opened_by",
            "opened_at",
            "closed_at",
            "handoff",
            "pseudonymized_at",
            "identity",
        ]
        read_only_fields = fields

    def get_opened_by(self, case) -> str | None:
        return _username(case.opened_by)

    def photo_url(self, case) -> str:
        return f"/api/safety/cases/{case.pk}/photo/"


class CaseDetailSerializer(CaseSerializer):
    history = CaseEventSerializer(source="events", many=True, read_only=True)
    sightings = SightingSerializer(many=True, read_only=True)
    acknowledged_by = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "history", "sightings", "acknowledged_by"]
        read_only_fields = fields

    def get_acknowledged_by(self, case) -> list[dict]:
        return [
            {"user": _username(a.user), "status": a.status, "at": a.at}
            for a in case.acknowledgements.select_related("user")
        ]


class RegistrationSerializer(PersonSerializer):
    registered_by = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "kind",
            "kind_display",
            "description",
            "age",
            "sex",
            "height_cm",
            "build",
            "clothing",
            "marks",
            "registered_by",
            "registered_at",
            "renewed_at",
            "review_on",
            "identity",
        ]
        read_only_fields = fields

    def get_registered_by(self, registration) -> str | None:
        return _username(registration.registered_by)

    def photo_url(self, registration) -> str:
        return f"/api/safety/registrations/{registration.pk}/photo/"
