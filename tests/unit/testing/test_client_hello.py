"""The stand-in's record of each TLS ClientHello (cookie_session.testing.standin.client_hello).

Hand-built ClientHellos pin the parsing (GREASE, sorting, partial records, non-TLS bytes);
real sockets pin the peek (the handshake still sees every byte; a record arriving in pieces).
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time

import pytest
import requests

from cookie_session.testing.standin import StandIn
from cookie_session.testing.standin.client_hello import ClientHello, is_grease, parse_client_hello, peek_client_hello

GREASE = 0x3A3A


def vector(data: bytes, length_size: int) -> bytes:
    return len(data).to_bytes(length_size, "big") + data


def u16s(values) -> bytes:
    return b"".join(struct.pack("!H", v) for v in values)


def extension(kind: int, payload: bytes) -> bytes:
    return struct.pack("!H", kind) + vector(payload, 2)


def client_hello(
    *,
    ciphers=(GREASE, 0x1301, 0x1302, 0xC02B),
    alpn=(b"h2", b"http/1.1"),
    versions=(GREASE, 0x0304, 0x0303),
    server_name: bytes | None = b"grok.com",
    extra=((GREASE, b""), (0x0017, b""), (0xFF01, b"\x00")),
) -> bytes:
    """A TLS record holding one ClientHello with these fields, in this order."""
    extensions = b""
    if server_name is not None:
        extensions += extension(0x0000, vector(b"\x00" + vector(server_name, 2), 2))
    if alpn:
        extensions += extension(0x0010, vector(b"".join(vector(name, 1) for name in alpn), 2))
    if versions:
        extensions += extension(0x002B, vector(u16s(versions), 1))
    extensions += extension(0x000D, vector(u16s((GREASE, 0x0403, 0x0804)), 2))
    extensions += extension(0x000A, vector(u16s((GREASE, 0x11EC, 0x001D)), 2))
    for kind, payload in extra:
        extensions += extension(kind, payload)
    body = (
        b"\x03\x03"
        + bytes(32)
        + vector(bytes(32), 1)
        + vector(u16s(ciphers), 2)
        + vector(b"\x00", 1)
        + vector(extensions, 2)
    )
    handshake = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + vector(handshake, 2)


def test_grease_values_are_recognised():
    assert all(is_grease(v) for v in (0x0A0A, 0x1A1A, 0x3A3A, 0xFAFA))
    assert not any(is_grease(v) for v in (0x0A1A, 0x1301, 0x002B, 0xFE0D, 0x0000))


def test_a_client_hello_is_fingerprinted_without_grease_sets_sorted_alpn_in_order():
    hello = parse_client_hello(client_hello())
    assert hello == ClientHello(
        tls_version="1.3",
        alpn=("h2", "http/1.1"),
        ciphers=(0x1301, 0x1302, 0xC02B),
        extensions=(0x0000, 0x000A, 0x000D, 0x0010, 0x0017, 0x002B, 0xFF01),
        server_name="grok.com",
        signature_algorithms=(0x0403, 0x0804),
        supported_groups=(0x11EC, 0x001D),
    )
    assert not hello.partial


def test_the_extension_order_does_not_change_the_fingerprint():
    """Chromium shuffles its extensions on every connection; the fingerprint must not see it."""
    one = parse_client_hello(client_hello(extra=((0x0017, b""), (0xFF01, b"\x00"), (0x0023, b""))))
    other = parse_client_hello(client_hello(extra=((0x0023, b""), (0xFF01, b"\x00"), (0x0017, b""))))
    assert one == other and one.ja4 == other.ja4
    assert one.extension_order != other.extension_order


def test_ja4_names_version_sni_counts_and_alpn():
    hello = parse_client_hello(client_hello())
    assert hello.ja4.startswith("t13d0307h2_")
    without_sni = parse_client_hello(client_hello(server_name=None, alpn=()))
    assert without_sni.ja4.startswith("t13i030500_")
    assert len(hello.ja4.split("_")) == 3 and all(len(part) == 12 for part in hello.ja4.split("_")[1:])


def test_without_supported_versions_the_legacy_version_counts():
    assert parse_client_hello(client_hello(versions=())).tls_version == "1.2"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GET / HTTP/1.1\r\nHost: grok.com\r\n\r\n",
        b"POST /rest",
        b"\x15\x03\x03\x00\x02\x02\x28",
        b"\x16\x03\x01\x00\x04\x02\x00\x00\x00",
        b"\x16",
    ],
)
def test_anything_but_a_client_hello_record_gives_none(data):
    assert parse_client_hello(data) is None


def test_every_truncation_parses_to_a_partial_fingerprint():
    full = client_hello()
    for cut in range(6, len(full)):
        hello = parse_client_hello(full[:cut])
        assert hello is not None and hello.partial, cut
    middle = parse_client_hello(full[: len(full) - 20])
    assert middle.ciphers == (0x1301, 0x1302, 0xC02B)  # what arrived is kept


def test_a_client_hello_longer_than_its_record_is_partial():
    record = bytearray(client_hello())
    record[6:9] = (0xFFFF).to_bytes(3, "big")  # the handshake claims more than this record holds
    assert parse_client_hello(bytes(record)).partial


def _connected_pair():
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    return client, server


def test_peek_waits_for_a_record_arriving_in_pieces_and_consumes_nothing():
    data = client_hello()
    client, server = _connected_pair()
    with client, server:

        def send_slowly():
            client.sendall(data[:7])
            time.sleep(0.2)
            client.sendall(data[7:])

        threading.Thread(target=send_slowly).start()
        hello = peek_client_hello(server, timeout=5)
        assert hello is not None and not hello.partial and hello.server_name == "grok.com"
        server.settimeout(5)
        received = b""
        while len(received) < len(data):
            received += server.recv(65536)
        assert received == data  # the TLS library would still read every byte


def test_peek_of_a_record_cut_short_is_partial_after_the_timeout():
    client, server = _connected_pair()
    with client, server:
        client.sendall(client_hello()[:60])
        started = time.monotonic()
        hello = peek_client_hello(server, timeout=0.3)
        assert hello.partial and time.monotonic() - started < 2


def test_peek_of_plain_http_or_silence_gives_none():
    client, server = _connected_pair()
    with client, server:
        client.sendall(b"POST /rest/models HTTP/1.1\r\n")
        assert peek_client_hello(server, timeout=1) is None
    client, server = _connected_pair()
    with client, server:
        assert peek_client_hello(server, timeout=0.1) is None
        assert server.gettimeout() is None and server.getblocking()  # the socket's own mode is untouched


def test_the_stand_in_records_the_client_hello_of_each_request():
    with StandIn(web_tls=True) as stand_in:
        context = ssl.create_default_context(cafile=stand_in.ca_file)
        context.set_alpn_protocols(["h2", "http/1.1"])
        requests.get(f"https://localhost:{stand_in.web_port}/rest/models", verify=stand_in.ca_file, timeout=10)
        with socket.create_connection(("127.0.0.1", stand_in.web_port)) as raw:
            with context.wrap_socket(raw, server_hostname="grok.com") as tls:
                tls.sendall(b"GET /login HTTP/1.1\r\nHost: grok.com\r\nConnection: close\r\n\r\n")
                assert tls.recv(12).startswith(b"HTTP/1.1 200")
        assert len(stand_in.client_hellos) == len(stand_in.requests) == 2
        python_requests, ours = stand_in.client_hellos
        assert python_requests.server_name == "localhost" and python_requests.alpn == ("http/1.1",)
        assert ours.server_name == "grok.com" and ours.alpn == ("h2", "http/1.1") and ours.tls_version == "1.3"
        assert 0x0A0A not in ours.ciphers and all(not is_grease(e) for e in ours.extensions)
    with StandIn() as plain:
        requests.post(f"{plain.web_base_url}/rest/models", timeout=10)
        assert plain.client_hellos == [None]


def test_differences_name_what_each_side_lacks():
    chrome_like = parse_client_hello(client_hello(extra=((0x44CD, b""), (0x0017, b""))))
    firefox_like = parse_client_hello(client_hello(ciphers=(0x1301, 0xC00A), extra=((0x001C, b"\x40\x01"),)))
    assert chrome_like.differences(chrome_like) == {}
    assert chrome_like.differences(firefox_like) == {
        "ciphers": ((0x1302, 0xC02B), (0xC00A,)),
        "extensions": ((0x0017, 0x44CD), (0x001C,)),
    }
