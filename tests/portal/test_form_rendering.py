"""How every form renders (``portal.forms.FieldRenderer``): a field is marked only when wrong."""

from django.urls import reverse

from tests.conftest import PASSWORD


def test_failed_login_marks_nothing_valid(world, client):
    response = client.post(reverse("login"), {"username": "org-a1", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-valid" not in html
    assert 'value="org-a1"' in html  # the username is kept
    assert "text-danger" in html or "alert" in html  # the refusal is said


def test_a_bound_form_marks_only_the_wrong_field(world, login):
    client = login(world.admin)
    response = client.post(
        reverse("user_create"), {"username": "", "full_name": "张三", "password": PASSWORD}
    )
    html = response.content.decode()
    assert "is-invalid" in html
    assert "is-valid" not in html.replace("is-invalid", "")


def test_the_form_is_markup_not_text(world, client):
    html = client.get(reverse("login")).content.decode()
    assert "&lt;" not in html
    assert '<input type="text" name="username"' in html
