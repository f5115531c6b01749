"""Reading one profile's xAI cookies: choose the profile, query its store, merge, decrypt, wrap.

Contracts: only xAI cookies come back (hosts matched exactly, every name stored there); values are
wrapped in `Secret` at once; logs and errors hold counts, paths and cookie names, never values.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import cookie_session.browsers.chromium as chromium  # noqa: PLR0402  module objects: tests replace `rows`
import cookie_session.browsers.firefox as firefox  # noqa: PLR0402
import cookie_session.browsers.keys as keys  # noqa: PLR0402  `keys.default_key_source`: the seam for callers
import cookie_session.browsers.quiet_log as log  # noqa: PLR0402  (a module: log.debug, log.info)

from ..errors import BadInputError, BrowserNotFoundError, CookieStoreError, ProfileNotFoundError
from ..secret import Secret
from .catalogue import BROWSERS, SUPPORTED_BROWSERS, guess_browser, spec_for
from .chromium_crypto import HOST_HASH_VERSION
from .keys import KeySource
from .profiles import find_profiles, mtime, pick_profile
from .records import BrowserCookie, CookieLoad, Profile, RawCookie, header_safe, undecodable
from .store import read_db, remove_stale_copies, store_error

_FLUSH_NOTE = (
    "Chromium writes cookies to disk about 30 s after a change or at a clean exit; "
    "if you logged in just now, wait or quit the browser"
)
#: How recent a change of a running Chromium's cookie store is worth a note: a login may not be on disk yet.
RECENT_WRITE_SECONDS = 60.0
NOT_LOGGED_IN_NOTE = "no live grok.com session cookie (sso): this profile is not logged in to grok.com"


def query_store(path: Path, family: str | None, include_subdomains: bool) -> tuple[str, list[RawCookie], int, bool]:
    """(family detected from the schema, xAI rows, version, read from a copy) for the database at `path`."""

    def reader(con: sqlite3.Connection) -> tuple[str, list[RawCookie], int]:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        found = "firefox" if "moz_cookies" in tables else "chromium" if "cookies" in tables else None
        if found is None:
            raise store_error(path, "it is not a browser cookie database (no cookies or moz_cookies table)")
        if family and found != family:
            raise store_error(path, f"it is a {found} cookie database, not a {family} one")
        return (found, *(firefox.rows if found == "firefox" else chromium.rows)(con, path, include_subdomains))

    (found, rows, version), copied = read_db(path, reader)
    return found, rows, version, copied


def _holds_sso(profile: Profile, container: str | None, include_subdomains: bool, now: float) -> bool:
    """Whether the profile's database (not the Firefox session store) holds a live xAI `sso` in the chosen
    container; False on any error."""
    if profile.cookie_file is None:
        return False
    try:
        family, rows, _, _ = query_store(profile.cookie_file, BROWSERS[profile.browser].family, include_subdomains)
        context = (
            firefox.container_id(container, firefox.containers(profile.path), profile.path)
            if family == "firefox"
            else 0
        )
    except (CookieStoreError, ProfileNotFoundError) as exc:
        log.debug("%s/%s skipped: %s", profile.browser, profile.name, type(exc).__name__)
        return False
    return any(r.name == "sso" and r.context == context and (r.expires is None or r.expires > now) for r in rows)


def _load(
    browser: str,
    family: str | None,
    profile: str,
    path: Path,
    container: str | None,
    include_subdomains: bool,
    now: float,
    key_source: KeySource | None,
) -> CookieLoad:
    """Read, merge (Firefox: newest source wins), drop expired, pick the container, decrypt, wrap."""
    family, rows, version, copied = query_store(path, family, include_subdomains)
    browser = browser or guess_browser(path, family)
    notes = ["the cookie database was locked (is the browser running?); read a private copy"] if copied else []
    if family == "firefox":
        sources = [
            (mtime(path, Path(f"{path}-wal")) or 0.0, rows),
            *firefox.session_sources(path.parent, include_subdomains, notes),
        ]
        rows = [r for _, part in sorted(sources, key=lambda s: s[0]) for r in part]
    elif container is not None:
        raise BadInputError(f"container={container!r} applies to Firefox only; {path} is a Chromium cookie database")
    rows = list({(r.context, r.host, r.name, r.path): r for r in rows}.values())  # later rows win
    live = [r for r in rows if r.expires is None or r.expires > now]
    context = 0
    if family == "firefox":
        live, context = firefox.select_container(live, container, path.parent, notes)
        bad = next((r for r in live if undecodable(r.value)), None)
        if bad:
            raise store_error(path, f"cookie {bad.name!r} holds a value that is not UTF-8 text")
        texts = [r.value for r in live]
    else:
        source = key_source or keys.default_key_source(browser, path)
        decrypt = chromium.Decryptor(source, path, version >= HOST_HASH_VERSION)
        texts = [decrypt(r) for r in live]
    bad = next(
        (r for r, text in zip(live, texts, strict=True) if not (header_safe(text) and header_safe(r.path))), None
    )
    if bad:
        raise store_error(
            path,
            f"cookie {bad.name!r} ({bad.host}) holds control or non-ASCII characters in its "
            f"value or path, which a Cookie header cannot carry",
        )
    cookies = tuple(
        sorted(
            (
                BrowserCookie(
                    r.name,
                    Secret(text, name=r.name),
                    r.host,
                    r.path,
                    r.secure,
                    r.http_only,
                    r.expires,
                    not r.host.startswith("."),
                )
                for r, text in zip(live, texts, strict=True)
            ),
            key=lambda c: (c.domain, c.path, c.name),
        )
    )
    expired = sum(r.context == context and r.expires is not None and r.expires <= now for r in rows)
    if expired:
        notes.append(f"{expired} expired xAI cookie{'s' if expired != 1 else ''} dropped")
    logged_in = any(c.name == "sso" for c in cookies)
    if not logged_in:
        notes.append(NOT_LOGGED_IN_NOTE)
    if family == "chromium":
        notes.extend(_running_chromium_notes(path, now, logged_in))
    log.info(
        "%s/%s: %d xAI cookies loaded, %d expired dropped (%s, version %s)",
        browser,
        profile,
        len(cookies),
        expired,
        path,
        version,
    )
    module = firefox if family == "firefox" else chromium
    return CookieLoad(
        browser,
        profile,
        path,
        cookies,
        tuple(notes),
        family=family,
        major_version=firefox.major_version(path.parent) if family == "firefox" else chromium.major_version(path),
        accept_language=module.accept_language(path.parent if family == "firefox" else path),
    )


def _running_chromium_notes(path: Path, now: float, logged_in: bool) -> list[str]:
    """What a running Chromium means for what was just read: a change it may not have written yet."""
    if not chromium.running(path):
        return []
    changed = mtime(path, Path(f"{path}-journal"), Path(f"{path}-wal"))
    if changed is not None and now - changed < RECENT_WRITE_SECONDS:
        return [
            f"Chromium is running and changed its cookies {max(now - changed, 0):.0f} s ago; it writes a change to "
            "disk about 30 s after it happens, so a login or logout just now may not be read yet: wait a minute "
            "or quit the browser, then read again"
        ]
    return [] if logged_in else [_FLUSH_NOTE]


def load_xai_cookies(
    browser: str | None = None,
    *,
    profile: str | None = None,
    cookie_file: str | os.PathLike | None = None,
    container: str | None = None,
    include_subdomains: bool = False,
    now: float | None = None,
    home: Path | None = None,
    key_source: KeySource | None = None,
) -> CookieLoad:
    """Read the xAI cookies of one browser profile, or of `cookie_file` (a database or a profile dir).

    Without `profile`, the most recently used profile holding a live `sso` is read (else the most
    recently used one); without `browser` either, every supported browser's profiles are considered.
    `container` picks a Firefox container by name or id (default: cookies outside containers).
    `include_subdomains` also reads other subdomains of grok.com and x.ai (a table scan on Chromium).
    `key_source` gives Chromium's keys (default: `keys.default_key_source`, the OS key store the browser
    uses; callers that cannot pass one, such as the CLI, are served through that function).
    Expired cookies are dropped. Never raises NotLoggedInError: the caller judges the cookies.
    """
    now = time.time() if now is None else now
    remove_stale_copies()  # plaintext Firefox values a killed run may have left in the temp dir
    if cookie_file is not None:
        path = Path(os.fspath(cookie_file)).expanduser()
        if path.is_dir():
            path = next(
                (c for c in (path / "cookies.sqlite", path / "Network" / "Cookies", path / "Cookies") if c.is_file()),
                path / "Cookies",
            )
        name, spec = spec_for(browser) if browser else ("", None)
        label = (path.parent.parent if path.parent.name == "Network" else path.parent).name
        return _load(name, spec and spec.family, label, path, container, include_subdomains, now, key_source)
    if browser is not None:
        name, profiles = spec_for(browser)[0], find_profiles(browser, home=home)
    else:
        name, profiles = "browser", []
        for candidate in SUPPORTED_BROWSERS:
            try:
                profiles += find_profiles(candidate, home=home)
            except BrowserNotFoundError:
                continue
        if not profiles:
            raise BrowserNotFoundError(
                f"No supported browser's user data under {home or Path.home()} (tried {', '.join(SUPPORTED_BROWSERS)})"
            )
        profiles.sort(key=lambda p: -(p.last_used or 0.0))
    chosen = pick_profile(profiles, profile, name, lambda p: _holds_sso(p, container, include_subdomains, now))
    if chosen.cookie_file is None:
        raise ProfileNotFoundError(
            f"{chosen.browser} profile {chosen.name!r} has no cookie database in {chosen.path}",
            hint="Open the browser with this profile once and log in to grok.com",
        )
    log.debug("using %s profile %r", chosen.browser, chosen.name)
    return _load(
        chosen.browser,
        BROWSERS[chosen.browser].family,
        chosen.name,
        chosen.cookie_file,
        container,
        include_subdomains,
        now,
        key_source,
    )


def browser_user_agent(load: CookieLoad) -> str | None:
    """The User-Agent the browser of `load` sends (Cloudflare binds cf_clearance to it), rebuilt from the
    version that last ran the profile; `load.user_agent_hint` when set; None when the version is unknown."""
    if load.user_agent_hint:
        return load.user_agent_hint
    from ..user_agents import user_agent_for

    family = BROWSERS.get(load.browser, BROWSERS["chromium"]).family
    version = (
        firefox.major_version(load.cookie_file.parent)
        if family == "firefox"
        else chromium.major_version(load.cookie_file)
    )
    return user_agent_for(family, version)
