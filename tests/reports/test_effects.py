"""A positive decision writes its matter's effect to the registry, in its own transaction, with
the filing named in the organization's history; a refusal or a failing write changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.models import AnnualInspection, Organization, OrgStatus
from reports import services
from reports.models import DecisionEffect, FilingState
from supervision.models import CreditRecord, SupervisionRules
from tests.factories import OrganizationFactory

from .helpers import decide, fresh, give_all_opinions, in_review, matter, snapshot, version

pytestmark = pytest.mark.django_db


def reviewed(world, code, **fields):
    filing = in_review(world, world.org_a1, world.org_a, code, **fields)
    give_all_opinions(filing)
    return filing


def inspected(org, result="pass"):
    """Last year's annual inspection on record, so the organization may apply for a grade."""
    today = datetime.date.today()
    return AnnualInspection.objects.create(
        organization=org, year=today.year - 1, result=result, decided_on=today
    )


def last_reason(org):
    return Organization.history.filter(id=org.pk).first().history_change_reason


def test_default_matters_declare_their_effects(world):
    assert matter("term_renewal").decision_effect == DecisionEffect.TERM_RENEWAL
    assert matter("change").decision_effect == DecisionEffect.CHANGE
    assert matter("grade_dereg").decision_effect == DecisionEffect.GRADE_OR_DEREGISTRATION
    assert matter("annual_inspection").decision_effect == DecisionEffect.ANNUAL_INSPECTION
    assert matter("major_matter").decision_effect == DecisionEffect.NONE


def test_term_renewal_writes_the_new_term_and_leaders(world):
    filing = reviewed(
        world,
        "term_renewal",
        details={
            "kind": "term_renewal",
            "new_term_start": "2027-01-10",
            "new_term_end": "2032-01-09",
            "new_legal_representative": "王新",
            "new_leaders": "会长：王新\n秘书长：李明",
        },
    )
    before = fresh(filing).organization.version
    decide(world.policy_head, filing)
    org = Organization.objects.get(pk=world.org_a.pk)
    assert org.term_start == datetime.date(2027, 1, 10)
    assert org.term_end == datetime.date(2032, 1, 9)
    assert org.legal_representative == "王新"
    assert org.leaders == "会长：王新\n秘书长：李明"
    assert org.version == before + 1
    assert filing.title in last_reason(org)
    assert Organization.history.filter(id=org.pk).first().history_user == world.policy_head


def test_change_shows_before_and_after_and_writes_the_changed_items(world, login):
    filing = reviewed(
        world,
        "change",
        details={"kind": "change", "new_domicile": "上海市徐汇区龙华路1号"},
    )
    old = world.org_a.domicile
    page = login(world.policy_head).get(reverse("reports:detail", args=[filing.pk]))
    rows = page.context["effect_rows"]
    assert [(r.before, r.after) for r in rows] == [(old or "—", "上海市徐汇区龙华路1号")]
    assert "上海市徐汇区龙华路1号" in page.content.decode()

    decide(world.policy_head, filing)
    org = Organization.objects.get(pk=world.org_a.pk)
    assert org.domicile == "上海市徐汇区龙华路1号"
    assert org.name == world.org_a.name  # not proposed, not changed
    page = login(world.policy_head).get(reverse("reports:detail", args=[filing.pk]))
    assert page.context["effect_rows"] == ()


def test_a_change_must_name_an_item(world):
    with pytest.raises(ValidationError) as exc:
        services.filing_create(
            actor=world.org_a1,
            organization=world.org_a,
            matter=matter("change"),
            title="变更",
            event_start=datetime.date(2027, 3, 1),
            details={"kind": "change", "items": "变更住所"},
        )
    assert "__all__" in exc.value.message_dict


