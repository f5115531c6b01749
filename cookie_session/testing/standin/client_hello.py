"""A JA4-style fingerprint of a TLS ClientHello, read off an accepted socket before the handshake.

What Cloudflare compares (after JA4, FoxIO, BSD-3): the TLS version (highest of
`supported_versions`), the ALPN list, the sorted cipher set and the sorted extension set, GREASE
values (RFC 8701) left out, as browsers shuffle them. `peek_client_hello(sock)` reads the first
TLS record with MSG_PEEK, so the TLS library still sees every byte; plain HTTP gives None, a
record cut short gives what it held with `partial=True`.
"""

from __future__ import annotations

import hashlib
import os
import select
import socket
import struct
import time
from dataclasses import dataclass, field

__all__ = ["ClientHello", "parse_client_hello", "peek_client_hello", "is_grease"]

HANDSHAKE_RECORD = 0x16
CLIENT_HELLO = 0x01
EXT_SERVER_NAME = 0x0000
EXT_SUPPORTED_GROUPS = 0x000A
EXT_SIGNATURE_ALGORITHMS = 0x000D
EXT_ALPN = 0x0010
EXT_SUPPORTED_VERSIONS = 0x002B
_MAX_RECORD = 5 + (1 << 14) + 2048  # header + the largest record a peer may send
_VERSIONS = {0x0304: "1.3", 0x0303: "1.2", 0x0302: "1.1", 0x0301: "1.0", 0x0300: "SSLv3"}


def is_grease(value: int) -> bool:
    """RFC 8701 GREASE: 0x0A0A, 0x1A1A, ... 0xFAFA (both bytes equal, low nibble 0xA)."""
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


