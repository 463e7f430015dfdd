"""Token scopes, expiry and the reason a token was revoked.

Tokens made before scopes existed keep what they could do except identifiable reads: pseudonymised reads
and writes (an identifiable token needs a stated reason, so it must be made again). They expire 90 days
after they were made (at the earliest a week from now, so no extract stops without warning).
"""

from datetime import timedelta

import core.arrays
from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def fill(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.update(scopes=["read:pseudonymised", "write"], expires_at=F("created_at") + timedelta(days=90))
    ApiToken.objects.filter(expires_at__lt=timezone.now() + timedelta(days=7)).update(
        expires_at=timezone.now() + timedelta(days=7))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=core.arrays.CodeListField(
                base_field=models.CharField(choices=[
                    ("read:pseudonymised", "Read cases, pseudonymised as in the CSV export"),
                    ("read:identifiable", "Read cases with case references and NHS numbers"),
                    ("write", "Add and change cases")], max_length=20),
                default=list, help_text="Chosen when the token is made; never widened afterwards", size=None),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="reason",
            field=models.TextField(blank=True, help_text="Why identifiable reads are needed (read:identifiable)"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        # expires_at becomes required in 0003: PostgreSQL refuses to alter a table with rows updated in the
        # same transaction ("pending trigger events").
    ]
