"""One user per role, two liaison divisions with an organization each (healthchecks' alice/bob).

``world`` builds it through the services, so tests see the same permissions and history as real
use. Role names follow the demo logins.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from duties import services as duty_services
from duties.models import DivisionKind, MemberRole
from orgs import services as org_services
from portal import services as portal_services
from reports.matrix import install_default_matrix
from tests.factories import OrganizationFactory

PASSWORD = "test-pass-2026"

ROLES = [
    "admin",
    "leader",
    "policy",
    "policy_head",
    "office",
    "personnel",
    "finance",
    "discipline",
    "liaison_a",
    "liaison_b",
    "org_a1",
    "org_b1",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (login lockouts, calendar, roles)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def calendar_seeded(db):
    """The official calendar as the migration seeds it (transactional tests flush it away)."""
    from portal.calendar import seed_from_package
    from portal.models import CalendarDay

    if not CalendarDay.objects.exists():
        seed_from_package()


@pytest.fixture
def world(db, calendar_seeded):
    User = get_user_model()
    admin = User.objects.create_user(
        "admin", password=PASSWORD, is_bureau_admin=True, full_name="管理员"
    )
    w = SimpleNamespace(admin=admin)

    def division(name, kind):
        return duty_services.division_create(actor=admin, name=name, kind=kind)

    w.policy_div = division("政策法规处（研究室）", DivisionKind.POLICY)
    w.office_div = division("办公室（信访办）", DivisionKind.OFFICE)
    w.personnel_div = division("组织人事处", DivisionKind.PERSONNEL)
    w.finance_div = division("财务管理处", DivisionKind.FINANCE)
    w.discipline_div = division("直属单位纪委", DivisionKind.DISCIPLINE)
    w.div_a = division("绿化管理处", DivisionKind.LIAISON)
    w.div_b = division("市容景观管理处", DivisionKind.LIAISON)

    def user(username, **flags):
        return portal_services.user_create(
            actor=admin, username=username, password=PASSWORD, full_name=username, **flags
        )

    w.leader = user("leader", is_leader=True)
    for attr, div, role in [
        ("policy", w.policy_div, MemberRole.STAFF),
        ("policy_head", w.policy_div, MemberRole.HEAD),
        ("office", w.office_div, MemberRole.STAFF),
        ("personnel", w.personnel_div, MemberRole.STAFF),
        ("finance", w.finance_div, MemberRole.STAFF),
        ("discipline", w.discipline_div, MemberRole.STAFF),
        ("liaison_a", w.div_a, MemberRole.STAFF),
        ("liaison_b", w.div_b, MemberRole.STAFF),
    ]:
        u = user(attr.replace("_", "-"))
        duty_services.membership_add(actor=admin, division=div, user=u, role=role)
        setattr(w, attr, u)

    w.org_a = OrganizationFactory(name="上海市绿化和园林行业协会")
    w.org_b = OrganizationFactory(name="上海市城市景观协会")
    duty_services.org_assign_liaison(actor=admin, org=w.org_a, division=w.div_a, reason="初始归口")
    duty_services.org_assign_liaison(actor=admin, org=w.org_b, division=w.div_b, reason="初始归口")
    w.org_a.refresh_from_db()
    w.org_b.refresh_from_db()
    w.org_a1 = org_services.org_user_create(
        actor=admin, org=w.org_a, username="org-a1", password=PASSWORD
    )
    w.org_b1 = org_services.org_user_create(
        actor=admin, org=w.org_b, username="org-b1", password=PASSWORD
    )
    install_default_matrix(actor=admin)
    w.anonymous = None
    return w


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as ``user`` (None stays anonymous)."""

    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
