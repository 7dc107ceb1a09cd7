"""Cached answers retired by generations (portal.generations): served while unchanged, rebuilt
after a change, never built from uncommitted rows."""

import pytest
from django.core.cache import cache
from django.db import transaction

from portal import generations
from portal.generations import Generation


class Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"answer {self.calls}"


@pytest.fixture
def clean_cache():
    cache.clear()


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
def test_a_lost_cache_never_revives_an_old_answer(clean_cache):
    g, build = Generation("test-a"), Builder()
    generations.cached("k", build, g)
    stored = cache.get("k")
    cache.delete(g.key)  # the token is evicted; the answer survives
    assert generations.cached("k", build, g) == "answer 2"
    assert cache.get("k") != stored


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
def test_the_commit_retires_answers_built_from_the_old_rows_meanwhile(clean_cache):
    """Another process may read the old rows while the change is not yet committed; what it
    caches then must not be served after the commit."""
    g, build = Generation("test-a"), Builder()
    with transaction.atomic():
        g.bump()
        # What another process would store meanwhile: its answer under the current token.
        tokens = (cache.get(g.key),)
        cache.set("k", (tokens, "built from the old rows"), 60)
    assert generations.cached("k", build, g) == "answer 1"


@pytest.mark.django_db(transaction=True)
def test_model_signals_bump_the_generations_of_their_sources(clean_cache, world):
    from orgs import services as org_services

    before = cache.get(generations.REGISTRY.key)
    org_services.org_update(
        actor=world.admin, org=world.org_a, expected_version=world.org_a.version, name="新名称协会"
    )
    assert cache.get(generations.REGISTRY.key) not in (None, before)
