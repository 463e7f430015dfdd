from django.db import migrations

from reporting.impact_defaults import DEFAULTS


def seed(apps, schema_editor):
    ImpactInput = apps.get_model("reporting", "ImpactInput")
    # Only the fields this model had then (later migrations add some and fill them in).
    fields = {f.name for f in ImpactInput._meta.get_fields()}
    for row in DEFAULTS:
        ImpactInput.objects.get_or_create(key=row["key"], defaults={k: v for k, v in row.items()
                                                                    if k != "key" and k in fields})


def unseed(apps, schema_editor):
    ImpactInput = apps.get_model("reporting", "ImpactInput")
    ImpactInput.objects.filter(key__in=[row["key"] for row in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
