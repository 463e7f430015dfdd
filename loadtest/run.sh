#!/usr/bin/env bash
# Load test: gunicorn (DEBUG=false) on loopback against a PostgreSQL database of its own, seeded with
# seed_demo + compute_kpis, a Celery worker on Redis for the case-save recomputes (as in production), and
# locust headless. Prints requests/s, p95 and failures; the CSV files are left in
# $LOADTEST_OUT (default /tmp/pathway-loadtest).
#
#   loadtest/run.sh [users] [seconds]        (defaults: 20 users for 60 s)
#
# Environment: OTP_REQUIRED=false (a load generator cannot read an authenticator app), the demo logins,
# SECURE_SSL_REDIRECT stays on: locust sends X-Forwarded-Proto: https as the TLS proxy would. Keep-alive 5 s,
# longer than the users' 1-3 s pauses, so the server never closes a connection the client is about to reuse.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS="${1:-20}"
SECONDS_TO_RUN="${2:-60}"
PORT="${LOADTEST_PORT:-8765}"
DB_NAME="${LOADTEST_DB:-pathway_loadtest}"
PG="${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}"
REDIS="${LOADTEST_REDIS:-redis://127.0.0.1:6379/15}"
CACHE="${LOADTEST_CACHE:-redis://127.0.0.1:6379/14}"  # the shared cache, a database of its own (as production)
OUT="${LOADTEST_OUT:-/tmp/pathway-loadtest}"  # outside the repository: results are not source
mkdir -p "$OUT"

export DEBUG=false SECRET_KEY="loadtest-only-$(head -c 24 /dev/urandom | base64)" ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$PG/$DB_NAME" OTP_REQUIRED=false REDIS_URL="$REDIS" CACHE_URL="$CACHE" CONN_MAX_AGE=60
export LOG_LEVEL=WARNING
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend

PY=.venv/bin/python
test -x .venv/bin/locust || { echo "locust is not installed (it is not in the test venv):" \
  ".venv/bin/pip install --require-hashes -r requirements-loadtest.lock" >&2; exit 1; }
echo "== database $DB_NAME (dropped and seeded)"
$PY - <<PYEOF
import psycopg
with psycopg.connect("$PG/postgres", autocommit=True) as c:
    c.execute('DROP DATABASE IF EXISTS "$DB_NAME" WITH (FORCE)')
    c.execute('CREATE DATABASE "$DB_NAME"')
PYEOF
$PY -c "import redis; redis.Redis.from_url('$CACHE').flushdb(); redis.Redis.from_url('$REDIS').flushdb()"
$PY manage.py migrate -v0
# Seeding and the first full KPI run happen inline (no worker yet).
REDIS_URL= $PY manage.py seed_demo -v0
REDIS_URL= $PY manage.py compute_kpis -v0
$PY manage.py collectstatic --noinput -v0

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

.venv/bin/celery -A config worker -Q celery --concurrency 1 --loglevel WARNING >"$OUT/celery.log" 2>&1 &
PIDS+=($!)
.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 3 --threads 2 --keep-alive 5 \
    --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
PIDS+=($!)
# Ready when /health/ answers 200: database, cache, broker, export directory and the KPI run above all ok.
HEALTH="http://127.0.0.1:$PORT/health/"
for _ in $(seq 50); do curl -sf -o /dev/null "$HEALTH" && break; sleep 0.2; done
curl -sf -o /dev/null "$HEALTH" || { echo "== not healthy, not load testing: $(curl -s "$HEALTH")"; exit 1; }

echo "== locust: $USERS users for ${SECONDS_TO_RUN}s"
.venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" -u "$USERS" -r 5 \
    -t "${SECONDS_TO_RUN}s" --csv "$OUT/run" --only-summary --loglevel WARNING || true

# Still healthy after the load: every case-save recompute the worker ran succeeded (no failed HIE run).
echo "== /health/ after the run: $(curl -s -w ' (%{http_code})' "$HEALTH")"

$PY - "$OUT/run_stats.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'request':48} {'count':>6} {'fail':>5} {'median':>7} {'p95':>6} {'max':>6}")
for r in rows:
    print(f"{r['Type'] + ' ' + r['Name']:48.48} {r['Request Count']:>6} {r['Failure Count']:>5} "
          f"{r['50%']:>7} {r['95%']:>6} {float(r['Max Response Time']):>6.0f}")
total = next(r for r in rows if r["Name"] == "Aggregated")
print(f"\nrequests/s {float(total['Requests/s']):.1f}   p95 {total['95%']} ms   "
      f"failures {total['Failure Count']} of {total['Request Count']}")
PYEOF
