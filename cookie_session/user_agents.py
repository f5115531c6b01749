"""The User-Agent a browser sends, rebuilt from its family and version (Cloudflare binds cf_clearance to it)."""

from __future__ import annotations

import sys

_PLATFORMS = {
    "linux": ("X11; Linux x86_64", "X11; Linux x86_64"),
    "darwin": ("Macintosh; Intel Mac OS X 10_15_7", "Macintosh; Intel Mac OS X 10.15"),
    "win32": ("Windows NT 10.0; Win64; x64", "Windows NT 10.0; Win64; x64"),
}


#: The product token a Chromium-based browser appends to Chrome's UA (the others send Chrome's own).
_CHROMIUM_SUFFIX = {"edge": " Edg/{major}.0.0.0"}


def user_agent_for(
    family: str, major_version: int | None, platform: str = sys.platform, *, browser: str | None = None
) -> str | None:
    """The UA string of a `chromium`- or `firefox`-family browser of that major version, or None if unknown.

    Chromium-family browsers send a reduced UA (`Chrome/<major>.0.0.0`, Edge adds `Edg/<major>.0.0.0`);
    Firefox sends `rv:<major>.0`. `browser` is the browser's name (`chrome`, `edge`, ...).
    """
    if major_version is None:
        return None
    chromium_os, firefox_os = _PLATFORMS.get("linux" if platform.startswith("linux") else platform, _PLATFORMS["linux"])
    if family == "chromium":
        return (
            f"Mozilla/5.0 ({chromium_os}) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major_version}.0.0.0 Safari/537.36"
            + _CHROMIUM_SUFFIX.get(browser or "", "").format(major=major_version)
        )
    if family == "firefox":
        return f"Mozilla/5.0 ({firefox_os}; rv:{major_version}.0) Gecko/20100101 Firefox/{major_version}.0"
    return None
