"""Stored file names fit the file system's 255 bytes, whatever their script (portal.storage)."""

from django.core.files.storage import default_storage

from portal.storage import MAX_NAME_BYTES, bounded_name

LONG = "社会组织季度例会会议纪要" * 20 + ".docx"


def test_every_file_field_stores_a_name_bounded_in_bytes():
    name = default_storage.generate_filename(f"meetings/2026/{LONG}")
    stored = name.rsplit("/", 1)[-1]
    assert name.startswith("meetings/2026/")
    assert len(stored.encode()) <= MAX_NAME_BYTES
    assert stored.endswith(".docx")
    stored.encode().decode()  # whole characters


def test_a_short_name_is_kept_as_it_is():
    assert bounded_name("会议纪要.pdf") == "会议纪要.pdf"


def test_an_overlong_extension_is_cut_with_the_rest():
    assert len(bounded_name("a." + "b" * 300).encode()) <= MAX_NAME_BYTES