def test_grade_writes_grade_and_validity_from_the_rules(world):
    rules = SupervisionRules.current()
    rules.grade_validity_years = 4
    rules.save()
    inspected(world.org_a)
    filing = reviewed(world, "grade_dereg", details={"kind": "grade", "grade_sought": "4A"})
    decide(world.policy_head, filing)
    org = Organization.objects.get(pk=world.org_a.pk)
    decided = fresh(filing).decided_at.astimezone().date()
    assert org.grade == "4A"
    assert org.grade_valid_until == decided.replace(year=decided.year + 4)
    # The grade is a good-standing entry of the credit record.
    assert CreditRecord.objects.filter(organization=org, kind="good", title__contains="4A").exists()


def test_deregistration_writes_status_date_and_reason(world):
    filing = reviewed(
        world,
        "grade_dereg",
        event_start=datetime.date(2027, 6, 30),
        details={"kind": "deregistration", "reasons": "完成宗旨，决议注销"},
    )
    decide(world.policy_head, filing)
    org = Organization.objects.get(pk=world.org_a.pk)
    assert org.status == OrgStatus.DEREGISTERED
    assert org.status_changed_on == datetime.date(2027, 6, 30)
    assert org.status_reason == "完成宗旨，决议注销"


def test_annual_inspection_records_the_years_result(world):
    filing = reviewed(world, "annual_inspection", details={"year": 2026})
    with pytest.raises(ValidationError):
        services.filing_decide(
            actor=world.policy_head,
            filing=filing,
            expected_version=version(filing),
            positive=True,
            decision={"inspection_result": "excellent"},
        )
    assert not AnnualInspection.objects.exists()
    assert fresh(filing).state == FilingState.IN_REVIEW

    services.filing_decide(
        actor=world.policy_head,
        filing=filing,
        expected_version=version(filing),
        positive=True,
        decision={"inspection_result": "basic_pass"},
    )
    record = AnnualInspection.objects.get(organization=world.org_a, year=2026)
    assert record.result == "basic_pass"
    assert record.filing_id == filing.pk
    assert fresh(filing).details["inspection_result"] == "basic_pass"


def test_the_decision_page_asks_for_the_inspection_result(world, login):
    filing = reviewed(world, "annual_inspection", details={"year": 2026})
    client = login(world.policy_head)
    page = client.get(reverse("reports:detail", args=[filing.pk]))
    assert "inspection_result" in page.content.decode()
    client.post(
        reverse("reports:transition", args=[filing.pk]),
        {"action": "approve", "version": version(filing), "inspection_result": "fail"},
    )
    assert AnnualInspection.objects.get(organization=world.org_a).result == "fail"


def test_a_refusal_writes_nothing(world):
    inspected(world.org_a)
    filing = reviewed(world, "grade_dereg", details={"kind": "grade", "grade_sought": "5A"})
    decide(world.policy_head, filing, positive=False, comment="材料不全")
    assert Organization.objects.get(pk=world.org_a.pk).grade == world.org_a.grade


def test_a_write_the_registry_refuses_undoes_the_decision(world):
    """A change to a name another organization holds is refused, and the filing stays in review."""
    OrganizationFactory(name="上海市已有名称协会")
    filing = reviewed(world, "change", details={"kind": "change", "new_name": "上海市已有名称协会"})
    before = snapshot(filing)
    with pytest.raises(ValidationError) as exc:
        decide(world.policy_head, filing)
    assert "name" in exc.value.message_dict
    assert snapshot(filing) == before
    assert Organization.objects.get(pk=world.org_a.pk).name == world.org_a.name


def test_an_effect_must_fit_the_matters_form(world):
    with pytest.raises(ValidationError) as exc:
        services.matter_update(
            actor=world.admin, matter=matter("major_matter"), decision_effect="grade_dereg"
        )
    assert "decision_effect" in exc.value.message_dict


def test_the_api_approves_with_the_inspection_result(world, client):
    from rest_framework.test import APIClient

    filing = reviewed(world, "annual_inspection", details={"year": 2025})
    api = APIClient()
    api.force_authenticate(world.policy_head)
    response = api.post(
        f"/api/v1/filings/{filing.pk}/approve/",
        {"version": version(filing), "decision": {"inspection_result": "pass"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert AnnualInspection.objects.get(organization=world.org_a, year=2025).result == "pass"
