"""The credit lists on the clock: an overdue rectification proposes its abnormal-list entry
once; Policy confirms; a verified rectification lifts it; a resolved entry lapses six months
after entry; two years on the abnormal list lead to the serious list, left after two clean
years. What a list bars is refused with its reason."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from orgs.models import AnnualInspection
from portal import clock
from reports import services as report_services
from reports.models import MatterType
from supervision import credit, services
from supervision.models import (
    CreditList,
    CreditRecord,
    EntryState,
    ListEntry,
    ListGround,
    Rectification,
)
from tests.factories import filing_fields
from tests.reports.helpers import submitted

pytestmark = pytest.mark.django_db

D = datetime.date


def overdue(world, org=None, days=3):
    r = services.rectification_open(
        actor=world.liaison_a, organization=org or world.org_a, items="整改会费"
    )
    Rectification.objects.filter(pk=r.pk).update(
        due_on=datetime.date.today() - datetime.timedelta(days=days)
    )
    return Rectification.objects.get(pk=r.pk)


def v(obj):
    return type(obj).objects.values_list("version", flat=True).get(pk=obj.pk)


def confirm(world, entry):
    return credit.entry_confirm(actor=world.policy, entry=entry, expected_version=v(entry))


def active_entry(world, org, entered_on, **fields):
    return ListEntry.objects.create(
        organization=org,
        credit_list=fields.pop("credit_list", CreditList.ABNORMAL),
        ground=fields.pop("ground", ListGround.UNREACHABLE),
        state=EntryState.ACTIVE,
        entered_on=entered_on,
        **fields,
    )


def test_an_overdue_rectification_proposes_its_entry_once(world):
    r = overdue(world)
    clock.run()
    clock.run()
    entry = ListEntry.objects.get()
    assert (entry.state, entry.ground, entry.source_rectification) == (
        EntryState.PROPOSED,
        ListGround.RECTIFICATION_OVERDUE,
        r,
    )
    # Dismissed, it is not proposed again.
    credit.entry_dismiss(
        actor=world.policy, entry=entry, expected_version=v(entry), reason="已核实"
    )
    clock.run()
    assert ListEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_propose_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL); this run uses sqlite")
    overdue(world)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            credit.sweep(None or datetime.datetime.now(datetime.UTC))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert ListEntry.objects.count() == 1


def test_only_policy_confirms_and_the_organization_is_told(world):
    overdue(world)
    clock.run()
    entry = ListEntry.objects.get()
    with pytest.raises(PermissionDenied):
        credit.entry_confirm(actor=world.liaison_a, entry=entry, expected_version=v(entry))
    with pytest.raises(PermissionDenied):
        credit.entry_confirm(actor=world.org_a1, entry=entry, expected_version=v(entry))
    entry = confirm(world, entry)
    assert (entry.state, entry.entered_on) == (EntryState.ACTIVE, datetime.date.today())
    assert CreditRecord.objects.filter(organization=world.org_a, kind="adverse").count() == 1
    assert world.org_a1.notifications.filter(title__contains="名录").exists()


def test_a_verified_rectification_lifts_the_entry(world):
    r = overdue(world)
    clock.run()
    entry = confirm(world, ListEntry.objects.get())
    r = services.rectification_report(
        actor=world.org_a1, rectification=r, expected_version=v(r), body="已整改"
    )
    services.rectification_verify(
        actor=world.liaison_a, rectification=r, expected_version=v(r), accepted=True
    )
    entry.refresh_from_db()
    assert (entry.state, entry.exit_reason, entry.exited_on) == (
        EntryState.EXITED,
        "rectified",
        datetime.date.today(),
    )
    assert CreditRecord.objects.filter(list_entry=entry, kind="good").exists()


def test_a_resolved_entry_lapses_six_months_after_entry(world):
    entry = active_entry(world, world.org_a, D(2026, 3, 31), resolved_on=D(2026, 5, 1))
    credit.sweep(clock.at_send_hour(D(2026, 9, 29)))
    assert ListEntry.objects.get(pk=entry.pk).state == EntryState.ACTIVE
    credit.sweep(clock.at_send_hour(D(2026, 9, 30)))  # 31 March + 6 months
    entry.refresh_from_db()
    assert (entry.state, entry.exit_reason) == (EntryState.EXITED, "lapsed")


def test_an_unresolved_entry_does_not_lapse_and_moves_up_after_two_years(world):
    entry = active_entry(world, world.org_a, D(2024, 12, 2))
    credit.sweep(clock.at_send_hour(D(2026, 12, 1)))
    assert ListEntry.objects.get(pk=entry.pk).state == EntryState.ACTIVE
    credit.sweep(clock.at_send_hour(D(2026, 12, 2)))
    credit.sweep(clock.at_send_hour(D(2026, 12, 3)))
    entry.refresh_from_db()
    serious = ListEntry.objects.get(credit_list=CreditList.SERIOUS)
    assert (entry.state, entry.exit_reason) == (EntryState.EXITED, "moved_up")
    assert (serious.state, serious.entered_on, serious.source_entry) == (
        EntryState.ACTIVE,
        D(2026, 12, 2),
        entry,
    )


def test_the_serious_list_is_left_after_two_clean_years(world):
    serious = active_entry(
        world, world.org_a, D(2024, 6, 1), credit_list=CreditList.SERIOUS, ground="other"
    )
    credit.sweep(clock.at_send_hour(D(2026, 5, 31)))
    assert ListEntry.objects.get(pk=serious.pk).state == EntryState.ACTIVE
    credit.sweep(clock.at_send_hour(D(2026, 6, 1)))
    serious.refresh_from_db()
    assert (serious.state, serious.exit_reason) == (EntryState.EXITED, "clean")


def test_a_new_entry_keeps_an_organization_on_the_serious_list(world):
    serious = active_entry(
        world, world.org_a, D(2024, 6, 1), credit_list=CreditList.SERIOUS, ground="other"
    )
    active_entry(world, world.org_a, D(2025, 1, 10), ground=ListGround.NO_PARTY_ORG)
    credit.sweep(clock.at_send_hour(D(2026, 6, 2)))
    assert ListEntry.objects.get(pk=serious.pk).state == EntryState.ACTIVE


def test_a_list_bars_awards_and_projects_with_the_reason(world):
    active_entry(world, world.org_a, datetime.date.today())
    matter = MatterType.objects.get(code="award")
    with pytest.raises(ValidationError) as exc:
        report_services.filing_create(
            actor=world.org_a1,
            organization=world.org_a,
            matter=matter,
            **filing_fields(matter),
        )
    assert "名录" in str(exc.value) or "list" in str(exc.value)
    codes = {
        m.code for m in __import__("duties").access.fileable_matters(world.org_a1, world.org_a)
    }
    assert "award" not in codes and "service_project" not in codes
    assert "major_matter" in codes


def test_grade_eligibility_says_which_condition_fails(world):
    from duties import access

    today = datetime.date.today()
    reasons = access.grade_eligibility(world.org_a)
    assert len(reasons) == 1 and str(today.year - 1) in reasons[0]  # no inspection submitted
    AnnualInspection.objects.create(
        organization=world.org_a, year=today.year - 1, result="fail", decided_on=today
    )
    assert (
        "failed" in access.grade_eligibility(world.org_a)[0]
        or "不合格" in (access.grade_eligibility(world.org_a)[0])
    )
    AnnualInspection.objects.filter(organization=world.org_a).update(result="pass")
    assert access.grade_eligibility(world.org_a) == []
    active_entry(world, world.org_a, today)
    services.rectification_open(
        actor=world.discipline, organization=world.org_a, items="违规", source="violation"
    )
    assert len(access.grade_eligibility(world.org_a)) == 2

    draft = report_services.filing_create(
        actor=world.org_a1,
        organization=world.org_a,
        matter=MatterType.objects.get(code="grade_dereg"),
        title="申请等级评估",
        details={"kind": "grade", "grade_sought": "3A", "reasons": "理由"},
    )
    with pytest.raises(ValidationError) as exc:
        report_services.filing_submit(actor=world.org_a1, filing=draft, expected_version=v(draft))
    assert "grade evaluation" in str(exc.value) or "等级评估" in str(exc.value)
    # A deregistration is not barred.
    dereg = submitted(
        world, world.org_a1, world.org_a, "grade_dereg", details={"kind": "deregistration"}
    )
    assert dereg.state == "submitted"


ROLES = [
    "admin",
    "leader",
    "policy",
    "office",
    "finance",
    "liaison_a",
    "liaison_b",
    "org_a1",
    "org_b1",
]
SEES = {"admin", "leader", "policy", "office", "finance", "liaison_a", "liaison_b", "org_a1"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_an_entry(world, login, role):
    entry = active_entry(world, world.org_a, datetime.date.today())
    user = getattr(world, role)
    expected = 200 if role in SEES else 404
    client = login(user)
    assert client.get(reverse("supervision:credit_entry", args=[entry.pk])).status_code == expected
    page = client.get(reverse("supervision:credit"), {"tab": "abnormal"})
    assert (entry in page.context["page"].object_list) == (role in SEES)
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/credit-list-entries/{entry.pk}/").status_code == expected
    ids = [row["id"] for row in api.get("/api/v1/credit-list-entries/").json()["results"]]
    assert (entry.pk in ids) == (role in SEES)


def test_policy_confirms_through_the_page(world, login):
    overdue(world)
    clock.run()
    entry = ListEntry.objects.get()
    client = login(world.policy)
    page = client.get(reverse("supervision:credit_entry", args=[entry.pk]))
    assert "confirm" in page.context["forms"]
    response = client.post(
        reverse("supervision:credit_entry_step", args=[entry.pk, "confirm"]),
        {"version": v(entry), "details": "整改逾期未完成"},
    )
    assert response.status_code == 302
    assert ListEntry.objects.get(pk=entry.pk).state == EntryState.ACTIVE
    client = login(world.liaison_a)
    page = client.get(reverse("supervision:credit_entry", args=[entry.pk]))
    assert page.context["forms"] == {}
    response = client.post(
        reverse("supervision:credit_entry_step", args=[entry.pk, "correct"]),
        {"version": v(entry), "reason": "x"},
    )
    assert response.status_code == 403


def test_the_blacklist_is_for_industry_associations(world):
    from orgs.models import OrgType
    from tests.factories import OrganizationFactory

    society = OrganizationFactory(name="上海市园林学会", org_type=OrgType.SOCIETY)
    with pytest.raises(ValidationError) as exc:
        credit.entry_propose(
            actor=world.policy, organization=society, credit_list="blacklist", ground="other"
        )
    assert "credit_list" in exc.value.message_dict
    assert world.org_a.org_type == OrgType.INDUSTRY_ASSOCIATION
    entry = credit.entry_propose(
        actor=world.policy, organization=world.org_a, credit_list="blacklist", ground="other"
    )
    assert entry.credit_list == "blacklist"
