"""Every write to the registry. Each function runs in one transaction and takes the acting user."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from duties import access
from portal.clock import cancel_for_user_ids
from portal.models import User
from portal.services import (
    UNCHANGED,
    Unchanged,
    editable_fields,
    given,
    lock_versioned,
    save_with_history,
    user_create,
)

from . import credit_code
from .models import (
    AnnualInspection,
    InspectionResult,
    Organization,
    OrganizationUser,
    OrgStatus,
)


def _require(actor, action, org):
    if not access.can(actor, action, org):
        raise PermissionDenied


def _apply_credit_code(org, raw, *, actor, confirm_check_failure):
    """Set the code on ``org``; a failing check character needs staff confirmation. An
    organization in preparation may have none yet; one registered must."""
    if not (raw or "").strip():
        if org.status != OrgStatus.PREPARING:
            raise ValidationError(
                {
                    "credit_code": _(
                        "A registered organization needs its unified social credit code; only "
                        "one in preparation may be entered without it."
                    )
                }
            )
        org.credit_code = None
        org.credit_code_check_failed = False
        org.credit_code_confirmed_by = None
        return
    checked = credit_code.parse(raw)
    if checked.damaged:
        raise ValidationError({"credit_code": credit_code.confirmation_warning(checked)})
    if checked.needs_confirmation and not confirm_check_failure:
        raise ValidationError({"credit_code": credit_code.confirmation_warning(checked)})
    org.credit_code = checked.code
    org.credit_code_check_failed = not checked.check_ok
    org.credit_code_confirmed_by = actor if checked.needs_confirmation else None


def _save(org, *, actor, reason=None):
    try:
        with transaction.atomic():
            save_with_history(org, actor=actor, reason=reason)
    except IntegrityError as exc:
        # The unique indexes are the final word when two people register the same code at once.
        if Organization.objects.exclude(pk=org.pk).filter(credit_code=org.credit_code).exists():
            raise ValidationError(
                {"credit_code": _("An organization with this credit code is already registered.")}
            ) from exc
        if Organization.objects.exclude(pk=org.pk).filter(name=org.name).exists():
            raise ValidationError(
                {"name": _("An organization with this name is already registered.")}
            ) from exc
        raise


@transaction.atomic
def org_create(*, actor, credit_code_raw, confirm_check_failure=False, **fields):
    """Register an organization in the bureau's registry (admin or Policy division). ``fields``
    are the profile's, as ``org_update`` names them (``PROFILE_FIELDS``)."""
    if not access.is_registry_editor(actor):
        raise PermissionDenied
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    org = Organization(**fields)
    _apply_credit_code(
        org, credit_code_raw, actor=actor, confirm_check_failure=confirm_check_failure
    )
    org.full_clean(exclude=["credit_code", "liaison_division"], validate_unique=False)
    _save(org, actor=actor)
    return org


@transaction.atomic
def org_update(
    *,
    actor: User,
    org: Organization,
    expected_version: int,
    credit_code_raw: str | None = None,
    confirm_check_failure: bool = False,
    name: str | Unchanged = UNCHANGED,
    org_type: str | Unchanged = UNCHANGED,
    management_mode: str | Unchanged = UNCHANGED,
    status: str | Unchanged = UNCHANGED,
    status_changed_on: datetime.date | None | Unchanged = UNCHANGED,
    status_reason: str | Unchanged = UNCHANGED,
    registration_authority: str | Unchanged = UNCHANGED,
    registered_on: datetime.date | None | Unchanged = UNCHANGED,
    domicile: str | Unchanged = UNCHANGED,
    legal_representative: str | Unchanged = UNCHANGED,
    legal_rep_is_cadre: bool | Unchanged = UNCHANGED,
    leaders: str | Unchanged = UNCHANGED,
    business_scope: str | Unchanged = UNCHANGED,
    charter_approved_on: datetime.date | None | Unchanged = UNCHANGED,
    term_start: datetime.date | None | Unchanged = UNCHANGED,
    term_end: datetime.date | None | Unchanged = UNCHANGED,
    certificate_valid_until: datetime.date | None | Unchanged = UNCHANGED,
    grade: str | Unchanged = UNCHANGED,
    grade_valid_until: datetime.date | None | Unchanged = UNCHANGED,
    party_org_type: str | Unchanged = UNCHANGED,
    party_instructor: str | Unchanged = UNCHANGED,
    party_worker: str | Unchanged = UNCHANGED,
    work_areas: list[str] | Unchanged = UNCHANGED,
    contact_name: str | Unchanged = UNCHANGED,
    contact_phone: str | Unchanged = UNCHANGED,
    contact_email: str | Unchanged = UNCHANGED,
    secondary_contact_name: str | Unchanged = UNCHANGED,
    secondary_contact_phone: str | Unchanged = UNCHANGED,
    office_address: str | Unchanged = UNCHANGED,
    postal_code: str | Unchanged = UNCHANGED,
    website: str | Unchanged = UNCHANGED,
) -> Organization:
    """Change the profile (what is not given stays). Refused if someone else saved the
    organization since it was loaded."""
    fields = given(
        name=name,
        org_type=org_type,
        management_mode=management_mode,
        status=status,
        status_changed_on=status_changed_on,
        status_reason=status_reason,
        registration_authority=registration_authority,
        registered_on=registered_on,
        domicile=domicile,
        legal_representative=legal_representative,
        legal_rep_is_cadre=legal_rep_is_cadre,
        leaders=leaders,
        business_scope=business_scope,
        charter_approved_on=charter_approved_on,
        term_start=term_start,
        term_end=term_end,
        certificate_valid_until=certificate_valid_until,
        grade=grade,
        grade_valid_until=grade_valid_until,
        party_org_type=party_org_type,
        party_instructor=party_instructor,
        party_worker=party_worker,
        work_areas=work_areas,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        secondary_contact_name=secondary_contact_name,
        secondary_contact_phone=secondary_contact_phone,
        office_address=office_address,
        postal_code=postal_code,
        website=website,
    )
    _require(actor, access.EDIT, org)
    org = lock_versioned(Organization.objects.all(), pk=org.pk, expected_version=expected_version)
    for name, value in fields.items():
        setattr(org, name, value)
    if (
        credit_code_raw is not None
        and (credit_code.normalize(credit_code_raw) or None) != org.credit_code
    ) or (org.credit_code is None and org.status != OrgStatus.PREPARING):
        _apply_credit_code(
            org, credit_code_raw, actor=actor, confirm_check_failure=confirm_check_failure
        )
    org.full_clean(exclude=["credit_code", "liaison_division"], validate_unique=False)
    org.version += 1
    _save(org, actor=actor)
    _after_status(org)
    org.refresh_from_db()
    return org


