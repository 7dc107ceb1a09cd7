"""Violation cases: kept by the discipline commission, read by Policy, the leading group and the
liaison division; the organization sees only what is addressed to it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from duties import access
from supervision import services
from supervision.models import CaseStep, Rectification
from tests.reports.helpers import PDF

pytestmark = pytest.mark.django_db


def opened(world):
    return services.case_open(
        actor=world.discipline,
        organization=world.org_a,
        source="petition",
        title="超标准收取会员费",
        facts="市民反映协会超标准收取会员费。",
    )


def v(case):
    return type(case).objects.values_list("version", flat=True).get(pk=case.pk)


def step(world, case, **kwargs):
    return services.case_add_step(
        actor=world.discipline,
        case=case,
        expected_version=v(case),
        on=kwargs.pop("on", datetime.date.today()),
        what=kwargs.pop("what", "会同市民政局调取收费凭证"),
        **kwargs,
    )


def test_a_case_from_investigation_to_measure_and_rectification(world):
    case = opened(world)
    step(world, case, with_civil_affairs=True, files=[ContentFile(PDF, name="询问笔录.pdf")])
    step(world, case, what="约谈协会负责人", measure="talk")
    assert world.org_a1.notifications.filter(body__contains="约谈").exists()
    r = services.rectification_open(
        actor=world.discipline, organization=world.org_a, items="退还会费", case=case
    )
    assert (r.case, r.source, r.division) == (case, "violation", world.discipline_div)
    assert access.grade_eligibility(world.org_a)  # an open case bars a grade evaluation
    with pytest.raises(ValidationError):
        services.case_close(
            actor=world.discipline, case=case, expected_version=v(case), findings=""
        )
    services.case_close(
        actor=world.discipline, case=case, expected_version=v(case), findings="查实，已整改"
    )
    with pytest.raises(ValidationError):  # closed
        step(world, case)


def test_only_the_discipline_commission_keeps_cases(world):
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=world.liaison_a,
            organization=world.org_a,
            source="petition",
            title="x",
            facts="y",
        )
    case = opened(world)
    with pytest.raises(PermissionDenied):
        services.case_add_step(
            actor=world.policy,
            case=case,
            expected_version=v(case),
            on=datetime.date.today(),
            what="x",
        )
    with pytest.raises(ValidationError):  # no date in the future
        step(world, case, on=datetime.date.today() + datetime.timedelta(days=1))
    assert not CaseStep.objects.exists()


SEES = {"admin", "leader", "policy", "discipline", "liaison_a", "org_a1"}
ROLES = sorted(SEES | {"office", "finance", "liaison_b", "org_b1"})


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_case_and_what(world, login, role):
    case = opened(world)
    step(world, case, what="内部核查记录")
    step(world, case, what="给予警告", measure="warning")
    user = getattr(world, role)
    expected = 200 if role in SEES else 404
    page = login(user).get(reverse("supervision:case", args=[case.pk]))
    assert page.status_code == expected
    if expected == 200:
        text = page.content.decode()
        assert "给予警告" in text
        assert ("内部核查记录" in text) == (role != "org_a1")
        assert ("市民反映协会" in text) == (role != "org_a1")  # the facts stay with the bureau
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/violation-cases/{case.pk}/").status_code == expected
    if role == "org_a1":
        body = api.get(f"/api/v1/violation-cases/{case.pk}/").json()
        assert [s["what"] for s in body["steps"]] == ["给予警告"] and "facts" not in body


def test_the_page_records_a_step(world, login):
    case = opened(world)
    client = login(world.discipline)
    response = client.post(
        reverse("supervision:case_step", args=[case.pk, "step"]),
        {"version": v(case), "on": datetime.date.today().isoformat(), "what": "实地检查"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("supervision:case_step", args=[case.pk, "step"]),
        {"version": v(case) - 1, "on": datetime.date.today().isoformat(), "what": "再次检查"},
    )
    assert response.status_code == 400 and CaseStep.objects.count() == 1
    assert not Rectification.objects.exists()
