"""Which cookie hosts are xAI's: matched exactly, never by substring."""

from __future__ import annotations

from urllib.parse import unquote

from ..policy import is_xai_cookie_host

#: Hosts read by an index seek; include_subdomains=True also reads the other subdomains.
EXACT_HOSTS = ("grok.com", ".grok.com", "x.ai", ".x.ai", "accounts.x.ai", ".accounts.x.ai")


def is_xai_host(host: str) -> bool:
    """policy.is_xai_cookie_host, except that 'grok.com.' (trailing dot) is another cookie host: refused."""
    return bool(host) and host.isascii() and not host.endswith(".") and is_xai_cookie_host(host)


def wanted_host(host: str, include_subdomains: bool) -> bool:
    """Whether a reader keeps a row of `host`: the exact hosts, or any xAI host with include_subdomains."""
    return is_xai_host(host) if include_subdomains else host.lower() in EXACT_HOSTS


def site_is_xai(site: str) -> bool:
    """For a partition key like 'https://grok.com' (Chromium) or '(https,grok.com)' (Firefox): an xAI site?"""
    site = unquote(site).strip("()")
    host = site.split("://", 1)[1] if "://" in site else (site.split(",") + [""])[1]
    return is_xai_host(host.split(":")[0].split("/")[0])
