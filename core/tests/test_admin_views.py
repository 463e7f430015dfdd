"""The read-only admin pages of a case and a POP record: grouped as the screens are, no field left out."""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core.admin_views import all_field_names
from core.testing.factories import cooled_case_values
from core.timeutil import LONDON
from pathway.models import Case
from pathway.sections import SECTIONS
from pop.models import PopRecord
from pop.tests.factories import pop_values
from units.models import Network


def _superuser_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root-admin", "root@example.nhs.uk", "x"))
    return client


def _headings(html: str) -> list[str]:
    return [title.strip() for title in re.findall(r'<h2[^>]*class="fieldset-heading"[^>]*>(.*?)</h2>', html)]


def test_a_case_is_shown_in_its_screen_sections_then_everything_else(network: Network) -> None:
    case = Case.objects.create(**cooled_case_values(birth=datetime(2024, 5, 14, 3, 10, tzinfo=LONDON)))
    response = _superuser_client().get(reverse("admin:pathway_case_change", args=[case.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert _headings(html) == [s.title for s in SECTIONS] + ["Stage, derived values and record keeping"]
    shown = {name for _, options in response.context["adminform"].fieldsets for name in options["fields"]}
    assert shown == set(all_field_names(Case))  # every column, once
    assert case.case_ref in html
    assert not re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|search)")', html)  # read only


def test_a_pop_record_is_shown_in_dataset_order_then_everything_else(network: Network) -> None:
    record = PopRecord.objects.create(**pop_values())
    response = _superuser_client().get(reverse("admin:pop_poprecord_change", args=[record.pk]))

    assert response.status_code == 200
    assert _headings(response.content.decode()) == ["POP record (dataset order)", "Derived values and record keeping"]
    shown = [name for _, options in response.context["adminform"].fieldsets for name in options["fields"]]
    assert sorted(shown) == sorted(all_field_names(PopRecord))


def test_kpi_runs_and_pending_recomputes_are_readable_and_never_editable(network: Network) -> None:
    from datetime import date

    from kpis import pending
    from kpis.models import KpiRun

    run = KpiRun.objects.create(as_of=date(2026, 11, 23), status=KpiRun.Status.FAILED,
                                error="ZeroDivisionError: no eligible babies")
    pending.mark(["2026-11"], producer="hie")
    client = _superuser_client()

    runs = client.get(reverse("admin:kpis_kpirun_changelist"), {"status__exact": "failed"}).content.decode()
    assert f">{run.pk}<" in runs and "Failed" in runs
    page = client.get(reverse("admin:kpis_kpirun_change", args=[run.pk])).content.decode()
    assert "ZeroDivisionError: no eligible babies" in page
    assert not re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|search)")', page)
    assert "2026-11" in client.get(reverse("admin:kpis_pendingrecompute_changelist")).content.decode()
    assert client.get(reverse("admin:kpis_kpirun_add")).status_code == 403
    assert client.post(reverse("admin:kpis_kpirun_delete", args=[run.pk]), {"post": "yes"}).status_code == 403
    assert KpiRun.objects.filter(pk=run.pk).exists()
