"""The registry and the review queues served from the cache (portal.listings): the same HTML to
the same audience only, and never a stale row after a change is committed.

These tests run on a transactional database, so that changes commit and answers are cached as
in production (inside a test transaction that changed the data nothing is cached).
"""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from duties import services as duty_services
from orgs import services as org_services
from orgs.management.commands.seed_volume import MARKER
from portal.home import context as dashboard
from tests.reports.helpers import create, return_, start_review, submit

pytestmark = pytest.mark.django_db(transaction=True)

REGISTRY = reverse("orgs:list")
QUEUE = reverse("reports:queue")


@pytest.fixture
def page(client, world):
    cache.clear()

    def get(user, url, **params):
        client.force_login(user)
        response = client.get(url, params)
        assert response.status_code == 200
        return response.content.decode()

    return get


def queries_of(client, user, url):
    client.force_login(user)
    client.get(url)  # the session and the roles are cached from here on
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [q["sql"] for q in captured.captured_queries]


def test_a_second_view_of_the_registry_reads_no_organization(client, world, page):
    page(world.policy, REGISTRY)
    sql = queries_of(client, world.policy, REGISTRY)
    assert not any("orgs_organization" in q for q in sql), sql


def test_a_renamed_organization_shows_at_once(world, page):
    assert world.org_a.name in page(world.policy, REGISTRY)
    org_services.org_update(
        actor=world.admin,
        org=world.org_a,
        expected_version=world.org_a.version,
        name="上海市新名协会",
    )
    html = page(world.policy, REGISTRY)
    assert "上海市新名协会" in html and world.org_a.name not in html


def test_each_liaison_division_gets_its_own_registry(world, page):
    a = page(world.liaison_a, REGISTRY)
    b = page(world.liaison_b, REGISTRY)
    assert world.org_a.name in a and world.org_b.name not in a
    assert world.org_b.name in b and world.org_a.name not in b


def test_a_reassigned_organization_moves_between_cached_registries(world, page):
    page(world.liaison_a, REGISTRY), page(world.liaison_b, REGISTRY)
    duty_services.org_assign_liaison(
        actor=world.admin, org=world.org_a, division=world.div_b, reason="职责调整"
    )
    assert world.org_a.name not in page(world.liaison_a, REGISTRY)
    assert world.org_a.name in page(world.liaison_b, REGISTRY)


def test_a_search_is_cached_apart_from_the_full_list(world, page):
    assert world.org_b.name in page(world.policy, REGISTRY)
    html = page(world.policy, REGISTRY, q="园林")
    assert world.org_a.name in html and world.org_b.name not in html
    # Parameters the registry does not read neither split the cache nor reach its links.
    html = page(world.policy, REGISTRY, q="园林", utm="x")
    main = html[html.index("<main") : html.index("</main>")]
    assert world.org_b.name not in main and "utm" not in main


def test_the_registry_speaks_the_language_of_each_reader(client, world, page):
    with translation.override("zh-hans"):
        chinese = translation.gettext("No organization matches.")
    assert chinese != "No organization matches."
    assert chinese in page(world.policy, REGISTRY, q="不存在的名称")
    client.force_login(world.policy)
    client.post(reverse("set_language"), {"language": "en", "next": REGISTRY})
    html = client.get(REGISTRY, {"q": "不存在的名称"}).content.decode()
    assert "No organization matches." in html and chinese not in html


def test_the_queue_shows_a_new_filing_and_drops_a_returned_one(world, page):
    assert "QUEUE-ME" not in page(world.liaison_a, QUEUE)
    filing = create(world.org_a1, world.org_a, "major_matter", title="QUEUE-ME")
    submit(world.org_a1, filing)
    assert "QUEUE-ME" in page(world.liaison_a, QUEUE)
    assert "QUEUE-ME" not in page(world.liaison_b, QUEUE)
    start_review(world.liaison_a, filing)
    return_(world.liaison_a, filing)
    assert "QUEUE-ME" not in page(world.liaison_a, QUEUE)


def test_a_new_member_sees_the_division_queue_on_the_next_request(client, world, page):
    from tests.reports.helpers import new_user

    newcomer = new_user(world, "newcomer")
    client.force_login(newcomer)
    assert client.get(QUEUE).status_code == 403
    duty_services.membership_add(actor=world.admin, division=world.div_a, user=newcomer)
    submit(world.org_a1, create(world.org_a1, world.org_a, "major_matter", title="FOR-NEWCOMER"))
    assert "FOR-NEWCOMER" in page(newcomer, QUEUE)


def test_the_inbox_badge_follows_new_and_read_messages(client, world):
    from portal.notifications import mark_read, notify

    client.force_login(world.policy)
    assert 'id="unread-count"' not in client.get(REGISTRY).content.decode()
    notify([world.policy], title="请查收")
    assert 'id="unread-count">1<' in client.get(REGISTRY).content.decode()
    mark_read(user=world.policy)
    assert 'id="unread-count"' not in client.get(REGISTRY).content.decode()


# --- the user behind a session, cached by portal.backends.CachedModelBackend ------------------


def test_a_known_session_reads_no_user_row(client, world):
    sql = queries_of(client, world.policy, REGISTRY)
    assert not any("portal_user" in q for q in sql), sql


def test_a_deactivated_user_is_logged_out_on_the_next_request(client, world):
    from portal import services as portal_services

    client.force_login(world.policy)
    assert client.get(REGISTRY).status_code == 200
    portal_services.user_update(actor=world.admin, user=world.policy, is_active=False)
    response = client.get(REGISTRY)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_new_password_ends_the_other_sessions(client, world):
    from portal import services as portal_services

    client.force_login(world.policy)
    assert client.get(REGISTRY).status_code == 200
    portal_services.user_set_password(
        actor=world.admin, user=world.policy, password="n3w-Pass-2026!"
    )
    response = client.get(REGISTRY)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_new_flag_takes_effect_on_the_next_request(client, world):
    from portal import services as portal_services

    client.force_login(world.policy)
    assert client.get(reverse("user_list")).status_code == 403
    portal_services.user_update(actor=world.admin, user=world.policy, is_bureau_admin=True)
    assert client.get(reverse("user_list")).status_code == 200


def test_the_home_figures_count_a_new_organization_at_once(world):
    from tests.factories import credit_code

    before = dashboard(world.policy)["org_total"]
    assert dashboard(world.policy)["org_total"] == before  # served from the cache
    org_services.org_create(
        actor=world.admin,
        name="上海市新登记协会",
        credit_code_raw=credit_code(),
        org_type="industry_association",
        management_mode="direct",
    )
    assert dashboard(world.policy)["org_total"] == before + 1


def test_bulk_inserts_of_seed_volume_retire_the_listings_they_change(world, page):
    assert MARKER not in page(world.policy, REGISTRY)
    before = dashboard(world.policy)["org_total"]
    with open(os.devnull, "w") as quiet:
        call_command("seed_volume", orgs=4, filings=30, users=4, stdout=quiet)
    assert MARKER in page(world.policy, REGISTRY)
    assert dashboard(world.policy)["org_total"] == before + 4
