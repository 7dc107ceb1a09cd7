"""Edits through the pages: history in the editor's name, stale versions, bad input, and the
fields an organization user may and may not touch."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from orgs import services as org_services
from orgs.credit_code import make_code
from orgs.models import Organization, OrgStatus

NEW_CODE = make_code("51310000MJ7654321")


def post_data(form):
    """What a browser submits for ``form`` as it was rendered (hidden version included)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    return data


def load_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return post_data(response.context["form"])


def snapshot(org):
    org = Organization.objects.get(pk=org.pk)
    return {f.attname: getattr(org, f.attname) for f in Organization._meta.concrete_fields}


def contacts_url(org):
    return reverse("orgs:contacts", kwargs={"pk": org.pk})


def edit_url(org):
    return reverse("orgs:edit", kwargs={"pk": org.pk})


def detail_url(org):
    return reverse("orgs:detail", kwargs={"pk": org.pk})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- contact details by the organization's own user ------------------------------------------


def test_org_user_edit_of_contacts_is_in_the_history(world, login):
    client = login(world.org_a1)
    org = world.org_a
    history_before = org.history.count()
    data = load_form(client, contacts_url(org))
    assert data["version"] == org.version
    data.update(
        contact_name="钱晓红",
        contact_phone="021-63218888",
        contact_email="office@shlh.org.cn",
        office_address="上海市徐汇区肇嘉浜路100号",
        postal_code="200030",
    )
    response = client.post(contacts_url(org), data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(org)

    org.refresh_from_db()
    assert org.contact_name == "钱晓红"
    assert org.contact_email == "office@shlh.org.cn"
    assert org.postal_code == "200030"
    assert org.version == data["version"] + 1
    assert org.history.count() == history_before + 1
    latest = org.history.order_by("-history_date", "-pk").first()
    assert latest.history_type == "~"
    assert latest.history_user == world.org_a1
    assert latest.history_change_reason
    assert latest.contact_name == "钱晓红"

    page = client.get(response["Location"])
    assert page.status_code == 200
    entry = page.context["history"][0]
    assert entry.who == world.org_a1
    changed = {str(c.label): c.new for c in entry.changes}
    assert "钱晓红" in changed.values()
    assert "200030" in changed.values()
    assert "version" not in changed
    html = page.content.decode()
    assert "<ins>钱晓红</ins>" in html
    assert world.org_a1.display_name in html
    assert messages_of(page) == ["联系方式已保存。"]
    assert "更新联系方式" in html  # the change reason


def test_edit_is_shown_to_bureau_staff_too(world, login):
    org = world.org_a
    org_services.org_update_contacts(
        actor=world.org_a1, org=org, expected_version=org.version, contact_phone="021-12345678"
    )
    page = login(world.liaison_a).get(detail_url(org))
    assert page.context["history"][0].who == world.org_a1
    assert "<ins>021-12345678</ins>" in page.content.decode()


def test_stale_version_is_refused_and_changes_nothing(world, login):
    org = world.org_a
    first = login(world.org_a1)
    second = Client()
    second.force_login(world.policy)
    data_first = load_form(first, contacts_url(org))
    data_second = load_form(second, contacts_url(org))
    assert data_first["version"] == data_second["version"]

    data_first["contact_name"] = "第一位"
    assert first.post(contacts_url(org), data_first).status_code == 302
    after_first = snapshot(org)

    data_second["contact_name"] = "第二位"
    data_second["contact_phone"] = "13900000000"
    response = second.post(contacts_url(org), data_second)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors
    assert any("其他人员已对其作出修改" in e for e in errors)
    assert "其他人员已对其作出修改" in response.content.decode()
    assert snapshot(org) == after_first
    assert Organization.objects.get(pk=org.pk).contact_name == "第一位"


def test_stale_profile_edit_is_refused(world, login):
    org = world.org_a
    first = login(world.admin)
    second = Client()
    second.force_login(world.policy)
    data_first = load_form(first, edit_url(org))
    data_second = load_form(second, edit_url(org))
    data_first["legal_representative"] = "王建华"
    assert first.post(edit_url(org), data_first).status_code == 302
    after_first = snapshot(org)
    data_second["legal_representative"] = "李志强"
    response = second.post(edit_url(org), data_second)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot(org) == after_first


def test_post_without_version_does_not_overwrite(world, login):
    org = world.org_a
    org_services.org_update_contacts(
        actor=world.policy, org=org, expected_version=org.version, contact_name="政策法规处填写"
    )
    after = snapshot(org)
    client = login(world.org_a1)
    data = {"contact_name": "旧页面提交", "contact_phone": "021-00000000"}
    response = client.post(contacts_url(org), data)
    assert response.status_code == 200
    assert response.context["form"].errors["version"]
    assert snapshot(org) == after
    for version in ["", "abc"]:
        response = client.post(contacts_url(org), {**data, "version": version})
        assert response.status_code == 200
        assert snapshot(org) == after


def test_bad_input_shows_a_message_and_changes_nothing(world, login):
    client = login(world.org_a1)
    org = world.org_a
    before = snapshot(org)
    history_before = org.history.count()
    form = load_form(client, contacts_url(org))
    for field, value in [
        ("contact_email", "not-an-email"),
        ("contact_email", "office@"),
        ("postal_code", "2000301"),
        ("website", "not a url"),
        ("contact_phone", "0" * 41),
    ]:
        data = {**form, "contact_name": "不应保存", field: value}
        response = client.post(contacts_url(org), data)
        assert response.status_code == 200, field
        errors = response.context["form"].errors[field]
        assert errors, field
        for error in errors:  # a postal code too long and not of digits: both said
            assert f'<div class="invalid-feedback d-block">{escape(error)}</div>' in (
                response.content.decode()
            )
    assert snapshot(org) == before
    assert org.history.count() == history_before


def test_org_user_cannot_change_identity_fields_through_contacts(world, login):
    client = login(world.org_a1)
    org = world.org_a
    before = snapshot(org)
    data = load_form(client, contacts_url(org))
    data.update(
        contact_name="新联系人",
        name="上海市被篡改的协会",
        credit_code=NEW_CODE,
        credit_code_input=NEW_CODE,
        status=OrgStatus.REVOKED,
        legal_representative="冒名者",
        legal_rep_is_cadre="on",
        liaison_division=world.div_b.pk,
        liaison_division_id=world.div_b.pk,
        credit_code_check_failed="on",
        grade="5A",
    )
    response = client.post(contacts_url(org), data)
    assert response.status_code == 302
    after = snapshot(org)
    assert after["contact_name"] == "新联系人"
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"contact_name", "version", "updated_at"}


