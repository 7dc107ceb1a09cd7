"""Files handed to a signed-in user: never kept by a shared cache or the browser's, never sniffed
into another type. Every download (pages and API) is answered through here."""

from django.http import FileResponse


def keep_private(response):
    """Mark ``response`` as for this user only: not stored by any cache."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def private_file(file, *, filename=None, content_type=None):
    """A download of ``file`` (opened for reading) as an attachment, kept private."""
    response = FileResponse(
        file, as_attachment=True, filename=filename or "", content_type=content_type
    )
    return keep_private(response)
