"""The stand-in's x-statsig-id: its signer matches the published algorithm, and its verifier refuses what
grok.com refuses, over real sockets (rules G14-G18 of docs/grok-com-rules.md)."""

from __future__ import annotations

import base64
import json
import re
import time

import pytest
import requests
from gateway_client import login

from cookie_session.testing.standin import StandIn, statsig
from cookie_session.testing.standin.grok_site import Curve, SiteBuild

ANTI_BOT = {"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}
OUT_OF_DATE = {"code": 7, "message": "This page is out of date. Reload to continue.", "details": []}
CHROME_FALLBACK = base64.b64encode(b"x1:TypeError: Cannot read properties of undefined (reading 'childNodes')").decode()
# The way Prodigalgal/any2api's signer reads the page (GrokWebStatsigSigner.java, META_NAME_FIRST and CURVES).
META = re.compile(r"<meta[^>]+name=[\"']grok-site-verification[\"'][^>]+content=[\"']([^\"']+)")
CURVES = re.compile(r'\\"curves\\":(\[\[.*?\]\]),\\"css_class\\":\\"[A-Za-z0-9_-]{1,64}\\"', re.DOTALL)


@pytest.fixture
def web():
    with StandIn() as server:
        yield server


def rest(web, path: str, statsig_id: str | None, *, who=None, method: str = "POST", body=None):
    who = who or login(web)
    headers = {"User-Agent": who.user_agent, "Cookie": who.cookie_header}
    if statsig_id is not None:
        headers["x-statsig-id"] = statsig_id
    return requests.request(
        method, web.web_base_url + path, json=body if body is not None else {"modelName": "fast"}, headers=headers
    )


def site_from_page(html: str) -> SiteBuild:
    """Seed and curves as a client extracts them from the served page."""
    seed = base64.b64decode(META.search(html).group(1))
    groups = json.loads(CURVES.search(html).group(1).replace('\\"', '"'))
    curves = tuple(tuple(Curve(tuple(c["color"]), c["deg"], tuple(c["bezier"])) for c in group) for group in groups)
    return SiteBuild(seed, curves, "any")


def test_g15_the_signer_matches_the_published_cross_language_vector():
    """G15: any2api's test vector (seed 0..47, fixed curves, POST conversations/new, t=123456, R=37)."""
    curves = tuple(
        tuple(Curve((10 + group, 20, 30, 210, 220, 230), 120 + index, (80, 100, 160, 200)) for index in range(16))
        for group in range(4)
    )
    site = SiteBuild(bytes(range(48)), curves, "r-ogi2o")
    token = statsig.sign("POST", "/rest/app-chat/conversations/new", site, now=statsig.EPOCH + 123456, xor_key=37)
    assert token == ("JSUkJyYhICMiLSwvLikoKyo1NDc2MTAzMj08Pz45ODs6BQQHBgEAAwINDA8OCQgLCmXHJCV1hLcfDtt06UKgboUW0R8EJg")
    assert len(base64.b64decode(token + "==")) == 70 and len(token) == 94


def test_g18_the_page_carries_the_seed_and_curves_a_client_signs_with(web):
    """G18: `/` has the meta seed (48 bytes) and 4 x 16 curves in the flight script; a token signed from what a
    client extracts is accepted, and `/index` is the branded 404 without the meta."""
    page = requests.get(web.web_base_url + "/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    extracted = site_from_page(page.text)
    assert extracted.seed == web.site.seed and len(extracted.seed) == 48
    assert extracted.curves == web.site.curves and [len(group) for group in extracted.curves] == [16] * 4
    numbers = [n for group in extracted.curves for c in group for n in (*c.color, c.deg, *c.bezier)]
    assert all(isinstance(n, int) and 0 <= n <= 255 for n in numbers)
    assert "self.__next_f.push([1," in page.text
    token = statsig.sign("POST", "/rest/rate-limits", extracted)
    assert rest(web, "/rest/rate-limits", token).status_code == 200
    index = requests.get(web.web_base_url + "/index")
    assert index.status_code == 404 and "This page could not be found" in index.text
    assert "grok-site-verification" not in index.text


def test_g18_seed_and_curves_follow_the_stand_in_seed_and_change_with_rotate_site():
    """G18: `StandIn(seed=...)` repeats the build; `rotate_site()` changes seed and curves on the page."""
    with StandIn(seed=7) as first, StandIn(seed=7) as second, StandIn(seed=8) as other:
        assert first.site == second.site and first.site.seed == second.site.seed
        assert other.site.seed != first.site.seed
        old = first.site
        new = first.rotate_site()
        assert new.seed != old.seed and new.curves != old.curves and first.site is new
        html = requests.get(first.web_base_url + "/").text
        assert site_from_page(html).seed == new.seed


def test_g15_a_token_signed_by_the_helper_passes_and_may_be_reused_for_its_path(web):
    """G15, G16: a signed token is accepted for its method and path, again within the hour (clients cache)."""
    who = login(web)
    token = web.sign_statsig("POST", "/rest/rate-limits")
    for _ in range(3):
        reply = rest(web, "/rest/rate-limits", token, who=who)
        assert reply.status_code == 200, reply.text
    assert reply.json()["windowSizeSeconds"] == 7200
    padded = token + "=" * (-len(token) % 4)
    assert rest(web, "/rest/rate-limits", padded, who=who).status_code == 200  # padding optional


@pytest.mark.parametrize(
    "signed_for, now_offset",
    [
        (("POST", "/rest/modes"), 0),  # another path
        (("GET", "/rest/rate-limits"), 0),  # another method
        (("POST", "/rest/rate-limits"), -3601),  # older than an hour
        (("POST", "/rest/rate-limits"), 61 + 5),  # more than a minute ahead
    ],
    ids=["wrong path", "wrong method", "stale t", "future t"],
)
def test_g16_a_token_for_another_request_or_time_is_out_of_date(web, signed_for, now_offset):
    """G16: method, path and time are bound: the top-level "out of date" 403."""
    token = web.sign_statsig(*signed_for, now=time.time() + now_offset)
    reply = rest(web, "/rest/rate-limits", token)
    assert (reply.status_code, reply.json()) == (403, OUT_OF_DATE)


def test_g16_the_time_window_edges_are_accepted(web):
    """G16: 59 minutes old and 30 s ahead (clock skew) still pass."""
    for offset in (-3540, 30):
        assert rest(
            web, "/rest/rate-limits", web.sign_statsig("POST", "/rest/rate-limits", now=time.time() + offset)
        ).ok


def test_g16_a_token_of_the_old_build_is_out_of_date_after_rotate_site(web):
    """G16, G18: a new web-app build (new seed) makes earlier tokens out of date; a fresh one passes."""
    token = web.sign_statsig("POST", "/rest/rate-limits")
    web.rotate_site()
    reply = rest(web, "/rest/rate-limits", token)
    assert (reply.status_code, reply.json()) == (403, OUT_OF_DATE)
    assert rest(web, "/rest/rate-limits", web.sign_statsig("POST", "/rest/rate-limits")).status_code == 200


def _tamper(token: str, index: int, flip: int) -> str:
    raw = bytearray(base64.b64decode(token + "=" * (-len(token) % 4)))
    raw[index] ^= flip
    return base64.b64encode(bytes(raw)).decode().rstrip("=")


def test_g16_a_changed_digest_or_seed_byte_is_out_of_date(web):
    """G16: the digest and the seed are checked, not just the shape."""
    token = web.sign_statsig("POST", "/rest/rate-limits")
    for index in (1, 30, 60):  # a seed byte, another seed byte, a digest byte
        reply = rest(web, "/rest/rate-limits", _tamper(token, index, 0x01))
        assert (reply.status_code, reply.json()) == (403, OUT_OF_DATE), index


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not base64 at all!",
        "@@@@",
        base64.b64encode(bytes(70)).decode(),  # last byte 0 ^ key 0 != 3
        base64.b64encode(bytes(69)).decode(),
        base64.b64encode(bytes(71)).decode(),
        base64.b64encode(b"x1:TypeError: Cannot read properties of null (reading 'children')").decode(),
        base64.b64encode(b"x1:ReferenceError: abc is not defined").decode(),
        base64.b64encode(b"e:TypeError: Cannot read properties of undefined (reading 'childNodes')").decode(),
        CHROME_FALLBACK.replace("=", "") + "A",
    ],
    ids=[
        "missing header",
        "empty",
        "not base64",
        "symbols",
        "bad last byte",
        "69 bytes",
        "71 bytes",
        "random x1 text",
        "another x1 error",
        "old e: prefix",
        "fallback plus junk",
    ],
)
def test_g14_anything_else_gets_the_anti_bot_refusal(web, value):
    """G14, G17: a missing, malformed or made-up value is refused with the wrapped code-7 body."""
    reply = rest(web, "/rest/rate-limits", value)
    assert (reply.status_code, reply.json()) == (403, ANTI_BOT)


