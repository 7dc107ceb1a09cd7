#!/usr/bin/env bash
# Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/celery

trap 'trap - EXIT INT TERM; kill 0 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

"$VENV/bin/celery" -A portal worker --loglevel=INFO --concurrency=1 --without-gossip --without-mingle &
"$VENV/bin/celery" -A portal beat --loglevel=INFO &

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
"$VENV/bin/python" manage.py runserver "$HOST:$PORT"
