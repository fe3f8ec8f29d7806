"""/reports/ and its exports, for supervisors and admins."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from callcenter import permissions
from callcenter.error_codes import ErrorCode
from callcenter.errors import error_body, json_response
from callcenter.replica import replica_reads
from callcenter.workdays import operating_day_starts
from inquiries.models import Call, Language
from inquiries.selectors import agent_list
from knowledgebase.selectors import category_list
from reports import exports, services
from reports.inputs import ReportQuerySerializer
from reports.selectors import Report, dimension_choices, report_build


def _chart(report: Report) -> dict:
    """What the page's chart draws (static/js/reports.js): calls per group and the service level."""
    return {
        "labels": [row["label"] for row in report.rows],
        "offered": [row["offered"] for row in report.rows],
        "answered": [row["answered"] for row in report.rows],
        "abandoned": [row["abandoned"] for row in report.rows],
        "logged": [row["logged"] for row in report.rows],
        "service_level": [
            None if row["service_level"] is None else round(row["service_level"] * 100, 1) for row in report.rows
        ],
    }


def _cell(name: str, value) -> str:
    if value is None:
        return "—"
    if name in exports.PERCENT:
        return f"{value * 100:.1f}%"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def _table_row(row: dict) -> dict:
    return {
        "key": row["key"],
        "label": row["label"],
        "cells": [_cell(name, row[name]) for name, _label in exports.columns()],
    }


@permissions.page_requires(permissions.can_oversee)
def report(request):
    """The report page: a range of operating days by one dimension, with filters,
    a table, a chart and the two downloads."""
    query = ReportQuerySerializer(data=request.GET)
    built = None
    if query.is_valid():
        with replica_reads():  # a report tolerates a replica's lag (callcenter/replica.py)
            built = report_build(query=query.report_query())
    values = request.GET.copy()
    if built is not None:
        values["from"], values["to"] = built.query.date_from.isoformat(), built.query.date_to.isoformat()
        values.setdefault("by", built.query.by)
    download = values.copy()
    return render(
        request,
        "reports/report.html",
        {
            "report": built,
            "table_rows": [_table_row(row) for row in built.rows] if built else [],
            "table_total": _table_row(built.total) if built else None,
            "errors": query.errors,
            "values": values,
            "query": download.urlencode(),
            "columns": exports.columns(),
            "filter_lines": exports.filter_lines(built) if built else [],
            "chart": _chart(built) if built else None,
            "dimensions": dimension_choices(),
            "agents": agent_list(),
            "categories": category_list(),
            "shifts": built.shifts if built else [],
            "channels": Call.Channel.choices,
            "languages": Language.choices,
            "resolutions": Call.Resolution.choices,
            "day_starts": operating_day_starts(),
            "names_a_person": built is not None and built.query.names_a_person,
        },
        status=400 if query.errors else 200,
    )


def _export(request, file_format: str) -> HttpResponse:
    query = ReportQuerySerializer(data=request.GET, require_range=True)
    if not query.is_valid():
        fields = {name: [str(message) for message in messages] for name, messages in query.errors.items()}
        return json_response(error_body(ErrorCode.INVALID, _("Some filters are not valid."), fields), status=400)
    with replica_reads():
        built = report_build(query=query.report_query())
    services.report_export_record(
        user=request.user, query=built.query, file_format=file_format, filters=request.GET.urlencode(), request=request
    )
    name = f"report-{built.query.date_from:%Y%m%d}-{built.query.date_to:%Y%m%d}-{built.query.by}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(exports.report_csv(built), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.report_xlsx(built),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@permissions.page_requires(permissions.can_oversee)
def report_export_csv(request):
    """GET /reports/export.csv?from=&to=&by=&...: the report's table, a row per group and the total."""
    return _export(request, "csv")


@permissions.page_requires(permissions.can_oversee)
def report_export_xlsx(request):
    """GET /reports/export.xlsx?from=&to=&by=&...: the same table, and a sheet naming the filters."""
    return _export(request, "xlsx")
