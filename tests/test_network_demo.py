"""`make demo`'s London POP records and training sessions (issue 18): `seed_pop --network london` and
`seed_training --network london` put their records on the London networks' units only, the same seed gives the
same records, and --if-empty (seed_pop) or the per-network check (seed_training) looks at that network's rows
only, so each network's demo is seeded once whichever order the commands run in."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from pop.models import PopRecord
from training.models import TrainingSession
from units.models import Network, Unit
from units.services import LONDON_FILE, organisations_load_file

pytestmark = pytest.mark.django_db
AS_OF = "2025-06-30"
LONDON_CODES = {"NCEL", "NWL", "SL"}


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _pop_fingerprint() -> list[tuple]:
    return list(PopRecord.objects.filter(case_ref__startswith="LDN-POP-").order_by("case_ref")
                .values_list("case_ref", "birth_unit__ods_code", "birth_datetime", "gestation_weeks"))


def test_london_pop_records_are_londons_reproducible_and_seeded_once(network: Network) -> None:
    with pytest.raises(CommandError, match="London units are not loaded"):
        _run("seed_pop", "--network", "london", "--seed", "9", "--years", "1", "--as-of", AS_OF)
    organisations_load_file(LONDON_FILE)
    _run("seed_pop", "--seed", "5", "--years", "1", "--as-of", AS_OF)
    eoe = PopRecord.objects.count()
    assert "Loaded" in _run("seed_pop", "--if-empty", "--network", "london", "--seed", "9", "--years", "1",
                            "--as-of", AS_OF)
    london = _pop_fingerprint()
    assert 50 < len(london) < eoe  # a share of the East of England generator's babies
    networks = set(PopRecord.objects.filter(case_ref__startswith="LDN-POP-")
                   .values_list("birth_unit__network__code", flat=True))
    assert networks <= LONDON_CODES and len(networks) >= 2
    assert set(PopRecord.objects.exclude(case_ref__startswith="LDN-").values_list(
        "birth_unit__network__code", flat=True)) == {"EOE"}

    # --if-empty looks at each network's own records.
    assert "not loaded" in _run("seed_pop", "--if-empty", "--network", "london", "--as-of", AS_OF)
    assert "not loaded" in _run("seed_pop", "--if-empty", "--as-of", AS_OF)
    with pytest.raises(CommandError, match="already holds"):
        _run("seed_pop", "--network", "london", "--as-of", AS_OF)
    assert PopRecord.objects.count() == eoe + len(london)

    PopRecord.objects.filter(case_ref__startswith="LDN-POP-").delete()
    _run("seed_pop", "--if-empty", "--network", "london", "--seed", "9", "--years", "1", "--as-of", AS_OF)
    assert _pop_fingerprint() == london


def test_london_training_is_on_london_units_with_londons_key_messages(network: Network) -> None:
    organisations_load_file(LONDON_FILE)
    assert "Seeded" in _run("seed_training", "--network", "london", "--seed", "9", "--as-of", AS_OF)
    london = list(TrainingSession.objects.order_by("unit__ods_code", "date")
                  .values_list("unit__ods_code", "date", "trainer"))
    assert set(TrainingSession.objects.values_list("unit__network__code", flat=True)) <= LONDON_CODES
    covered = TrainingSession.key_messages.through.objects.values_list(
        "trainingsession__unit__network_id", "keymessage__network_id")
    assert covered.exists() and all(unit_net == message_net for unit_net, message_net in covered)

    # The East of England is still empty, so the default seeds it; then both are skipped.
    assert "Seeded" in _run("seed_training", "--seed", "2026", "--as-of", AS_OF)
    eoe_units = set(Unit.objects.filter(network=network).values_list("pk", flat=True))
    assert TrainingSession.objects.filter(unit__in=eoe_units).exists()
    count = TrainingSession.objects.count()
    assert "nothing seeded" in _run("seed_training", "--network", "london", "--as-of", AS_OF)
    assert "nothing seeded" in _run("seed_training", "--as-of", AS_OF)
    assert TrainingSession.objects.count() == count

    TrainingSession.objects.exclude(unit__in=eoe_units).delete()
    _run("seed_training", "--network", "london", "--seed", "9", "--as-of", AS_OF)
    assert list(TrainingSession.objects.exclude(unit__in=eoe_units).order_by("unit__ods_code", "date")
                .values_list("unit__ods_code", "date", "trainer")) == london
