"""An HTTP/2 fingerprint probe: records what a client's first HTTP/2 frames say about it, then answers 200.

Cloudflare pins `cf_clearance` to the HTTP/2 fingerprint as well as the TLS one (the "Akamai"
fingerprint: the SETTINGS the client sends in order, its connection WINDOW_UPDATE, its PRIORITY
frames, and the order of the pseudo-headers of its first request). The grok.com stand-in speaks
HTTP/1.1, so this probe is a separate TLS server that selects `h2` and reads exactly that much:

    with H2Probe() as probe:                       # https://127.0.0.1:<probe.port>/, CA in probe.ca_file
        ...                                        # a browser or a client requests any path
        probe.fingerprints[0].akamai               # "1:65536;2:0;4:6291456;6:262144|15663105|0|m,a,s,p"

Each entry also carries the connection's `ClientHello`. Stdlib only (plus `trustme` for the certificate).
"""

from __future__ import annotations

import os
import socket
import ssl
import struct
import tempfile
import threading
from dataclasses import dataclass

from .client_hello import ClientHello, peek_client_hello

__all__ = ["H2Probe", "Http2Fingerprint", "pseudo_header_order"]

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, SETTINGS, WINDOW_UPDATE, GOAWAY = 0x0, 0x1, 0x2, 0x4, 0x8, 0x7
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20
#: HPACK static table entries 1-7 (RFC 7541 appendix A): the request pseudo-headers, as JA4H/Akamai letters.
_PSEUDO = {1: "a", 2: "m", 3: "m", 4: "p", 5: "p", 6: "s", 7: "s"}
_PSEUDO_NAMES = {":authority": "a", ":method": "m", ":path": "p", ":scheme": "s"}


@dataclass(frozen=True)
class Http2Fingerprint:
    """The first frames of one HTTP/2 connection, in the Akamai fingerprint's terms."""

    settings: tuple[tuple[int, int], ...]  # (id, value) in sent order
    window_update: int  # the connection-level increment, 0 if none came first
    priority_frames: tuple[tuple[int, int, int, int], ...]  # (stream, exclusive, depends on, weight)
    pseudo_headers: str  # e.g. "m,a,s,p"
    headers_priority: tuple[int, int, int] | None  # (exclusive, depends on, weight) on the first HEADERS
    client_hello: ClientHello | None = None
    request_has_body: bool = False  # a POST's HEADERS do not end the stream (a GET's do)

    @property
    def akamai(self) -> str:
        settings = ";".join(f"{key}:{value}" for key, value in self.settings)
        priorities = ",".join(f"{s}:{e}:{d}:{w}" for s, e, d, w in self.priority_frames) or "0"
        return f"{settings}|{self.window_update}|{priorities}|{self.pseudo_headers}"


