"""Files on filings: what is accepted, what is refused (with a message, nothing stored), and who
may download them."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from reports import services
from reports.models import Attachment, FilingEvent, FilingState
from tests.api.conftest import obtain_token

from .helpers import PDF, attach, create, fresh, start_review, submit


def office(part, content=b"<x/>", types=True):
    """An Office Open XML file: a zip archive with its content types and one part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, content)
    return buffer.getvalue()


DOCX = office("word/document.xml")
XLSX = office("xl/workbook.xml")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"

ACCEPTED = [
    ("方案.pdf", PDF, "application/pdf"),
    (
        "report.docx",
        DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("photo.png", PNG, "image/png"),
    ("photo.jpg", JPG, "image/jpeg"),
    ("PHOTO.JPEG", JPG, "image/jpeg"),
    ("old.doc", DOC, "application/msword"),
]
REFUSED = [
    ("setup.exe", EXE, "type"),
    ("setup.exe.pdf", EXE, "content"),  # an executable renamed to .pdf
    ("fake.pdf", b"<html><script>alert(1)</script></html>", "content"),
    ("fake.docx", PDF, "content"),
    ("fake.png", JPG, "content"),
    ("page.html", b"<html></html>", "type"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "type"),
    ("noext", PDF, "type"),
    ("empty.pdf", b"", "empty"),
    ("html.pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", "content"),
    ("page.pdf", b"%PDF-1.7\n<!DOCTYPE html><html></html>\n1 0 obj\nendobj\n%%EOF", "content"),
    ("header-only.pdf", b"%PDF-1.4\n% no objects, no end\n", "content"),
    ("truncated.docx", DOCX[:40], "content"),
    ("plain.docx", b"PK\x03\x04" + b"\x00" * 60, "content"),
    ("no-types.docx", office("word/document.xml", types=False), "content"),
]


def padded_pdf(size):
    """A PDF of ``size`` bytes, padded inside, before its trailer and end-of-file marker."""
    pad = b"%" + b"0" * (size - len(PDF) - 2) + b"\n"
    return PDF.replace(b"trailer", pad + b"trailer")


def stored_files(filing):
    """The files in the filing's folder. Rolled-back tests leave their files behind and reuse
    primary keys, so compare before and after rather than expecting an empty folder."""
    folder = Path(settings.MEDIA_ROOT) / "filings" / str(filing.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def draft(world):
    return create(world.org_a1, world.org_a, "major_matter", title="附件测试")


def test_accepted_types_are_stored_with_their_content_type(world, draft):
    on_disk = stored_files(draft)
    for name, content, content_type in ACCEPTED:
        attachment = attach(world.org_a1, draft, name=name, content=content)
        assert attachment.content_type == content_type, name
        assert attachment.size == len(content)
        assert attachment.name == name
        with attachment.file.open("rb") as fh:
            assert fh.read() == content, name
    assert draft.attachments.count() == len(ACCEPTED)
    assert FilingEvent.objects.filter(filing=draft, action="attach").count() == len(ACCEPTED)
    assert len(stored_files(draft)) == len(on_disk) + len(ACCEPTED)


def test_refused_files_leave_nothing_behind(world, draft):
    on_disk = stored_files(draft)
    for name, content, code in REFUSED:
        with pytest.raises(ValidationError) as exc:
            attach(world.org_a1, draft, name=name, content=content)
        assert exc.value.code == code, name
        assert name in exc.value.messages[0], exc.value.messages
    assert not Attachment.objects.filter(filing=draft).exists()
    assert not FilingEvent.objects.filter(filing=draft, kind="attachment").exists()
    assert stored_files(draft) == on_disk


@override_settings(FILING_ATTACHMENT_MAX_MB=1)
def test_a_file_over_the_limit_is_refused(world, draft):
    on_disk = stored_files(draft)
    big = padded_pdf(1024 * 1024 + 1)
    with pytest.raises(ValidationError) as exc:
        attach(world.org_a1, draft, name="big.pdf", content=big)
    assert exc.value.code == "size"
    assert "1 MB" in exc.value.messages[0]
    assert stored_files(draft) == on_disk
    just_right = padded_pdf(1024 * 1024)
    assert attach(world.org_a1, draft, name="ok.pdf", content=just_right).size == 1024 * 1024


def test_refusals_through_the_page(world, draft, login):
    on_disk = stored_files(draft)
    client = login(world.org_a1)
    url = reverse("reports:attach", kwargs={"pk": draft.pk})
    for name, content in [("setup.exe", EXE), ("fake.pdf", b"not a pdf at all")]:
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        response = client.post(url, {"file": upload}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("reports:detail", kwargs={"pk": draft.pk})
        shown = [str(m) for m in response.context["messages"]]
        assert len(shown) == 1 and name in shown[0], shown
    with override_settings(FILING_ATTACHMENT_MAX_MB=1):
        upload = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 10))
        response = client.post(url, {"file": upload}, follow=True)
        shown = [str(m) for m in response.context["messages"]]
        assert len(shown) == 1 and "big.pdf" in shown[0] and "1 MB" in shown[0], shown
    # An empty upload is stopped by the form already.
    response = client.post(url, {"file": SimpleUploadedFile("empty.pdf", b"")}, follow=True)
    assert len(list(response.context["messages"])) == 1
    assert not Attachment.objects.filter(filing=draft).exists()
    assert stored_files(draft) == on_disk
    # And an accepted one.
    client.post(url, {"file": SimpleUploadedFile("方案.pdf", PDF)})
    assert [a.name for a in draft.attachments.all()] == ["方案.pdf"]


def test_names_are_cleaned_and_stay_inside_the_media_folder(world, draft):
    attachment = attach(world.org_a1, draft, name="../../../static/活动 方案（定稿）.pdf")
    assert attachment.name == "活动_方案（定稿）.pdf"
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "filings" / str(draft.pk))


