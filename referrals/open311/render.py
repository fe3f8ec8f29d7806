"""Open311 GeoReport v2 bodies in JSON and XML, as the spec shapes them.

XML: UTF-8 with the XML declaration, a root element per response
(`services`, `service_definition`, `service_requests`, `discovery`, `errors`),
one child element per item, and list fields as a container of singular
elements (`notes/note`, `endpoints/endpoint`, `formats/format`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
SINGULAR = {
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the zone, in Seoul time (the spec requires the offset)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            node.append(_element(key, child))
    elif isinstance(value, list):
        singular = SINGULAR.get(tag, "item")
        for child in value:
            node.append(_element(singular, child))
    else:
        node.text = _text(value)
    return node


def xml_body(root: str, item: str | None, data: Any) -> bytes:
    """`data` is a list rendered as <root><item>..</item>..</root>, or a dict
    rendered as <root>fields</root> when `item` is None."""
    node = ET.Element(root)
    if item is None:
        for key, value in data.items():
            node.append(_element(key, value))
    else:
        for entry in data:
            node.append(_element(item, entry))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(node, encoding="unicode").encode("utf-8")


def respond(fmt: str, data: Any, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(xml_body(root, item, data), status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body.encode("utf-8"), status=status, content_type="application/json; charset=utf-8")


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error format: [{"code": 403, "description": "..."}] / <errors><error>..</error></errors>."""
    data = [{"code": status, "description": description} for description in descriptions]
    return respond(fmt, data, root="errors", item="error", status=status)
