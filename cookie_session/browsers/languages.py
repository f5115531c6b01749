"""The Accept-Language header each browser builds from its language preference.

- Chromium: `intl.accept_languages` in the profile's Preferences, e.g. "en-US,de". Chromium expands it
  with the base languages (net/http/http_util.cc `HttpUtil::ExpandLanguageList`: "en-US,de" ->
  "en-US,en,de") and gives q-values falling by 0.1 from 1.0, never below 0.1 (`GenerateAcceptLanguageHeader`):
  "en-US,en;q=0.9,de;q=0.8". Checked against Chromium 156: "de,fr-FR,en-US" is sent as
  "de,fr-FR;q=0.9,fr;q=0.8,en-US;q=0.7,en;q=0.6".
- Firefox: `intl.accept_languages` in prefs.js / user.js. Firefox canonicalises each tag's case and spreads
  q-values evenly from 1.0 (netwerk/protocol/http/nsHttpHandler.cpp `PrepareAcceptLanguages`, now
  `rust_prepare_accept_languages`): "en-US, en" -> "en-US,en;q=0.5"; "de, en-US, en" -> "de,en-US;q=0.7,en;q=0.3"
  (vectors from Firefox's netwerk/test/unit/test_header_Accept-Language_case.js).
"""

from __future__ import annotations

import re

_TAG = re.compile(r"[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,8})*")
MAX_LANGUAGES = 40


def _tags(preference: str, cut: str | None = None) -> list[str]:
    """The language tags of a comma list (at most MAX_LANGUAGES), each cut at the first match of `cut`;
    invalid ones dropped."""
    tags = []
    for part in preference.split(",")[:MAX_LANGUAGES]:
        tag = part.strip(" \t")
        tag = re.split(cut, tag, maxsplit=1)[0] if cut else tag
        if _TAG.fullmatch(tag):
            tags.append(tag)
    return tags


def chromium_accept_language(preference: str) -> str | None:
    """The Accept-Language Chromium sends for its `intl.accept_languages` value; None when it holds no tag."""
    tags = _tags(preference)
    expanded: list[str] = []
    for i, tag in enumerate(tags):
        expanded.append(tag)
        base = tag.split("-")[0]
        if base != tag and (i + 1 == len(tags) or tags[i + 1].split("-")[0] != base):
            expanded.append(base)
    unique = list(dict.fromkeys(expanded))
    if not unique:
        return None
    parts, q10 = [], 10
    for tag in unique:
        parts.append(tag if q10 == 10 else f"{tag};q=0.{q10}")
        q10 = max(q10 - 1, 1)
    return ",".join(parts)


def _firefox_case(tag: str) -> str:
    """Firefox's CanonicalizeLanguageTag: lower case; after the first subtag, 2 letters upper, 4 title,
    nothing changed after a one-letter (singleton) subtag."""
    out, singleton = [], False
    for i, sub in enumerate(tag.lower().split("-")):
        if i and not singleton:
            if len(sub) == 1:
                singleton = True
            elif len(sub) == 2:
                sub = sub.upper()
            elif len(sub) == 4:
                sub = sub.title()
        out.append(sub)
    return "-".join(out)


def firefox_accept_language(preference: str) -> str | None:
    """The Accept-Language Firefox sends for its `intl.accept_languages` value; None when it holds no tag."""
    tags = [_firefox_case(t) for t in _tags(preference, r"[; \t]")]
    if not tags:
        return None
    parts, q, step = [], 1.0, 1.0 / len(tags)
    for n, tag in enumerate(tags, start=1):
        u = int((q + 0.005) * 100)
        if u >= 100:
            parts.append(tag)
        elif n < 10 or u % 10 == 0:
            parts.append(f"{tag};q=0.{(u + 5) // 10}")
        else:
            parts.append(f"{tag};q=0.{u:02d}")
        q -= step
    return ",".join(parts)