@dataclass(frozen=True)
class ClientHello:
    """The comparable parts of one ClientHello (GREASE removed everywhere; sets sorted, lists in sent order)."""

    tls_version: str  # "1.3" from supported_versions, else the legacy version
    alpn: tuple[str, ...]
    ciphers: tuple[int, ...]  # sorted
    extensions: tuple[int, ...]  # sorted
    server_name: str | None = None
    signature_algorithms: tuple[int, ...] = ()
    supported_groups: tuple[int, ...] = ()
    partial: bool = False  # the record ended before the ClientHello did
    extension_order: tuple[int, ...] = field(default=(), compare=False)  # as sent (Chromium shuffles it)

    @property
    def ja4(self) -> str:
        """The JA4 string (`t13d1516h2_<ciphers>_<extensions>`) of this ClientHello."""
        version = {"1.3": "13", "1.2": "12", "1.1": "11", "1.0": "10"}.get(self.tls_version, "00")
        first = self.alpn[0] if self.alpn else ""
        alpn = f"{first[0]}{first[-1]}" if first else "00"
        head = (
            f"t{version}{'d' if self.server_name else 'i'}{min(len(self.ciphers), 99):02d}"
            f"{min(len(self.extensions), 99):02d}{alpn}"
        )
        ciphers = ",".join(f"{c:04x}" for c in self.ciphers)
        extensions = ",".join(f"{e:04x}" for e in self.extensions if e not in (EXT_SERVER_NAME, EXT_ALPN))
        signatures = ",".join(f"{s:04x}" for s in self.signature_algorithms)
        return f"{head}_{_hash12(ciphers)}_{_hash12(extensions + ('_' + signatures if signatures else ''))}"

    def differences(self, other: ClientHello) -> dict[str, tuple]:
        """Per differing field, (self's, other's): for the cipher and extension sets, what each has that
        the other lacks; {} when the two are the same ClientHello as far as a fingerprint goes."""
        out: dict[str, tuple] = {}
        for name in ("tls_version", "alpn", "ciphers", "extensions", "signature_algorithms", "supported_groups"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                if name in ("ciphers", "extensions"):  # sets: what each has that the other lacks
                    out[name] = (tuple(sorted(set(mine) - set(theirs))), tuple(sorted(set(theirs) - set(mine))))
                else:
                    out[name] = (mine, theirs)
        return out


def _hash12(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12] if text else "000000000000"


class _Truncated(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise _Truncated
        piece = self.data[self.pos : self.pos + size]
        self.pos += size
        return piece

    def number(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def vector(self, length_size: int) -> bytes:
        return self.take(self.number(length_size))


def parse_client_hello(data: bytes) -> ClientHello | None:
    """The fingerprint of the ClientHello starting `data` (a TLS record); None if `data` starts no
    TLS handshake record holding a ClientHello. A record cut short gives the fields it held."""
    if len(data) < 6 or data[0] != HANDSHAKE_RECORD or data[1] != 3 or data[5] != CLIENT_HELLO:
        return None
    record_length = struct.unpack("!H", data[3:5])[0]
    body = data[5 : 5 + record_length]
    partial = len(body) < record_length
    found: dict = {
        "legacy": 0,
        "ciphers": [],
        "extensions": [],
        "order": [],
        "alpn": [],
        "versions": [],
        "server_name": None,
        "signatures": [],
        "groups": [],
    }
    try:
        hello = _Reader(body)
        hello.take(1)
        if hello.number(3) > len(body) - 4:
            partial = True  # the ClientHello continues in the next record
        found["legacy"] = hello.number(2)
        hello.take(32)  # random
        hello.vector(1)  # legacy session id
        ciphers = _Reader(hello.vector(2))
        while ciphers.pos < len(ciphers.data):
            found["ciphers"].append(ciphers.number(2))
        hello.vector(1)  # compression methods
        extensions = _Reader(hello.vector(2)) if hello.pos < len(hello.data) else _Reader(b"")
        while extensions.pos < len(extensions.data):
            kind, payload = extensions.number(2), extensions.vector(2)
            found["order"].append(kind)
            _read_extension(kind, payload, found)
    except _Truncated:
        partial = True
    versions = [v for v in found["versions"] if not is_grease(v)]
    version = max(versions) if versions else found["legacy"]
    clean = [e for e in found["order"] if not is_grease(e)]
    return ClientHello(
        tls_version=_VERSIONS.get(version, f"0x{version:04x}"),
        alpn=tuple(found["alpn"]),
        ciphers=tuple(sorted(c for c in found["ciphers"] if not is_grease(c))),
        extensions=tuple(sorted(clean)),
        server_name=found["server_name"],
        signature_algorithms=tuple(s for s in found["signatures"] if not is_grease(s)),
        supported_groups=tuple(g for g in found["groups"] if not is_grease(g)),
        partial=partial,
        extension_order=tuple(clean),
    )


def _read_extension(kind: int, payload: bytes, found: dict) -> None:
    reader = _Reader(payload)
    try:
        if kind == EXT_ALPN:
            names = _Reader(reader.vector(2))
            while names.pos < len(names.data):
                found["alpn"].append(names.vector(1).decode("ascii", "replace"))
        elif kind == EXT_SUPPORTED_VERSIONS:
            versions = reader.vector(1)
            found["versions"] = [int.from_bytes(versions[i : i + 2], "big") for i in range(0, len(versions) - 1, 2)]
        elif kind == EXT_SERVER_NAME:
            names = _Reader(reader.vector(2))
            if names.number(1) == 0:
                found["server_name"] = names.vector(2).decode("ascii", "replace")
        elif kind in (EXT_SIGNATURE_ALGORITHMS, EXT_SUPPORTED_GROUPS):
            values = reader.vector(2)
            found["signatures" if kind == EXT_SIGNATURE_ALGORITHMS else "groups"] = [
                int.from_bytes(values[i : i + 2], "big") for i in range(0, len(values) - 1, 2)
            ]
    except _Truncated:
        pass  # a malformed extension body: its type still counts


def peek_client_hello(sock: socket.socket, *, timeout: float = 2.0) -> ClientHello | None:
    """Peek (never consume) the first TLS record of the accepted `sock` and fingerprint it.

    Waits up to `timeout` seconds for the whole record; returns None for a connection that sends
    something other than a TLS ClientHello (or nothing), a partial fingerprint for a short record.
    Works on an `ssl.SSLSocket` whose handshake has not started (it reads a duplicate descriptor).
    """
    deadline = time.monotonic() + timeout
    try:  # a duplicate descriptor, used with per-call flags only: the socket's own mode is left as it is
        peer = socket.socket(sock.family, sock.type, sock.proto, fileno=os.dup(sock.fileno()))
    except OSError:
        return None
    data = b""
    with peer:
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0 or not select.select([peer], [], [], left)[0]:
                    break
                data = peer.recv(_MAX_RECORD, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except OSError:  # the peer went away
                break
            if not data or data[0] != HANDSHAKE_RECORD:
                return None
            if len(data) >= 5 and len(data) >= 5 + struct.unpack("!H", data[3:5])[0]:
                break
            time.sleep(0.005)  # the rest of the record is still on its way (select stays readable)
    return parse_client_hello(data) if data else None
