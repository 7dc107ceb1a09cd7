"""Cached answers retired by generations (portal.generations): served while unchanged, rebuilt
after a change, never built from uncommitted rows, never served by another release."""

import threading

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from simple_history.models import HistoricalChanges

from duties.models import Division
from orgs.models import Organization
from portal import generations, release
from portal.generations import Generation
from portal.models import CalendarDay, Notification
from reports.models import MatterType
from tests.factories import OrganizationFactory


class Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"answer {self.calls}"


@pytest.fixture
def clean_cache():
    cache.clear()


@pytest.fixture
def cache_writes(monkeypatch):
    """The generation keys each ``cache.set_many`` call wrote, in order."""
    writes = []
    set_many = cache.set_many

    def recording(data, *args, **kwargs):
        writes.append(sorted(k.removeprefix("portal:gen:") for k in data))
        return set_many(data, *args, **kwargs)

    monkeypatch.setattr(cache, "set_many", recording)
    return writes


def token(model):
    return cache.get(generations.model_generation(model).key)


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_served_until_its_generation_is_bumped(clean_cache):
    g, build = Generation("test-a"), Builder()
    assert generations.cached("k", build, g) == "answer 1"
    assert generations.cached("k", build, g) == "answer 1"
    assert build.calls == 1
    g.bump()
    assert generations.cached("k", build, g) == "answer 2"
    assert generations.cached("k", build, g) == "answer 2"


@pytest.mark.django_db(transaction=True)
def test_an_answer_depends_on_every_generation_it_names(clean_cache):
    a, b, build = Generation("test-a"), Generation("test-b"), Builder()
    generations.cached("k", build, a, b)
    Generation("test-other").bump()
    assert generations.cached("k", build, a, b) == "answer 1"
    b.bump()
    assert generations.cached("k", build, a, b) == "answer 2"


@pytest.mark.django_db(transaction=True)
def test_an_answer_depends_on_every_model_it_reads(clean_cache):
    build = Builder()
    generations.cached("k", build, reads=(Organization, Division))
    CalendarDay.objects.create(date="2031-01-01", kind="holiday")
    assert generations.cached("k", build, reads=(Organization, Division)) == "answer 1"
    Division.objects.update(description="bulk")  # no signal: the write must bump itself
    assert generations.cached("k", build, reads=(Organization, Division)) == "answer 1"
    generations.bump_models(Division)
    assert generations.cached("k", build, reads=(Organization, Division)) == "answer 2"


def test_an_answer_must_declare_what_retires_it():
    with pytest.raises(ValueError):
        generations.cached("k", Builder())


@pytest.mark.parametrize("model", [Notification, Session, Organization.history.model])
def test_no_answer_may_read_an_untracked_model(model):
    with pytest.raises(ValueError, match="not tracked"):
        generations.cached("k", Builder(), reads=(model,))
    with pytest.raises(ValueError, match="not tracked"):
        generations.bump_models(model)


def test_every_model_has_a_generation_but_the_hot_unread_ones():
    untracked = {
        m._meta.label_lower
        for m in apps.get_models(include_auto_created=True)
        if not issubclass(m, HistoricalChanges)
        and m._meta.concrete_model._meta.label_lower not in generations._MODELS
    }
    assert untracked == set(generations.UNTRACKED)


@pytest.mark.django_db(transaction=True)
def test_answers_of_one_release_are_not_served_by_another(clean_cache, monkeypatch):
    build = Builder()
    assert generations.cached("k", build, reads=(Organization,)) == "answer 1"
    monkeypatch.setattr(release, "RELEASE", "next-release")
    assert generations.cached("k", build, reads=(Organization,)) == "answer 2"
    assert generations.cached("k", build, reads=(Organization,)) == "answer 2"
    monkeypatch.undo()
    assert generations.cached("k", build, reads=(Organization,)) == "answer 1"


@pytest.mark.django_db(transaction=True)
def test_a_lost_cache_never_revives_an_old_answer(clean_cache):
    g, build = Generation("test-a"), Builder()
    generations.cached("k", build, g)
    stored = cache.get(generations.answer_key("k"))
    cache.delete(g.key)  # the token is evicted; the answer survives
    assert generations.cached("k", build, g) == "answer 2"
    assert cache.get(generations.answer_key("k")) != stored


@pytest.mark.django_db(transaction=True)
def test_nothing_is_cached_inside_the_transaction_that_changed_the_data(clean_cache):
    g, build = Generation("test-a"), Builder()
    with pytest.raises(RuntimeError), transaction.atomic():
        g.bump()
        assert generations.cached("k", build, g) == "answer 1"
        assert generations.cached("k", build, g) == "answer 2"  # built again: not cached
        raise RuntimeError("rolled back")
    # The rolled-back transaction left nothing behind.
    assert generations.cached("k", build, g) == "answer 3"
    assert generations.cached("k", build, g) == "answer 3"


