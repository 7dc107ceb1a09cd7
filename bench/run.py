"""Load benchmark of the portal's key pages against two references, on PostgreSQL.

    make bench            # or: .venv/bin/python bench/run.py --seconds 10

Seeds the volume data if absent (seed_demo + seed_volume), serves the portal with production
settings under gunicorn (2 workers) with Redis as their shared cache, logs in as each role and
drives each page with wrk at 8 connections for a fixed time. References measured in the same
run: a bare view (/healthz/, no database, no template) and the Django admin changelist of
organizations as a superuser. Prints a table and writes bench/results/latest.json.
"""

import argparse
import datetime
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "demo-pass-2026"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def env_for(database_url, redis_url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        LOGIN_FAILURE_LIMIT="1000",
        PORTAL_BASE_URL=f"http://127.0.0.1:{PORT}",
    )
    return env


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_database(database_url):
    import psycopg2

    url = urllib.parse.urlparse(database_url)
    name = url.path.lstrip("/")
    admin_url = url._replace(path="/postgres").geturl()
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def flush_cache(redis_url):
    """Start from an empty cache: every page is measured from its first, uncached request on."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


class Session:
    """A logged-in browser session (cookies) or an API token."""

    def __init__(self, username):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        html = self.opener.open(f"{BASE}/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{BASE}/login/", data=data, headers={"Referer": f"{BASE}/login/"}
        )
        self.opener.open(request).read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"could not log in as {username}")

    def header(self):
        return "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def get(self, path):
        return self.opener.open(f"{BASE}{path}")


def api_token(username):
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{BASE}/api/v1/auth/token/", data=body, headers={"Content-Type": "application/json"}
    )
    return json.loads(urllib.request.urlopen(request).read())["token"]


def wrk(path, header, seconds, connections):
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(ROOT / "bench" / "report.lua"),
    ]
    if header:
        cmd += ["-H", header]
    out = subprocess.run(cmd + [f"{BASE}{path}"], capture_output=True, text=True, check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1]
    result = json.loads(line)
    if result["errors"]:
        raise SystemExit(f"{path}: {result['errors']} errors under load\n{out.stdout}")
    return {k: result[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms")}


def ids(env):
    """Ids of the objects some pages need, read through Django."""
    code = (
        "import json\n"
        "from django.db.models import Count\n"
        "from orgs.models import Organization\n"
        "from duties.models import Division\n"
        "from reports.models import Filing\n"
        "org = Organization.objects.annotate(n=Count('filings')).filter(n__gt=5)"
        ".order_by('-n').values_list('pk', flat=True).first()\n"
        "f = Filing.objects.filter(organization__users__user__username='org-a1')"
        ".annotate(n=Count('events')).order_by('-n').values_list('pk', flat=True).first()\n"
        "div = Division.objects.get(name='绿化管理处').pk\n"
        "print(json.dumps({'org': org, 'filing': f, 'division': div}))\n"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--orgs", type=int, default=20000)
    parser.add_argument("--filings", type=int, default=500000)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        help="the shared cache of the web processes, as in production (flushed at the start)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench installs it)")

    env = env_for(args.database_url, args.redis_url)
    ensure_database(args.database_url)
    flush_cache(args.redis_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo", "--force", "--if-empty")
    manage(
        env,
        "seed_volume",
        "--if-absent",
        "--orgs",
        str(args.orgs),
        "--filings",
        str(args.filings),
        "--users",
        str(args.users),
    )
    manage(env, "collectstatic", "--noinput", "-v0")
    known = ids(env)

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/healthz/").read()
                break
            except OSError:
                time.sleep(0.2)
        sessions = {u: Session(u) for u in ("admin", "policy", "liaison-a", "org-a1")}
        token = api_token("liaison-a")
        pages = {
            "home_policy": ("policy", "/"),
            "home_liaison_a": ("liaison-a", "/"),
            "home_org_a1": ("org-a1", "/"),
            "registry_first_page": ("policy", "/orgs/"),
            "registry_search": ("policy", "/orgs/?q=" + urllib.parse.quote("园林")),
            "registry_division": ("policy", f"/orgs/?liaison_division={known['division']}"),
            "org_profile": ("policy", f"/orgs/{known['org']}/"),
            "queue_liaison_a": ("liaison-a", "/filings/queue/"),
            "queue_policy": ("policy", "/filings/queue/"),
            "filing_page": ("liaison-a", f"/filings/{known['filing']}/"),
            "api_filings_liaison_a": (None, "/api/v1/filings/"),
        }
        references = {
            "bare": (None, "/healthz/"),
            "admin_changelist": ("admin", "/django-admin/orgs/organization/"),
        }

        def measure(who, path):
            if who is None and path.startswith("/api/"):
                header = f"Authorization: Token {token}"
            else:
                header = sessions[who].header() if who else ""
            if who:
                status = sessions[who].get(path).status
                assert status == 200, (path, status)
            return wrk(path, header, args.seconds, args.connections)

        results = {"references": {}, "pages": {}}
        for name, (who, path) in references.items():
            results["references"][name] = measure(who, path)
            print(f"measured {name}", file=sys.stderr)
        for name, (who, path) in pages.items():
            results["pages"][name] = measure(who, path)
            print(f"measured {name}", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    bare = results["references"]["bare"]["rps"]
    admin = results["references"]["admin_changelist"]["rps"]
    report = {
        "machine": f"python-svc · {os.cpu_count()} cores · {platform.machine()}",
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "orgs": args.orgs,
        "filings": args.filings,
        "connections": args.connections,
        "seconds": args.seconds,
        **results,
    }
    out = ROOT / "bench" / "results" / "latest.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")

    rows = [("page", "req/s", "p50 ms", "p95 ms", "p99 ms", "× admin", "% bare")]
    for group in ("references", "pages"):
        for name, e in results[group].items():
            rows.append(
                (
                    name,
                    f"{e['rps']:.1f}",
                    f"{e['p50_ms']:.1f}",
                    f"{e['p95_ms']:.1f}",
                    f"{e['p99_ms']:.1f}",
                    f"{e['rps'] / admin:.1f}",
                    f"{100 * e['rps'] / bare:.1f}",
                )
            )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(
        f"\n{report['machine']}, {report['when']}: {args.orgs} organizations, "
        f"{args.filings} filings, {args.connections} connections, {args.seconds} s per page\n"
    )
    for i, row in enumerate(rows):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
