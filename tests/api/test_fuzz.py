"""Schemathesis against a live server, once per role, with the role's API token.

Every generated request must be answered without a server error, and every answer must match the
schema: its content type is the documented one and its body validates against the documented
response schema; separately, its status code must be documented.

Schemathesis' pytest loader for fixtures (``schemathesis.pytest.from_fixture``) does not run under
pytest 9 (it sets ``Function._nodeid``, which pytest 9 no longer has), so each operation's
strategy is driven here with Hypothesis directly. Each operation is fuzzed with positive and
negative data, and once more with the id of an object the role may see, so that the bodies reach
the services instead of stopping at a 404. Failures are collected (first of each kind per
operation), with the request as a curl command and the server's traceback for a 5xx.
"""

import datetime
import logging
import time
import traceback

import hypothesis
import pytest
import requests
import schemathesis
from django.core.files.base import ContentFile
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import ServerError, not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from duties import services as duty_services
from portal.notifications import notify
from reports import services
from reports.models import MatterType
from tests.conftest import PASSWORD

FUZZ_ROLES = ["admin", "liaison_a", "org_a1"]
# Seconds of fuzzing per role; examples past it are skipped, so the file stays well under 90 s.
BUDGET = 18.0
SETTINGS = hypothesis.settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# What the fuzzer found, per role: each test below asserts on one kind of failure, and the first
# of them to run for a role does the fuzzing (the others reuse its findings).
FINDINGS = {}
SERVER_ERROR = "server error"
UNDOCUMENTED_ERROR = "undocumented error status"
MISMATCH = "response does not match the schema"