def test_g14_a_bad_last_byte_in_an_otherwise_signed_token_is_anti_bot(web):
    """G14: the end marker is checked before anything else of the token."""
    token = web.sign_statsig("POST", "/rest/rate-limits")
    reply = rest(web, "/rest/rate-limits", _tamper(token, 69, 0x04))
    assert (reply.status_code, reply.json()) == (403, ANTI_BOT)


def test_g17_chromes_exact_fallback_is_accepted_with_or_without_padding(web):
    """G17: the one fallback text a browser produces is accepted on any /rest/ path."""
    for value in (CHROME_FALLBACK, CHROME_FALLBACK.rstrip("=")):
        assert rest(web, "/rest/rate-limits", value).status_code == 200
        assert rest(web, "/rest/modes", value, body={"locale": "en"}).status_code == 200


def test_g14_the_statsig_rule_can_be_relaxed_and_is_not_asked_of_api_or_pages():
    """G14: relaxed, no header is needed; `/api/auth/session` and the pages never need one."""
    with StandIn(relax=("statsig",)) as web:
        assert rest(web, "/rest/rate-limits", None).status_code == 200
    with StandIn() as web:
        who = login(web)
        headers = {"User-Agent": who.user_agent, "Cookie": who.cookie_header}
        assert requests.get(web.web_base_url + "/api/auth/session", headers=headers).json()["status"] == "authenticated"
        assert requests.get(web.web_base_url + "/").status_code == 200
