"""The release name that cached answers carry in their keys (portal.release)."""

import importlib
import time

import pytest

from portal import release


def make_tree(root):
    for path, text in {
        "manage.py": "print()",
        "portal/views.py": "x = 1",
        "templates/portal/home.html": "<p>",
        "locale/zh_Hans/LC_MESSAGES/django.mo": "catalogue",
        "locale/zh_Hans/LC_MESSAGES/django.po": "source",
        "static/portal.css": "body {}",
        "tests/test_x.py": "assert True",
        ".venv/lib/site.py": "",
        "env2/pyvenv.cfg": "",
        "env2/lib/site.py": "",
        "var/cache/x.py": "",
        "staticfiles/admin/x.py": "",
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def test_the_release_hash_covers_code_templates_and_catalogues_only(tmp_path):
    make_tree(tmp_path)
    files = {str(p.relative_to(tmp_path)) for p in release.code_files(tmp_path)}
    assert files == {
        "manage.py",
        "portal/views.py",
        "templates/portal/home.html",
        "locale/zh_Hans/LC_MESSAGES/django.mo",
    }


@pytest.mark.parametrize(
    "change, moves",
    [
        ("templates/portal/home.html", True),
        ("locale/zh_Hans/LC_MESSAGES/django.mo", True),
        ("portal/views.py", True),
        ("static/portal.css", False),
        ("tests/test_x.py", False),
        ("var/cache/x.py", False),
    ],
)
def test_the_release_hash_follows_the_code(tmp_path, change, moves):
    make_tree(tmp_path)
    before = release.code_hash(tmp_path)
    assert release.code_hash(tmp_path) == before
    (tmp_path / change).write_text("changed")
    assert (release.code_hash(tmp_path) != before) is moves


def test_a_renamed_file_is_another_release(tmp_path):
    make_tree(tmp_path)
    before = release.code_hash(tmp_path)
    (tmp_path / "portal/views.py").rename(tmp_path / "portal/pages.py")
    assert release.code_hash(tmp_path) != before


def test_the_release_hash_of_this_tree_is_quick():
    start = time.perf_counter()
    name = release.code_hash()
    elapsed = time.perf_counter() - start
    assert len(name) == 12
    assert elapsed < 0.1, f"{elapsed * 1000:.0f} ms"


def test_the_environment_names_the_release(monkeypatch):
    try:
        monkeypatch.setenv("PORTAL_RELEASE", "2026.12.1")
        assert importlib.reload(release).RELEASE == "2026.12.1"
        monkeypatch.delenv("PORTAL_RELEASE")
        reloaded = importlib.reload(release)
        assert reloaded.code_hash() == reloaded.RELEASE
    finally:
        monkeypatch.undo()
        importlib.reload(release)
