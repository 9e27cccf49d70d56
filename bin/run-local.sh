#!/usr/bin/env bash
# The serving half of `make run` (the Makefile sets PY, VENV, HOST, PORT, SCHEDULER,
# LOCAL_REDIS_URL and the settings, SITE_URL included): migrate, load the demo, start the
# scheduled work beside gunicorn, then print the address and the demo logins, last.
#
# Scheduled work (reminders, reassessments, evidence warnings, the outbox sweeps):
#   SCHEDULER=auto      REDIS_URL set, or redis-server installed (started if stopped, and
#                       LOCAL_REDIS_URL used): a celery worker and beat. Otherwise embedded.
#   SCHEDULER=celery    the same, and fail if no Redis can be had.
#   SCHEDULER=embedded  no Redis: tasks run in-process and `manage.py run_scheduler` runs
#                       the periodic ones (settings.CELERY_BEAT_SCHEDULE).
set -euo pipefail
: "${PY:?}" "${VENV:?}" "${HOST:?}" "${PORT:?}" "${SITE_URL:?}"
SCHEDULER="${SCHEDULER:-auto}"
LOCAL_REDIS_URL="${LOCAL_REDIS_URL:-redis://127.0.0.1:6379/0}"

redis_answers() {
  "$PY" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()' \
    "$1" >/dev/null 2>&1
}

start_local_redis() {
  # The machine's own redis-server, as `make services` starts it; nothing kept on disk.
  redis_answers "$LOCAL_REDIS_URL" && return 0
  command -v redis-server >/dev/null || return 1
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis_answers "$LOCAL_REDIS_URL" && return 0; sleep 0.1; done
  return 1
}

mode="$SCHEDULER"
if [ -n "${DATABASE_URL:-}${REDIS_URL:-}" ]; then make -s services; fi
if [ "$mode" != embedded ] && [ -z "${REDIS_URL:-}" ]; then
  if start_local_redis; then
    export REDIS_URL="$LOCAL_REDIS_URL"
  elif [ "$mode" = celery ]; then
    echo "SCHEDULER=celery but no Redis: set REDIS_URL or install redis-server" >&2; exit 1
  fi
fi
if [ "$mode" = auto ]; then mode=$([ -n "${REDIS_URL:-}" ] && echo celery || echo embedded); fi
if [ "$mode" = embedded ]; then unset REDIS_URL; fi

"$PY" manage.py migrate --noinput -v0          # also loads the built-in library
"$PY" manage.py collectstatic --noinput -v0
# The demo runs its tasks in-process (no broker): its mail is printed now, above the
# address and the logins, not later by the worker.
REDIS_URL= LOG_LEVEL=WARNING "$PY" manage.py demo

pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$mode" = celery ]; then
  # make run is often root on a throwaway machine; celery's warning about it, every start,
  # would be the loudest line on the screen.
  "$PY" -W "ignore:You're running the worker with superuser privileges" -m celery -A diligence \
    -q worker -Q celery,reports --loglevel=WARNING & pids+=($!)
  "$PY" -m celery -A diligence -q beat --loglevel=WARNING & pids+=($!)
  scheduled="a celery worker and beat on $REDIS_URL"
else
  ready="$(mktemp -u "${TMPDIR:-/tmp}/diligence-scheduler.XXXXXX")"
  "$PY" manage.py run_scheduler --ready-file "$ready" & pids+=($!)
  scheduled="the embedded scheduler (manage.py run_scheduler; no Redis, tasks in-process)"
fi
# No control socket: its default path is one per user, shared by every gunicorn started.
"$VENV/bin/gunicorn" -c python:diligence.gunicorn diligence.wsgi --bind "$HOST:$PORT" \
  --workers 2 --threads 4 --timeout 60 --no-control-socket & web=$!
pids+=("$web")

url="http://$HOST:$PORT"
for _ in $(seq 120); do
  kill -0 "$web" 2>/dev/null || { echo "gunicorn exited; see above" >&2; exit 1; }
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)' \
    "$url/healthz" 2>/dev/null && break
  sleep 0.5
done
# The scheduler's first round (what was due at start) prints above the last lines; a
# scheduler waiting for another one's lock never gets there, hence the bound.
for _ in $(seq 60); do [ -z "${ready:-}" ] || [ -e "$ready" ] && break; sleep 0.5; done
rm -f "${ready:-}"

logins="$("$PY" manage.py demo --logins)"
# One write, so no log line lands between the address and the logins.
printf '%s\n' "------------------------------------------------------------------------------" \
  "Scheduled work: $scheduled" \
  "Mail: ${EMAIL_BACKEND:-the default backend} (tokens and one-time links redacted)" \
  "Links in mail and the API: $SITE_URL" \
  "Diligence is serving at $url/  (Ctrl-C stops it)" \
  "$logins"
wait "$web"
