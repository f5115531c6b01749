"""The unsafe opt-in in shell scripts, Dockerfiles and YAML/TOML/INI config, removed line by line.

A line that only sets COOKIE_SESSION_UNSAFE_BROWSER_COOKIES to the opt-in value
(`export X=...`, `ENV X=...`, `X: ...`) or `unsafe_browser_cookies` to true goes;
`--unsafe-browser-cookies` and `--auth browser` go from a line that runs `cookie-session`
(plain words or an exec-form array). JSON is left alone (a removed entry breaks its commas).
"""

from __future__ import annotations

import re

from ...settings import UNSAFE_ENV_VALUE, UNSAFE_ENV_VAR, UNSAFE_FLAG

__all__ = ["remove_text_opt_in"]

_Q = "[\"']?"
_SETS_ENV = re.compile(
    rf"^\s*(?:export\s+|ENV\s+|-\s+)?{_Q}{re.escape(UNSAFE_ENV_VAR)}{_Q}\s*[:=]\s*{_Q}"
    rf"{re.escape(UNSAFE_ENV_VALUE)}{_Q}\s*$"
)
_SETS_SWITCH = re.compile(rf"(?i)^\s*{_Q}unsafe[_-]browser[_-]cookies{_Q}\s*[:=]\s*{_Q}(?:true|yes|on|1){_Q}\s*$")
_OUR_COMMAND = re.compile(r"cookie-session|-m\s+cookie_session|[\"']cookie_session[\"']")
_FLAGS = (
    re.compile(rf"\s*[\"']{re.escape(UNSAFE_FLAG)}[\"']\s*,|,\s*[\"']{re.escape(UNSAFE_FLAG)}[\"'](?=\s*\])"),
    re.compile(r"\s*[\"']--auth=browser[\"']\s*,|,\s*[\"']--auth=browser[\"'](?=\s*\])"),
    re.compile(
        r"\s*[\"']--auth[\"']\s*,\s*[\"']browser[\"']\s*,|,\s*[\"']--auth[\"']\s*,\s*[\"']browser[\"'](?=\s*\])"
    ),
    re.compile(rf"[ \t]+{re.escape(UNSAFE_FLAG)}(?![\w-])"),
    re.compile(r"[ \t]+--auth(?:=|[ \t]+)browser\b"),
)


def remove_text_opt_in(text: str) -> tuple[str, list[str]]:
    """`text` without the opt-in, and what was removed."""
    out, changes = [], []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if _SETS_ENV.match(body):
            changes.append(f"removed the line setting {UNSAFE_ENV_VAR}")
            continue
        if _SETS_SWITCH.match(body):
            changes.append("removed unsafe_browser_cookies = true")
            continue
        if _OUR_COMMAND.search(body):
            new = body
            for flag in _FLAGS:
                new = flag.sub("", new)
            if new != body:
                changes.append(f"removed {UNSAFE_FLAG} / --auth browser from a cookie-session command")
                line = new + line[len(body) :]
        out.append(line)
    return "".join(out), changes
