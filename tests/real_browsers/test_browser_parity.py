"""Parity with real browsers: what the project sends to grok.com is what the user's own browser sends.

A real headless Chromium and a real Firefox ESR log in to the TLS stand-in served as `grok.com`,
then run the web app's two kinds of request from the page: a same-origin `fetch` POST to `/rest/modes`, and
`new WebSocket('wss://grok.com/ws/mgw/?uid=...')`, the chat gateway. The stand-in records each: headers,
cookies, and the fingerprint of the TLS ClientHello it came over. Then the project, reading that same profile
(after the browser quit, so its cookie database is on disk), lists the modes and chats through the same
stand-in. The tests assert, for the fetch and for the WebSocket handshake:

- TLS: our ClientHello has the browser's TLS version, ALPN list, cipher set and extension set
  (GREASE aside), signature algorithms and groups: the same JA4; and Firefox's extension order
  (Chromium shuffles its extensions on every connection); the server name is printed only;
- headers: every header the browser sent is in ours, with the same value unless it is per
  request (`x-xai-request-id`, `x-statsig-id`, `Content-Length`, `Host`, `Cookie`); `Origin` and
  `Referer` are compared with each side's own origin written as `<origin>` (the browser talks to
  `grok.com`, we to `localhost`: the same stand-in, different names);
- cookies: exactly the browser's names and values (the table shows names only);
- HTTP/2 (through `H2Probe`, as the stand-in speaks HTTP/1.1): the same Akamai fingerprint (SETTINGS,
  WINDOW_UPDATE, PRIORITY frames, pseudo-header order) and the same priority on the request's HEADERS.

The WebSocket's known differences, measured and explained (each asserted to be the only one):
- the browser's WebSocket connection resumes the TLS session of its page (`pre_shared_key`, and Firefox then
  drops `session_ticket`); ours is a first connection, as a browser's first visit is: those two extensions are
  not compared;
- Firefox offers `h2` in the WebSocket's ALPN (it can run WebSockets over HTTP/2, RFC 8441) and the extension
  offer `permessage-deflate`; libcurl bootstraps WebSockets over HTTP/1.1 only and inflates only after its own
  offer (Chromium's form), so ours offers `http/1.1` and `permessage-deflate; client_max_window_bits`.

The comparison prints as a table (header | browser | ours). With PARITY_REPORT_DIR set, each
table is also written there as `<browser>.md`. Skipped when a browser is missing, except in CI.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from installed import require
from quiet_auth import quiet_browser_auth

from cookie_session.client import GrokClient
from cookie_session.testing.headless import HeadlessChromium, HeadlessFirefox, find_chromium, find_firefox
from cookie_session.testing.standin import StandIn
from cookie_session.testing.standin.h2_fingerprint import H2Probe

pytestmark = pytest.mark.real_browser

REPORT_DIR = os.environ.get("PARITY_REPORT_DIR")  # read now: the autouse clean_env runs before each test
FETCH_PATH = "/rest/modes"
GATEWAY_PATH = "/ws/mgw/"
#: What the web app sends when its Statsig code fails (the page's code does not run here): the browser's fixed text.
STATSIG_FALLBACK = base64.b64encode(b"x1:TypeError: Cannot read properties of undefined (reading 'childNodes')")
FETCH = """fetch(FETCH_PATH, {method: 'POST', headers: {'content-type': 'application/json',
    'x-xai-request-id': crypto.randomUUID(), 'x-statsig-id': STATSIG},
    body: JSON.stringify({locale: 'en'})})
  .then(r => r.text().then(t => [r.status, t.slice(0, 300)]))""".replace("FETCH_PATH", json.dumps(FETCH_PATH)).replace(
    "STATSIG", json.dumps(STATSIG_FALLBACK.decode())
)
#: The web app's `new WebSocket(...)` to the gateway, with the user id from the (script-readable) x-userid cookie.
WEBSOCKET = """new Promise(done => {
    const uid = document.cookie.split('; ').find(c => c.startsWith('x-userid=')).split('=')[1];
    const socket = new WebSocket('wss://' + location.host + '/ws/mgw/?uid=' + encodeURIComponent(uid));
    socket.onopen = () => { socket.close(); done('open'); };
    socket.onerror = () => done('error');
    setTimeout(() => done('timeout'), 5000);
})"""
PER_REQUEST = {"x-xai-request-id", "x-statsig-id", "content-length", "host", "cookie", "sec-websocket-key"}
#: TLS session resumption: the browser's WebSocket resumes its page's session, ours is a first connection.
RESUMPTION_EXTENSIONS = {41, 35}  # pre_shared_key; session_ticket (Firefox drops it when it offers a PSK)
#: What libcurl cannot do as Firefox does on a WebSocket (see the module docstring): header -> (Firefox's, ours).
FIREFOX_WEBSOCKET_HEADERS = {
    "sec-websocket-extensions": ("permessage-deflate", "permessage-deflate; client_max_window_bits")
}
FIREFOX_WEBSOCKET_ALPN = (("h2", "http/1.1"), ("http/1.1",))
ORIGIN_BOUND = {"origin", "referer"}
#: Compared: the four fields the issue names, and the rest of what JA4 hashes. Shown only: the name each side
#: asked for (the browser `grok.com`, we `localhost`), and the extension order (Chromium shuffles it).
TLS_COMPARED = ("tls_version", "alpn", "ciphers", "extensions", "signature_algorithms", "supported_groups", "ja4")
TLS_SHOWN = ("server_name", "extension_order")
#: The HTTP/2 fingerprint (the stand-in speaks HTTP/1.1; the probe speaks enough HTTP/2 to read it).
H2_COMPARED = ("akamai", "headers_priority")


def chromium_major() -> int:
    out = subprocess.run(
        [require(find_chromium, "chromium"), "--version"], capture_output=True, text=True, timeout=30
    ).stdout
    return int(re.search(r"(\d+)\.\d+\.\d+\.\d+", out).group(1))


def headful_chromium_user_agent(major: int) -> str:
    """What a desktop (not headless) Chromium of that version sends on Linux: the reduced UA format."""
    return f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36"


def last_request(stand_in: StandIn, path: str, method: str = "POST") -> int:
    return max(i for i, (sent, seen, _h) in enumerate(stand_in.requests) if sent == method and seen == path)


def cookies_of(headers: dict) -> dict[str, str]:
    header = next((v for k, v in headers.items() if k.lower() == "cookie"), "")
    return dict(part.strip().split("=", 1) for part in header.split(";") if "=" in part)


def normalised(name: str, value: str, origin: str) -> str:
    return value.replace(origin, "<origin>") if name in ORIGIN_BOUND else value


def origin_of(headers: dict) -> str:
    host = next(v for k, v in headers.items() if k.lower() == "host")
    return f"https://{host}"


def compare(
    stand_in: StandIn,
    browser_index: int,
    ours_index: int,
    title: str,
    h2: tuple | None = None,
    fixed_order: bool = False,
    known: dict | None = None,
    websocket: bool = False,
) -> tuple[str, list[str]]:
    """The comparison table and the list of mismatches (empty when in parity). `fixed_order`: the
    browser sends its TLS extensions in one order (Firefox), so ours must have it too. `known`: header or TLS field
    -> (browser's, ours), the measured differences that are explained (see the docstring), each required to be
    exactly as stated. `websocket`: a WebSocket handshake (resumption extensions not compared, nor JA4, which
    counts them)."""
    known = known or {}
    _m, _p, theirs = stand_in.requests[browser_index]
    _m, _p, ours = stand_in.requests[ours_index]
    theirs_lower = {k.lower(): v for k, v in theirs.items()}
    ours_lower = {k.lower(): v for k, v in ours.items()}
    their_origin, our_origin = origin_of(theirs), origin_of(ours)
    rows, problems = [], []
    for name in [*theirs_lower, *(n for n in ours_lower if n not in theirs_lower)]:
        mine, their = ours_lower.get(name), theirs_lower.get(name)
        if name == "cookie":
            their, mine = (" ".join(sorted(cookies_of(h))) for h in (theirs, ours))  # names only, never values
            verdict = "same names and values" if cookies_of(theirs) == cookies_of(ours) else "DIFFERENT"
        elif their is None:
            verdict = "only ours"
        elif mine is None:
            verdict = "MISSING"
        elif name in PER_REQUEST:
            verdict = "per request"
        elif normalised(name, mine, our_origin) == normalised(name, their, their_origin):
            verdict = "same" if name not in ORIGIN_BOUND else "same (own origin)"
        elif known.get(name) == (their, mine):
            verdict = "known difference (libcurl)"
        else:
            verdict = "DIFFERENT"
        if verdict in ("MISSING", "DIFFERENT"):
            problems.append(f"{name}: browser {their!r}, ours {mine!r}")
        rows.append((name, their or "-", mine or "-", verdict))
    their_order, our_order = ",".join(theirs_lower), ",".join(ours_lower)
    order_verdict = "same" if their_order == our_order else "differs (not compared)"
    rows.append(("header order", their_order, our_order, order_verdict))
    their_hello, our_hello = stand_in.client_hellos[browser_index], stand_in.client_hellos[ours_index]
    compared = (*TLS_COMPARED, "extension_order") if fixed_order else TLS_COMPARED
    if websocket:
        compared = tuple(f for f in compared if f not in ("ja4", "extension_order"))
    for field in (*TLS_COMPARED, *TLS_SHOWN):
        their, mine = getattr(their_hello, field), getattr(our_hello, field)
        if websocket and field in ("extensions", "extension_order"):
            their, mine = (tuple(e for e in v if e not in RESUMPTION_EXTENSIONS) for v in (their, mine))
        if field in compared and known.get(f"tls {field}") == (their, mine):
            rows.append((f"TLS {field}", _shown(their), _shown(mine), "known difference (libcurl)"))
            continue
        if field in compared:
            verdict = "same" if their == mine else "DIFFERENT"
            if their != mine:
                difference = their_hello.differences(our_hello).get(field, (their, mine))
                problems.append(f"TLS {field}: browser / ours: {difference}")
        else:
            verdict = "same" if their == mine else "differs (not compared)"
        rows.append((f"TLS {field}", _shown(their), _shown(mine), verdict))
    for field in H2_COMPARED if h2 else ():
        their, mine = (getattr(fingerprint, field) for fingerprint in h2)
        if their != mine:
            problems.append(f"HTTP/2 {field}: browser {their}, ours {mine}")
        rows.append((f"HTTP/2 {field}", str(their), str(mine), "same" if their == mine else "DIFFERENT"))
    table = _table(title, rows)
    return table, problems


def _shown(value) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], int):
        return " ".join(f"{v:04x}" for v in value)
    return str(value)


def _table(title: str, rows) -> str:
    lines = [f"### {title}", "", "| header | browser | ours | verdict |", "|---|---|---|---|"]
    for name, their, mine, verdict in rows:
        lines.append(f"| {name} | {_cell(their)} | {_cell(mine)} | {verdict} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= 90 or "," in text else text[:87] + "..."


def report(name: str, table: str) -> None:
    print("\n" + table)
    if REPORT_DIR:
        Path(REPORT_DIR).mkdir(parents=True, exist_ok=True)
        (Path(REPORT_DIR) / f"{name}.md").write_text(table)


def ours_from_profile(stand_in: StandIn, browser: str, cookie_file, probe: H2Probe) -> tuple[int, int]:
    """Read the profile as a user would, list the modes and chat (to the stand-in; the modes request again through
    the same session to the HTTP/2 probe); the indexes of the stand-in's records of the fetch and the handshake."""
    auth = quiet_browser_auth(browser=browser, cookie_file=cookie_file)
    # By name, so SNI is sent as the browser's is; a loopback name keeps the loopback rules (no proxy).
    with GrokClient(auth, web_base_url=f"https://localhost:{stand_in.web_port}", verify=stand_in.ca_file) as client:
        assert client.models() and client.chat("parity").text
        reply = client.session.post(
            f"https://localhost:{probe.port}{FETCH_PATH}", json={"locale": "en"}, verify=probe.ca_file, timeout=10
        )
        assert reply.status_code == 200 and reply.content == b"ok"
    assert auth.impersonating is not None, "the web path did not mount the browser TLS adapter"
    return last_request(stand_in, FETCH_PATH), last_request(stand_in, GATEWAY_PATH, "GET")


def browser_fetch(browser, stand_in: StandIn) -> int:
    """The web app's request, made from its page at `/` (the app moves there with the history API)."""
    browser.evaluate("history.replaceState(null, '', '/')")
    status, body = browser.evaluate(FETCH)
    assert status == 200, f"the stand-in refused the browser's own request: {status} {body}"
    return last_request(stand_in, FETCH_PATH)


def browser_websocket(browser, stand_in: StandIn) -> int:
    """The web app's gateway WebSocket, opened from its page."""
    assert browser.evaluate(WEBSOCKET) == "open", "the stand-in refused the browser's own WebSocket"
    return last_request(stand_in, GATEWAY_PATH, "GET")


def browser_fetch_over_h2(browser, probe: H2Probe, origin: str) -> None:
    """The same fetch from a page of the HTTP/2 probe (each answer ends its connection: a fresh one)."""
    browser.navigate(f"{origin}/")
    assert browser.evaluate(FETCH)[0] == 200
    assert [f.request_has_body for f in probe.fingerprints].count(True) == 1  # the fetch; the rest are GETs


def assert_parity(
    stand_in: StandIn,
    theirs: tuple[int, int],
    ours: tuple[int, int],
    name: str,
    title: str,
    probe: H2Probe,
    fixed_order: bool = False,
    websocket_known: dict | None = None,
) -> None:
    browser_h2, our_h2 = next(f for f in probe.fingerprints if f.request_has_body), probe.fingerprints[-1]
    assert our_h2.request_has_body and our_h2 is not browser_h2
    table, problems = compare(stand_in, theirs[0], ours[0], title, (browser_h2, our_h2), fixed_order)
    ws_table, ws_problems = compare(
        stand_in, theirs[1], ours[1], f"{title}: the gateway WebSocket", None, fixed_order, websocket_known, True
    )
    report(name, table + "\n" + ws_table)
    assert not problems + ws_problems, "not in parity with the browser:\n" + "\n".join(problems + ws_problems)


def test_chromium_parity(tmp_path):
    major = chromium_major()
    with StandIn(web_tls=True) as stand_in, H2Probe() as probe:
        rules = f"MAP grok.com 127.0.0.1:{stand_in.web_port}, MAP h2probe.grok.com 127.0.0.1:{probe.port}"
        with HeadlessChromium(
            tmp_path / "chromium", host_resolver_rules=rules, user_agent=headful_chromium_user_agent(major)
        ) as chromium:
            chromium.navigate("https://grok.com/login")
            theirs = browser_fetch(chromium, stand_in), browser_websocket(chromium, stand_in)
            browser_fetch_over_h2(chromium, probe, "https://h2probe.grok.com")
            chromium.close()  # Chromium writes its cookies to disk on a clean exit
        ours = ours_from_profile(stand_in, "chromium", chromium.cookie_file, probe)
        assert_parity(
            stand_in, theirs, ours, "chromium", f"Chromium {major} (headless, desktop UA) vs cookie-session", probe
        )


def test_firefox_parity(tmp_path):
    require(find_firefox, "firefox-esr")
    with StandIn(web_tls=True) as stand_in, H2Probe() as probe:
        with HeadlessFirefox(tmp_path / "firefox") as firefox:  # every name resolves to 127.0.0.1
            firefox.navigate(f"https://grok.com:{stand_in.web_port}/login")
            theirs = browser_fetch(firefox, stand_in), browser_websocket(firefox, stand_in)
            browser_fetch_over_h2(firefox, probe, f"https://h2probe.grok.com:{probe.port}")
            version = re.search(r"Firefox/(\d+)", firefox.user_agent).group(1)
            firefox.close()
        ours = ours_from_profile(stand_in, "firefox", firefox.cookie_file, probe)
        assert_parity(
            stand_in,
            theirs,
            ours,
            "firefox",
            f"Firefox ESR {version} (headless) vs cookie-session",
            probe,
            fixed_order=True,
            websocket_known={**FIREFOX_WEBSOCKET_HEADERS, "tls alpn": FIREFOX_WEBSOCKET_ALPN},
        )
