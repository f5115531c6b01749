"""Issue 15, class 1: origin and host are decided by the parser that sends the request.

Oracle: what requests itself connects to for a URL, i.e. its adapter's connection-pool key
(`build_connection_pool_key_attributes` on the prepared request: scheme, host, port). Every URL
our checks accept must agree with it, and be safe by it (loopback, or inside the allowed domain).
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from hypothesis import example, given, settings, strategies as st
from loopback import RecordingServer

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.client import NO_RETRIES, GrokClient
from cookie_session.errors import BadInputError, CookieSessionError, InsecureUrlError, UnsafeRedirectError
from cookie_session.policy import check_base_url, host_in_domain, is_loopback_host, locality_verdict, url_target

KEY = "xai-" + "k" * 80


def what_requests_connects_to(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of the connection requests would open for `url`, or None if it would not send."""
    session = requests.Session()
    try:
        prepared = session.prepare_request(requests.Request("GET", url))
        adapter = session.get_adapter(prepared.url)
        params, _ = adapter.build_connection_pool_key_attributes(prepared, True)
    except (requests.exceptions.RequestException, ValueError, UnicodeError):
        return None
    scheme = params["scheme"]
    return scheme, params["host"].strip("[]").lower(), params["port"] or {"http": 80, "https": 443}[scheme]


def _oracle_is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- URLs built from the pieces on which parsers disagree -----------------------------------------------

HOSTS = [
    "127.0.0.1",
    "localhost",
    "grok.com",
    "evil.test",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "127.1",
    "localhost.",
    "grok.com.",
    "sub.grok.com",
    "evil-grok.com",
    "grok.com.evil.test",
    "app.localhost",
    "LOCALHOST",
    "%31%32%37.0.0.1",
    "evil.test\\.grok.com",
    "evil.test\\.localhost",
    "0x7f.0.0.1",
    "[::1%25eth0]",
]
GLUE = ["", "@", "\\", "\\@", "/", "#", "?", "#@", "?@", "%40", "%5C", ":", " ", "\t", "\x00", ".", ";", "%2F"]
PORTS = ["", ":80", ":443", ":0", ":8080", ":065535", ":99999", ":", ":1a"]

pieces = st.sampled_from(HOSTS)
urls = st.builds(
    lambda scheme, user, host, port, glue, host2, path: f"{scheme}://{user}{host}{port}{glue}{host2}{path}",
    st.sampled_from(["http", "https", "HTTP", "hTTps", "ftp"]),
    st.sampled_from(["", "user@", "user:pw@", "evil.test@", "a\\@", "%40@", ":@"]),
    pieces,
    st.sampled_from(PORTS),
    st.sampled_from(GLUE),
    st.sampled_from(["", *HOSTS]),
    st.sampled_from(["", "/", "/v1", "/\\evil.test", "/%2e%2e/", "?q=1", "#f"]),
) | st.text(st.sampled_from(list("htps:/\\@[]:.%2501abcdegkloqrt? #\t")), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(url=urls)
@example("http://evil.test\\.localhost")
@example("https://evil.test\\.grok.com")
@example("http://127.0.0.1:9\\@grok.com/")
@example("http://[127.0.0.1")
def test_what_we_accept_is_where_requests_connects_and_is_safe(url):
    oracle = what_requests_connects_to(url)
    try:
        target = url_target(url)
    except InsecureUrlError:
        target = None
    if target is not None:
        assert oracle is not None, url
        assert (target.scheme, target.host, target.port) == oracle, url
    try:
        accepted = check_base_url(url, allowed_domain="grok.com")
    except CookieSessionError:
        return
    assert accepted and oracle is not None, url
    scheme, host, _port = oracle
    loopback = _oracle_is_loopback(host)
    in_grok = host.rstrip(".") == "grok.com" or host.rstrip(".").endswith(".grok.com")
    assert loopback or (scheme == "https" and in_grok), url


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.test\\.localhost",
        "http://evil.test\\.localhost:8080/v1",
        "https://evil.test\\.grok.com",
        "https://evil.test\\@grok.com",
        "http://127.0.0.1\\@evil.test",
        "http://127.0.0.1:80\\@evil.test/",
        "https://grok.com\t.evil.test",
        "https://grok.com .evil.test",
        " http://127.0.0.1",
        "http://127.0.0.1\x00.evil.test",
        "http://app.localhost",
        "http://localhost.",
        "http://127.1",
        "http://[::ffff:127.0.0.1]",
        "https://grok.com.evil.test",
        "https://evil-grok.com",
        "http://[127.0.0.1",
        "http://127.0.0.1:99999",
        "https://user:pw@grok.com",
        "https://grok.com/?k=secret",
        "https://grok.com/#frag",
        "ftp://grok.com",
    ],
)
def test_base_urls_on_which_parsers_could_disagree_or_that_are_unsafe_are_refused(url):
    with pytest.raises(CookieSessionError) as caught:
        check_base_url(url, allowed_domain="grok.com")
    assert "secret" not in str(caught.value) and "pw" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/v1",
        "http://localhost:1",
        "http://[::1]:9/",
        "https://grok.com",
        "https://sub.grok.com/",
        "https://GROK.com",
    ],
)
def test_plain_base_urls_still_pass(url):
    assert check_base_url(url, allowed_domain="grok.com") == url.rstrip("/")