def test_files_live_under_media_root_not_static_root(world, draft, client, login):
    attachment = attach(world.org_a1, draft, name="secret.pdf")
    path = Path(attachment.file.path).resolve()
    assert path.is_file()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    for folder in settings.STATICFILES_DIRS:
        assert not path.is_relative_to(Path(folder).resolve())
    # Nothing serves the media folder directly.
    c = login(world.org_a1)
    for url in (
        "/" + attachment.file.name,
        "/media/" + attachment.file.name,
        settings.STATIC_URL + attachment.file.name,
        "/" + settings.STATIC_URL.lstrip("/") + attachment.file.name,
    ):
        assert c.get(url).status_code == 404, url


# --- downloads ---------------------------------------------------------------------------------


@pytest.fixture
def filed(world):
    """A submitted major matter of org A with the org's file and the reviewers' internal file."""
    filing = create(world.org_a1, world.org_a, "major_matter", title="下载测试")
    world.public = attach(world.org_a1, filing, name="活动方案.pdf")
    submit(world.org_a1, filing)
    start_review(world.liaison_a, filing)
    world.internal = attach(
        world.liaison_a, filing, name="审核意见.docx", content=DOCX, internal=True
    )
    world.filing = filing
    return world


def download(client, attachment):
    return client.get(reverse("reports:attachment", kwargs={"pk": attachment.pk}))


def body(response):
    # Exhausting the content lets the test client close the file (and keeps the database
    # connection: closing the response by hand would fire request_finished).
    return b"".join(response.streaming_content)


ALLOWED = ["org_a1", "liaison_a", "head_a", "office", "policy", "policy_head", "admin", "leader"]
OTHERS = ["org_b1", "liaison_b", "head_b", "personnel", "finance", "discipline"]


def test_download_for_allowed_users(filed, login):
    for user in ALLOWED:
        response = download(login(getattr(filed, user)), filed.public)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment"), user
        assert "filename" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert body(response) == PDF


def test_download_is_404_for_others(filed, login):
    for user in OTHERS:
        client = login(getattr(filed, user))
        assert download(client, filed.public).status_code == 404, user
        assert download(client, filed.internal).status_code == 404, user


def test_internal_files_are_for_bureau_staff_only(filed, login):
    assert download(login(filed.org_a1), filed.internal).status_code == 404
    response = download(login(filed.office), filed.internal)
    assert response.status_code == 200
    assert body(response) == DOCX


def test_anonymous_download_goes_to_login(filed, client):
    response = download(client, filed.public)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_removed_file_is_kept_but_no_longer_served(world, login):
    filing = create(world.org_a1, world.org_a, "major_matter")
    attachment = attach(world.org_a1, filing)
    client = login(world.org_a1)
    response = client.post(reverse("reports:attachment_remove", kwargs={"pk": attachment.pk}))
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    assert Path(attachment.file.path).is_file()
    assert download(client, attachment).status_code == 404
    assert FilingEvent.objects.filter(filing=filing, action="detach").exists()


