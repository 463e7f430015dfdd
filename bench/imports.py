"""`python -m bench.imports [--rows 100000]`: how long a large HIE dataset import takes as the background job
runs it (issue 12). Prints figures; not a test.

Steps: a separate PostgreSQL database (name containing "bench") → migrate → the reference network → a
generated file of `--rows` valid cooled babies (`dataset_file`, also used by the tests) → the import job
(`pathway.import_jobs.run`: every row checked, then all saved in one transaction, progress written as it goes)
→ file size, rows, seconds (checking and saving), rows per second and peak memory. Celery runs inline here.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import sys
import time
from datetime import UTC, datetime, timedelta

from bench import database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pathway_bench_imports"
START = datetime(2023, 1, 1, 0, 0, tzinfo=UTC)
# Minutes after birth of each time of a valid cooled outborn baby (Watford → Addenbrooke's).
TIMES = {
    "passive_cooling_start": 30, "core_monitoring_start": 45, "referral_datetime": 80,
    "depart_referring_datetime": 170, "active_cooling_start": 200, "target_temp_reached": 230,
    "arrive_centre_datetime": 240, "parent_consultation_datetime": 300, "rewarming_start": 230 + 72 * 60,
    "rewarming_end": 230 + 80 * 60, "mri_datetime": 7 * 24 * 60, "discharge_datetime": 12 * 24 * 60,
}
FIXED = {
    "sex": "male", "gestation_weeks": "39", "gestation_days": "2", "birth_weight_g": "3300", "multiple_birth": "no",
    "birth_unit_ods": "RWG02", "cooling_centre_ods": "RGT01", "labour": "yes", "apgar_10": "4",
    "resus_at_10min": "yes", "lowest_ph_60min": "6.95", "base_deficit_60min": "16.0", "hie_grade": "2",
    "aeeg": "moderately_abnormal", "therapeutic_hypothermia": "yes", "lowest_temp_before_arrival_c": "33.4",
    "transport_cooling": "servo", "arrival_temp_c": "33.6", "placenta_sent": "yes", "mri_performed": "yes",
    "mnsi_referred": "yes", "outcome": "alive", "family_booklet_given": "yes",
}


def dataset_file(rows: int, *, prefix: str = "BULK", bad_row: int | None = None) -> bytes:
    """A valid HIE dataset CSV of `rows` babies born 7 minutes apart from 2023 (UTC offsets, so no clock-change
    time is ambiguous); `bad_row` (a file row number, header = 1) gets an impossible gestation."""
    from pathway.dataset import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for index in range(rows):
        birth = START + timedelta(minutes=7 * index)
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(FIXED, case_ref=f"{prefix}-{index:06d}", birth_datetime=birth.isoformat(timespec="minutes"))
        cells.update({column: (birth + timedelta(minutes=m)).isoformat(timespec="minutes")
                      for column, m in TIMES.items()})
        if bad_row == index + 2:
            cells["gestation_weeks"] = "50"
        writer.writerow([cells[column] for column in COLUMNS])
    return out.getvalue().encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    print(f"· {database.prepare(args.database_url, keep=False)}", flush=True)
    database.start_django(args.database_url)  # nothing Django-related may be imported above
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from pathway import import_jobs
    from pathway.models import Case, ImportJob
    from units.services import network_load_reference

    call_command("migrate", verbosity=0)
    network_load_reference()
    user = get_user_model().objects.create_user("bench-importer")
    data = dataset_file(args.rows)
    print(f"· generated {args.rows:,} rows, {len(data) / 1e6:.1f} MB", flush=True)
    job = ImportJob.objects.create(filename="bench.csv", created_by=user, progress_total=2 * args.rows)
    from django.core.files.base import ContentFile

    job.file.save("bench.csv", ContentFile(data))
    started = time.perf_counter()
    job = import_jobs.run(job)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"· import job {job.status}: {job.result['created']:,} created, {Case.objects.count():,} cases stored")
    print(f"· {seconds:.1f} s in all, {args.rows / seconds:,.0f} rows/s, peak memory {peak_mb:.0f} MB")
    return 0 if job.status == ImportJob.Status.SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
