"""Excel files of the supervision pages, with the columns as the pages show them."""

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from orgs.models import InspectionResult

from .selectors import INSPECTION_STATUSES


def _sheet_text(value):
    """Text as a cell holds it: never a formula (a leading = + - @ is quoted)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def campaign_workbook(campaign, rows):
    """The organizations of an annual inspection campaign and where each stands."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(campaign.year))
    headers = [
        _("Organization"),
        _("Unified social credit code"),
        _("Type"),
        _("Liaison division"),
        _("Status"),
        _("Submitted"),
        _("Result"),
        _("Late"),
    ]
    sheet.append(headers)
    labels = dict(InspectionResult.choices)
    for org in rows.iterator(chunk_size=2000):
        sheet.append(
            [
                _sheet_text(org.name),
                _sheet_text(org.credit_code),
                _sheet_text(org.get_org_type_display()),
                _sheet_text(org.liaison_division or ""),
                str(INSPECTION_STATUSES[org.inspection_status]),
                formats.date_format(timezone.localtime(org.submitted_at), "Y-m-d H:i")
                if org.submitted_at
                else "",
                str(labels.get(org.result, "")) if org.result else "",
                _("Yes") if org.late else _("No"),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
