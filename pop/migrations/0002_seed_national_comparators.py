"""National comparators with a verified source in domain.md §5.3 (kpis.md names the first and third).

Only figures whose measure is a POP KPI here and whose value is a single published percentage are seeded;
administrators add and correct the rest in the admin. Reversing removes exactly these rows.
"""

from decimal import Decimal

from django.db import migrations

NNAP_2020 = "https://hqip.org.uk/resource/national-neonatal-audit-programme-annual-report-on-2020-data"
NNAP_2023 = "https://hqip.org.uk/resource/summary-2023-nnap"
NNAP_DCC = "https://www.hqip.org.uk/news/audit-drives-improvements-in-neonatal-care"

COMPARATORS = [
    # (measure, year, population, value %, source, source URL)
    ("pop_magnesium_sulphate", 2020, "<30 weeks, NNAP units", "85.7", "NNAP annual report on 2020 data", NNAP_2020),
    ("pop_magnesium_sulphate", 2019, "<30 weeks, NNAP units", "82.1", "NNAP annual report on 2020 data", NNAP_2020),
    ("pop_optimal_cord_management", 2023, "<34 weeks, England, Scotland, Wales, Isle of Man", "68.3",
     "NNAP summary report on 2023 data", NNAP_2023),
    ("pop_optimal_cord_management", 2022, "<34 weeks, NNAP units", "60.4", "NNAP (HQIP news: audit drives improvements)",
     NNAP_DCC),
]


def seed(apps, schema_editor):
    NationalComparator = apps.get_model("pop", "NationalComparator")
    for measure, year, population, value, source, url in COMPARATORS:
        NationalComparator.objects.update_or_create(
            measure=measure, year=year, source=source,
            defaults={"population": population, "value_percent": Decimal(value), "source_url": url, "verified": True})


def unseed(apps, schema_editor):
    NationalComparator = apps.get_model("pop", "NationalComparator")
    for measure, year, _population, _value, source, _url in COMPARATORS:
        NationalComparator.objects.filter(measure=measure, year=year, source=source).delete()


class Migration(migrations.Migration):
    dependencies = [("pop", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
