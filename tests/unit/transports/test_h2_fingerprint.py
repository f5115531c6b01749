"""The HTTP/2 fingerprint probe (cookie_session.testing.standin.h2_fingerprint) and the web path's HTTP/2 handshake."""

from __future__ import annotations

import socket
import ssl

import pytest
import requests

from cookie_session.testing.standin.h2_fingerprint import H2Probe, pseudo_header_order
from cookie_session.transports.grok.tls import mount_browser_tls


@pytest.mark.parametrize(
    "block, order",
    [
        (b"\x83\x41\x03abc\x87\x84", "m,a,s,p"),  # POST, :authority literal (indexed name), https, /
        (b"\x82\x04\x05/rest\x01\x03abc\x87", "m,p,a,s"),  # literal without indexing (4-bit prefix)
        (b"\x3f\xe1\x1f\x82\x87\x84\x41\x03abc", "m,s,p,a"),  # a table size update first is skipped
        (b"\x83\x40\x07:scheme\x05https\x84", "m,s,p"),  # a literal (non-Huffman) pseudo-header name
        (b"\x83\x87\x0f\x10\x03*/*\x84", "m,s"),  # reading stops at the first regular header
        (b"\x83\x41", "m"),  # cut short: what was read
        (b"", ""),
    ],
)
def test_pseudo_header_order_is_read_from_hpack(block, order):
    assert pseudo_header_order(block) == order


@pytest.mark.parametrize(
    "family, major, akamai_tail, weight",
    [("chromium", 156, "|15663105|0|m,a,s,p", 220), ("firefox", 153, "|12517377|0|m,p,a,s", 22)],
)
def test_the_web_path_speaks_http2_as_the_browsers_fetch(family, major, akamai_tail, weight):
    """What tests/real_browsers/test_browser_parity.py measured from Chromium 156 and Firefox ESR 153 fetch()es."""
    with H2Probe() as probe:
        session = requests.Session()
        mount_browser_tls(session, family=family, major_version=major)
        reply = session.post(f"https://localhost:{probe.port}/rest/models", json={}, verify=probe.ca_file, timeout=10)
        assert reply.status_code == 200 and reply.content == b"ok"
        (fingerprint,) = probe.fingerprints
    assert fingerprint.akamai.endswith(akamai_tail) and fingerprint.request_has_body
    assert fingerprint.headers_priority[2] == weight
    assert fingerprint.client_hello.alpn == ("h2", "http/1.1")


def test_a_client_without_h2_is_answered_nothing_and_not_recorded():
    with H2Probe() as probe:
        context = ssl.create_default_context(cafile=probe.ca_file)
        context.set_alpn_protocols(["http/1.1"])
        with (
            socket.create_connection(("127.0.0.1", probe.port)) as raw,
            context.wrap_socket(raw, server_hostname="localhost") as tls,
        ):
            tls.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            tls.settimeout(5)
            assert tls.recv(100) == b""
        assert probe.fingerprints == []