def test_the_organization_cannot_add_or_remove_files_after_submission(filed, login):
    w = filed
    with pytest.raises(ValidationError):
        attach(w.org_a1, w.filing, name="late.pdf")
    with pytest.raises(ValidationError):
        services.attachment_remove(
            actor=w.org_a1, attachment=Attachment.objects.get(pk=w.public.pk)
        )
    assert w.filing.attachments.filter(removed_at__isnull=True).count() == 2
    response = login(w.org_a1).post(
        reverse("reports:attachment_remove", kwargs={"pk": w.public.pk}), follow=True
    )
    assert len(list(response.context["messages"])) == 1
    assert w.filing.attachments.filter(removed_at__isnull=True).count() == 2


def test_a_file_cannot_be_removed_once_the_filing_was_submitted_meanwhile(world):
    filing = create(world.org_a1, world.org_a, "annual_inspection")
    attach(world.org_a1, filing)
    loaded = Attachment.objects.select_related("filing").get(filing=filing)  # the remove page
    submit(world.org_a1, filing)  # meanwhile a colleague submits
    with pytest.raises(ValidationError):
        services.attachment_remove(actor=world.org_a1, attachment=loaded)
    assert filing.attachments.filter(removed_at__isnull=True).count() == 1


def test_annual_inspection_needs_a_file_to_be_submitted(world):
    filing = create(world.org_a1, world.org_a, "annual_inspection")
    with pytest.raises(ValidationError) as exc:
        submit(world.org_a1, filing)
    assert exc.value.code == "attachment"
    attachment = attach(world.org_a1, filing)
    services.attachment_remove(actor=world.org_a1, attachment=attachment)
    with pytest.raises(ValidationError):
        submit(world.org_a1, filing)  # a removed file does not count
    attach(world.org_a1, filing, name="年检报告.pdf")
    assert submit(world.org_a1, filing).state == FilingState.SUBMITTED
    assert fresh(filing).state == FilingState.SUBMITTED


def test_upload_without_a_name_extension_from_a_content_file(world, draft):
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=world.org_a1, filing=draft, upload=ContentFile(PDF, name="README")
        )


@pytest.mark.parametrize("length", [79, 120, 199])
def test_a_long_chinese_file_name_is_stored_within_the_file_systems_limit(world, client, length):
    """Chinese characters are three bytes each: 79 and a time stamp passed the 255 bytes a file
    system allows in one name, and the upload gave a 500."""
    draft = create(world.org_a1, world.org_a, "major_matter")
    name = "关于举办二〇二六年度绿化市容行业社会组织年会" * 10
    name = name[: length - 4] + ".pdf"
    client.force_login(world.org_a1)
    response = client.post(
        reverse("reports:attach", args=[draft.pk]),
        {"file": SimpleUploadedFile(name, PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302, response.content
    attachment = Attachment.objects.get(filing=draft)
    assert attachment.name == name  # shown as uploaded
    stored = Path(attachment.file.path)
    assert len(stored.name.encode()) <= 255
    assert stored.suffix == ".pdf"
    assert stored.read_bytes() == PDF


@override_settings(OFFICE_EXPANDED_MAX_MB=1)
def test_an_office_file_that_expands_beyond_the_limit_is_refused(world):
    draft = create(world.org_a1, world.org_a, "major_matter")
    bomb = office("word/document.xml", b"0" * (2 * 1024 * 1024))
    assert len(bomb) < 100 * 1024  # small on the wire
    with pytest.raises(ValidationError) as exc_info:
        attach(world.org_a1, draft, name="bomb.docx", content=bomb)
    assert exc_info.value.code == "expanded_size"
    assert not Attachment.objects.filter(filing=draft).exists()


def test_an_oversize_body_is_refused_before_it_is_read(world, client, settings, monkeypatch):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    draft = create(world.org_a1, world.org_a, "major_matter")
    client.force_login(world.org_a1)

    def never(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("django.http.request.HttpRequest._load_post_and_files", never)
    response = client.post(
        reverse("reports:attach", args=[draft.pk]),
        {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 4096)},
    )
    assert response.status_code == 413
    response = client.post("/api/v1/filings/", {"file": SimpleUploadedFile("big.pdf", b"0" * 4096)})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")


def test_downloads_are_kept_out_of_every_cache(world, client):
    draft = create(world.org_a1, world.org_a, "major_matter")
    attachment = attach(world.org_a1, draft)
    client.force_login(world.org_a1)
    page = client.get(reverse("reports:attachment", args=[attachment.pk]))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {obtain_token(APIClient(), 'org-a1')}")
    api_download = api.get(f"/api/v1/attachments/{attachment.pk}/download/")
    for response in (page, api_download):
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
