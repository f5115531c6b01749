"""The browser table as data: where each browser keeps its user data and how it guards its cookie key.

To add a browser, add one `BrowserSpec` row to `BROWSERS` (and an alias if people spell it otherwise).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

from ..errors import UnknownBrowserError


class BrowserSpec(NamedTuple):
    """Where a browser keeps its user data (dirs relative to the home directory) and how it guards its key."""

    family: str  # "chromium" or "firefox"
    linux: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()
    windows: tuple[str, ...] = ()
    os_crypt: str = "chromium"  # Linux Secret Service `application` attribute / KWallet folder name
    keychain: str = ""  # macOS keychain service
    profiles: bool = True  # False: the user-data dir is itself the only profile (Opera)


_MAC, _LOCAL, _ROAMING = "Library/Application Support/", "AppData/Local/", "AppData/Roaming/"
BROWSERS: dict[str, BrowserSpec] = {
    "chrome": BrowserSpec(
        "chromium",
        (".config/google-chrome", ".config/google-chrome-beta", ".var/app/com.google.Chrome/config/google-chrome"),
        (_MAC + "Google/Chrome",),
        (_LOCAL + "Google/Chrome/User Data",),
        "chrome",
        "Chrome Safe Storage",
    ),
    "chromium": BrowserSpec(
        "chromium",
        (".config/chromium", "snap/chromium/common/chromium", ".var/app/org.chromium.Chromium/config/chromium"),
        (_MAC + "Chromium",),
        (_LOCAL + "Chromium/User Data",),
        "chromium",
        "Chromium Safe Storage",
    ),
    "brave": BrowserSpec(
        "chromium",
        (".config/BraveSoftware/Brave-Browser",),
        (_MAC + "BraveSoftware/Brave-Browser",),
        (_LOCAL + "BraveSoftware/Brave-Browser/User Data",),
        "brave",
        "Brave Safe Storage",
    ),
    "edge": BrowserSpec(
        "chromium",
        (".config/microsoft-edge",),
        (_MAC + "Microsoft Edge",),
        (_LOCAL + "Microsoft/Edge/User Data",),
        "chromium",
        "Microsoft Edge Safe Storage",
    ),
    "opera": BrowserSpec(
        "chromium",
        (".config/opera",),
        (_MAC + "com.operasoftware.Opera",),
        (_ROAMING + "Opera Software/Opera Stable",),
        "chromium",
        "Opera Safe Storage",
        profiles=False,
    ),
    "opera_gx": BrowserSpec(
        "chromium",
        (),
        (_MAC + "com.operasoftware.OperaGX",),
        (_ROAMING + "Opera Software/Opera GX Stable",),
        "chromium",
        "Opera Safe Storage",
        profiles=False,
    ),
    "vivaldi": BrowserSpec(
        "chromium",
        (".config/vivaldi",),
        (_MAC + "Vivaldi",),
        (_LOCAL + "Vivaldi/User Data",),
        "chrome",
        "Vivaldi Safe Storage",
    ),
    "arc": BrowserSpec("chromium", (), (_MAC + "Arc/User Data",), (), "chrome", "Arc Safe Storage"),
    "firefox": BrowserSpec(
        "firefox",
        (
            ".mozilla/firefox",
            ".config/mozilla/firefox",
            "snap/firefox/common/.mozilla/firefox",
            ".var/app/org.mozilla.firefox/.mozilla/firefox",
        ),
        (_MAC + "Firefox",),
        (_ROAMING + "Mozilla/Firefox",),
    ),
    "librewolf": BrowserSpec("firefox", (".librewolf",), (_MAC + "librewolf",), (_ROAMING + "librewolf",)),
    "zen": BrowserSpec("firefox", (".zen",), (_MAC + "zen",), (_ROAMING + "zen",)),
}
ALIASES = {"google_chrome": "chrome", "msedge": "edge", "microsoft_edge": "edge", "firefox_esr": "firefox"}
SUPPORTED_BROWSERS: tuple[str, ...] = tuple(BROWSERS)


def current_platform() -> str:
    """'linux', 'macos' or 'windows' (the BSDs count as linux)."""
    return {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")


def spec_for(browser: str) -> tuple[str, BrowserSpec]:
    """The canonical name and settings of `browser`; UnknownBrowserError lists the supported ones."""
    key = browser.strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in BROWSERS:
        raise UnknownBrowserError(f"Unknown browser {browser!r}; supported: {', '.join(SUPPORTED_BROWSERS)}")
    return key, BROWSERS[key]


def guess_browser(path: Path, family: str) -> str:
    """The browser whose user-data dir appears in `path`, else the family's namesake."""
    text = path.absolute().as_posix()
    return next(
        (
            name
            for name, spec in BROWSERS.items()
            if spec.family == family and any(d in text for d in spec.linux + spec.macos + spec.windows)
        ),
        family,
    )
