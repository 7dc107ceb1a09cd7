"""What may be attached to a filing: PDF, Office documents and images, up to a size limit.

The extension and the file's first bytes must agree, so a renamed executable is refused.
"""

import os
import re
import unicodedata

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
    """A safe file name that keeps Chinese characters."""
    name = unicodedata.normalize("NFC", os.path.basename(name or "file"))
    name = re.sub(r"[^\w.\-（）()\u4e00-\u9fff]+", "_", name).strip("._") or "file"
    return name[-150:]


#: File systems limit a name in bytes (255 on ext4), not characters: a Chinese character takes 3.
STORED_NAME_BYTES = 120


def upload_path(folder, filename):
    """Where an upload is stored: ``folder``, a time stamp and the cleaned name, cut to
    ``STORED_NAME_BYTES`` bytes (keeping its extension). The full name stays in the record."""
    name = clean_name(filename)
    stem, ext = os.path.splitext(name)
    budget = STORED_NAME_BYTES - len(ext.encode())
    stem = stem.encode()[:budget].decode(errors="ignore") or "file"
    return f"{folder}/{timezone.now():%Y%m%d%H%M%S}-{stem}{ext}"
