"""The floor's models now belong to floor (floor 0001): inquiries forgets them.
State only: their tables, with every row, stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('floor', '0001_initial'),
        ('inquiries', '0009_queuecall_number_withheld'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='callerblock',
                    name='flag',
                ),
                migrations.RemoveField(
                    model_name='agentstatechange',
                    name='agent',
                ),
                migrations.RemoveField(
                    model_name='agentstatechange',
                    name='call',
                ),
                migrations.RemoveField(
                    model_name='agentstatus',
                    name='agent',
                ),
                migrations.RemoveField(
                    model_name='agentstatus',
                    name='current_call',
                ),
                migrations.RemoveField(
                    model_name='agentstatus',
                    name='wrap_call',
                ),
                migrations.RemoveField(
                    model_name='callerblock',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='callerblock',
                    name='ended_by',
                ),
                migrations.RemoveField(
                    model_name='phoneevent',
                    name='sender',
                ),
                migrations.RemoveField(
                    model_name='phoneextension',
                    name='agent',
                ),
                migrations.RemoveField(
                    model_name='queuecall',
                    name='agent',
                ),
                migrations.RemoveField(
                    model_name='queuecall',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='shiftassignment',
                    name='shift',
                ),
                migrations.RemoveField(
                    model_name='shiftsession',
                    name='shift',
                ),
                migrations.RemoveField(
                    model_name='shiftassignment',
                    name='agent',
                ),
                migrations.RemoveField(
                    model_name='shiftsession',
                    name='agent',
                ),
                migrations.DeleteModel(
                    name='AbuseFlag',
                ),
                migrations.DeleteModel(
                    name='AgentStateChange',
                ),
                migrations.DeleteModel(
                    name='AgentStatus',
                ),
                migrations.DeleteModel(
                    name='CallerBlock',
                ),
                migrations.DeleteModel(
                    name='PhoneEvent',
                ),
                migrations.DeleteModel(
                    name='PhoneExtension',
                ),
                migrations.DeleteModel(
                    name='QueueCall',
                ),
                migrations.DeleteModel(
                    name='Shift',
                ),
                migrations.DeleteModel(
                    name='ShiftAssignment',
                ),
                migrations.DeleteModel(
                    name='ShiftSession',
                ),
            ],
            database_operations=[],
        ),
    ]
