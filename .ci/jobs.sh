#!/usr/bin/env bash
# jobs (issue 8): the production layout, tested. Redis + the PostgreSQL that .ci/run started,
# nginx in front of TWO gunicorn instances and one job worker, all on high ports of our own;
# .ci/jobs_check.py then checks through nginx: a login works on both instances, the token
# limit is shared and keyed on X-Forwarded-For, a report and a CSV export job finish and
# download, a worker killed with -9 mid-job ends retried or failed. Everything is stopped at
# the end. Ports: nginx 18080, apps 18081/18082, redis 16379, SMTP 18025.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${JEJAK_BIN:-$ROOT/.venv/bin}
[ -x "$BIN/python" ] || BIN=/work/main/.venv/bin

if [ "$(id -u)" = 0 ] && { ! command -v redis-server >/dev/null || ! command -v nginx >/dev/null; }; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq redis-server nginx >/dev/null
fi
"$BIN/python" -c "import requests" 2>/dev/null || "$BIN/pip" install --quiet "requests>=2.28,<3"

WORK=$(mktemp -d /tmp/jejak-jobs-ci.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [ -f "$WORK/redis.pid" ] && kill "$(cat "$WORK/redis.pid")" 2>/dev/null || true
  sleep 1
  if [ $status -ne 0 ]; then
    for log in "$WORK"/*.log; do echo "---- $log"; tail -n 40 "$log"; done
  fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT

DB=jejak_jobs_ci
if [ "$(id -u)" = 0 ]; then
  su postgres -c "dropdb --if-exists $DB" && su postgres -c "createdb -O jejak_ci $DB"
else
  dropdb --if-exists -h localhost -U jejak_ci "$DB" && createdb -h localhost -U jejak_ci "$DB"
fi

redis-server --port 16379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$WORK/redis.pid" --logfile "$WORK/redis.log" --dir "$WORK"

export JEJAK_CONFIG=production
export JEJAK_SECRET_KEY=ci-secret-key-for-the-two-instance-test
export JEJAK_DATABASE_URL="postgresql://jejak_ci:jejak_ci@localhost:5432/$DB"
export JEJAK_REDIS_URL=redis://127.0.0.1:16379/0
export JEJAK_TRUSTED_PROXIES=1
export JEJAK_SESSION_COOKIE_SECURE=0          # plain http on localhost in this test only
export JEJAK_INSTANCE_PATH="$WORK/instance"
export JEJAK_BASE_URL=http://127.0.0.1:18080
export JEJAK_TOKEN_FAILURE_LIMIT="6 per minute"
export JEJAK_JOBS_HEARTBEAT_SECONDS=1
export JEJAK_JOBS_STALE_SECONDS=8
export JEJAK_SMTP_HOST=127.0.0.1 JEJAK_SMTP_PORT=18025 JEJAK_MAIL_FROM="Survei CI <survei@ci.test>"
export JEJAK_SEND_RATE_PER_MINUTE=300          # slow on purpose: the kill -9 needs a job in flight
export JEJAK_JOBS_SEND_BATCH=20
export JEJAK_MODEL_CACHE="$WORK/model-cache"
FLASK="$BIN/flask --app wsgi"

$FLASK db upgrade >"$WORK/setup.log" 2>&1
$FLASK demo seed --alumni 300 --responses 200 >>"$WORK/setup.log" 2>&1
echo "ci-admin-password-123" | $FLASK users create ci-admin@example.org --role admin --password-stdin >>"$WORK/setup.log" 2>&1

"$BIN/python" -m aiosmtpd -n -l 127.0.0.1:18025 >"$WORK/smtp.log" 2>&1 &
PIDS+=($!)
for port in 18081 18082; do
  "$BIN/gunicorn" -w 2 --bind "127.0.0.1:$port" --pid "$WORK/gunicorn-$port.pid" wsgi:app >"$WORK/gunicorn-$port.log" 2>&1 &
  PIDS+=($!)
done
$FLASK jobs worker >"$WORK/worker.log" 2>&1 &
WORKER=$!
PIDS+=($WORKER)

sed -e "s#@WORK@#$WORK#g" -e "s#@ROOT@#$ROOT#g" .ci/jobs_nginx.conf >"$WORK/nginx.conf"
mkdir -p "$WORK/nginx-tmp"
nginx -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log"

"$BIN/python" - <<'PY'
import time, urllib.request
for _ in range(120):
    try:
        for port in (18081, 18082, 18080):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login", timeout=5).read()
        break
    except OSError:
        time.sleep(1)
PY

export CI_WORK="$WORK" CI_WORKER_PID="$WORKER" CI_FLASK="$FLASK"
"$BIN/python" .ci/jobs_check.py
echo "jobs.sh: all checks passed"
