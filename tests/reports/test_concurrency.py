"""Two reviewers decide the same filing at once: exactly one decision lands.

The threaded race needs a database with row locks and real concurrent connections (PostgreSQL).
On SQLite it is skipped with the reason; in CI against PostgreSQL it always runs. The sequential
form of the same race runs on every database.
"""

import os
import threading

import pytest
from django.db import connection, connections

from portal.services import StaleVersion
from reports import services
from reports.models import Filing, FilingEvent, FilingState

from .helpers import add_member, create, decide, give_all_opinions, start_review, submit, version


def _postgres_url():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def require_postgres():
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI", "").lower() == "true" and _postgres_url():
        pytest.fail("CI runs against PostgreSQL: the concurrency test may not be skipped there")
    pytest.skip(
        "needs concurrent connections with row locks (PostgreSQL); "
        f"this run uses {connection.vendor}"
    )


def ready_for_decision(world):
    """Org A's major matter report reviewed by div_a, Office's opinion given; two div_a heads."""
    head_2 = add_member(world, world.div_a, "head-a2", role="head")
    filing = create(world.org_a1, world.org_a, "major_matter", title="并发决定")
    submit(world.org_a1, filing)
    start_review(world.liaison_a, filing)
    give_all_opinions(filing)
    return filing, world.head_a, head_2


@pytest.fixture
def postgres_only():
    require_postgres()


@pytest.mark.django_db(transaction=True)
def test_two_heads_deciding_at_once_one_decision_lands(postgres_only, world):
    filing, head_1, head_2 = ready_for_decision(world)
    seen = version(filing)
    barrier = threading.Barrier(2, timeout=20)
    outcomes = {}

    def decide_as(name, head, positive):
        try:
            barrier.wait()
            services.filing_decide(
                actor=head,
                filing=Filing.objects.get(pk=filing.pk),
                expected_version=seen,
                positive=positive,
                comment="" if positive else "不同意",
            )
            outcomes[name] = "ok"
        except StaleVersion:
            outcomes[name] = "stale"
        except Exception as exc:  # reported below, not swallowed
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide_as, args=("first", head_1, True)),
        threading.Thread(target=decide_as, args=("second", head_2, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a decision hung"
    assert sorted(outcomes.values()) == ["ok", "stale"], outcomes

    filing = Filing.objects.get(pk=filing.pk)
    decisions = FilingEvent.objects.filter(filing=filing, action="decide")
    assert decisions.count() == 1
    winner = head_1 if outcomes["first"] == "ok" else head_2
    assert filing.decided_by == winner
    assert decisions.get().actor == winner
    assert filing.state == (FilingState.ACKNOWLEDGED if winner == head_1 else FilingState.REFUSED)
    assert filing.version == seen + 1
    assert filing.history.filter(history_change_reason="decide").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_starting_the_review_at_once(postgres_only, world):
    """The same race one step earlier: opinions are asked once, the review starts once."""
    filing = create(world.org_a1, world.org_a, "major_matter", title="并发审核")
    submit(world.org_a1, filing)
    seen = version(filing)
    barrier = threading.Barrier(2, timeout=20)
    outcomes = []
    lock = threading.Lock()

    def review_as(user):
        try:
            barrier.wait()
            services.filing_start_review(
                actor=user, filing=Filing.objects.get(pk=filing.pk), expected_version=seen
            )
            result = "ok"
        except StaleVersion:
            result = "stale"
        except Exception as exc:
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [
        threading.Thread(target=review_as, args=(u,)) for u in (world.liaison_a, world.head_a)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stale"], outcomes
    assert FilingEvent.objects.filter(filing=filing, action="start_review").count() == 1
    assert filing.opinions.count() == 1


def test_the_same_race_in_sequence(world):
    """Both heads loaded version N; the first decision lands, the second is stale."""
    filing, head_1, head_2 = ready_for_decision(world)
    seen = version(filing)
    services.filing_decide(actor=head_1, filing=filing, expected_version=seen, positive=True)
    with pytest.raises(StaleVersion):
        services.filing_decide(
            actor=head_2, filing=filing, expected_version=seen, positive=False, comment="不同意"
        )
    filing = Filing.objects.get(pk=filing.pk)
    assert filing.state == FilingState.ACKNOWLEDGED
    assert filing.decided_by == head_1
    assert FilingEvent.objects.filter(filing=filing, action="decide").count() == 1
    assert filing.version == seen + 1


def test_a_decision_on_the_fresh_version_after_a_stale_one_is_still_refused(world):
    """After the first decision the second head reloads: the filing is closed, not decidable."""
    filing, head_1, head_2 = ready_for_decision(world)
    decide(head_1, filing)
    with pytest.raises(Exception) as exc:
        decide(head_2, filing, positive=False, comment="不同意")
    assert getattr(exc.value, "code", None) == "illegal_transition"
    assert FilingEvent.objects.filter(filing=filing, action="decide").count() == 1
