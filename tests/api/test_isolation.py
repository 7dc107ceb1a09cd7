"""The isolation matrix, through the API with token authentication.

Out of a user's scope an object does not exist (404); in scope, an action the user's duties do
not give is refused (403). Organization users never receive what is internal to the bureau.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.models import Organization
from reports.models import Filing, FilingEvent

from .conftest import API, PDF, results, submitted_filing, version


def org_url(org, action=""):
    return f"{API}/organizations/{org.pk}/" + (f"{action}/" if action else "")


def filing_url(filing, action=""):
    return f"{API}/filings/{filing.pk}/" + (f"{action}/" if action else "")


def names(response):
    return [org["name"] for org in results(response)]


def snapshot(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


# --- organizations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, own, other", [("org_a1", "org_a", "org_b"), ("org_b1", "org_b", "org_a")]
)
def test_org_user_sees_only_its_own_organization(world, api, role, own, other):
    client = api(getattr(world, role))
    own, other = getattr(world, own), getattr(world, other)

    assert names(client.get(f"{API}/organizations/")) == [own.name]
    assert names(client.get(f"{API}/organizations/", {"q": other.name})) == []
    assert names(client.get(f"{API}/organizations/", {"q": other.credit_code})) == []
    assert client.get(org_url(own)).json()["name"] == own.name

    before = snapshot(other)
    response = client.get(org_url(other))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    response = client.patch(
        org_url(other), {"version": other.version, "contact_name": "冒名者"}, format="json"
    )
    assert response.status_code == 404
    assert snapshot(other) == before


@pytest.mark.parametrize(
    "role, own, other", [("liaison_a", "org_a", "org_b"), ("liaison_b", "org_b", "org_a")]
)
def test_liaison_sees_only_its_organizations(world, api, role, own, other):
    client = api(getattr(world, role))
    own, other = getattr(world, own), getattr(world, other)

    listed = names(client.get(f"{API}/organizations/"))
    assert own.name in listed and other.name not in listed
    assert names(client.get(f"{API}/organizations/", {"q": own.name})) == [own.name]
    assert names(client.get(f"{API}/organizations/", {"q": other.name})) == []
    assert names(client.get(f"{API}/organizations/", {"q": other.credit_code})) == []
    assert names(client.get(f"{API}/organizations/", {"q": "协会"})) == [own.name]
    assert client.get(org_url(own)).status_code == 200
    assert client.get(org_url(other)).status_code == 404


@pytest.mark.parametrize("role", ["admin", "leader", "policy", "office", "discipline"])
def test_whole_registry_roles_see_both_organizations(world, api, role):
    listed = names(api(getattr(world, role)).get(f"{API}/organizations/"))
    assert {world.org_a.name, world.org_b.name} <= set(listed)


def assign(client, org, division, reason="调整归口"):
    org = Organization.objects.get(pk=org.pk)
    return client.post(
        org_url(org, "assign"),
        {"division": division.pk, "reason": reason, "version": org.version},
        format="json",
    )


def test_reassignment_moves_visibility_both_ways(world, api):
    liaison_a, liaison_b = api(world.liaison_a), api(world.liaison_b)
    filing = submitted_filing(world, title="MAJOR-B 年会", org=world.org_b, actor=world.org_b1)
    assert liaison_a.get(org_url(world.org_b)).status_code == 404
    assert liaison_a.get(filing_url(filing)).status_code == 404

    response = assign(api(world.admin), world.org_b, world.div_a)
    assert response.status_code == 200, response.content
    assert response.json()["liaison_division"] == world.div_a.pk

    assert world.org_b.name in names(liaison_a.get(f"{API}/organizations/"))
    assert liaison_a.get(org_url(world.org_b)).status_code == 200
    assert names(liaison_a.get(f"{API}/organizations/", {"q": world.org_b.name})) == [
        world.org_b.name
    ]
    assert world.org_b.name not in names(liaison_b.get(f"{API}/organizations/"))
    assert liaison_b.get(org_url(world.org_b)).status_code == 404
    # Its open filing went along with it.
    assert liaison_a.get(filing_url(filing)).status_code == 200
    assert liaison_b.get(filing_url(filing)).status_code == 404

    response = assign(api(world.admin), world.org_b, world.div_b, reason="恢复归口")
    assert response.status_code == 200, response.content
    assert liaison_a.get(org_url(world.org_b)).status_code == 404
    assert world.org_b.name not in names(liaison_a.get(f"{API}/organizations/"))
    assert liaison_b.get(org_url(world.org_b)).status_code == 200
    assert liaison_b.get(filing_url(filing)).status_code == 200


@pytest.mark.parametrize(
    "role, org, status",
    [
        ("policy", "org_b", 403),
        ("leader", "org_b", 403),
        ("liaison_a", "org_a", 403),
        ("liaison_a", "org_b", 404),
        ("org_b1", "org_b", 403),
        ("org_a1", "org_b", 404),
    ],
)
def test_only_bureau_admins_assign(world, api, role, org, status):
    org = getattr(world, org)
    before = snapshot(org)
    response = assign(api(getattr(world, role)), org, world.div_a)
    assert response.status_code == status, response.content
    assert "detail" in response.json()
    assert snapshot(org) == before


# --- filings ---------------------------------------------------------------------------------

SECRET_COMMENT = "内部：材料存疑，建议核查资金来源"
SECRET_OPINION = "办公室会签：该活动规模需压缩"
PUBLIC_COMMENT = "请于本周内补充参会名单"


@pytest.fixture
def reviewed(world, api):
    """Org A's major matter report in review: an internal and a public comment by its liaison
    division, an internal file, and Office's opinion — all given through the API."""
    filing = submitted_filing(world, title="MAJOR-A 行业峰会")
    public_file = filing.attachments.get()
    liaison = api(world.liaison_a)

    response = liaison.post(
        filing_url(filing, "comment"), {"body": SECRET_COMMENT, "internal": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["internal"] is True
    response = liaison.post(filing_url(filing, "comment"), {"body": PUBLIC_COMMENT}, format="json")
    assert response.status_code == 201, response.content
    response = liaison.post(
        filing_url(filing, "attachments"),
        {"file": SimpleUploadedFile("核查记录.pdf", PDF, "application/pdf"), "internal": "true"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["internal"] is True
    internal_file = response.json()["id"]
    response = liaison.post(
        filing_url(filing, "start-review"), {"version": version(filing)}, format="json"
    )
    assert response.status_code == 200, response.content
    response = api(world.office).post(
        filing_url(filing, "opinion"), {"stance": "disagree", "body": SECRET_OPINION}, format="json"
    )
    assert response.status_code == 201, response.content
    filing.public_file, filing.internal_file = public_file.pk, internal_file
    return filing


def test_org_user_never_receives_internal_comments_or_opinions(world, api, reviewed):
    response = api(world.org_a1).get(filing_url(reviewed))
    assert response.status_code == 200
    data = response.json()
    raw = json.dumps(data, ensure_ascii=False)
    assert SECRET_COMMENT not in raw and SECRET_OPINION not in raw
    assert data["opinions"] == []
    assert all(event["internal"] is False for event in data["events"])
    assert PUBLIC_COMMENT in [event["body"] for event in data["events"]]
    assert [a["id"] for a in data["attachments"]] == [reviewed.public_file]
    assert FilingEvent.objects.filter(filing=reviewed, internal=True).count() >= 3

    # The bureau side sees all of it.
    staff = api(world.liaison_a).get(filing_url(reviewed)).json()
    assert SECRET_COMMENT in [event["body"] for event in staff["events"]]
    assert [o["body"] for o in staff["opinions"]] == [SECRET_OPINION]
    assert {a["id"] for a in staff["attachments"]} == {reviewed.public_file, reviewed.internal_file}


def test_org_user_cannot_fetch_internal_files(world, api, reviewed):
    org_user = api(world.org_a1)
    for url in (
        f"{API}/attachments/{reviewed.internal_file}/",
        f"{API}/attachments/{reviewed.internal_file}/download/",
    ):
        assert org_user.get(url).status_code == 404, url
    response = org_user.get(f"{API}/attachments/{reviewed.public_file}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF

    staff = api(world.liaison_a).get(f"{API}/attachments/{reviewed.internal_file}/download/")
    assert staff.status_code == 200
    assert b"".join(staff.streaming_content) == PDF
    other_org = api(world.org_b1)
    for pk in (reviewed.public_file, reviewed.internal_file):
        assert other_org.get(f"{API}/attachments/{pk}/download/").status_code == 404


def test_org_user_list_has_no_internal_fields(world, api, reviewed):
    rows = results(api(world.org_a1).get(f"{API}/filings/"))
    assert [row["id"] for row in rows] == [reviewed.pk]
    assert not {"events", "opinions"} & set(rows[0])


@pytest.fixture
def seminar(world):
    """A seminar / foreign exchange of org A that it restricted: Office leads it."""
    return submitted_filing(
        world,
        code="seminar_foreign",
        title="SEMINAR-A 境外交流",
        restricted_reason="涉外事项，限定知悉范围",
        kind="foreign_exchange",
    )


@pytest.mark.parametrize("role", ["policy", "policy_head", "liaison_a", "liaison_b", "org_b1"])
def test_restricted_filings_are_invisible_to_policy_and_liaison(world, api, seminar, role):
    client = api(getattr(world, role))
    assert client.get(filing_url(seminar)).status_code == 404
    assert seminar.pk not in [row["id"] for row in results(client.get(f"{API}/filings/"))]
    for attachment in seminar.attachments.all():
        assert client.get(f"{API}/attachments/{attachment.pk}/download/").status_code == 404


@pytest.mark.parametrize("role", ["office", "leader", "org_a1"])
def test_restricted_filings_are_visible_to_their_lead_and_author(world, api, seminar, role):
    client = api(getattr(world, role))
    assert client.get(filing_url(seminar)).json()["restricted"] is True
    assert seminar.pk in [row["id"] for row in results(client.get(f"{API}/filings/"))]


@pytest.mark.parametrize(
    "role, action, status",
    [
        # In scope, not allowed: 403.
        ("org_a1", "decide", 403),
        ("org_a1", "start-review", 403),
        ("org_a1", "return", 403),
        ("liaison_a", "decide", 403),  # staff of the lead division, not its head
        ("office", "start-review", 403),  # asked for an opinion, does not lead
        # Out of scope: 404.
        ("org_b1", "decide", 404),
        ("org_b1", "submit", 404),
        ("liaison_b", "start-review", 404),
        ("liaison_b", "decide", 404),
    ],
)
def test_not_allowed_is_403_and_out_of_scope_is_404(world, api, role, action, status):
    filing = submitted_filing(world)
    before = snapshot(filing)
    events = FilingEvent.objects.filter(filing=filing).count()
    body = {"version": filing.version, "positive": True, "comment": "同意"}
    response = api(getattr(world, role)).post(filing_url(filing, action), body, format="json")
    assert response.status_code == status, response.content
    assert set(response.json()) == {"detail"}
    assert snapshot(filing) == before
    assert FilingEvent.objects.filter(filing=filing).count() == events


@pytest.mark.parametrize("role", ["org_b1", "liaison_b"])
def test_out_of_scope_filing_cannot_be_read_or_commented(world, api, role):
    filing = submitted_filing(world)
    client = api(getattr(world, role))
    assert client.get(filing_url(filing)).status_code == 404
    assert filing.pk not in [row["id"] for row in results(client.get(f"{API}/filings/"))]
    response = client.post(filing_url(filing, "comment"), {"body": "路过"}, format="json")
    assert response.status_code == 404
    assert not FilingEvent.objects.filter(filing=filing, body="路过").exists()
    assert Filing.objects.get(pk=filing.pk).version == filing.version
