"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright cannot download its own browser here, so it is pointed at the system Chromium
(``make test`` installs it). Without Chromium the browser tests fail when ``CI=true`` and are
skipped, with the reason, everywhere else.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; without this Django refuses ORM
# calls made from that thread (fixtures, assertions, database teardown) for the rest of the session.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium():
    """The Chromium executable to drive, or None when there is none."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def _require_chromium():
    path = _chromium()
    if path:
        return path
    reason = f"Chromium not found at {CHROMIUM} nor on PATH (make test installs Debian's chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; browser tests may not be skipped in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": _require_chromium(),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(autouse=True)
def _chromium_present(request):
    """Decide skip/fail for a browser test before its (slow) database and server fixtures run."""
    if request.node.get_closest_marker("browser"):
        _require_chromium()
