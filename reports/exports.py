"""A report as a file: CSV (UTF-8 with a BOM, so spreadsheets read Hangul) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from callcenter.spreadsheets import spreadsheet_text
from inquiries.models import Call, Language
from reports.selectors import Report, dimension_choices

PERCENT = ("service_level", "abandon_rate")


def columns() -> list[tuple[str, str]]:
    """The figures in order, with their headings (the page's table has the same)."""
    return [
        ("offered", _("Calls offered")),
        ("answered", _("Calls answered")),
        ("abandoned", _("Calls abandoned")),
        ("service_level", _("Service level")),
        ("asa_seconds", _("ASA (s)")),
        ("aht_seconds", _("AHT (s)")),
        ("abandon_rate", _("Abandon rate")),
        ("logged", _("Contacts logged")),
        ("satisfaction", _("Satisfaction (of 100)")),
        ("referrals", _("Referrals")),
        ("followups", _("Follow-ups")),
    ]


def _heading(report: Report) -> str:
    return str(dict(dimension_choices())[report.query.by])


def filter_lines(report: Report) -> list[tuple[str, str]]:
    """What the report covers, as label and value (the XLSX's second sheet, the page's caption)."""
    query = report.query
    lines = [
        (_("From (operating day)"), query.date_from.isoformat()),
        (_("To (operating day)"), query.date_to.isoformat()),
        (_("By"), _heading(report)),
    ]
    if query.category is not None:
        lines.append((_("Category"), str(query.category.name)))
    for name, label, choices in (
        ("channel", _("Channel"), Call.Channel),
        ("language", _("Language"), Language),
        ("resolution", _("Resolution"), Call.Resolution),
    ):
        value = getattr(query, name)
        if value:
            lines.append((label, str(dict(choices.choices).get(value, value))))
    if query.agent is not None:
        lines.append((_("Agent"), query.agent.get_full_name() or query.agent.get_username()))
    if query.shift is not None:
        lines.append((_("Shift"), str(query.shift.name)))
    lines.append((_("Generated"), timezone.localtime().strftime("%Y-%m-%d %H:%M")))
    return lines


def _csv_value(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name in PERCENT:
        return round(value * 100, 1)
    return value


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    heads = [name for name, _label in columns()]
    labels = [f"{label} (%)" if name in PERCENT else label for name, label in columns()]
    writer.writerow([_heading(report), *labels])
    for row in [*report.rows, report.total]:
        writer.writerow([spreadsheet_text(row["label"]), *(_csv_value(name, row[name]) for name in heads)])
    return "\ufeff" + out.getvalue()


def report_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Figures")[:31]
    sheet.append([_heading(report), *(label for _name, label in columns())])
    for row in [*report.rows, report.total]:
        sheet.append([spreadsheet_text(row["label"]), *(row[name] for name, _label in columns())])
    percent_columns = [i + 2 for i, (name, _label) in enumerate(columns()) if name in PERCENT]
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.column in percent_columns:
                cell.number_format = "0.0%"
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28
    about = workbook.create_sheet(_("Filters")[:31])
    for label, value in filter_lines(report):
        about.append([label, spreadsheet_text(value)])
    about.column_dimensions["A"].width = 24
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
