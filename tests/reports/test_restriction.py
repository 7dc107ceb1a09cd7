"""Restriction is a choice per filing, made with a reason by the organization (while it may edit
the filing) or by the lead division (until the decision); the matrix's opinion divisions still
apply to a filing that is not restricted."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports import services
from reports.models import OpinionState

from .helpers import create, fresh, start_review, submit, version

pytestmark = pytest.mark.django_db


def seminar(world, **kwargs):
    return create(world.org_a1, world.org_a, "seminar_foreign", title="境外交流", **kwargs)


def restrict(actor, filing, restricted=True, reason="涉外事项"):
    return services.filing_set_restricted(
        actor=actor,
        filing=filing,
        expected_version=version(filing),
        restricted=restricted,
        reason=reason,
    )


def asked(filing):
    return {o.division_id for o in fresh(filing).opinions.all() if o.state == OpinionState.PENDING}


def test_an_unrestricted_seminar_asks_the_liaison_division(world, login):
    filing = start_review(world.office, submit(world.org_a1, seminar(world)))
    assert asked(filing) == {world.div_a.pk}
    page = login(world.liaison_a).get(reverse("reports:detail", args=[filing.pk]))
    assert page.status_code == 200


def test_the_organization_restricts_its_draft_with_a_reason(world, login):
    draft = seminar(world)
    with pytest.raises(ValidationError) as exc:
        restrict(world.org_a1, draft, reason=" ")
    assert "restricted_reason" in exc.value.message_dict
    restrict(world.org_a1, draft)
    filing = start_review(world.office, submit(world.org_a1, draft))
    assert fresh(filing).restricted and asked(filing) == set()
    assert (
        login(world.liaison_a).get(reverse("reports:detail", args=[filing.pk])).status_code == 404
    )
    with pytest.raises(PermissionDenied):  # submitted: the lead division's choice now
        restrict(world.org_a1, filing, restricted=False)


def test_restricted_at_creation(world):
    filing = seminar(world, restricted_reason="涉及境外资金")
    assert (filing.restricted, filing.restricted_reason) == (True, "涉及境外资金")


def test_the_lead_division_restricts_and_lifts_during_the_review(world, login):
    filing = start_review(world.office, submit(world.org_a1, seminar(world)))
    restrict(world.office, filing)
    assert asked(filing) == set()  # the liaison division's opinion is no longer asked
    assert (
        login(world.liaison_a).get(reverse("reports:detail", args=[filing.pk])).status_code == 404
    )
    restrict(world.office, filing, restricted=False, reason="")
    assert asked(filing) == {world.div_a.pk}
    events = list(fresh(filing).events.values_list("action", flat=True))
    assert events.count("restrict") == 1 and events.count("unrestrict") == 1


def test_others_may_not_restrict(world):
    filing = start_review(world.office, submit(world.org_a1, seminar(world)))
    with pytest.raises(PermissionDenied):
        restrict(world.liaison_a, filing)
    with pytest.raises(ValidationError):  # nothing to change
        restrict(world.office, filing, restricted=False, reason="")


def test_the_page_restricts(world, login):
    draft = seminar(world)
    client = login(world.org_a1)
    assert client.get(reverse("reports:detail", args=[draft.pk])).context["restriction_form"]
    client.post(
        reverse("reports:restriction", args=[draft.pk]),
        {"version": version(draft), "restricted": "on", "reason": "涉外"},
    )
    assert fresh(draft).restricted
    response = client.post(
        reverse("reports:restriction", args=[draft.pk]), {"version": "x", "restricted": "on"}
    )
    assert response.status_code == 302 and fresh(draft).restricted


def test_the_api_restricts_with_the_version(world):
    from rest_framework.test import APIClient

    filing = start_review(world.office, submit(world.org_a1, seminar(world)))
    api = APIClient()
    api.force_authenticate(world.office)
    url = f"/api/v1/filings/{filing.pk}/restriction/"
    response = api.post(url, {"version": version(filing) - 1, "restricted": True, "reason": "x"})
    assert response.status_code == 400 and not fresh(filing).restricted
    response = api.post(url, {"version": version(filing), "restricted": True, "reason": "涉外"})
    assert response.status_code == 200 and response.json()["restricted"] is True
    api.force_authenticate(world.liaison_a)
    assert api.post(url, {"version": version(filing), "restricted": False}).status_code == 404
