"""Finding a browser's profiles on this machine, and choosing one."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import cookie_session.browsers.quiet_log as log  # noqa: PLR0402  (a module: log.debug, log.info)

from ..errors import BrowserNotFoundError, ProfileNotFoundError
from .catalogue import BrowserSpec, current_platform, spec_for
from .records import Profile

MAX_LOCAL_STATE_BYTES = 16 << 20


def mtime(*paths: Path | None) -> float | None:
    """The newest modification time of the paths that exist; None when none does."""
    times = [p.stat().st_mtime for p in paths if p is not None and p.exists()]
    return max(times) if times else None


def _read_json(path: Path) -> dict:
    """The JSON object in `path`, or {} when it is missing, unreadable or too big."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_LOCAL_STATE_BYTES + 1)
        found = json.loads(data) if len(data) <= MAX_LOCAL_STATE_BYTES else {}
    except (OSError, ValueError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}


def _chromium_profiles(browser: str, spec: BrowserSpec, root: Path) -> list[Profile]:
    """Profiles listed in root/"Local State" plus `Default` and `Profile N` dirs on disk."""

    def cookie_file(p: Path) -> Path | None:
        return next((c for c in (p / "Network" / "Cookies", p / "Cookies") if c.is_file()), None)

    if not spec.profiles:
        return [Profile(browser, "Default", root, cookie_file(root), mtime(cookie_file(root)))]
    listed = _read_json(root / "Local State").get("profile")
    info = listed.get("info_cache") if isinstance(listed, dict) else {}
    info = info if isinstance(info, dict) else {}
    dirs = {d for d in info if d and Path(d).name == d != ".." and (root / d).is_dir()}  # a plain dir name
    dirs |= {p.name for p in root.iterdir() if p.is_dir() and (p.name == "Default" or p.name.startswith("Profile "))}
    found = []
    for d in dirs:
        entry = info[d] if isinstance(info.get(d), dict) else {}
        active, cf = entry.get("active_time"), cookie_file(root / d)
        last = float(active) if isinstance(active, (int, float)) and math.isfinite(active) else mtime(cf)
        shown = entry.get("name") if isinstance(entry.get("name"), str) else None
        found.append(Profile(browser, d, root / d, cf, last, shown or None))
    return found


def _firefox_profiles(browser: str, spec: BrowserSpec, root: Path) -> list[Profile]:
    """Profiles named in root/profiles.ini, plus profile dirs holding a cookies.sqlite the ini does not list."""
    import configparser

    found: dict[Path, str] = {}
    ini = configparser.RawConfigParser(strict=False)
    try:
        ini.read(root / "profiles.ini", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        log.warning("ignoring unreadable %s: %s", root / "profiles.ini", type(exc).__name__)
    for section in ini.sections():
        raw = ini[section].get("path")
        if section.lower().startswith("profile") and raw:
            path = root / raw if ini[section].get("isrelative", "1") != "0" else Path(raw)
            found[path] = ini[section].get("name") or path.name
    for cookies in [*root.glob("*/cookies.sqlite"), *root.glob("Profiles/*/cookies.sqlite")]:
        found.setdefault(cookies.parent, cookies.parent.name)
    return [
        Profile(browser, name, path, cf if cf.is_file() else None, mtime(cf, Path(f"{cf}-wal")))
        for path, name in found.items()
        if path.is_dir()
        for cf in [path / "cookies.sqlite"]
    ]


def find_profiles(browser: str, *, home: Path | None = None) -> list[Profile]:
    """The profiles of `browser` on this machine, most recently used first.

    Raises UnknownBrowserError for a name not in SUPPORTED_BROWSERS and BrowserNotFoundError when none
    of the browser's user-data dirs exists under `home` (default: the user's home directory).
    """
    name, spec = spec_for(browser)
    home = Path(home) if home is not None else Path.home()
    candidates = [home / rel for rel in getattr(spec, current_platform())]
    roots = [d for d in candidates if d.is_dir()]
    if not roots:
        looked = ", ".join(str(d) for d in candidates) or f"nothing: {name} has no {current_platform()} version"
        raise BrowserNotFoundError(f"No {name} user data on this machine (looked in {looked})")
    reader = _chromium_profiles if spec.family == "chromium" else _firefox_profiles
    profiles = sorted(
        (p for root in roots for p in reader(name, spec, root)), key=lambda p: (-(p.last_used or 0.0), p.name)
    )
    log.debug("%s: %d profiles in %s", name, len(profiles), ", ".join(map(str, roots)))
    return profiles


def pick_profile(
    profiles: list[Profile], wanted: str | None, label: str, holds_login: Callable[[Profile], bool]
) -> Profile:
    """The profile named `wanted`; by default the most recently used one for which `holds_login` is true,
    else the newest one with a cookie database."""
    if wanted is not None:
        for same in (str.__eq__, lambda a, b: a.casefold() == b.casefold()):
            for p in profiles:
                if any(same(n, wanted) for n in (p.name, p.display_name, p.path.name) if n):
                    return p
        names = ", ".join(p.name + (f" ({p.display_name})" if p.display_name else "") for p in profiles) or "none"
        where = ", ".join(sorted({str(p.path.parent) for p in profiles})) or "this machine"
        raise ProfileNotFoundError(f"No {label} profile named {wanted!r} in {where}; available: {names}")
    usable = [p for p in profiles if p.cookie_file]
    if not usable:
        where = ", ".join(sorted({str(p.path) for p in profiles}))
        raise ProfileNotFoundError(
            f"No {label} profile with a cookie database in {where}", hint="Open the browser once and log in to grok.com"
        )
    return next((p for p in usable if holds_login(p)), usable[0])
