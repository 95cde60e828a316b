#!/usr/bin/env bash
# Load test (docs/load-test.md): the production settings under gunicorn, on PostgreSQL, with
# the demonstration data, loaded by locust's agents and director for 60 s, headless, on the
# loopback address only. Prints requests, failures, p50 and p95; exits 1 if any request failed.
#
#   bench/load/run.sh                       # 10 users, 60 s, database contratville_load
#   USERS=20 DURATION=120s bench/load/run.sh
#
# LOAD_DATABASE_URL names the PostgreSQL database to (re)create; its role needs CREATEDB. It
# is dropped and created again at each run: never point it at a database you care about.
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."

LOAD_DATABASE_URL=${LOAD_DATABASE_URL:-postgres://contratville:contratville-ci@127.0.0.1:5432/contratville_load}
USERS=${USERS:-10}
SPAWN_RATE=${SPAWN_RATE:-5}
DURATION=${DURATION:-60s}
WARMUP=${WARMUP:-10s}
PORT=${PORT:-8765}
# gunicorn's own rule for a 2-core machine: 2 × cores + 1.
WORKERS=${WORKERS:-$(($(nproc) * 2 + 1))}
HOST=127.0.0.1
PY=.venv/bin/python

database=${LOAD_DATABASE_URL##*/}
database=${database%%\?*}
server_url=${LOAD_DATABASE_URL%/*}/postgres
case "$database" in
  *load*) ;;
  *) echo "La base du test de charge doit contenir « load » dans son nom (elle est recréée) : $database" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/contratville-load.XXXXXX)
gunicorn_pid=""
cleanup() {
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill "$gunicorn_pid"
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  rm -rf "$work/static"
}
trap cleanup EXIT

echo "== Base $database : création, migrations, démonstration"
psql "$server_url" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$database\"" -c "CREATE DATABASE \"$database\"" 2>&1 \
  | grep -v "does not exist, skipping" || true
# load_demo refuses to run with DEBUG off: the data is loaded with the development settings.
DJANGO_SETTINGS_MODULE=contratville.settings.dev DATABASE_URL=$LOAD_DATABASE_URL $PY manage.py migrate --noinput -v0
DJANGO_SETTINGS_MODULE=contratville.settings.dev DATABASE_URL=$LOAD_DATABASE_URL $PY manage.py load_demo >/dev/null

export DJANGO_SETTINGS_MODULE=bench.load.settings
export DATABASE_URL=$LOAD_DATABASE_URL
export SECRET_KEY=load-test-$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
export ALLOWED_HOSTS=$HOST
export SECURE_SSL_REDIRECT=false
export STATIC_ROOT=$work/static
export LOG_LEVEL=WARNING

echo "== Fichiers statiques (collectstatic, comme en production)"
$PY manage.py collectstatic --noinput -v0

echo "== gunicorn sur http://$HOST:$PORT ($WORKERS processus)"
.venv/bin/gunicorn contratville.wsgi --bind "$HOST:$PORT" --workers "$WORKERS" \
  --access-logfile "$work/access.log" --error-logfile "$work/gunicorn.log" >"$work/django.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "http://$HOST:$PORT/connexion/" 2>/dev/null && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$work/gunicorn.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS -o /dev/null "http://$HOST:$PORT/connexion/"

locust() {
  .venv/bin/locust -f bench/load/locustfile.py --headless --host "http://$HOST:$PORT" \
    --users "$1" --spawn-rate "$SPAWN_RATE" --run-time "$2" --stop-timeout 10 --only-summary \
    --csv "$3" --loglevel WARNING >"$3.log" 2>&1
}

echo "== Mise en route ($WARMUP, non comptée) : chaque processus charge ses pages une première fois"
locust "$WORKERS" "$WARMUP" "$work/warmup" || true

echo "== Charge : $USERS utilisateurs pendant $DURATION ($(nproc) cœurs ; charge moyenne avant : $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
locust "$USERS" "$DURATION" "$work/load" || status=$?

summary=0
$PY - "$work/load_stats.csv" "$work/load_failures.csv" <<'PY' || summary=$?
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
width = max(len(f"{row['Type']} {row['Name']}") for row in rows)
print(f"{'requête':<{width}}  {'nombre':>7} {'échecs':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
for row in rows:
    name = "TOTAL" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
    print(
        f"{name:<{width}}  {row['Request Count']:>7} {row['Failure Count']:>6} {row['50%']:>7} "
        f"{row['95%']:>7} {float(row['Max Response Time']):>7.0f}"
    )
total = next(row for row in rows if row["Name"] == "Aggregated")
print()
print(f"requests: {total['Request Count']}")
print(f"failures: {total['Failure Count']}")
print(f"p50: {total['50%']} ms")
print(f"p95: {total['95%']} ms")
print(f"requests/s: {float(total['Requests/s']):.1f}")
failures = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
for failure in failures:
    print(f"ÉCHEC {failure['Method']} {failure['Name']} ×{failure['Occurrences']} : {failure['Error']}")
sys.exit(1 if int(total["Failure Count"]) else 0)
PY
server_errors=$(grep -c '" 5[0-9][0-9] ' "$work/access.log" || true)
echo "réponses 5xx dans le journal de gunicorn : $server_errors"
echo "charge moyenne après : $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(journaux : $work)"
[ "$status" -eq 0 ] && [ "$summary" -eq 0 ] && [ "$server_errors" -eq 0 ]