class ServerErrors(logging.Handler):
    """Collects the tracebacks the live server logs for 5xx answers."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.records.append(text)


@pytest.fixture
def server_errors():
    handler = ServerErrors()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def known_ids(world):
    """Objects every fuzzed role may see, so that detail routes get past the 404."""
    major = MatterType.objects.get(code="major_matter")
    data = {"title": "行业峰会", "details": {"category": "major_activity"}}
    draft = services.filing_create(
        actor=world.org_a1, organization=world.org_a, matter=major, **data
    )
    filing = services.filing_create(
        actor=world.org_a1, organization=world.org_a, matter=major, **data
    )
    attachment = services.attachment_add(
        actor=world.org_a1, filing=filing, upload=ContentFile(b"%PDF-1.4 test", name="a.pdf")
    )
    filing = services.filing_submit(
        actor=world.org_a1, filing=filing, expected_version=filing.version
    )
    start = timezone.now() + datetime.timedelta(days=20)
    meeting = duty_services.meeting_schedule(
        actor=world.policy,
        kind="special",
        title="专题会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
        agenda="议程",
        organizations=[world.org_a],
    )
    notifications = {
        role: notify([getattr(world, role)], title="测试通知")[0].pk for role in FUZZ_ROLES
    }
    return {
        "organizations": world.org_a.pk,
        "divisions": world.div_a.pk,
        "matters": major.pk,
        "filings": filing.pk,
        "draft": draft.pk,
        "attachments": attachment.pk,
        "meetings": meeting.pk,
        "notifications": notifications,
    }


def _token(live_server, user):
    response = requests.post(
        f"{live_server.url}/api/v1/auth/token/",
        json={"username": user.username, "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


def _schema(live_server):
    config = schemathesis.Config()
    config.projects.default.update(base_url=live_server.url, request_timeout=20)
    config.projects.default.generation.update(with_security_parameters=False)
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/v1/schema/?format=json", config=config, timeout=20
    )
    # The token endpoints: revoking would log the fuzzer out, bad logins would lock it out.
    return schema.exclude(path_regex=r"^/api/v1/auth/token/")


def _known_id(operation, known, role):
    resource = operation.path.split("/")[3]
    if "{id}" not in operation.path or resource not in known:
        return None
    value = known[resource]
    return value[role] if isinstance(value, dict) else value


def _kind(failure):
    if isinstance(failure, ServerError):
        return SERVER_ERROR
    if isinstance(failure, UndefinedStatusCode) and failure.status_code >= 400:
        return UNDOCUMENTED_ERROR
    return MISMATCH


def _describe(case, failure, server_errors):
    lines = [
        f"{case.operation.label}: {type(failure).__name__}: {failure.title}",
        "  " + str(failure.message).strip().replace("\n", "\n  ")[:1500],
    ]
    try:
        lines.append("  request: " + case.as_curl_command())
    except Exception:  # pragma: no cover - only for the report
        lines.append(f"  request: {case!r}")
    if isinstance(failure, ServerError) and server_errors.records:
        lines.append("  server traceback:\n" + server_errors.records[-1][-3000:])
    return "\n".join(lines)


def fuzz(live_server, world, role, known, server_errors):
    """Run every operation's strategies; return {kind: [failure, ...]}, first one of each
    (operation, failure class, status code)."""
    token = _token(live_server, getattr(world, role))
    headers = {"Authorization": f"Token {token}"}
    session = requests.Session()  # keep-alive: one connection for the whole run
    schema = _schema(live_server)
    deadline = time.monotonic() + BUDGET
    found = {}
    calls = 0

    operations = [result.ok() for result in schema.get_all_operations()]
    for index, operation in enumerate(operations):
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        known_id = _known_id(operation, known, role)
        if known_id is not None:
            strategies.append(
                operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": known_id})
            )
        # Each operation gets an equal share of the time left, so none is starved on a slow day.
        now = time.monotonic()
        share = now + (deadline - now) / (len(operations) - index)
        for strategy in strategies:

            @SETTINGS
            @hypothesis.given(case=strategy)
            def run(case):
                nonlocal calls
                if time.monotonic() > share:
                    return
                server_errors.records.clear()
                calls += 1
                try:
                    case.call_and_validate(session=session, headers=headers, checks=CHECKS)
                except FailureGroup as group:
                    failures = group.exceptions
                except AssertionError as failure:  # a single schemathesis Failure
                    failures = [failure]
                else:
                    return
                for failure in failures:
                    key = (
                        operation.label,
                        type(failure).__name__,
                        getattr(failure, "status_code", None),
                    )
                    found.setdefault(key, (_kind(failure), _describe(case, failure, server_errors)))

            run()
    assert calls > 50, f"only {calls} requests were made: the time budget is too small"
    by_kind = {SERVER_ERROR: [], UNDOCUMENTED_ERROR: [], MISMATCH: []}
    for kind, text in found.values():
        by_kind[kind].append(text)
    return by_kind


@pytest.fixture(params=FUZZ_ROLES)
def role(request):
    return request.param


@pytest.fixture
def findings(request, role):
    """The fuzzer's findings for ``role``: the first test of a role fuzzes, with a live server
    and a transactional database; the others reuse its findings and need no database."""
    if role not in FINDINGS:
        request.node.add_marker(pytest.mark.django_db(transaction=True))
        request.getfixturevalue("transactional_db")
        FINDINGS[role] = fuzz(
            request.getfixturevalue("live_server"),
            request.getfixturevalue("world"),
            role,
            request.getfixturevalue("known_ids"),
            request.getfixturevalue("server_errors"),
        )
    return FINDINGS[role]


def _report(failures):
    return f"{len(failures)} finding(s):\n\n" + "\n\n".join(failures)


def test_no_server_errors(findings):
    assert not findings[SERVER_ERROR], _report(findings[SERVER_ERROR])


def test_responses_match_their_documented_schema(findings):
    """Content type and body as documented; a success status that is not documented counts too."""
    assert not findings[MISMATCH], _report(findings[MISMATCH])


def test_error_statuses_are_documented(findings):
    assert not findings[UNDOCUMENTED_ERROR], _report(findings[UNDOCUMENTED_ERROR])
