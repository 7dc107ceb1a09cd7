"""Error pages speak the user's language inside the portal's layout, with a way back; the API
keeps its JSON errors; the 500 page renders even when the database is what failed."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portal import views
from reports import services
from reports.models import MatterType
from tests.factories import filing_fields


@pytest.fixture
def filing_b(world):
    matter = MatterType.objects.get(code="major_matter")
    data = filing_fields(matter, title="行业峰会", details={"category": "major_activity"})
    return services.filing_create(
        actor=world.org_b1, organization=world.org_b, matter=matter, **data
    )


def test_out_of_scope_object_is_a_chinese_404_inside_the_layout(world, login, filing_b):
    client = login(world.org_a1)
    response = client.get(
        reverse("reports:detail", kwargs={"pk": filing_b.pk}),
        HTTP_REFERER="http://testserver/filings/",
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "页面不存在" in html
    assert 'id="mainnav"' in html and reverse("reports:mine") in html  # the navigation
    assert 'id="error-home"' in html
    assert 'href="http://testserver/filings/" id="error-back"' in html
    assert "Not Found" not in html


def test_error_page_follows_the_chosen_language(world, login):
    client = login(world.org_a1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_back_link_only_to_this_site(world, login):
    client = login(world.org_a1)
    response = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")
    assert 'id="error-back"' not in response.content.decode()


def test_403_in_the_layout(world, login):
    response = login(world.org_a1).get(reverse("user_list"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权打开此页面" in html and 'id="mainnav"' in html


def test_400_in_the_layout_even_for_a_foreign_host(world, login):
    response = login(world.org_a1).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求无法识别" in html and 'id="error-page"' in html


def test_csrf_failure_is_a_403_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.org_a1)
    response = client.post(reverse("inbox_read"))
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


def _break(monkeypatch):
    """The view and every context processor fail, as when the database is down."""

    def boom(*args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(views.home_page, "context", boom)
    monkeypatch.setattr("portal.context_processors.unread_count", boom)
    monkeypatch.setattr("duties.access.site_actions", boom)


def test_500_renders_without_context_processors(world, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(world.org_a1)
    _break(monkeypatch)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "系统暂时无法响应" in html
    assert "portal.css" in html and 'id="error-home"' in html
    assert "Server Error" not in html


def test_api_errors_stay_json(rf):
    response = Client().get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    response = views.server_error(rf.get("/api/v1/orgs/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