def _after_status(org):
    if org.status in (OrgStatus.DEREGISTERED, OrgStatus.REVOKED):
        # An organization that has ended is reminded of nothing more.
        cancel_for_user_ids(list(org.users.values_list("user_id", flat=True)))


#: The registry fields a decided filing may write (``reports.effects``).
DECISION_FIELDS = frozenset(
    {
        "name",
        "domicile",
        "legal_representative",
        "leaders",
        "business_scope",
        "term_start",
        "term_end",
        "grade",
        "grade_valid_until",
        "status",
        "status_changed_on",
        "status_reason",
    }
)


@transaction.atomic
def org_apply_decision(*, actor: User, org: Organization, changes: dict, reason: str):
    """Write to the registry what a decided filing changes (``DECISION_FIELDS``), in the
    decision's transaction: the decision's service has checked the decider's right, and
    ``reason`` names the filing in the organization's history. Refused as a whole (a
    ValidationError naming the field) if the result would not be a valid record."""
    unknown = set(changes) - DECISION_FIELDS
    if unknown:
        raise ValueError(f"not fields a decision writes: {sorted(unknown)}")
    if not changes:
        return org
    org = lock_versioned(Organization.objects.all(), pk=org.pk, expected_version=None)
    for name, value in changes.items():
        setattr(org, name, value)
    org.full_clean(exclude=["credit_code", "liaison_division"], validate_unique=False)
    org.version += 1
    _save(org, actor=actor, reason=reason)
    _after_status(org)
    return org


@transaction.atomic
def inspection_record(*, actor: User, org: Organization, year: int, result: str, filing, on):
    """Record ``org``'s annual inspection result for ``year`` from the decision on ``filing``
    (a later decision for the same year corrects it; the history keeps both)."""
    if result not in InspectionResult.values:
        raise ValidationError({"inspection_result": _("Choose the result of the inspection.")})
    values = {"result": result, "filing": filing, "decided_on": on}
    reason = filing.title if filing else None
    rows = AnnualInspection.objects.select_for_update().filter(organization=org, year=year)
    record = rows.first()
    if record is None:
        try:
            with transaction.atomic():
                record = AnnualInspection(organization=org, year=year, **values)
                return save_with_history(record, actor=actor, reason=reason)
        except IntegrityError:  # another decision for the year was recorded meanwhile
            record = rows.get()
    for name, value in values.items():
        setattr(record, name, value)
    return save_with_history(record, actor=actor, reason=reason)


@transaction.atomic
def org_update_contacts(
    *,
    actor: User,
    org: Organization,
    expected_version: int,
    contact_name: str | Unchanged = UNCHANGED,
    contact_phone: str | Unchanged = UNCHANGED,
    contact_email: str | Unchanged = UNCHANGED,
    secondary_contact_name: str | Unchanged = UNCHANGED,
    secondary_contact_phone: str | Unchanged = UNCHANGED,
    office_address: str | Unchanged = UNCHANGED,
    postal_code: str | Unchanged = UNCHANGED,
    website: str | Unchanged = UNCHANGED,
) -> Organization:
    """Change the contact details: what an organization user may keep current themselves."""
    fields = given(
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        secondary_contact_name=secondary_contact_name,
        secondary_contact_phone=secondary_contact_phone,
        office_address=office_address,
        postal_code=postal_code,
        website=website,
    )
    _require(actor, access.EDIT_CONTACT, org)
    org = lock_versioned(Organization.objects.all(), pk=org.pk, expected_version=expected_version)
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean(exclude=["credit_code", "liaison_division"], validate_unique=False)
    org.version += 1
    _save(org, actor=actor, reason="contact_update")
    org.refresh_from_db()
    return org


#: The profile's fields, and the contact details an organization keeps itself: the parameters of
#: the services that change them. Forms and the API take their field lists from here.
PROFILE_FIELDS = editable_fields(org_update, besides=("actor", "org"))
CONTACT_FIELDS = editable_fields(org_update_contacts, besides=("actor", "org"))


@transaction.atomic
def org_user_create(
    *, actor, org, username, password, full_name="", email="", phone="", position=""
):
    """Create a login that acts for ``org`` (bureau admin only)."""
    _require(actor, access.MANAGE_USERS, org)
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        full_name=full_name,
        email=email,
        phone=phone,
    )
    link = OrganizationUser(user=user, organization=org, position=position)
    save_with_history(link, actor=actor)
    return user
