"""The Chinese catalogue is complete, compiled and used; English stays available.

The default UI language is zh-hans and every source string is English, so an untranslated or
fuzzy entry shows English to Chinese users. These tests read ``locale/zh_Hans/LC_MESSAGES``
directly: no entry may be untranslated or fuzzy, the committed ``.mo`` must match the ``.po``
(a stale ``.mo`` fails), placeholders must survive translation, and the pages really come out in
Chinese by default and in English on request.

After changing user-facing strings run ``make messages``, translate the new entries in
``locale/zh_Hans/LC_MESSAGES/django.po`` and run it again to compile; commit both files.
"""

import ast
import gettext
import io
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

BASE_DIR = Path(settings.BASE_DIR)
ZH_DIR = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
EN_DIR = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
ZH_PO = ZH_DIR / "django.po"
ZH_MO = ZH_DIR / "django.mo"


# --- a minimal PO reader -------------------------------------------------------------------


@dataclass
class Entry:
    lineno: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict = field(default_factory=dict)  # {index: text}
    flags: set = field(default_factory=set)

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def translations(self):
        """Every msgstr of the entry, in index order."""
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]

    def __str__(self):
        return f"line {self.lineno}: {self.msgid!r}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")\s*$")


def _unquote(text):
    """A PO string literal (C escapes) as text."""
    return ast.literal_eval(text)


def parse_po(path):
    """The entries of a PO file: header included (msgid ""), obsolete (#~) entries skipped."""
    entries = []
    current = None
    target = None  # (attribute, plural index) that continuation lines extend

    def finish():
        nonlocal current, target
        if current is not None and target is not None:
            entries.append(current)  # comments without strings (before #~ lines) are dropped
        current, target = None, None

    for lineno, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue  # obsolete entry
        if line.startswith("#"):
            if current is not None and target is not None:
                finish()  # a comment after the strings starts the next entry
            if current is None:
                current = Entry(lineno)
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        m = _KEYWORD.match(line)
        if m:
            keyword, index, literal = m.groups()
            starts_entry = keyword == "msgctxt" or (
                keyword == "msgid" and target != ("msgctxt", None)
            )
            if starts_entry and current is not None and target is not None:
                finish()  # a new entry without a blank line in between
            if current is None:
                current = Entry(lineno)
            value = _unquote(literal)
            if keyword == "msgstr" and index is not None:
                current.msgstr_plural[int(index)] = value
                target = ("msgstr_plural", int(index))
            else:
                setattr(current, keyword, value)
                target = (keyword, None)
            continue
        if line.startswith('"') and current is not None and target is not None:
            value = _unquote(line)
            attr, index = target
            if attr == "msgstr_plural":
                current.msgstr_plural[index] += value
            else:
                setattr(current, attr, getattr(current, attr) + value)
            continue
        raise AssertionError(f"{path}:{lineno}: cannot read {raw!r}")
    finish()
    return entries


def messages(path):
    """The entries of a PO file without its header."""
    return [e for e in parse_po(path) if e.msgid or e.msgctxt]


def header(path):
    entry = next(e for e in parse_po(path) if not e.msgid and e.msgctxt is None)
    fields = {}
    for line in entry.msgstr.splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return entry, fields


# --- the catalogue itself ------------------------------------------------------------------


def test_po_reader_handles_plurals_contexts_and_multiline_strings(tmp_path):
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid ""\n"Long %(name)s "\n"text \\"quoted\\""\n'
        'msgstr "长%(name)s文本“引号”"\n\n'
        'msgctxt "menu"\nmsgid "File"\nmsgstr ""\n\n'
        '#, fuzzy\n#| msgid "Old"\nmsgid "%(n)s item"\nmsgid_plural "%(n)s items"\n'
        'msgstr[0] ""\n"%(n)s项"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "已删除"\n',
        encoding="utf-8",
    )
    entries = messages(po)
    assert [e.msgid for e in entries] == ['Long %(name)s text "quoted"', "File", "%(n)s item"]
    assert entries[0].flags == {"python-format"}
    assert entries[0].msgstr == "长%(name)s文本“引号”"
    assert entries[1].key == ("menu", "File")
    assert entries[2].msgid_plural == "%(n)s items"
    assert entries[2].translations == ["%(n)s项"]
    assert "fuzzy" in entries[2].flags
    assert header(po)[1]["Plural-Forms"] == "nplurals=1; plural=0;"


def test_chinese_header_has_one_plural_form_and_is_not_fuzzy():
    entry, fields = header(ZH_PO)
    assert "fuzzy" not in entry.flags
    assert fields.get("Plural-Forms") == "nplurals=1; plural=0;"
    assert fields.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in fields.get("Content-Type", "")


def test_every_chinese_entry_is_translated_and_none_is_fuzzy():
    entries = messages(ZH_PO)
    assert len(entries) > 100, "the Chinese catalogue looks truncated"
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    untranslated = [str(e) for e in entries if not all(t.strip() for t in e.translations)]
    wrong_forms = [
        str(e) for e in entries if e.msgid_plural is not None and len(e.translations) != 1
    ]
    assert not fuzzy, f"fuzzy entries in {ZH_PO.name} (check and remove the flag): {fuzzy}"
    assert not untranslated, f"untranslated entries in {ZH_PO.name}: {untranslated}"
    assert not wrong_forms, f"Chinese has one plural form (msgstr[0] only): {wrong_forms}"


