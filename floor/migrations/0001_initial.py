"""The floor's models move here from inquiries, rows and all: their tables keep
the names inquiries gave them (each model's db_table), so this migration only
tells Django's state that floor owns them now (no SQL), and moves their content
types, so permissions and admin history follow. inquiries 0010 then forgets them.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED = [
    "phoneevent",
    "queuecall",
    "agentstatus",
    "agentstatechange",
    "shift",
    "shiftassignment",
    "shiftsession",
    "phoneextension",
    "abuseflag",
    "callerblock",
]


def _move_content_types(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if content_types.filter(app_label=new, model=model).exists():
            continue  # already made (a database migrated with the code of both apps)
        content_types.filter(app_label=old, model=model).update(app_label=new)
    ContentType.objects.clear_cache()


def content_types_to_floor(apps, schema_editor):
    _move_content_types(apps, schema_editor, "inquiries", "floor")


def content_types_to_inquiries(apps, schema_editor):
    _move_content_types(apps, schema_editor, "floor", "inquiries")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('inquiries', '0009_queuecall_number_withheld'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('knowledgebase', '0008_search_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Shift',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name_ko', models.CharField(max_length=60, verbose_name='name (Korean)')),
                        ('name_en', models.CharField(blank=True, max_length=60, verbose_name='name (English)')),
                        ('starts', models.TimeField(verbose_name='starts')),
                        ('ends', models.TimeField(help_text='Earlier than the start for a shift that ends the next day.', verbose_name='ends')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'shift',
                        'verbose_name_plural': 'shifts',
                        'db_table': 'inquiries_shift',
                        'ordering': ['starts', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='PhoneExtension',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('extension', models.CharField(help_text="As the phone system names the agent's phone, e.g. 2041 or SIP/2041.", max_length=20, unique=True, validators=[django.core.validators.RegexValidator('^[0-9A-Za-z*#+._-]{1,20}$', 'An extension is 1 to 20 digits or letters (also * # + . _ -), e.g. 2041.', code='invalid_extension')], verbose_name='extension')),
                        ('agent', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='phone_extension', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                    ],
                    options={
                        'verbose_name': 'phone extension',
                        'verbose_name_plural': 'phone extensions',
                        'db_table': 'inquiries_phoneextension',
                        'ordering': ['extension'],
                    },
                ),
                migrations.CreateModel(
                    name='QueueCall',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('call_id', models.CharField(max_length=64, unique=True, verbose_name='phone-system call id')),
                        ('caller_number', models.CharField(blank=True, max_length=20, verbose_name='caller number')),
                        ('language', models.CharField(choices=[('ko', 'Korean'), ('en', 'English'), ('zh', 'Chinese'), ('ja', 'Japanese')], default='ko', max_length=2, verbose_name='language')),
                        ('queue', models.CharField(default='general', max_length=32, verbose_name='queue')),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('talking', 'Talking'), ('ended', 'Ended'), ('abandoned', 'Abandoned')], default='waiting', max_length=12, verbose_name='status')),
                        ('offered_at', models.DateTimeField(db_index=True, verbose_name='offered')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='ended or abandoned')),
                        ('wait_seconds', models.FloatField(blank=True, null=True, verbose_name='queue time (s)')),
                        ('talk_seconds', models.FloatField(blank=True, null=True, verbose_name='talk time (s)')),
                        ('wrap_seconds', models.FloatField(blank=True, null=True, verbose_name='after-call work (s)')),
                        ('handle_seconds', models.FloatField(blank=True, null=True, verbose_name='handle time (s)')),
                        ('transfers', models.PositiveSmallIntegerField(default=0, verbose_name='transfers')),
                        ('agent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='queue_calls', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                        ('category', models.ForeignKey(blank=True, help_text="From the phone menu, or from the agent's log of the call.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='knowledgebase.category', verbose_name='category')),
                    ],
                    options={
                        'verbose_name': 'queued call',
                        'verbose_name_plural': 'queued calls',
                        'db_table': 'inquiries_queuecall',
                        'ordering': ['-offered_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='AgentStatus',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('state', models.CharField(choices=[('offline', 'Offline'), ('available', 'Available'), ('ringing', 'Ringing'), ('on_call', 'On call'), ('after_call_work', 'After-call work'), ('break', 'Break')], default='offline', max_length=16, verbose_name='state')),
                        ('since', models.DateTimeField(default=django.utils.timezone.now, verbose_name='since')),
                        ('agent', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='agent_status', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                        ('current_call', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='floor.queuecall', verbose_name='call')),
                        ('wrap_call', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='floor.queuecall')),
                    ],
                    options={
                        'verbose_name': 'agent state',
                        'verbose_name_plural': 'agent states',
                        'db_table': 'inquiries_agentstatus',
                    },
                ),
                migrations.CreateModel(
                    name='AgentStateChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_state', models.CharField(choices=[('offline', 'Offline'), ('available', 'Available'), ('ringing', 'Ringing'), ('on_call', 'On call'), ('after_call_work', 'After-call work'), ('break', 'Break')], max_length=16)),
                        ('to_state', models.CharField(choices=[('offline', 'Offline'), ('available', 'Available'), ('ringing', 'Ringing'), ('on_call', 'On call'), ('after_call_work', 'After-call work'), ('break', 'Break')], max_length=16)),
                        ('at', models.DateTimeField(db_index=True)),
                        ('ended_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('source', models.CharField(choices=[('phone_system', 'phone system'), ('console', 'console'), ('shift', 'shift sign-in/out')], max_length=16)),
                        ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('call', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='floor.queuecall')),
                    ],
                    options={
                        'verbose_name': 'agent state change',
                        'verbose_name_plural': 'agent state changes',
                        'db_table': 'inquiries_agentstatechange',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='AbuseFlag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('caller_number', models.CharField(max_length=20, verbose_name='caller number')),
                        ('kind', models.CharField(choices=[('verbal_abuse', 'Verbal abuse'), ('sexual_harassment', 'Sexual harassment'), ('threat', 'Threat'), ('nuisance', 'Repeated nuisance')], max_length=20, verbose_name='kind')),
                        ('note', models.TextField(blank=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='note')),
                        ('flagged_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='flagged')),
                        ('warning_read_at', models.DateTimeField(blank=True, null=True, verbose_name='warning read')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='call ended by the agent')),
                        ('agent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='abuse_flags', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                        ('call', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='abuse_flags', to='floor.queuecall', verbose_name='call')),
                    ],
                    options={
                        'verbose_name': 'abusive-call flag',
                        'verbose_name_plural': 'abusive-call flags',
                        'db_table': 'inquiries_abuseflag',
                        'ordering': ['-flagged_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ShiftAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField(db_index=True, verbose_name='day')),
                        ('agent', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shift_assignments', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='floor.shift', verbose_name='shift')),
                    ],
                    options={
                        'verbose_name': 'roster entry',
                        'verbose_name_plural': 'roster',
                        'db_table': 'inquiries_shiftassignment',
                        'ordering': ['day', 'shift', 'agent'],
                    },
                ),
                migrations.CreateModel(
                    name='ShiftSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('signed_in_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='signed in')),
                        ('signed_out_at', models.DateTimeField(blank=True, null=True, verbose_name='signed out')),
                        ('agent', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shift_sessions', to=settings.AUTH_USER_MODEL, verbose_name='agent')),
                        ('shift', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sessions', to='floor.shift', verbose_name='shift')),
                    ],
                    options={
                        'verbose_name': 'shift sign-in',
                        'verbose_name_plural': 'shift sign-ins',
                        'db_table': 'inquiries_shiftsession',
                        'ordering': ['-signed_in_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CallerBlock',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(db_index=True, max_length=20, verbose_name='phone number')),
                        ('reason', models.TextField(validators=[django.core.validators.MaxLengthValidator(500)], verbose_name='reason')),
                        ('starts_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='from')),
                        ('until', models.DateTimeField(verbose_name='until')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='blocked at')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='ended early at')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='blocked by')),
                        ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ended by')),
                        ('flag', models.ForeignKey(blank=True, help_text="The agent's flag this block answers, when there is one.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='blocks', to='floor.abuseflag', verbose_name='flag')),
                    ],
                    options={
                        'verbose_name': 'caller block',
                        'verbose_name_plural': 'caller blocks',
                        'db_table': 'inquiries_callerblock',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['number', 'until'], name='callerblock_number_until')],
                    },
                ),
                migrations.CreateModel(
                    name='PhoneEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(blank=True, max_length=32, verbose_name='event')),
                        ('call_id', models.CharField(blank=True, db_index=True, max_length=64, verbose_name='call id')),
                        ('at', models.DateTimeField(blank=True, null=True, verbose_name='event time')),
                        ('body', models.JSONField(verbose_name='body as received')),
                        ('received_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='received')),
                        ('status', models.CharField(choices=[('received', 'received'), ('applied', 'applied'), ('duplicate', 'duplicate'), ('rejected', 'rejected'), ('blocked', 'blocked')], default='received', max_length=12, verbose_name='status')),
                        ('dedupe_key', models.CharField(blank=True, max_length=200, null=True, unique=True)),
                        ('http_status', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='answer')),
                        ('error_code', models.CharField(blank=True, max_length=40, verbose_name='error')),
                        ('error_message', models.TextField(blank=True, verbose_name='error message')),
                        ('sender', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by')),
                    ],
                    options={
                        'verbose_name': 'phone event',
                        'verbose_name_plural': 'phone events',
                        'db_table': 'inquiries_phoneevent',
                        'ordering': ['-received_at', '-id'],
                        'indexes': [models.Index(fields=['status', '-received_at'], name='phoneevent_status_received')],
                    },
                ),
                migrations.AddIndex(
                    model_name='queuecall',
                    index=models.Index(fields=['status', 'offered_at'], name='queuecall_status_offered'),
                ),
                migrations.AddIndex(
                    model_name='queuecall',
                    index=models.Index(fields=['category', 'offered_at'], name='queuecall_category_offered'),
                ),
                migrations.AddConstraint(
                    model_name='abuseflag',
                    constraint=models.UniqueConstraint(fields=('call', 'agent'), name='one_flag_per_call_and_agent'),
                ),
                migrations.AddConstraint(
                    model_name='shiftassignment',
                    constraint=models.UniqueConstraint(fields=('shift', 'agent', 'day'), name='roster_unique'),
                ),
                migrations.AddConstraint(
                    model_name='shiftsession',
                    constraint=models.UniqueConstraint(condition=models.Q(('signed_out_at__isnull', True)), fields=('agent',), name='one_open_session_per_agent'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_floor, content_types_to_inquiries),
    ]
