"""Two admins editing the same matter, division or user: the second save, made on the version
both saw, is refused with a message and changes nothing (the organization and filing forms
already did so)."""

import pytest
from django.urls import reverse

from duties.models import Division
from portal.models import User
from reports.models import MatterType

pytestmark = pytest.mark.django_db


def form_data(page):
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


@pytest.mark.parametrize(
    "url_name, obj, field, first, second",
    [
        (
            "reports:matter_edit",
            lambda w: MatterType.objects.get(code="major_matter"),
            "description",
            "第一位管理员的说明",
            "第二位管理员的说明",
        ),
        ("duties:division_edit", lambda w: w.div_a, "phone", "021-11111111", "021-22222222"),
        ("user_detail", lambda w: w.policy, "phone", "021-33333333", "021-44444444"),
    ],
)
def test_the_second_save_on_the_same_version_is_refused(
    world, login, url_name, obj, field, first, second
):
    target = obj(world)
    url = reverse(url_name, args=[target.pk])
    client = login(world.admin)
    seen = form_data(client.get(url))  # both admins open the form
    assert "version" in seen
    response = client.post(url, {**seen, field: first})
    assert response.status_code == 302, response.content.decode()[:800]
    response = client.post(url, {**seen, field: second})
    assert response.status_code == 200
    model = type(target)
    assert getattr(model.objects.get(pk=target.pk), field) == first
    assert "version" in response.content.decode() or response.context["form"].errors


def test_services_without_a_version_still_apply(world):
    from duties import services as duty_services
    from portal import services

    services.user_update(actor=world.admin, user=world.policy, phone="021-55555555")
    duty_services.division_update(actor=world.admin, division=world.div_a, phone="021-66666666")
    assert User.objects.get(pk=world.policy.pk).phone == "021-55555555"
    assert Division.objects.get(pk=world.div_a.pk).phone == "021-66666666"
