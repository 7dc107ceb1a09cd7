#!/usr/bin/env bash
# Run the web server, a Celery worker and Celery beat together. Ctrl-C (or SIGTERM, SIGHUP, or any
# one of the three exiting) stops all three, and the script returns only once they are all gone.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}  # seconds of warm shutdown before what is left is killed
mkdir -p var/celery

# Each child runs in a process group of its own (job control is on while it starts), so stopping
# reaches what it forks (the worker's pool process, runserver's reloaded server) and nothing else:
# neither make nor whatever started make. Ctrl-C reaches only this script, which stops the rest.
pids=()
start() {
  set -m
  "$@" </dev/null &
  set +m
  pids+=("$!")
}

stopping=
stop() {
  [ -n "$stopping" ] && return
  stopping=1
  trap '' INT TERM HUP
  echo "Stopping the server, the worker and the scheduler..." >&2
  local pid deadline=$((SECONDS + STOP_TIMEOUT))
  # Ask each main process to stop: the worker finishes its task and stops its pool itself.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  done
  # Whatever is still running in their groups after that is killed.
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop; exit 129' HUP
trap stop EXIT

start "$VENV/bin/celery" -A portal worker --loglevel=INFO --concurrency=1 --without-gossip --without-mingle
start "$VENV/bin/celery" -A portal beat --loglevel=INFO

cat <<INFO

  局管社会组织管理服务平台 is running at http://$HOST:$PORT/

  Demo logins (password demo-pass-2026):
    admin        bureau admin            leader       leading group member
    policy       Policy division staff   policy-head  head of the Policy division
    office       General Office          personnel    Organization & Personnel
    finance      Finance                 discipline   Discipline commission
    liaison-a    a liaison division      liaison-b    another liaison division
    org-a1       user of an organization of liaison-a's division
    org-b1       user of an organization of liaison-b's division

  Press Ctrl-C to stop the server, the worker and the scheduler.

INFO
start "$VENV/bin/python" manage.py runserver "$HOST:$PORT"

# Wait (interruptibly: a signal runs its trap at once) until one of the three stops by itself.
while :; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      status=0
      wait "$pid" || status=$?
      echo "A process stopped by itself (pid $pid, status $status)." >&2
      exit "$status"
    fi
  done
  sleep 1 &
  wait $! || true
done
