"""Every URL declares an access rule, and each role gets what the rule says.

A new URL without a rule, or without a row in MATRIX below, fails this module.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.rules import RULES, rule_of
from tests.conftest import ROLES

# Namespaces whose views keep their own access rules (the Django admin checks is_staff itself).
FOREIGN = {"admin"}


def walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns in FOREIGN:
                continue
            yield from walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield name, p.callback


def all_urls():
    return list(walk(get_resolver().url_patterns))


def test_every_url_declares_a_known_rule():
    missing = [name for name, cb in all_urls() if rule_of(cb) not in RULES]
    assert not missing, f"URLs without an access rule: {missing}"


# URL name -> (kwargs builder, {role: expected GET status}); roles not listed get `default`.
OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
STAFF = {
    "admin",
    "leader",
    "policy",
    "policy_head",
    "office",
    "personnel",
    "finance",
    "discipline",
    "liaison_a",
    "liaison_b",
}
ORG_USERS = {"org_a1", "org_b1"}


def everyone(status):
    return {role: status for role in ROLES}


def only(allowed, ok=OK, other=FORBIDDEN):
    return {role: (ok if role in allowed else other) for role in ROLES}


MATRIX = {
    "home": (lambda w: {}, everyone(OK)),
    "login": (lambda w: {}, everyone(REDIRECT)),  # authenticated users go home
    "logout": (lambda w: {}, everyone(NOT_ALLOWED)),  # POST only
    "set_language": (lambda w: {}, everyone(REDIRECT)),
    "user_list": (lambda w: {}, only({"admin"})),
    "user_create": (lambda w: {}, only({"admin"})),
    "user_detail": (lambda w: {"pk": w.policy.pk}, only({"admin"})),
    "orgs:list": (lambda w: {}, only(STAFF)),
    "orgs:create": (lambda w: {}, only({"admin", "policy", "policy_head"})),
    "orgs:mine": (lambda w: {}, only(ORG_USERS, ok=REDIRECT)),
    "orgs:detail": (
        lambda w: {"pk": w.org_a.pk},
        {**only(STAFF | {"org_a1"}), "liaison_b": NOT_FOUND, "org_b1": NOT_FOUND},
    ),
    "orgs:edit": (lambda w: {"pk": w.org_a.pk}, only({"admin", "policy", "policy_head"})),
    "orgs:contacts": (
        lambda w: {"pk": w.org_a.pk},
        {**only({"admin", "policy", "policy_head", "org_a1"}, other=NOT_FOUND)},
    ),
    "orgs:assign": (lambda w: {"pk": w.org_a.pk}, only({"admin"})),
    "orgs:user_create": (lambda w: {"pk": w.org_a.pk}, only({"admin"})),
    "duties:division_list": (lambda w: {}, only(STAFF)),
    "duties:division_create": (lambda w: {}, only({"admin"})),
    "duties:division_detail": (lambda w: {"pk": w.div_a.pk}, only(STAFF)),
    "duties:division_edit": (lambda w: {"pk": w.div_a.pk}, only({"admin"})),
    "duties:membership_add": (lambda w: {"pk": w.div_a.pk}, only({"admin"}, ok=NOT_ALLOWED)),
    "duties:membership_role": (
        lambda w: {"pk": w.liaison_a.division_memberships.get().pk},
        only({"admin"}, ok=NOT_ALLOWED),
    ),
    "duties:membership_remove": (
        lambda w: {"pk": w.liaison_a.division_memberships.get().pk},
        only({"admin"}, ok=NOT_ALLOWED),
    ),
}


def test_matrix_covers_every_url():
    names = {name for name, _cb in all_urls()}
    assert names - set(MATRIX) == set(), "add the new URLs to MATRIX"
    assert set(MATRIX) - names == set(), "MATRIX names URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, world, name):
    kwargs_of, _expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    response = client.get(url)
    if name in {"login", "set_language"}:
        assert response.status_code in (OK, REDIRECT)
    elif name == "logout":
        assert response.status_code == NOT_ALLOWED
    else:
        assert response.status_code == REDIRECT
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_rule_says(world, login, role):
    client = login(getattr(world, role))
    wrong = []
    for name, (kwargs_of, expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs_of(world))
        status = client.get(url).status_code
        if status != expected[role]:
            wrong.append(f"{name}: got {status}, expected {expected[role]}")
    assert not wrong, wrong