def _integer(block: bytes, pos: int, prefix: int) -> tuple[int, int]:
    """An HPACK integer with a `prefix`-bit prefix at `pos` (RFC 7541 5.1); (value, next position)."""
    limit = (1 << prefix) - 1
    value = block[pos] & limit
    pos += 1
    if value < limit:
        return value, pos
    shift = 0
    while True:
        byte = block[pos]
        pos += 1
        value += (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def pseudo_header_order(block: bytes) -> str:
    """The pseudo-headers at the start of an HPACK header block, as letters ("m,a,s,p").

    Browsers name pseudo-headers by static-table index (RFC 7541 appendix A); a literal name is
    read only when sent without Huffman coding. Reading stops at the first regular header.
    """
    letters, pos = [], 0
    try:
        while pos < len(block):
            byte = block[pos]
            if byte & 0x80:  # indexed field
                index, pos = _integer(block, pos, 7)
                name = _PSEUDO.get(index)
            elif byte & 0xE0 == 0x20:  # dynamic table size update
                _size, pos = _integer(block, pos, 5)
                continue
            else:  # literal, with (6-bit) or without/never (4-bit) indexing
                index, pos = _integer(block, pos, 6 if byte & 0x40 else 4)
                if index:
                    name = _PSEUDO.get(index)
                else:
                    huffman, (length, pos) = block[pos] & 0x80, _integer(block, pos, 7)
                    raw, pos = block[pos : pos + length], pos + length
                    name = None if huffman else _PSEUDO_NAMES.get(raw.decode("latin-1"))
                huffman, (length, pos) = block[pos] & 0x80, _integer(block, pos, 7)
                pos += length  # the value
            if name is None:
                break
            letters.append(name)
    except IndexError:
        pass
    return ",".join(letters)


class _Connection:
    def __init__(self, sock) -> None:
        self.sock, self.buffer = sock, b""

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def frame(self) -> tuple[int, int, int, bytes]:
        head = self.read(9)
        length = int.from_bytes(head[:3], "big")
        kind, flags, stream = head[3], head[4], struct.unpack("!I", head[5:9])[0] & 0x7FFFFFFF
        return kind, flags, stream, self.read(length)

    def send(self, kind: int, flags: int, stream: int, payload: bytes = b"") -> None:
        self.sock.sendall(len(payload).to_bytes(3, "big") + bytes((kind, flags)) + struct.pack("!I", stream) + payload)


def read_fingerprint(conn: _Connection, client_hello: ClientHello | None) -> tuple[Http2Fingerprint, tuple[int, bool]]:
    """Read the preface and frames up to the first HEADERS; (fingerprint, (its stream id, whether the
    request ended with those headers))."""
    if conn.read(len(PREFACE)) != PREFACE:
        raise ConnectionError("not an HTTP/2 client preface")
    settings, window, priorities = [], 0, []
    while True:
        kind, flags, stream, payload = conn.frame()
        if kind == SETTINGS and not flags & ACK:
            settings += [struct.unpack("!HI", payload[i : i + 6]) for i in range(0, len(payload) - 5, 6)]
        elif kind == WINDOW_UPDATE and stream == 0 and not window:
            window = struct.unpack("!I", payload[:4])[0] & 0x7FFFFFFF
        elif kind == PRIORITY:
            dependency, weight = struct.unpack("!IB", payload[:5])
            priorities.append((stream, dependency >> 31, dependency & 0x7FFFFFFF, weight + 1))
        elif kind == HEADERS:
            start = 1 if flags & PADDED else 0
            end = len(payload) - (payload[0] if flags & PADDED else 0)
            own_priority = None
            if flags & PRIORITY_FLAG:
                dependency, weight = struct.unpack("!IB", payload[start : start + 5])
                own_priority, start = (dependency >> 31, dependency & 0x7FFFFFFF, weight + 1), start + 5
            ended = bool(flags & END_STREAM)
            return Http2Fingerprint(
                tuple(settings),
                window,
                tuple(priorities),
                pseudo_header_order(payload[start:end]),
                own_priority,
                client_hello,
                request_has_body=not ended,
            ), (stream, ended)


class H2Probe:
    """A TLS server on loopback that speaks just enough HTTP/2 to fingerprint each client; see the module doc.

    The certificate (a throwaway `trustme` CA, `ca_file`) names `localhost`, 127.0.0.1 and
    `*.grok.com`, so a browser pointed at any grok.com name reaches it. Use as a context manager.
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        import trustme

        self.fingerprints: list[Http2Fingerprint] = []
        self._dir = tempfile.TemporaryDirectory(prefix="cookie-session-h2probe-")
        authority = trustme.CA()
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert("localhost", "127.0.0.1", "grok.com", "*.grok.com").configure_cert(self._context)
        self._context.set_alpn_protocols(["h2"])
        self.ca_file = os.path.join(self._dir.name, "ca.pem")
        authority.cert_pem.write_to_path(self.ca_file)
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(raw,), daemon=True).start()

    def _answer(self, raw: socket.socket) -> None:
        raw.settimeout(10)
        hello = peek_client_hello(raw)
        try:
            with self._context.wrap_socket(raw, server_side=True) as tls:
                if tls.selected_alpn_protocol() != "h2":
                    return
                conn = _Connection(tls)
                fingerprint, (stream, ended) = read_fingerprint(conn, hello)
                with self._lock:
                    self.fingerprints.append(fingerprint)
                conn.send(SETTINGS, 0, 0)
                conn.send(SETTINGS, ACK, 0)
                while not ended:  # the request body, read and dropped
                    kind, flags, on_stream, _payload = conn.frame()
                    ended = kind == DATA and on_stream == stream and bool(flags & END_STREAM)
                conn.send(HEADERS, END_HEADERS, stream, b"\x88")  # :status 200 (static index 8)
                conn.send(DATA, END_STREAM, stream, b"ok")
                conn.send(GOAWAY, 0, 0, struct.pack("!II", stream, 0))
                tls.settimeout(2)
                while tls.recv(65536):  # let the client close first: closing
                    pass  # on unread bytes would reset the reply
        except (OSError, ConnectionError, ssl.SSLError, struct.error, IndexError):
            pass  # a client that went away, or spoke something else: nothing to record

    def __enter__(self) -> H2Probe:
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._listener.close()
        self._dir.cleanup()
