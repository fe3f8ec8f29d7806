"""Open311 GeoReport v2 bodies in JSON and XML, as the spec shapes them.

XML: UTF-8 with the XML declaration, a root element per response
(`services`, `service_definition`, `service_requests`, `discovery`, `errors`),
one child element per item, and list fields as a container of singular
elements (`notes/note`, `endpoints/endpoint`, `formats/format`). An absent
value is `null` in JSON and an empty element in XML.

Whatever is stored, the XML is well-formed: a character XML 1.0 cannot carry
(a control character, U+FFFE, a lone surrogate) is written as U+FFFD, so one
citizen's text cannot break the public feed for everyone (input refuses those
characters too, `views._text_problems`; this is the writer's own guarantee).
"""

from __future__ import annotations

import json
import re
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


#: what XML 1.0 cannot carry (its `Char` production: tab, line feed, carriage
#: return, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF), and DEL and the C1
#: controls, which it allows but discourages (XML 1.1 restricts them)
_NOT_XML = re.compile("[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: what UTF-8 cannot encode (a JSON body is UTF-8)
_NOT_UTF8 = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def xml_text(value: Any) -> str:
    """`value` as XML character data: every character XML 1.0 forbids is U+FFFD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub(REPLACEMENT, str(value))


def _json_safe(value: Any) -> Any:
    if isinstance(value, str):
        return _NOT_UTF8.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {key: _json_safe(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_json_safe(child) for child in value]
    return value


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
        node.text = xml_text(value)
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
    body = json.dumps(_json_safe(data), ensure_ascii=False)
    return HttpResponse(body.encode("utf-8"), status=status, content_type="application/json; charset=utf-8")


def errors_for_path(path: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error format in the format the path asks for (JSON unless it ends in .xml)."""
    return errors("xml" if path.endswith(".xml") else "json", status, *descriptions)


def bad_request(request, fields: dict[str, list[str]]) -> HttpResponse:
    """Refused input (callcenter.inputs' middleware) in the spec's error format."""
    return errors_for_path(request.path, 400, *[f"{field}: {' '.join(texts)}" for field, texts in fields.items()])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error format: [{"code": 403, "description": "..."}] / <errors><error>..</error></errors>."""
    data = [{"code": status, "description": description} for description in descriptions]
    return respond(fmt, data, root="errors", item="error", status=status)
