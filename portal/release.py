"""The release this process runs, named once at start-up.

Cached answers carry it in their keys (``portal.generations``), so HTML rendered and objects
pickled by one release are never served by another. ``PORTAL_RELEASE`` from the environment names
it (a version or commit, the same on every machine of a deployment); without it, a short hash of
the code does: every Python file, template and compiled message catalogue of the project (its apps
and ``portal/``), read from disk when this module is first imported.
"""

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not code of the running portal: the virtualenv, tests, runtime data, collected static files,
# the benchmark and helper scripts.
SKIPPED_DIRS = {".venv", "tests", "var", "staticfiles", "bench", "scripts", "__pycache__"}


def _is_code(path):
    return path.suffix in (".py", ".mo") or "templates" in path.parts


def code_files(root=ROOT):
    """The files whose content makes up the release, in a fixed order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        # Hidden folders (.git, caches) and any virtualenv, whatever its name.
        dirnames[:] = [
            d
            for d in dirnames
            if d not in SKIPPED_DIRS
            and not d.startswith(".")
            and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        ]
        for name in filenames:
            path = Path(dirpath, name)
            if _is_code(path.relative_to(root)):
                found.append(path)
    return sorted(found)


def code_hash(root=ROOT):
    """12 hex digits that change whenever a code file is added, removed, renamed or edited."""
    digest = hashlib.blake2b(digest_size=6)
    for path in code_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


RELEASE = os.environ.get("PORTAL_RELEASE", "").strip() or code_hash()
