"""What the browser readers return (NamedTuples: importing `dataclasses` alone costs more than reading a
profile), and the small text rules every reader shares."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from ..secret import Secret

_ASCII_NUMBER = re.compile(r"[0-9]{1,15}")


class BrowserCookie(NamedTuple):
    """One xAI cookie as the browser stored it; `expires` is unix seconds, None for a session cookie."""

    name: str
    value: Secret
    domain: str
    path: str
    secure: bool
    http_only: bool
    expires: float | None
    host_only: bool


class Profile(NamedTuple):
    """A browser profile; `name` is the Chromium directory name or the Firefox profiles.ini Name."""

    browser: str
    name: str
    path: Path
    cookie_file: Path | None
    last_used: float | None
    display_name: str | None = None  # Chromium's name from "Local State" (e.g. "Work"), when it has one


class CookieLoad(NamedTuple):
    """The xAI cookies read from one cookie store, with human hints in `notes`."""

    browser: str
    profile: str
    cookie_file: Path
    cookies: tuple[BrowserCookie, ...]
    notes: tuple[str, ...]
    user_agent_hint: str | None = None
    family: str = "chromium"  # "chromium" or "firefox": the browser engine that wrote the store
    major_version: int | None = None  # the browser version that last ran the profile, when known
    accept_language: str | None = None  # the Accept-Language header the profile's preference gives, if any


class RawCookie(NamedTuple):
    """A row as read, before decryption; `context` is Firefox's userContextId (0: no container)."""

    host: str
    name: str
    path: str
    expires: float | None
    secure: bool
    http_only: bool
    value: str
    encrypted: bytes = b""
    context: int = 0


def header_safe(text: str) -> bool:
    """True when `text` can travel in an HTTP header as the browser sent it: printable ASCII only."""
    return text.isascii() and text.isprintable()


def undecodable(text: str) -> bool:
    """True when sqlite text held bytes that are not UTF-8 (read with surrogateescape)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def ascii_int(text: object) -> int | None:
    """The number in `text` when it is 1 to 15 ASCII digits (no sign, no Unicode digits), else None.

    `int()` reads other scripts' digits ('٣'), raises ValueError on '²' and on a 5000-digit string:
    numbers from browser files are read with this instead."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text < 10**15 else None
    return int(text) if isinstance(text, str) and _ASCII_NUMBER.fullmatch(text) else None
