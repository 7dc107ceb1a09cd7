import itertools

import factory

from duties.models import Division, DivisionKind
from orgs.credit_code import make_code
from orgs.models import ManagementMode, Organization, OrgStatus, OrgType

_seq = itertools.count(1)


def credit_code(type_digit="1"):
    return make_code(f"5{type_digit}310000MJ{next(_seq):07d}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"上海市测试社会组织{n:04d}")
    credit_code = factory.LazyFunction(credit_code)
    org_type = OrgType.INDUSTRY_ASSOCIATION
    management_mode = ManagementMode.DIRECT
    status = OrgStatus.ACTIVE


def division(admin, name, kind=DivisionKind.LIAISON):
    from duties.services import division_create

    return division_create(actor=admin, name=name, kind=kind)


__all__ = ["OrganizationFactory", "Division", "credit_code", "division"]
