"""Each network's own content from what every network shared (issue 18). Its own migration: PostgreSQL cannot
create the schema migration's indexes in a transaction that has just written rows to the table."""

from django.db import migrations


def to_each_network(apps, schema_editor):
    """Until now every network shared one website (issue 18), at /families/: it stays the first network's, with
    the feedback sent to it, and every other network gets its own copy of the pages (the published text, else
    the latest, as version 1 and published as it was) to edit. In a new database there is no network yet: the
    first network loaded adopts the starter pages (`families.signals`)."""
    Network = apps.get_model("units", "Network")
    Page = apps.get_model("families", "Page")
    PageVersion = apps.get_model("families", "PageVersion")
    networks = list(Network.objects.order_by("pk").values_list("pk", flat=True))
    if not networks:
        return
    shared = list(Page.objects.filter(network__isnull=True))
    Page.objects.filter(pk__in=[p.pk for p in shared]).update(network_id=networks[0])
    apps.get_model("families", "Feedback").objects.filter(network__isnull=True).update(network_id=networks[0])
    for network_id in networks[1:]:
        for page in shared:
            text = (PageVersion.objects.filter(pk=page.published_version_id).first()
                    or PageVersion.objects.filter(page=page).order_by("-number").first())
            copy = Page.objects.create(network_id=network_id, slug=page.slug, position=page.position)
            if text is None:
                continue
            version = PageVersion.objects.create(page=copy, number=1, title=text.title, summary=text.summary,
                                                 body=text.body, note="Copied from the shared website (issue 18)")
            if page.published_version_id:
                copy.published_version = version
                copy.save(update_fields=["published_version"])


class Migration(migrations.Migration):

    dependencies = [
        ('families', '0003_network_scope'),
    ]

    operations = [
        migrations.RunPython(to_each_network, migrations.RunPython.noop),
    ]
