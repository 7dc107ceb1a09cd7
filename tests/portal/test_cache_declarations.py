"""Every cached answer declares every model it reads, and saving a row of any of them retires it.

The key pages are requested as each role with an empty cache while ``generations.cached`` is
watched: each answer it builds is recorded with the models it declares and the tables its build
really read (every query, including those of the templates it renders and of answers nested in
it). A table read but not declared fails here; then one row of each model read is saved, and the
next request must build the answer again.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import generations
from portal.models import Notification
from tests.test_query_budgets import grow

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Built:
    kind: str
    declared: frozenset  # labels of the models the answer declares
    covers: frozenset  # labels of the rows its narrower generations (a user's, an inbox) cover
    read: frozenset  # labels of the models whose tables the build read


# Each cached answer, named by its key.
KINDS = {
    "roles": r"portal:roles:",
    "registry": r"portal:listing:registry:",
    "queue": r"portal:listing:queue:",
    "queue summary": r"portal:queue-summary:",
    "division figures": r"portal:dashboard:division:",
    "registry figures": r"portal:dashboard:(?!division:)",
    "calendar": r"portal:calendar:",
    "session user": r"portal:user:",
    "unread count": r"portal:unread:",
    "supervision rules": r"supervision:rules",
    "unread links": r"portal:unread-links:",
}
# The rows a narrower generation stands for: one user's row, one user's messages.
NARROWER = {"user": "portal.user", "inbox": "portal.notification"}


def kind_of(key):
    for name, pattern in KINDS.items():
        if re.match(pattern, key):
            return name
    raise AssertionError(f"a cached answer this test does not know: {key}")


def tables():
    return {
        m._meta.db_table: m._meta.concrete_model._meta.label_lower
        for m in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def recorder(monkeypatch):
    builds = []
    real = generations.cached
    by_table = tables()
    quoted = re.compile(r'"([A-Za-z0-9_]+)"')

    def watched(key, build, *gens, reads=(), **kwargs):
        name = kind_of(key)
        covers = {NARROWER[g.name.split(":")[0]] for g in gens}

        def traced():
            with CaptureQueriesContext(connection) as ctx:
                value = build()
            read = {
                by_table[t]
                for q in ctx.captured_queries
                for t in quoted.findall(q["sql"])
                if t in by_table
            }
            declared = {m._meta.concrete_model._meta.label_lower for m in reads}
            builds.append(Built(name, frozenset(declared), frozenset(covers), frozenset(read)))
            return value

        return real(key, traced, *gens, reads=reads, **kwargs)

    monkeypatch.setattr(generations, "cached", watched)
    return builds


@pytest.fixture
def busy_world(world):
    """The world with a filing in review that waits for the Office's opinion, a message in an
    inbox and a filter worth choosing."""
    from portal.notifications import notify

    grow(world, 1)
    notify([world.policy, world.liaison_a], title="请查收")
    return world


PAGES = [
    ("policy", "/"),
    ("liaison_a", "/"),
    ("office", "/"),
    ("org_a1", "/"),
    ("admin", "/"),
    ("policy", "/orgs/"),
    ("policy", "/orgs/?q=协会&liaison_division={div_a}"),
    ("liaison_a", "/orgs/"),
    ("liaison_a", "/filings/queue/"),
    ("liaison_a", "/filings/queue/?org=协会&flag=overdue&matter={matter}"),
    ("office", "/filings/queue/?tab=opinion"),
]


def url_of(world, template):
    from reports.models import MatterType

    matter = MatterType.objects.get(code="major_matter").pk
    return template.format(div_a=world.div_a.pk, matter=matter)


def visit(login, world, role, url):
    client = login(getattr(world, role))
    response = client.get(url_of(world, url))
    assert response.status_code == 200, (role, url)


def test_every_cached_answer_declares_every_model_it_reads(busy_world, login, recorder):
    seen = set()
    for role, url in PAGES:
        cache.clear()
        recorder.clear()
        visit(login, busy_world, role, url)
        for built in recorder:
            seen.add(built.kind)
            missing = built.read - built.declared - built.covers
            assert not missing, f"{built.kind} ({role} {url}) reads {sorted(missing)} undeclared"
    assert seen == set(KINDS)


# One page per answer, as the role whose answer reads the most.
ANSWERS = {
    "roles": ("org_a1", "/"),
    "registry": ("liaison_a", "/orgs/"),
    "queue": ("office", "/filings/queue/?tab=opinion"),
    "queue summary": ("liaison_a", "/"),
    "division figures": ("liaison_a", "/"),
    "registry figures": ("liaison_a", "/"),
    "calendar": ("policy", "/"),
    "session user": ("policy", "/"),
}


def built_now(recorder, kind):
    return [b for b in recorder if b.kind == kind]


@pytest.mark.parametrize("kind", list(ANSWERS))
def test_saving_a_row_of_any_model_an_answer_reads_retires_it(busy_world, login, recorder, kind):
    role, url = ANSWERS[kind]
    user = getattr(busy_world, role)
    client = login(user)
    cache.clear()

    def visit():
        recorder.clear()
        assert client.get(url).status_code == 200
        return built_now(recorder, kind)

    first = visit()  # one answer, or a few (the calendar of this year and the next)
    read = frozenset().union(*(b.read for b in first))
    covers = frozenset().union(*(b.covers for b in first))
    assert read, kind
    for label in sorted(read):
        assert not visit(), f"{kind} is not served from the cache"
        model = apps.get_model(label)
        if label in covers:  # a narrower generation: the row it stands for
            row = model._default_manager.get(pk=user.pk)
        else:
            row = model._default_manager.order_by("pk").first()
        row.save()
        assert visit(), f"saving one {label} row did not retire the {kind}"


def test_a_message_or_reading_it_retires_the_unread_count(busy_world, login, recorder):
    from portal.notifications import mark_read, notify

    client = login(busy_world.policy)

    def visit():
        recorder.clear()
        assert client.get("/").status_code == 200
        return built_now(recorder, "unread count")

    visit()
    for change in (
        lambda: notify([busy_world.policy], title="又一条"),
        lambda: mark_read(user=busy_world.policy),
    ):
        assert not visit()
        change()
        assert visit()
    assert not Notification.objects.filter(recipient=busy_world.policy, read_at=None).exists()
