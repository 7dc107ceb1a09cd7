"""What may be attached to a filing: PDF, Office documents and images, up to a size limit.

The extension and the file's first bytes must agree, so a renamed executable is refused; a PDF
must have a PDF's structure (objects and an end-of-file marker, no web page behind the header),
and an Office Open XML file must be a sound zip archive that does not expand beyond
``OFFICE_EXPANDED_MAX_MB`` (a "zip bomb" would fill the disk of whoever opens it).
"""

import os
import re
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt)
ZIP = b"PK\x03\x04"  # Office Open XML (docx, xlsx, pptx)
TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", (OLE,)),
    ".xls": ("application/vnd.ms-excel", (OLE,)),
    ".ppt": ("application/vnd.ms-powerpoint", (OLE,)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (ZIP,),
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (ZIP,),
    ),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


NAME_LENGTH = 200  # Attachment.name


def max_bytes():
    return getattr(settings, "FILING_ATTACHMENT_MAX_MB", 20) * 1024 * 1024


def validate(upload):
    """Return the content type of an acceptable upload; raise ValidationError otherwise."""
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in TYPES:
        raise ValidationError(
            _(
                "“%(name)s” cannot be attached: only PDF, Word, Excel, PowerPoint, JPEG and PNG "
                "files are accepted."
            )
            % {"name": upload.name},
            code="type",
        )
    if upload.size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size).1f MB; files may be at most %(limit)d MB.")
            % {"name": upload.name, "size": upload.size / 1048576, "limit": max_bytes() // 1048576},
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    content_type, signatures = TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            _("“%(name)s” is not really a %(ext)s file.") % {"name": upload.name, "ext": ext},
            code="content",
        )
    if ext == ".pdf":
        _check_pdf(upload)
    elif signatures == (ZIP,):
        _check_office_zip(upload)
    return content_type


# Markers of a web page, which a browser or a careless viewer would run as one.
MARKUP = re.compile(rb"<\s*(?:html|script|body|iframe|svg|!doctype)\b", re.IGNORECASE)
OFFICE_MAX_ENTRIES = 5000


def _not_really(upload, ext):
    return ValidationError(
        _("“%(name)s” is not really a %(ext)s file.") % {"name": upload.name, "ext": ext},
        code="content",
    )


def _check_pdf(upload):
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read()
    upload.seek(0)
    if (
        not re.match(rb"%PDF-\d\.\d", head)
        or b"%%EOF" not in tail
        or not re.search(rb"\d+\s+\d+\s+obj\b", head + tail)
        or MARKUP.search(head)
    ):
        raise _not_really(upload, ".pdf")


def _check_office_zip(upload):
    ext = os.path.splitext(upload.name or "")[1].lower()
    limit = settings.OFFICE_EXPANDED_MAX_MB * 1024 * 1024
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            expanded = sum(entry.file_size for entry in entries)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _not_really(upload, ext) from exc
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        raise _not_really(upload, ext)
    if len(entries) > OFFICE_MAX_ENTRIES or expanded > limit:
        raise ValidationError(
            _(
                "“%(name)s” would expand to more than %(limit)d MB when opened; save it again "
                "without embedded media or split it."
            )
            % {"name": upload.name, "limit": settings.OFFICE_EXPANDED_MAX_MB},
            code="expanded_size",
        )


def clean_name(name):
    """A safe file name that keeps Chinese characters, as shown to users (``Attachment.name``,
    200 characters); the stored file's name is bounded in bytes by the storage."""
    name = unicodedata.normalize("NFC", os.path.basename(name or "file"))
    name = re.sub(r"[^\w.\-（）()\u4e00-\u9fff]+", "_", name).strip("._") or "file"
    if len(name) <= NAME_LENGTH:
        return name
    stem, ext = os.path.splitext(name)
    return stem[: NAME_LENGTH - len(ext)] + ext if len(ext) < 16 else name[:NAME_LENGTH]


def upload_path(folder, filename):
    """Where an upload is stored: ``folder``, a time stamp and the cleaned name (the storage
    bounds the stored name in bytes; the full name stays in the record)."""
    return f"{folder}/{timezone.now():%Y%m%d%H%M%S}-{clean_name(filename)}"
