"""The signed `x-statsig-id` (docs/grok-com-rules.md, rows on statsig): the published algorithm reproduced exactly
(known-answer vectors computed by a line-for-line Java transcription of Prodigalgal/any2api's signer), the page
parsed as grok.com serves it, tokens bound to method, path and time, cached under an hour, refreshed on demand."""

from __future__ import annotations

import base64
import hashlib

import pytest
from grok_site import VECTORS, page_html, random_curves, random_page, unsigned

from cookie_session.transports.grok.statsig import (
    EPOCH,
    PAGE_TTL,
    STATSIG_FALLBACK,
    TOKEN_TTL,
    StatsigSigner,
    parse_site_verification,
    sign,
)


@pytest.mark.parametrize("vector", VECTORS, ids=[f"vector{i}" for i in range(len(VECTORS))])
def test_the_signature_matches_the_reference_implementation(vector):
    html = page_html(base64.b64decode(vector["seed"]), vector["curves"])
    site = parse_site_verification(html)
    assert site is not None and site.style == vector["style"]
    assert sign(site, vector["method"], vector["path"], t=vector["t"], key=vector["key"]) == vector["token"]


def test_a_token_is_70_bytes_bound_to_method_path_and_time():
    seed, _curves, html = random_page()
    site = parse_site_verification(html)
    token = sign(site, "POST", "/rest/modes", t=123456, key=0x5A)
    assert "=" not in token and len(base64.b64decode(token + "==")) == 70
    key, carried_seed, t, digest, marker = unsigned(token)
    assert (key, carried_seed, t, marker) == (0x5A, seed, 123456, 3)
    expected = hashlib.sha256(f"POST!/rest/modes!123456obfiowerehiring{site.style}".encode()).digest()[:16]
    assert digest == expected
    assert sign(site, "POST", "/rest/rate-limits", t=123456, key=0x5A) != token
    assert sign(site, "GET", "/rest/modes", t=123456, key=0x5A) != token
    assert sign(site, "POST", "/rest/modes", t=123457, key=0x5A) != token


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>404</title></head></html>",  # the branded /index 404
        page_html(b"s" * 47, random_curves(__import__("random").Random(1))),  # a seed of another size
        '<meta name="grok-site-verification" content="not base64 !"/>',
        page_html(b"s" * 48, [[]] * 4),  # curves of another shape
    ],
)
def test_a_page_without_a_usable_seed_and_curves_gives_none(html):
    assert parse_site_verification(html) is None


def test_the_meta_tag_is_found_in_either_attribute_order_and_with_a_unicode_dash():
    seed, curves, html = random_page()
    content = base64.b64encode(seed).decode()
    reordered = html.replace(
        f'<meta name="grok-site-verification" content="{content}"/>',
        f"<meta content='{content}' name='grok-site\u2011verification'>",
    )
    assert parse_site_verification(reordered).seed == seed


class Pages:
    """A fake site: /index a branded 404, / the page; counts fetches."""

    def __init__(self, html: str, index_status: int = 404) -> None:
        self.html, self.index_status, self.fetched = html, index_status, []

    def __call__(self, path: str) -> tuple[int, str]:
        self.fetched.append(path)
        if path == "/index":
            return self.index_status, "<html>This page could not be found</html>"
        return 200, self.html


def test_the_signer_reads_the_seed_from_slash_when_index_is_the_branded_404():
    seed, _curves, html = random_page()
    pages, now = Pages(html), [EPOCH + 1_000_000.0]
    signer = StatsigSigner(pages, clock=lambda: now[0])
    token = signer.header_for("POST", "/rest/modes")
    assert pages.fetched == ["/index", "/"]
    _key, carried, t, _digest, _marker = unsigned(token)
    assert carried == seed and t == 1_000_000


def test_tokens_are_cached_per_method_and_path_under_an_hour_then_renewed():
    _seed, _curves, html = random_page()
    pages, now = Pages(html), [EPOCH + 5_000.0]
    signer = StatsigSigner(pages, clock=lambda: now[0])
    first = signer.header_for("POST", "/rest/modes")
    assert signer.header_for("POST", "/rest/modes") == first
    assert signer.header_for("POST", "/rest/rate-limits") != first
    now[0] += TOKEN_TTL + 1
    renewed = signer.header_for("POST", "/rest/modes")
    assert renewed != first and unsigned(renewed)[2] == int(now[0]) - EPOCH
    assert TOKEN_TTL < 3600 and pages.fetched.count("/") == 1
    now[0] += PAGE_TTL
    signer.header_for("POST", "/rest/modes")
    assert pages.fetched.count("/") == 2  # the page too is fetched anew once its hour is up


def test_invalidate_fetches_a_fresh_page_and_signs_anew():
    _seed, _curves, html = random_page(1)
    new_seed, _curves, new_html = random_page(2)
    pages = Pages(html)
    signer = StatsigSigner(pages)
    signer.header_for("POST", "/rest/modes")
    pages.html = new_html  # a new build of the web app
    signer.invalidate()
    assert unsigned(signer.header_for("POST", "/rest/modes"))[1] == new_seed


def test_a_page_without_a_seed_sends_the_browsers_one_fixed_fallback():
    signer = StatsigSigner(Pages("<html>no seed here</html>"))
    values = {signer.header_for("POST", path) for path in ("/rest/modes", "/rest/rate-limits")}
    assert values == {STATSIG_FALLBACK}
    chrome_text = b"x1:TypeError: Cannot read properties of undefined (reading 'childNodes')"
    assert base64.b64decode(STATSIG_FALLBACK) == chrome_text


def test_warm_signing_makes_no_page_fetch():
    _seed, _curves, html = random_page()
    pages = Pages(html)
    signer = StatsigSigner(pages)
    for path in ("/rest/a", "/rest/b", "/rest/c"):
        signer.header_for("POST", path)
    assert pages.fetched == ["/index", "/"]
