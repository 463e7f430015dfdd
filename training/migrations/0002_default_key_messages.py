"""The network's default key messages (issue 5); nurse specialists edit the list afterwards."""

from django.db import migrations

DEFAULTS = [
    "Start passive cooling with a rectal probe",
    "Call for transfer early",
    "Avoid overcooling",
    "Continuous core temperature monitoring",
    "Document times",
    "Support the family",
]


def add_defaults(apps, schema_editor):
    KeyMessage = apps.get_model("training", "KeyMessage")
    for order, text in enumerate(DEFAULTS, start=1):
        KeyMessage.objects.get_or_create(text=text, defaults={"order": order})


def remove_defaults(apps, schema_editor):
    KeyMessage = apps.get_model("training", "KeyMessage")
    KeyMessage.objects.filter(text__in=DEFAULTS, sessions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
