"""Each network's own content from what every network shared (issue 18). Its own migration: PostgreSQL cannot
create the schema migration's indexes in a transaction that has just written rows to the table."""

from django.db import migrations


def to_each_network(apps, schema_editor):
    """Until now every network shared one list (issue 18): the first network keeps it, and every other network
    gets its own copy, its units' past sessions moved onto the copies, so each network sees what it saw. In a
    new database there is no network yet: the first network loaded adopts the defaults (`training.signals`)."""
    Network = apps.get_model("units", "Network")
    KeyMessage = apps.get_model("training", "KeyMessage")
    Covered = apps.get_model("training", "TrainingSession").key_messages.through
    networks = list(Network.objects.order_by("pk").values_list("pk", flat=True))
    if not networks:
        return
    shared = list(KeyMessage.objects.filter(network__isnull=True))
    KeyMessage.objects.filter(pk__in=[m.pk for m in shared]).update(network_id=networks[0])
    for network_id in networks[1:]:
        for message in shared:
            copy = KeyMessage.objects.create(network_id=network_id, text=message.text, active=message.active,
                                             order=message.order)
            Covered.objects.filter(keymessage_id=message.pk, trainingsession__unit__network_id=network_id).update(
                keymessage_id=copy.pk)


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0004_network_scope'),
    ]

    operations = [
        migrations.RunPython(to_each_network, migrations.RunPython.noop),
    ]
