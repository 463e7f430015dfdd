"""The family website's starter pages (families/starter.py), published so a new site is not empty."""

from django.db import migrations


def add_pages(apps, schema_editor):
    from families.starter import load_starter_pages

    load_starter_pages(apps.get_model("families", "Page"), apps.get_model("families", "PageVersion"))


class Migration(migrations.Migration):
    dependencies = [("families", "0001_initial")]
    operations = [migrations.RunPython(add_pages, migrations.RunPython.noop)]
