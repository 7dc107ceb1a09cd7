"""A whole filing workflow through the API only, and the API's contract around it: versions,
errors (JSON, per field, Chinese by default), credit codes, contact-only edits, tokens, lockout."""

import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from duties import services as duty_services
from orgs.credit_code import make_code
from orgs.models import Organization
from portal import lockout
from portal import services as portal_services
from portal.services import StaleVersion
from reports.models import Filing, FilingEvent

from .conftest import (
    API,
    PASSWORD,
    major_matter_details,
    obtain_token,
    results,
    submitted_filing,
)


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def filing_url(pk, action=""):
    return f"{API}/filings/{pk}/" + (f"{action}/" if action else "")


def post(client, url, data, **extra):
    response = client.post(url, data, format="json", **extra)
    return response, response.json() if response.content else None


# --- the whole workflow ----------------------------------------------------------------------

RETURN_COMMENT = "请补充资金来源的证明材料。"
OPINION = "办公室：同意，注意安全保障。"
DECISION_COMMENT = "同意备案，请按计划举办。"


def test_major_matter_report_through_the_api(world, api):
    org, liaison, office = api(world.org_a1), api(world.liaison_a), api(world.office)
    head_a = portal_services.user_create(
        actor=world.admin, username="head-a", password=PASSWORD, full_name="绿化处处长"
    )
    duty_services.membership_add(actor=world.admin, division=world.div_a, user=head_a, role="head")
    head = api(head_a)

    # The organization files a draft and submits it.
    response, data = post(
        org,
        f"{API}/filings/",
        {"matter": "major_matter", "title": "2026年行业峰会", "details": major_matter_details()},
    )
    assert response.status_code == 201, data
    assert data["state"] == "draft" and data["organization"] == world.org_a.pk
    pk = data["id"]
    response, data = post(org, filing_url(pk, "submit"), {"version": data["version"]})
    assert response.status_code == 200, data
    assert data["state"] == "submitted" and data["lead_division"] == world.div_a.pk

    # Its liaison division returns it for revision.
    response, data = post(
        liaison, filing_url(pk, "return"), {"version": data["version"], "comment": RETURN_COMMENT}
    )
    assert response.status_code == 200, data
    assert data["state"] == "returned"

    # The organization edits and resubmits.
    response = org.patch(
        filing_url(pk),
        {
            "version": data["version"],
            "title": "2026年行业峰会（修订）",
            "details": {"funding_source": "会费及企业赞助", "participants": 250},
        },
        format="json",
    )
    data = response.json()
    assert response.status_code == 200, data
    assert data["title"] == "2026年行业峰会（修订）"
    assert data["details"]["funding_source"] == "会费及企业赞助"
    assert data["details"]["participants"] == 250
    assert data["details"]["location"] == "上海国际会议中心"  # untouched fields stay
    response, data = post(org, filing_url(pk, "resubmit"), {"version": data["version"]})
    assert response.status_code == 200, data
    assert data["state"] == "resubmitted"

    # The liaison division takes it into review; Office is asked for its opinion and gives it.
    response, data = post(liaison, filing_url(pk, "start-review"), {"version": data["version"]})
    assert response.status_code == 200, data
    assert data["state"] == "in_review"
    assert [(o["division"], o["state"]) for o in data["opinions"]] == [
        (world.office_div.pk, "pending")
    ]
    response, opinion = post(
        office, filing_url(pk, "opinion"), {"stance": "agree", "body": OPINION}
    )
    assert response.status_code == 201, opinion
    assert opinion["state"] == "given" and opinion["body"] == OPINION

    # The head of the liaison division decides, on the version it reads.
    seen = head.get(filing_url(pk)).json()
    assert [o["state"] for o in seen["opinions"]] == ["given"]
    response, data = post(
        head,
        filing_url(pk, "decide"),
        {"version": seen["version"], "positive": True, "comment": DECISION_COMMENT},
    )
    assert response.status_code == 200, data
    assert data["state"] == "acknowledged"

    # What the organization sees at the end.
    response = org.get(filing_url(pk))
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "acknowledged"
    assert data["decided_at"]
    assert data["opinions"] == []
    bodies = [event["body"] for event in data["events"] if event["body"]]
    assert RETURN_COMMENT in bodies and DECISION_COMMENT in bodies
    assert OPINION not in json.dumps(data, ensure_ascii=False)
    assert [e["action"] for e in data["events"]] == [
        "create",
        "submit",
        "return",
        "resubmit",
        "start_review",
        "decide",
    ]
    assert data["title"] == "2026年行业峰会（修订）"
    listed = results(org.get(f"{API}/filings/", {"state": "acknowledged"}))
    assert [(row["id"], row["state"]) for row in listed] == [(pk, "acknowledged")]


