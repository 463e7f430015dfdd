"""Exports made while the deployment shared one export log are the first network's (issue 18). Its own
migration: PostgreSQL cannot finish the schema migration's indexes in a transaction that has just written to them."""

from django.db import migrations


def to_first_network(apps, schema_editor):
    """Exports made while the deployment held one network are in its log (its first network; issue 18)."""
    first = apps.get_model("units", "Network").objects.order_by("pk").values_list("pk", flat=True).first()
    if first is None:
        return
    ExportRecord = apps.get_model("reporting", "ExportRecord")
    Through = ExportRecord.networks.through
    Through.objects.bulk_create([Through(exportrecord_id=pk, network_id=first)
                                 for pk in ExportRecord.objects.filter(networks__isnull=True)
                                 .values_list("pk", flat=True).iterator()],
                                batch_size=1000)



class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0007_export_log_networks'),
    ]

    operations = [
        migrations.RunPython(to_first_network, migrations.RunPython.noop),
    ]
