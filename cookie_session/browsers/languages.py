"""The Accept-Language header each browser builds from its language preference.

- Chromium: `intl.accept_languages` in the profile's Preferences, e.g. "en-US,de". Chromium expands it
  with the base languages (net/http/http_util.cc `HttpUtil::ExpandLanguageList`: "en-US,de" ->
  "en-US,en,de") and gives q-values falling by 0.1 from 1.0, never below 0.1 (`GenerateAcceptLanguageHeader`):
  "en-US,en;q=0.9,de;q=0.8". Checked against Chromium 156: "de,fr-FR,en-US" is sent as
  "de,fr-FR;q=0.9,fr;q=0.8,en-US;q=0.7,en;q=0.6".
- Firefox: `intl.accept_languages` in prefs.js / user.js. Firefox canonicalises each tag's case
  (netwerk/protocol/http/nsHttpHandler.cpp `CanonicalizeLanguageTag`: "zh-hant-hk" -> "zh-Hant-HK"), drops
  any ";q=" given, and, as captured from Firefox ESR 153, gives q-values falling by 0.1 from 1.0, never
  below 0.1, without adding base languages: "de, fr-FR, en-US, en" -> "de,fr-FR;q=0.9,en-US;q=0.8,en;q=0.7".
  (Older Firefox spread the q-values evenly instead: "en-US, en" -> "en-US,en;q=0.5".)
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
    return _with_q_values(list(dict.fromkeys(expanded)))


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
    return _with_q_values([_firefox_case(t) for t in _tags(preference, r"[; \t]")])


def _with_q_values(tags: list[str]) -> str | None:
    """The tags joined as "a,b;q=0.9,c;q=0.8,...": q falling by 0.1 from 1.0 (implicit), never below 0.1."""
    if not tags:
        return None
    return ",".join(tag if i == 0 else f"{tag};q=0.{max(10 - i, 1)}" for i, tag in enumerate(tags))
