"""Upgrading a deployment that already holds several networks (issue 18): the rows every network shared (key
messages, family pages, feedback, export-log rows) become the first network's, and every other network gets its
own copy of the key messages and pages, with its units' past sessions moved onto its copies, so no network's
screens change on the day of the upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import post_save

from families import signals as family_signals
from training import signals as training_signals
from units.models import Network
from units.services import LONDON_FILE, network_load_reference, organisations_load_file

BEFORE = [("training", "0003_session_version"), ("families", "0002_starter_pages"),
          ("reporting", "0006_published_spreadsheet_and_csv_kept")]
SIGNALS = ("training_network_key_messages", "families_network_pages")


@pytest.fixture
def before_issue_18(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database as it was before each network had its own content (the latest migrations after)."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_upgrade_gives_each_network_what_it_saw(before_issue_18: MigrationExecutor) -> None:
    # Networks loaded the old way: no signal gives them content (the old tables have no network column).
    for uid in SIGNALS:
        post_save.disconnect(sender=Network, dispatch_uid=uid)
    try:
        network_load_reference()
        organisations_load_file(LONDON_FILE)
    finally:
        post_save.connect(training_signals._network_created, sender=Network, dispatch_uid=SIGNALS[0])
        post_save.connect(family_signals._network_created, sender=Network, dispatch_uid=SIGNALS[1])
    old = before_issue_18.loader.project_state(BEFORE).apps
    KeyMessage, Session = old.get_model("training", "KeyMessage"), old.get_model("training", "TrainingSession")
    Unit, Feedback = old.get_model("units", "Unit"), old.get_model("families", "Feedback")
    shared = KeyMessage.objects.get(text="Avoid overcooling")
    for ods in ("RGT01", "RRV03"):
        Session.objects.create(unit=Unit.objects.get(ods_code=ods), date=date(2026, 1, 5), trainer=ods,
                               format="teaching").key_messages.add(shared)
    Feedback.objects.create(message="Thank you all")
    old.get_model("reporting", "ExportRecord").objects.create(kind="cases_csv", what="Case CSV", scope="All", rows=3)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from families.models import Feedback as NewFeedback
    from families.models import Page
    from reporting.models import ExportRecord
    from training.models import KeyMessage as NewKeyMessage
    from training.models import TrainingSession

    eoe, ncel = Network.objects.get(code="EOE"), Network.objects.get(code="NCEL")
    assert NewKeyMessage.objects.get(pk=shared.pk).network == eoe  # the originals stay the first network's
    for network in Network.objects.all():
        assert NewKeyMessage.objects.filter(network=network).count() == 6
        assert Page.objects.filter(network=network, published_version__isnull=False).count() == 5
    assert not NewKeyMessage.objects.filter(network__isnull=True).exists()
    covered = {s.trainer: [(m.text, m.network_id) for m in s.key_messages.all()] for s in TrainingSession.objects.all()}
    assert covered == {"RGT01": [("Avoid overcooling", eoe.pk)], "RRV03": [("Avoid overcooling", ncel.pk)]}
    copy = Page.objects.get(network=ncel, slug="what-is-hie")
    assert copy.published_version is not None and copy.published_version.title == "What is HIE?"
    assert NewFeedback.objects.get().network == eoe
    assert list(ExportRecord.objects.get().networks.all()) == [eoe]
