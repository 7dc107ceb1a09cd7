"""What may be attached to a filing: PDF, Office documents and images, up to a size limit.

The extension and the file's first bytes must agree, so a renamed executable is refused.
"""

import os
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
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
    return content_type


def clean_name(name):
    """A safe file name that keeps Chinese characters, as shown to users (``Attachment.name``,
    200 characters); the stored file's name is bounded in bytes by the storage."""
    name = unicodedata.normalize("NFC", os.path.basename(name or "file"))
    name = re.sub(r"[^\w.\-（）()\u4e00-\u9fff]+", "_", name).strip("._") or "file"
    if len(name) <= NAME_LENGTH:
        return name
    stem, ext = os.path.splitext(name)
    return stem[: NAME_LENGTH - len(ext)] + ext if len(ext) < 16 else name[:NAME_LENGTH]
