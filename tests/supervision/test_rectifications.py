"""A rectification followed to the end: opened, reported, found insufficient, reported again,
accepted; more time asked once; isolation per role through the pages and the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from portal import calendar
from portal.models import Notification
from portal.services import StaleVersion
from reports.services import filing_decide
from supervision import services
from supervision.models import (
    Rectification,
    RectificationFile,
    RectificationSource,
    RectificationState,
    SupervisionRules,
)
from tests.reports.helpers import PDF, give_all_opinions, in_review

pytestmark = pytest.mark.django_db

R = RectificationState


def opened(world, actor=None, org=None, **kwargs):
    return services.rectification_open(
        actor=actor or world.liaison_a,
        organization=org or world.org_a,
        items=kwargs.pop("items", "整改会费收取标准"),
        **kwargs,
    )


def v(r):
    return Rectification.objects.values_list("version", flat=True).get(pk=r.pk)


def report(world, r, body="已退还多收费用", files=()):
    return services.rectification_report(
        actor=world.org_a1, rectification=r, expected_version=v(r), body=body, files=files
    )


def verify(actor, r, accepted, comment="", due_on=None):
    return services.rectification_verify(
        actor=actor,
        rectification=r,
        expected_version=v(r),
        accepted=accepted,
        comment=comment,
        due_on=due_on,
    )


def test_the_whole_cycle(world):
    r = opened(world)
    assert r.division == world.div_a  # the opening division verifies
    assert r.due_on == calendar.add_workdays(
        r.opened_at.astimezone().date(), SupervisionRules.current().rectification_days
    )
    r = report(world, r, files=[ContentFile(PDF, name="整改报告.pdf")])
    assert r.state == R.REPORTED and r.rounds == 1
    assert RectificationFile.objects.filter(rectification=r).count() == 1

    later = calendar.add_workdays(datetime.date.today(), 10)
    r = verify(world.liaison_a, r, accepted=False, comment="未修订会费标准", due_on=later)
    assert (r.state, r.due_on) == (R.OPEN, later)

    r = report(world, r, body="已修订会费标准并经会员大会通过")
    r = verify(world.head_a, r, accepted=True)
    assert r.state == R.CLOSED and r.closed_at is not None and r.rounds == 2
    actions = list(r.events.values_list("action", flat=True))
    assert actions == ["open", "report", "insufficient", "report", "accept"]
    assert r.history.count() == 5
    assert Notification.objects.filter(recipient=world.org_a1).count() >= 3


def test_a_violation_is_verified_by_the_discipline_commission(world):
    r = opened(world, source=RectificationSource.VIOLATION)
    assert r.division == world.discipline_div


def test_a_rectification_from_a_filing_takes_its_source(world):
    filing = in_review(world, world.office, world.org_a, "petition")
    r = opened(world, actor=world.office, source_filing=filing)
    assert (r.source, r.division, r.source_filing) == ("petition", world.office_div, filing)


def test_only_the_right_side_acts(world):
    r = opened(world)
    with pytest.raises(PermissionDenied):  # not its rectification
        services.rectification_report(
            actor=world.org_b1, rectification=r, expected_version=v(r), body="x"
        )
    with pytest.raises(ValidationError):  # not reported yet
        verify(world.liaison_a, r, accepted=True)
    with pytest.raises(PermissionDenied):  # another division
        services.rectification_withdraw(
            actor=world.liaison_b, rectification=r, expected_version=v(r), reason="x"
        )
    with pytest.raises(PermissionDenied):  # an organization user opens nothing
        opened(world, actor=world.org_a1)
    with pytest.raises(PermissionDenied):  # outside the division's organizations
        opened(world, actor=world.liaison_b)


def test_bad_input_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        opened(world, items="   ")
    assert "items" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        opened(world, due_on=datetime.date.today())
    assert "due_on" in exc.value.message_dict
    assert not Rectification.objects.exists()

    r = opened(world)
    before = (v(r), r.events.count())
    with pytest.raises(ValidationError):
        services.rectification_report(
            actor=world.org_a1, rectification=r, expected_version=v(r), body=""
        )
    with pytest.raises(ValidationError):
        report(world, r, files=[ContentFile(b"MZ not a pdf", name="x.pdf")])
    with pytest.raises(ValidationError):
        verify(world.liaison_a, report(world, r), accepted=False, comment="")
    assert Rectification.objects.get(pk=r.pk).state == R.REPORTED
    assert before[1] + 1 == r.events.count()


def test_a_stale_step_is_refused(world):
    r = opened(world)
    seen = v(r)
    report(world, r)
    with pytest.raises(StaleVersion):
        services.rectification_withdraw(
            actor=world.liaison_a, rectification=r, expected_version=seen, reason="误开"
        )


def test_more_time_once(world):
    r = opened(world)
    asked = r.due_on + datetime.timedelta(days=20)
    with pytest.raises(ValidationError):  # no earlier than the deadline
        services.rectification_ask_more_time(
            actor=world.org_a1, rectification=r, expected_version=v(r), due_on=r.due_on, reason="x"
        )
    r = services.rectification_ask_more_time(
        actor=world.org_a1,
        rectification=r,
        expected_version=v(r),
        due_on=asked,
        reason="需召开会员大会",
    )
    with pytest.raises(ValidationError):  # once only
        services.rectification_ask_more_time(
            actor=world.org_a1, rectification=r, expected_version=v(r), due_on=asked, reason="再延"
        )
    r = services.rectification_answer_more_time(
        actor=world.liaison_a, rectification=r, expected_version=v(r), grant=True
    )
    assert (r.extension, r.due_on) == ("granted", asked)


def test_withdrawn_stays_on_record(world):
    r = opened(world)
    r = services.rectification_withdraw(
        actor=world.liaison_a, rectification=r, expected_version=v(r), reason="误开"
    )
    assert Rectification.objects.filter(pk=r.pk, state=R.WITHDRAWN).exists()


def test_a_basic_pass_opens_one_rectification(world):
    filing = in_review(
        world, world.org_a1, world.org_a, "annual_inspection", details={"year": 2026}
    )
    give_all_opinions(filing)
    filing_decide(
        actor=world.policy_head,
        filing=filing,
        expected_version=type(filing).objects.get(pk=filing.pk).version,
        positive=True,
        decision={"inspection_result": "basic_pass"},
    )
    r = Rectification.objects.get(organization=world.org_a)
    assert (r.source, r.division) == ("inspection", world.policy_div)
    assert "2026" in r.items


# --- who sees what ---------------------------------------------------------------------------

SEES = {"admin", "leader", "policy", "policy_head", "discipline", "liaison_a", "org_a1"}
ROLES_ = SEES | {"office", "personnel", "finance", "liaison_b", "org_b1"}


@pytest.mark.parametrize("role", sorted(ROLES_))
def test_each_role_sees_what_its_duties_give(world, login, role):
    r = opened(world)
    report(world, r, files=[ContentFile(PDF, name="a.pdf")])
    stored = RectificationFile.objects.get()
    client = login(getattr(world, role))
    expected = 200 if role in SEES else 404
    assert client.get(reverse("supervision:rectification", args=[r.pk])).status_code == expected
    assert client.get(reverse("supervision:rectification_file", args=[stored.pk])).status_code == (
        expected
    )
    listing = client.get(reverse("supervision:rectification_list"))
    assert (r in listing.context["page"].object_list) == (role in SEES)

    api = APIClient()
    api.force_authenticate(getattr(world, role))
    assert api.get(f"/api/v1/rectifications/{r.pk}/").status_code == expected
    ids = [row["id"] for row in api.get("/api/v1/rectifications/").json()["results"]]
    assert (r.pk in ids) == (role in SEES)


def test_the_organization_sees_it_on_its_home_page(world, login):
    r = opened(world)
    page = login(world.org_a1).get(reverse("home")).content.decode()
    assert reverse("supervision:rectification", args=[r.pk]) in page
    page = login(world.org_b1).get(reverse("home")).content.decode()
    assert reverse("supervision:rectification", args=[r.pk]) not in page


def test_the_discipline_commission_sees_every_overdue_rectification(world, login):
    r = opened(world)
    Rectification.objects.filter(pk=r.pk).update(
        due_on=datetime.date.today() - datetime.timedelta(days=3)
    )
    page = login(world.discipline).get(
        reverse("supervision:rectification_list"), {"tab": "overdue"}
    )
    assert [x.pk for x in page.context["page"].object_list] == [r.pk]
    assert page.context["counts"]["overdue"] == 1


def test_pages_refuse_bad_values_without_a_500(world, login):
    client = login(world.liaison_a)
    assert (
        client.get(reverse("supervision:rectification_create"), {"org": "abc"}).status_code == 400
    )
    assert client.get(reverse("supervision:rectification_list"), {"org": "x1"}).status_code == 400
    r = opened(world)
    response = client.post(
        reverse("supervision:rectification_step", args=[r.pk, "verify"]),
        {"version": "abc", "accepted": "1"},
    )
    assert response.status_code == 400
    assert Rectification.objects.get(pk=r.pk).state == R.OPEN


def test_the_pages_run_the_cycle(world, login):
    client = login(world.liaison_a)
    response = client.post(
        reverse("supervision:rectification_create") + f"?org={world.org_a.pk}",
        {
            "source": "manual",
            "items": "补充年度财务报告",
            "division": world.div_a.pk,
            "due_on": calendar.add_workdays(datetime.date.today(), 5).isoformat(),
        },
    )
    r = Rectification.objects.get()
    assert response.status_code == 302
    client = login(world.org_a1)
    response = client.post(
        reverse("supervision:rectification_step", args=[r.pk, "report"]),
        {"version": v(r), "body": "已补充", "files": [ContentFile(PDF, name="财务报告.pdf")]},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Rectification.objects.get(pk=r.pk).state == R.REPORTED
    client = login(world.liaison_a)
    client.post(
        reverse("supervision:rectification_step", args=[r.pk, "verify"]),
        {"version": v(r), "accepted": "1"},
    )
    assert Rectification.objects.get(pk=r.pk).state == R.CLOSED


def test_an_admin_changes_the_rules_and_a_stale_edit_is_refused(world, login):
    client = login(world.admin)
    rules = SupervisionRules.current()
    page = client.get(reverse("supervision:rules"))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["rectification_days"] = 10
    assert client.post(reverse("supervision:rules"), data).status_code == 302
    assert SupervisionRules.current().rectification_days == 10
    data["rectification_days"] = 30  # the version this form saw is gone
    response = client.post(reverse("supervision:rules"), data)
    assert response.status_code == 200
    assert SupervisionRules.current().rectification_days == 10
    data.update(version=rules.version + 1, rectification_days=0)  # out of bounds
    assert client.post(reverse("supervision:rules"), data).status_code == 200
    assert SupervisionRules.current().rectification_days == 10
    with pytest.raises(PermissionDenied):
        services.rules_update(actor=world.policy, expected_version=2, rectification_days=5)