@pytest.mark.parametrize(
    "host",
    [
        "evil.test\\.grok.com",
        "grok.com\\",
        "a b.grok.com",
        "x\x00.grok.com",
        "evil.test/.grok.com",
        "evil.test@grok.com",
    ],
)
def test_a_host_with_characters_no_host_name_has_is_in_no_domain(host):
    assert not host_in_domain(host, "grok.com")


@pytest.mark.parametrize("host", ["app.localhost", "evil.localhost", "localhost.", "127.1", "0x7f000001"])
def test_names_whose_resolution_we_cannot_vouch_for_are_not_loopback(host):
    assert not is_loopback_host(host)


@pytest.mark.parametrize(
    "target_url",
    [
        "http://[127.0.0.1",
        "http://[::1",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:-1",
        "http://[zz]/",
        "http://a\\@127.0.0.1",
        "",
        "grok",
        "http://127.0.0.1:1a/",
        "http://\x00/",
    ],
)
def test_a_malformed_target_url_is_a_clear_bad_input_error(target_url):
    with pytest.raises(BadInputError) as caught:
        locality_verdict({}, target_url=target_url, root="/nonexistent")
    assert "Target URL" in str(caught.value)


def test_the_locality_target_is_judged_where_requests_connects():
    assert not locality_verdict({}, target_url="https://evil.test@grok.com.evil.test/", root="/nonexistent").local
    assert locality_verdict({}, target_url="https://user@grok.com/", root="/nonexistent").local


# --- redirects, against real loopback servers ---------------------------------------------------------

LOCATIONS = [
    "http://127.0.0.1:{other}\\@127.0.0.1:{home}/v1/models",
    "http://127.0.0.1:{other}\\\\@127.0.0.1:{home}/v1/models",
    "http://127.0.0.1:{other}#@127.0.0.1:{home}/v1/models",
    "http://127.0.0.1:{other}?@127.0.0.1:{home}/v1/models",
    "http://127.0.0.1:{home}@127.0.0.1:{other}/v1/models",
    "http://127.0.0.1:{other}\t@127.0.0.1:{home}/v1/models",
    "http://127.0.0.1:{other} @127.0.0.1:{home}/v1/models",
    "http:\\\\127.0.0.1:{other}/v1/models",
    "\\\\127.0.0.1:{other}/v1/models",
    "/\\127.0.0.1:{other}/v1/models",
    "//127.0.0.1:{other}/v1/models",
    "http://localhost:{other}/v1/models",
    "HTTP://127.0.0.1:{other}/v1/models",
    "http://127.0.0.1.:{other}/v1/models",
    "http://127.0.0.1:{other}%5C@127.0.0.1:{home}/v1/models",
    "http://127.0.0.1:{other}%2F@127.0.0.1:{home}/v1/models",
]


@pytest.mark.parametrize("location", LOCATIONS)
def test_a_redirect_never_reaches_another_origin_whatever_its_spelling(location):
    with RecordingServer() as home, RecordingServer() as other:
        home.redirect("/v1/models", location.format(other=other.port, home=home.port))
        home.routes["/v1/go"] = home.routes["/v1/models"]
        client = GrokClient(ApiKeyAuthenticator(KEY), base_url=f"{home.url}/v1", retry=NO_RETRIES)
        try:
            client.models()
        except CookieSessionError as error:
            assert KEY not in str(error)
        assert other.requests == [], location


def test_the_backslash_userinfo_redirect_is_refused_naming_no_credential():
    with RecordingServer() as home, RecordingServer() as other:
        home.redirect("/v1/models", f"http://127.0.0.1:{other.port}\\@127.0.0.1:{home.port}/v1/models")
        client = GrokClient(ApiKeyAuthenticator(KEY), base_url=f"{home.url}/v1", retry=NO_RETRIES)
        with pytest.raises(UnsafeRedirectError):
            client.models()
        assert other.requests == []
        assert len(home.requests) == 1


@settings(max_examples=2000, deadline=None)
@given(
    location=st.builds(
        lambda a, b, c, d: a + b + c + d,
        st.sampled_from(["", "http:", "https:", "//", "/", "\\\\", "http://"]),
        st.sampled_from(["127.0.0.1:2", "evil.test", "127.0.0.1:1", ""]),
        st.sampled_from(GLUE),
        st.sampled_from(["", "127.0.0.1:1/x", "/x", "@127.0.0.1:1/", "evil.test/"]),
    )
)
def test_a_location_we_would_follow_is_where_requests_would_connect(location):
    """The redirect judgement, differentially: a Location judged same-origin is where requests goes."""
    base = "http://127.0.0.1:1/v1/models"
    try:
        target = urljoin(base, location)
        same = url_target(target).origin == url_target(base).origin
    except ValueError:
        return
    if same:
        assert what_requests_connects_to(target) == ("http", "127.0.0.1", 1), location


@settings(max_examples=1500, deadline=None)
@given(target_url=urls | st.text(max_size=60))
def test_any_target_url_gives_a_verdict_or_a_bad_input_error_never_a_crash(target_url):
    try:
        verdict = locality_verdict({}, target_url=target_url, root="/nonexistent")
    except BadInputError as error:
        assert str(error).startswith("Target URL")
    else:
        host = url_target(target_url).host
        assert verdict.local == (is_loopback_host(host) or host_in_domain(host, "grok.com"))