def test_org_user_cannot_open_the_profile_editor(world, login):
    client = login(world.org_a1)
    org = world.org_a
    before = snapshot(org)
    data = load_form(login(world.policy), edit_url(org))
    data["name"] = "上海市被篡改的协会"
    client = login(world.org_a1)
    assert client.get(edit_url(org)).status_code == 403
    assert client.post(edit_url(org), data).status_code == 403
    assert snapshot(org) == before


def test_org_user_service_refuses_identity_fields(world):
    org = world.org_a
    before = snapshot(org)
    # The contact service has no parameter for the name: the call itself is refused.
    with pytest.raises(TypeError):
        org_services.org_update_contacts(
            actor=world.org_a1, org=org, expected_version=org.version, name="上海市被篡改的协会"
        )
    with pytest.raises(PermissionDenied):
        org_services.org_update(
            actor=world.org_a1, org=org, expected_version=org.version, name="上海市被篡改的协会"
        )
    assert snapshot(org) == before


# --- the profile editor and the credit code --------------------------------------------------


def test_policy_edit_with_wrong_check_character_then_confirmed(world, login):
    client = login(world.policy)
    org = world.org_a
    before = snapshot(org)
    history_before = org.history.count()
    wrong = NEW_CODE[:17] + ("1" if NEW_CODE[17] != "1" else "2")

    data = load_form(client, edit_url(org))
    data["credit_code_input"] = wrong.lower()
    response = client.post(edit_url(org), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["credit_code_input"]
    assert any(f"“{NEW_CODE[17]}”" in e for e in errors)
    assert any("校验码" in e for e in errors)
    assert snapshot(org) == before
    assert org.history.count() == history_before

    data["confirm_check_failure"] = "on"
    response = client.post(edit_url(org), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.credit_code == wrong
    assert org.credit_code_check_failed is True
    assert org.credit_code_confirmed_by == world.policy
    assert org.version == before["version"] + 1
    latest = org.history.order_by("-history_date", "-pk").first()
    assert latest.history_user == world.policy
    assert latest.credit_code == wrong

    page = client.get(detail_url(org)).content.decode()
    assert wrong in page
    assert "校验码不符" in page
    assert world.policy.display_name in page


def test_policy_edit_with_malformed_code_names_the_position(world, login):
    client = login(world.policy)
    org = world.org_a
    before = snapshot(org)
    data = load_form(client, edit_url(org))
    data["credit_code_input"] = NEW_CODE[:9] + "O" + NEW_CODE[10:]
    data["confirm_check_failure"] = "on"
    response = client.post(edit_url(org), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["credit_code_input"]
    assert any("第10位" in e for e in errors)
    assert snapshot(org) == before


def test_correcting_a_marked_code_clears_the_mark(world, login):
    client = login(world.policy)
    org = world.org_a
    wrong = NEW_CODE[:17] + ("1" if NEW_CODE[17] != "1" else "2")
    org_services.org_update(
        actor=world.policy,
        org=org,
        expected_version=org.version,
        credit_code_raw=wrong,
        confirm_check_failure=True,
    )
    data = load_form(client, edit_url(org))
    assert data["credit_code_input"] == wrong
    assert "confirm_check_failure" not in data
    # Saving other fields keeps the confirmed code and its mark.
    data["domicile"] = "上海市黄浦区南京西路1号"
    assert client.post(edit_url(org), data).status_code == 302
    org.refresh_from_db()
    assert org.credit_code == wrong
    assert org.credit_code_check_failed is True
    # Entering the right code clears it.
    data = load_form(client, edit_url(org))
    data["credit_code_input"] = NEW_CODE
    assert client.post(edit_url(org), data).status_code == 302
    org.refresh_from_db()
    assert org.credit_code == NEW_CODE
    assert org.credit_code_check_failed is False
    assert org.credit_code_confirmed_by is None


def test_profile_edit_cannot_take_another_organizations_code(world, login):
    client = login(world.admin)
    org = world.org_a
    before = snapshot(org)
    data = load_form(client, edit_url(org))
    data["credit_code_input"] = world.org_b.credit_code.lower()
    response = client.post(edit_url(org), data)
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code_input"]
    assert snapshot(org) == before