@pytest.mark.django_db(transaction=True)
def test_a_saved_row_retires_what_reads_its_model_inside_its_transaction(clean_cache):
    build = Builder()
    with transaction.atomic():
        generations.cached("k", build, reads=(Organization,))
        CalendarDay.objects.create(date="2031-01-01", kind="holiday")
        assert generations.cached("k", build, reads=(Organization,)) == "answer 1"
        OrganizationFactory()
        assert generations.cached("k", build, reads=(Organization,)) == "answer 2"
        assert generations.cached("k", build, reads=(Organization,)) == "answer 3"


@pytest.mark.django_db(transaction=True)
def test_the_commit_retires_answers_built_from_the_old_rows_meanwhile(clean_cache):
    """Another process may read the old rows while the change is not yet committed; what it
    caches then must not be served after the commit."""
    g, build = Generation("test-a"), Builder()
    with transaction.atomic():
        g.bump()
        # What another process would store meanwhile: its answer under the current token.
        tokens = (cache.get(g.key),)
        cache.set(generations.answer_key("k"), (tokens, "built from the old rows"), 60)
    assert generations.cached("k", build, g) == "answer 1"


@pytest.mark.django_db(transaction=True)
def test_a_transaction_bumps_each_generation_once_and_once_more_after_commit(
    clean_cache, cache_writes
):
    a, b = Generation("a"), Generation("b")
    with transaction.atomic():
        a.bump()
        a.bump()
        b.bump()
        a.bump()
        assert cache_writes == [["a"], ["b"]]
    assert cache_writes == [["a"], ["b"], ["a", "b"]]
    a.bump()  # outside a transaction: once, at once
    assert cache_writes[3:] == [["a"]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_does_not_lose_the_bump_after_commit(clean_cache, cache_writes):
    a = Generation("a")
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            a.bump()  # queues the after-commit bump inside the savepoint...
            raise RuntimeError("savepoint rolled back")  # ...which drops it
        a.bump()  # the change that stays
        # What another process stores meanwhile, under the current token.
        cache.set(generations.answer_key("k"), ((cache.get(a.key),), "old rows"), 60)
    assert cache_writes[-1] == ["a"]
    assert generations.cached("k", Builder(), a) == "answer 1"


@pytest.mark.django_db(transaction=True)
def test_another_threads_transaction_does_not_hide_this_ones_change(clean_cache):
    """What a transaction changed is kept on its thread's own connection: another thread's
    change of the same data does not make this one's answers cacheable (SQLite's test database
    admits one open transaction at a time, so this runs on PostgreSQL)."""
    if connection.vendor == "sqlite":
        pytest.skip("needs two open transactions at once")
    a, build = Generation("a"), Builder()
    bumped, other_done, answers = threading.Event(), threading.Event(), []

    def changing_thread():
        try:
            with transaction.atomic():
                a.bump()
                bumped.set()
                other_done.wait(5)
                answers.extend(generations.cached("k", build, a) for _ in range(2))
        finally:
            connection.close()

    thread = threading.Thread(target=changing_thread)
    thread.start()
    try:
        bumped.wait(5)
        with transaction.atomic():
            a.bump()
    finally:
        other_done.set()
        thread.join()
    assert answers == ["answer 1", "answer 2"]  # never cached inside the changing transaction


@pytest.mark.django_db(transaction=True)
def test_model_signals_bump_the_generation_of_the_saved_model(clean_cache, world):
    from orgs import services as org_services

    before = token(Organization)
    org_services.org_update(
        actor=world.admin, org=world.org_a, expected_version=world.org_a.version, name="新名称协会"
    )
    assert token(Organization) not in (None, before)


@pytest.mark.django_db(transaction=True)
def test_a_many_to_many_change_bumps_the_link_and_both_sides(clean_cache, world):
    matter = MatterType.objects.get(code="major_matter")
    link = MatterType.opinion_divisions.through
    before = {m: token(m) for m in (link, MatterType, Division)}
    matter.opinion_divisions.add(world.office_div)
    assert all(token(m) not in (None, before[m]) for m in before), before


@pytest.mark.django_db(transaction=True)
def test_the_migration_seeding_the_calendar_bumps_it(clean_cache):
    from portal.calendar import seed_from_package

    before = token(CalendarDay)
    seed_from_package(apps.get_model("portal", "CalendarDay"))
    assert token(CalendarDay) not in (None, before)
