"""The User-Agent a browser sends, rebuilt from its family and version (Cloudflare binds cf_clearance to it)."""

from __future__ import annotations

import sys

_PLATFORMS = {
    "linux": ("X11; Linux x86_64", "X11; Linux x86_64"),
    "darwin": ("Macintosh; Intel Mac OS X 10_15_7", "Macintosh; Intel Mac OS X 10.15"),
    "win32": ("Windows NT 10.0; Win64; x64", "Windows NT 10.0; Win64; x64"),
}


def user_agent_for(family: str, major_version: int | None, platform: str = sys.platform) -> str | None:
    """The UA string of a `chromium`- or `firefox`-family browser of that major version, or None if unknown.

    Chromium-family browsers send a reduced UA (`Chrome/<major>.0.0.0`); Firefox sends `rv:<major>.0`.
    """
    if major_version is None:
        return None
    chromium_os, firefox_os = _PLATFORMS.get("linux" if platform.startswith("linux") else platform,
                                             _PLATFORMS["linux"])
    if family == "chromium":
        return (f"Mozilla/5.0 ({chromium_os}) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{major_version}.0.0.0 Safari/537.36")
    if family == "firefox":
        return f"Mozilla/5.0 ({firefox_os}; rv:{major_version}.0) Gecko/20100101 Firefox/{major_version}.0"
    return None