# --- versions --------------------------------------------------------------------------------


def _state(pk):
    filing = Filing.objects.get(pk=pk)
    return (
        filing.state,
        filing.version,
        filing.title,
        dict(filing.details),
        FilingEvent.objects.filter(filing=filing).count(),
    )


@pytest.mark.parametrize(
    "language, expected", [(None, "其他人员已对其作出修改"), ("en", "Someone else")]
)
def test_stale_version_is_refused_with_a_message_and_changes_nothing(
    world, api, language, expected
):
    filing = submitted_filing(world)
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    before = _state(filing.pk)
    response, data = post(
        api(world.liaison_a),
        filing_url(filing.pk, "start-review"),
        {"version": filing.version - 1},
        **headers,
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert data == {"non_field_errors": [data["non_field_errors"][0]]}
    assert expected in data["non_field_errors"][0]
    assert _state(filing.pk) == before


def test_stale_version_on_edit_changes_nothing(world, api):
    client = api(world.org_a1)
    response, data = post(
        client,
        f"{API}/filings/",
        {"matter": "major_matter", "title": "草稿", "details": major_matter_details()},
    )
    assert response.status_code == 201, data
    before = _state(data["id"])
    response = client.patch(
        filing_url(data["id"]),
        {"version": data["version"] + 1, "title": "不该保存"},
        format="json",
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        assert response.json() == {"non_field_errors": StaleVersion().messages}
    assert _state(data["id"]) == before


# --- errors: JSON, per field, in the user's language ----------------------------------------


@pytest.mark.parametrize(
    "language, required", [(None, "该字段是必填项。"), ("en", "This field is required.")]
)
def test_errors_are_json_per_field_in_chinese_by_default(world, api, language, required):
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    details = major_matter_details(participants=-5, event_end="2000-01-01")
    del details["location"]
    response, data = post(
        api(world.org_a1),
        f"{API}/filings/",
        {"matter": "major_matter", "title": "峰会", "details": details},
        **headers,
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(data) == {"location", "participants", "event_end"}
    assert all(isinstance(messages, list) and messages for messages in data.values())
    assert data["location"] == [required]
    for messages in data.values():
        assert has_chinese(" ".join(messages)) is (language is None), messages
    assert not Filing.objects.exists()


def test_details_of_the_wrong_type_are_a_field_error(world, api):
    details = major_matter_details(event_start=20260101)
    response, data = post(
        api(world.org_a1),
        f"{API}/filings/",
        {"matter": "major_matter", "title": "峰会", "details": details},
    )
    assert response.status_code == 400
    assert set(data) == {"event_start"}


# Messages the API itself raises (not Django's or DRF's): (role, how, body, field, English text).
API_OWN_MESSAGES = {
    "patch without version (reports/api.py)": (
        "org_a1",
        "patch_filing",
        {"title": "无版本"},
        "version",
        "Give the version you saw.",
    ),
    "staff file without naming the organization (reports/api.py)": (
        "admin",
        "create_filing",
        {"matter": "cadre_post", "title": "兼职报批"},
        "organization",
        "Name the organization.",
    ),
    "org user changes the name (orgs/api.py)": (
        "org_a1",
        "patch_org",
        {"name": "改名"},
        "detail",
        "You may change only the contact details:",
    ),
    "token without username (portal/api.py)": (
        None,
        "token",
        {"password": "x"},
        "username",
        "This field is required.",
    ),
    "locked out (portal/lockout.py)": (
        None,
        "locked",
        {"username": "org-a1", "password": PASSWORD},
        "non_field_errors",
        "Too many failed logins for this user.",
    ),
    "wrong password (portal/api.py)": (
        None,
        "token",
        {"username": "org-a1", "password": "wrong"},
        "non_field_errors",
        "Please enter a correct username and password.",
    ),
}


@pytest.mark.parametrize("language", [None, "en"])
@pytest.mark.parametrize("case", sorted(API_OWN_MESSAGES))
def test_the_apis_own_messages_are_chinese_by_default(world, api, case, language):
    role, kind, body, field, english = API_OWN_MESSAGES[case]
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    client = api(getattr(world, role) if role else None)
    if kind == "patch_filing":
        response, _data = post(
            client,
            f"{API}/filings/",
            {"matter": "major_matter", "title": "草稿", "details": major_matter_details()},
        )
        response = client.patch(filing_url(response.json()["id"]), body, format="json", **headers)
    elif kind == "patch_org":
        response = client.patch(
            f"{API}/organizations/{world.org_a.pk}/",
            {"version": world.org_a.version, **body},
            format="json",
            **headers,
        )
    elif kind == "create_filing":
        response = client.post(f"{API}/filings/", body, format="json", **headers)
    else:
        if kind == "locked":
            for _ in range(settings.LOGIN_FAILURE_LIMIT):
                lockout.reserve(body["username"], "127.0.0.1")
        response = client.post(f"{API}/auth/token/", body, format="json", **headers)
    assert 400 <= response.status_code < 500, response.content
    message = response.json()[field]
    message = message[0] if isinstance(message, list) else message
    if language == "en":
        assert message.startswith(english), message
    else:
        assert has_chinese(message), f"{message!r} is not translated (locale/zh_Hans)"


# --- credit codes ----------------------------------------------------------------------------

CODE = make_code("53310000MA1234567")  # a foundation, valid check character
BAD_CHECK = CODE[:17] + ("1" if CODE[17] != "1" else "2")


def org_payload(**fields):
    return {
        "name": "上海市测试基金会",
        "org_type": "foundation",
        "management_mode": "direct",
        **fields,
    }


@pytest.mark.parametrize(
    "raw",
    [
        "53310000MA123456",  # 16 characters
        "53310000MA12345O7",  # the letter O, and 17 characters
        "53310000MA123456I7",  # the letter I
        "5.3310000E+17",  # a spreadsheet's rendering
        "56310000MA1234567X",  # 5 then 6: no such civil affairs type
        "",
    ],
)
def test_malformed_credit_code_is_refused_with_a_field_message(world, api, raw):
    response, data = post(api(world.admin), f"{API}/organizations/", org_payload(credit_code=raw))
    assert response.status_code == 400, data
    assert set(data) == {"credit_code"}
    assert data["credit_code"] and all(has_chinese(m) for m in data["credit_code"])
    assert not Organization.objects.filter(name="上海市测试基金会").exists()


def test_credit_code_case_and_spaces_are_normalized(world, api):
    raw = f"  {CODE[:9].lower()}\u3000{CODE[9:].lower()} "
    response, data = post(api(world.admin), f"{API}/organizations/", org_payload(credit_code=raw))
    assert response.status_code == 201, data
    assert data["credit_code"] == CODE
    assert data["credit_code_check_failed"] is False
    assert Organization.objects.get(pk=data["id"]).credit_code == CODE


def test_failing_check_character_needs_confirmation(world, api):
    client = api(world.admin)
    response, data = post(client, f"{API}/organizations/", org_payload(credit_code=BAD_CHECK))
    assert response.status_code == 400, data
    assert set(data) == {"credit_code"}
    assert CODE[17] in data["credit_code"][0]  # it names the expected check character
    assert not Organization.objects.filter(credit_code=BAD_CHECK).exists()

    response, data = post(
        client,
        f"{API}/organizations/",
        org_payload(credit_code=BAD_CHECK.lower(), confirm_check_failure=True),
    )
    assert response.status_code == 201, data
    assert data["credit_code"] == BAD_CHECK
    assert data["credit_code_check_failed"] is True
    assert "confirm_check_failure" not in data
    assert Organization.objects.get(pk=data["id"]).credit_code_confirmed_by == world.admin


def test_duplicate_credit_code_is_a_field_error(world, api):
    response, data = post(
        api(world.admin),
        f"{API}/organizations/",
        org_payload(credit_code=world.org_a.credit_code.lower()),
    )
    assert response.status_code == 400, data
    assert set(data) == {"credit_code"}


def test_credit_code_on_update_is_validated_like_the_pages(world, api):
    client = api(world.policy)
    url = f"{API}/organizations/{world.org_a.pk}/"
    original = world.org_a.credit_code

    def patch(**fields):
        org = Organization.objects.get(pk=world.org_a.pk)
        response = client.patch(url, {"version": org.version, **fields}, format="json")
        return response, response.json()

    response, data = patch(credit_code="5131ABC")
    assert response.status_code == 400 and set(data) == {"credit_code"}
    response, data = patch(credit_code=BAD_CHECK)
    assert response.status_code == 400 and set(data) == {"credit_code"}
    assert Organization.objects.get(pk=world.org_a.pk).credit_code == original

    response, data = patch(credit_code=f" {CODE.lower()} ")
    assert response.status_code == 200, data
    assert data["credit_code"] == CODE and data["credit_code_check_failed"] is False

    response, data = patch(credit_code=BAD_CHECK, confirm_check_failure=True)
    assert response.status_code == 200, data
    assert data["credit_code"] == BAD_CHECK and data["credit_code_check_failed"] is True


# --- organization users: contact details only -----------------------------------------------


def test_org_user_patches_only_contact_fields_of_its_own_org(world, api):
    client = api(world.org_a1)
    url = f"{API}/organizations/{world.org_a.pk}/"

    def current():
        return Organization.objects.get(pk=world.org_a.pk)

    response = client.patch(
        url,
        {"version": current().version, "contact_name": "李四", "contact_phone": "021-12345678"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (current().contact_name, current().contact_phone) == ("李四", "021-12345678")

    for identity in (
        {"name": "上海市改名协会"},
        {"credit_code": make_code("51310000MA7654321")},
        {"status": "deregistered"},
        {"org_type": "foundation"},
        {"contact_name": "王五", "legal_representative": "王五"},
    ):
        before = current()
        response = client.patch(url, {"version": before.version, **identity}, format="json")
        assert response.status_code == 403, (identity, response.content)
        after = current()
        assert (after.version, after.name, after.credit_code, after.status) == (
            before.version,
            before.name,
            before.credit_code,
            before.status,
        )
        assert after.contact_name == "李四"

    other = f"{API}/organizations/{world.org_b.pk}/"
    response = client.patch(
        other, {"version": world.org_b.version, "contact_name": "冒名"}, format="json"
    )
    assert response.status_code == 404
    response = client.post(f"{API}/organizations/", org_payload(credit_code=CODE), format="json")
    assert response.status_code == 403


# --- tokens ----------------------------------------------------------------------------------


def test_token_lifecycle(world, api):
    anonymous = api(None)
    response, data = post(
        anonymous, f"{API}/auth/token/", {"username": "liaison-a", "password": PASSWORD}
    )
    assert response.status_code == 200, data
    assert set(data) == {"token", "expires_at"}
    token = data["token"]
    assert obtain_token(anonymous, "liaison-a") != token  # one token per client

    assert anonymous.get(f"{API}/organizations/").status_code == 401
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = anonymous.get(f"{API}/organizations/")
    assert response.status_code == 200
    assert [o["name"] for o in response.json()["results"]] == [world.org_a.name]

    assert anonymous.delete(f"{API}/auth/token/revoke/").status_code == 204
    response = anonymous.get(f"{API}/organizations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert anonymous.delete(f"{API}/auth/token/revoke/").status_code == 401

    anonymous.credentials()
    assert obtain_token(anonymous, "liaison-a") != token


@pytest.mark.parametrize(
    "body",
    [
        {"username": "liaison-a", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "liaison-a"},
        {"username": ["liaison-a"], "password": PASSWORD},
        {},
    ],
)
def test_token_is_refused_without_the_right_credentials(world, api, body):
    response = api(None).post(f"{API}/auth/token/", body, format="json")
    assert response.status_code in (400, 401, 403), response.content
    assert "token" not in response.json()


@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
def test_token_username_with_a_nul_character_is_refused(world, api):
    response = api(None).post(
        f"{API}/auth/token/", {"username": "org-a1\x00", "password": PASSWORD}, format="json"
    )
    assert 400 <= response.status_code < 500


# --- lockout shared by the login page and the API ------------------------------------------


def _locked_message(username):
    with translation.override(settings.LANGUAGE_CODE):
        try:
            lockout.reserve(username, "127.0.0.1")
        except ValidationError as exc:
            return exc.messages[0]
    raise AssertionError(f"{username} is not locked")


def _api_login(client, password):
    return client.post(
        f"{API}/auth/token/", {"username": "org-a1", "password": password}, format="json"
    )


def _page_login(client, password):
    return client.post(reverse("login"), {"username": "org-a1", "password": password})


def test_failed_api_logins_lock_the_login_page(world, api, client):
    anonymous = api(None)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _api_login(anonymous, "wrong").status_code != 200
    response = _page_login(client, PASSWORD)
    assert response.status_code == 200  # the form again, not the redirect home
    assert "_auth_user_id" not in client.session
    assert escape(_locked_message("org-a1")) in response.content.decode()


def test_failed_page_logins_lock_the_api(world, api, client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert _page_login(client, "wrong").status_code == 200
    response = _api_login(api(None), PASSWORD)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [_locked_message("org-a1")]}


def test_api_and_page_failures_add_up(world, api, client):
    anonymous = api(None)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _api_login(anonymous, "wrong")
    assert lockout.failures("org-a1", "127.0.0.1") == settings.LOGIN_FAILURE_LIMIT - 1
    _page_login(client, "wrong")
    response = _api_login(anonymous, PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()


def test_a_correct_login_before_the_limit_resets_the_count(world, api, client):
    anonymous = api(None)
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _api_login(anonymous, "wrong")
    assert _api_login(anonymous, PASSWORD).status_code == 200
    assert lockout.failures("org-a1", "127.0.0.1") == 0
    assert _page_login(client, PASSWORD).status_code == 302


# --- documented status codes (deterministic) -----------------------------------------------


def test_comment_and_opinion_answer_a_documented_status(world, api, client):
    client.force_login(world.admin)  # the schema is for bureau staff
    schema = client.get(f"{API}/schema/", {"format": "json"}).json()
    filing = submitted_filing(world)
    liaison = api(world.liaison_a)
    response, _data = post(
        liaison, filing_url(filing.pk, "start-review"), {"version": filing.version}
    )
    assert response.status_code == 200
    comment, _ = post(liaison, filing_url(filing.pk, "comment"), {"body": "请补充"})
    opinion, _ = post(
        api(world.office), filing_url(filing.pk, "opinion"), {"stance": "agree", "body": "同意"}
    )
    for path, response in [
        ("/api/v1/filings/{id}/comment/", comment),
        ("/api/v1/filings/{id}/opinion/", opinion),
    ]:
        assert response.status_code < 300
        documented = schema["paths"][path]["post"]["responses"]
        assert str(response.status_code) in documented, (path, response.status_code, documented)