def test_compiled_catalogue_matches_the_po():
    """A .mo compiled before the last .po edit fails: run ``make messages`` and commit both."""
    assert ZH_MO.exists(), "locale/zh_Hans/LC_MESSAGES/django.mo is missing: run make messages"
    with ZH_MO.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog
    stale = []
    for e in messages(ZH_PO):
        if "fuzzy" in e.flags:
            continue
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if e.msgstr and catalog.get(msgid) != e.msgstr:
                stale.append(str(e))
        else:
            for i, text in e.msgstr_plural.items():
                if text and catalog.get((msgid, i)) != text:
                    stale.append(f"{e} [{i}]")
    assert not stale, f"{ZH_MO} is out of date with the .po for: {stale}"


def test_english_catalogue_exists_and_compiles():
    en_po, en_mo = EN_DIR / "django.po", EN_DIR / "django.mo"
    assert en_po.exists() and en_mo.exists()
    with en_mo.open("rb") as fp:
        gettext.GNUTranslations(fp)  # raises on a corrupt file
    zh_ids = {e.key for e in messages(ZH_PO)}
    en_ids = {e.key for e in messages(en_po)}
    assert en_ids == zh_ids, "the two catalogues differ: run make messages"


# --- placeholders ------------------------------------------------------------------------

PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # %(name)
    r"[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
BRACE = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][\w.\[\]]*)?(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text, flags):
    found = []
    if "python-format" in flags:
        found += [m.group(0) for m in PERCENT.finditer(text)]
    if "python-brace-format" in flags:
        found += [m.group(0) for m in BRACE.finditer(text)]
    return Counter(found)


def test_placeholders_survive_translation():
    wrong = []
    for e in messages(ZH_PO):
        source = e.msgid if e.msgid_plural is None else e.msgid_plural
        expected = placeholders(source, e.flags)
        for text in e.translations:
            got = placeholders(text, e.flags)
            if text and got != expected:
                wrong.append(f"{e}: expected {sorted(expected.elements())}, got {text!r}")
    assert not wrong, "placeholders changed in translation:\n" + "\n".join(wrong)


def test_placeholder_check_catches_a_dropped_name():
    assert placeholders("%(count)d organizations", {"python-format"}) == Counter({"%(count)d": 1})
    assert placeholders("共%(counter)s家", {"python-format"}) != placeholders(
        "%(count)d organizations", {"python-format"}
    )


# --- the pages ------------------------------------------------------------------------------


def visible_text(html):
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_login_page_is_chinese_by_default(client, world):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html
    assert "局管社会组织管理服务平台" in html
    assert "Log in" not in visible_text(html)


def test_login_page_is_english_with_the_language_cookie(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Log in" in html
    assert "Social Organization Portal" in html
    assert "登录" not in html


NAV_LABELS = ["Registry", "Divisions", "Users", "Log out"]


def _untranslated(text):
    return [label for label in NAV_LABELS if re.search(rf"\b{re.escape(label)}\b", text)]


def test_admin_home_shows_chinese_navigation(client, world):
    client.force_login(world.admin)
    response = client.get("/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert not _untranslated(text), f"English navigation on the Chinese home page: {text}"
    for label in ["首页", "社会组织名录", "处室", "用户管理", "退出登录"]:
        assert label in text


def test_admin_home_in_english_keeps_the_english_labels(client, world):
    """The check above can fail: in English the same labels are there."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.admin)
    text = visible_text(client.get("/").content.decode())
    assert _untranslated(text) == NAV_LABELS


# --- the catalogue covers the current code ------------------------------------------------

# What `make messages` leaves out (--ignore) plus what never holds translatable source.
SKIP_DIRS = {".venv", "bench", "tests", "locale", "node_modules", "staticfiles", "__pycache__"}
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' default extensions


def _copy_sources(dest):
    for dirpath, dirnames, filenames in os.walk(BASE_DIR):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")]
        rel = Path(dirpath).relative_to(BASE_DIR)
        for name in filenames:
            if Path(name).suffix in SOURCE_SUFFIXES and not name.startswith("."):
                target = dest / rel / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(dirpath) / name, target)


def test_catalogue_covers_every_string_in_the_code(tmp_path, monkeypatch):
    """``makemessages`` over a copy of the sources finds nothing that the catalogue lacks.

    The copy keeps makemessages' temporary files out of the working tree.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("xgettext (GNU gettext) is required in CI to check the catalogue")
        pytest.skip("xgettext (GNU gettext) is not installed")
    project = tmp_path / "project"
    _copy_sources(project)
    locale_dir = project / "locale"
    locale_dir.mkdir()
    monkeypatch.chdir(project)
    with override_settings(LOCALE_PATHS=[str(locale_dir)]):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            verbosity=0,
            no_obsolete=True,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    extracted = messages(locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert extracted, "makemessages found no strings in the copied sources"
    known = {e.key for e in messages(ZH_PO)}
    missing = sorted({e.msgid for e in extracted if e.key not in known})
    assert not missing, (
        "strings in the code are missing from the catalogue; run `make messages`, translate "
        f"them in {ZH_PO.relative_to(BASE_DIR)} and run it again: {missing}"
    )
