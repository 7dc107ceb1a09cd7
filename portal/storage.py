"""Where uploaded files are stored: the file system, under names it can hold."""

import os

from django.core.files import storage

# File systems limit a name to 255 bytes, not characters: 79 Chinese characters and a time stamp
# exceed it. The stored name keeps well under, leaving room for the suffix that
# ``get_available_name`` adds when the name is taken; the name shown to users is kept apart
# (e.g. ``Attachment.name``).
MAX_NAME_BYTES = 180
MAX_EXTENSION_BYTES = 16


def bounded_name(name, limit=MAX_NAME_BYTES):
    """``name`` cut to at most ``limit`` bytes of UTF-8, keeping its extension and whole
    characters."""
    if len(name.encode()) <= limit:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext.encode()) > MAX_EXTENSION_BYTES:
        stem, ext = name, ""
    room = limit - len(ext.encode())
    return stem.encode()[:room].decode("utf-8", "ignore") + ext


class FileSystemStorage(storage.FileSystemStorage):
    """Django's file system storage, whose file names fit the file system whatever their
    script."""

    def get_valid_name(self, name):
        return bounded_name(super().get_valid_name(name))
