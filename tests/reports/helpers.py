"""Shared steps for the filings tests: heads for the divisions, and a filing driven through the
services the way the pages drive it (expected versions read from the database)."""

from django.core.files.base import ContentFile

from duties import services as duty_services
from duties.models import DivisionMembership
from orgs import services as org_services
from portal import services as portal_services
from reports import services
from reports.models import Filing, FilingEvent, MatterType, Opinion, OpinionState
from tests.conftest import PASSWORD
from tests.factories import OrganizationFactory, filing_fields

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def matter(code):
    return MatterType.objects.get(code=code)


def fresh(filing):
    return Filing.objects.get(pk=filing.pk)


def version(filing):
    return Filing.objects.values_list("version", flat=True).get(pk=filing.pk)


def new_user(world, username, **flags):
    return portal_services.user_create(
        actor=world.admin, username=username, password=PASSWORD, full_name=username, **flags
    )


def add_member(world, division, username, role="staff"):
    user = new_user(world, username)
    duty_services.membership_add(actor=world.admin, division=division, user=user, role=role)
    return user


def add_heads(world):
    """A head for each division that leads reviews (the shared world has only Policy's)."""
    world.head_a = add_member(world, world.div_a, "head-a", role="head")
    world.head_b = add_member(world, world.div_b, "head-b", role="head")
    world.office_head = add_member(world, world.office_div, "office-head", role="head")
    world.personnel_head = add_member(world, world.personnel_div, "personnel-head", role="head")
    world.finance_head = add_member(world, world.finance_div, "finance-head", role="head")
    world.discipline_head = add_member(world, world.discipline_div, "discipline-head", role="head")
    return world


def build_world():
    """The shared ``world`` fixture's world plus the heads, for code that runs outside fixtures
    (one world per hypothesis example)."""
    return add_heads(shared_world())


def shared_world():
    """Call the shared ``world`` fixture's function directly; its fixture arguments (the
    database, the seeded calendar) are already provided by the caller's test."""
    import inspect

    from tests.conftest import world as world_fixture

    build = world_fixture.__wrapped__
    return build(**dict.fromkeys(inspect.signature(build).parameters))


def new_org(world, name, liaison=None, username=None, **fields):
    """An organization (direct registration unless told), its liaison division and one user."""
    org = OrganizationFactory(name=name, **fields)
    if liaison is not None:
        duty_services.org_assign_liaison(
            actor=world.admin, org=org, division=liaison, reason="归口"
        )
        org.refresh_from_db()
    user = None
    if username:
        user = org_services.org_user_create(
            actor=world.admin, org=org, username=username, password=PASSWORD
        )
    return org, user


def member_of(division):
    """A fresh user object (no cached roles) who works in ``division``."""
    membership = (
        DivisionMembership.objects.filter(division=division)
        .select_related("user")
        .order_by("-role", "pk")  # staff before head
        .first()
    )
    return type(membership.user).objects.get(pk=membership.user_id)


def create(actor, org, code, title=None, restricted_reason="", **fields):
    """A draft of ``code``; whatever its schema requires and the caller does not give is filled
    in with valid values. Restricted when a reason is given."""
    return services.filing_create(
        actor=actor,
        organization=org,
        matter=matter(code),
        restricted=bool(restricted_reason),
        restricted_reason=restricted_reason,
        **filing_fields(matter(code), title=title or f"{code} of {org.name}", **fields),
    )


def attach(actor, filing, name="report.pdf", content=PDF, internal=False):
    return services.attachment_add(
        actor=actor, filing=filing, upload=ContentFile(content, name=name), internal=internal
    )


def submit(actor, filing, comment=""):
    return services.filing_submit(
        actor=actor, filing=filing, expected_version=version(filing), comment=comment
    )


def resubmit(actor, filing, comment=""):
    return services.filing_resubmit(
        actor=actor, filing=filing, expected_version=version(filing), comment=comment
    )


def withdraw(actor, filing, comment=""):
    return services.filing_withdraw(
        actor=actor, filing=filing, expected_version=version(filing), comment=comment
    )


def start_review(actor, filing, comment=""):
    return services.filing_start_review(
        actor=actor, filing=filing, expected_version=version(filing), comment=comment
    )


def return_(actor, filing, comment="请补充材料"):
    return services.filing_return(
        actor=actor, filing=filing, expected_version=version(filing), comment=comment
    )


def decide(actor, filing, positive=True, comment=""):
    return services.filing_decide(
        actor=actor,
        filing=filing,
        expected_version=version(filing),
        positive=positive,
        comment=comment,
    )


def opine(actor, filing, body="同意", stance="agree"):
    return services.opinion_give(actor=actor, filing=filing, stance=stance, body=body)


def give_all_opinions(filing, body="无意见"):
    for opinion in Opinion.objects.filter(filing=filing, state=OpinionState.PENDING):
        opine(member_of(opinion.division), filing, body=f"{body}（{opinion.division}）")


def submitted(world, actor, org, code, **fields):
    filing = create(actor, org, code, **fields)
    if filing.matter.form_kind == "annual_inspection":
        attach(actor, filing)
    return submit(actor, filing)


def in_review(world, actor, org, code, **fields):
    filing = submitted(world, actor, org, code, **fields)
    return start_review(member_of(filing.lead_division), filing)


def snapshot(filing):
    """Everything a refused action must leave alone."""
    f = fresh(filing)
    return {
        "state": f.state,
        "version": f.version,
        "lead_division": f.lead_division_id,
        "events": FilingEvent.objects.filter(filing=f).count(),
        "history": f.history.count(),
        "opinions": sorted(
            Opinion.objects.filter(filing=f).values_list("division_id", "state", "body")
        ),
        "decided_at": f.decided_at,
    }
