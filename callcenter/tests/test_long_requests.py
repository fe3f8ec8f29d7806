"""A URL or a header over 16 KB: daphne (twisted) used to close the connection
without an answer; the console answers 414 / 431 with the shared error shape."""

import json
import socket
from urllib.parse import urlsplit

import pytest

from callcenter.inputs import MAX_LINE_BYTES


def raw_request(base_url: str, request: bytes) -> tuple[str, bytes]:
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n")[0], body


@pytest.mark.parametrize("length", [MAX_LINE_BYTES + 1, 70_000])
def test_a_url_over_16_kb_is_a_414_with_the_shared_shape(live_server_url, length):
    status, body = raw_request(live_server_url, b"GET /api/calls/?q=" + b"a" * length + b" HTTP/1.1\r\nHost: x\r\n\r\n")

    assert status == "HTTP/1.1 414 URI Too Long"
    assert json.loads(body)["error"] == "uri_too_long"
    assert set(json.loads(body)) == {"error", "message", "fields"}


def test_a_header_over_16_kb_is_a_431(live_server_url):
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"b" * (MAX_LINE_BYTES + 10) + b"\r\n\r\n"

    status, body = raw_request(live_server_url, request)

    assert status == "HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(body)["error"] == "headers_too_large"


def test_a_long_url_under_the_limit_is_answered_as_usual(live_server_url):
    status, body = raw_request(
        live_server_url,
        b"GET /api/calls/?q=" + b"a" * 8000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )

    assert status == "HTTP/1.1 401 Unauthorized"
    assert json.loads(body)["error"] == "not_authenticated"
