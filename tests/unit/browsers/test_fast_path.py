"""What keeps the session-ready path cheap (BENCHMARKS.md), checked as behaviour rather than timed.

- Building a `BrowserCookieAuthenticator` from a v10-only Chromium profile never reaches the keyring: no
  browser_cookie3, no D-Bus library, even with a session bus address set; AES comes from `cryptography`.
- A Firefox profile needs no crypto library at all.
- `import cookie_session` loads neither browser_cookie3 nor a crypto library.
- Firefox rows are found by a seek on both columns of (name, host): sites behind Cloudflare share the
  `__cf_bm` / `_cfuvid` / `cf_clearance` names, so a seek on name alone would still read thousands of rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from browser_fixtures import encrypt_cbc, make_chromium_db, make_firefox_db

from cookie_session.browsers import load_xai_cookies

NOW = 1_800_000_000.0
LATER = NOW + 86_400
WATCHED = ("browser_cookie3", "jeepney", "dbus", "secretstorage", "Cryptodome", "cryptography", "lz4")

_BUILD = """
import json, sys, warnings
from cookie_session import BrowserCookieAuthenticator, BrowserCookieWarning, LocalityVerdict
warnings.simplefilter("ignore", BrowserCookieWarning)
authenticator = BrowserCookieAuthenticator(cookie_file=sys.argv[1], unsafe_browser_cookies=True,
                                           verdict=LocalityVerdict.assume_local(), user_agent="test-agent")
print(json.dumps({"names": sorted(authenticator.cookie_names),
                  "loaded": sorted(m for m in %r if m in sys.modules)}))
""" % (WATCHED,)  # noqa: UP031 -- Python source full of braces


def build_in_a_fresh_process(path, env_extra=None) -> dict:
    env = {**os.environ, **(env_extra or {})}
    out = subprocess.run(
        [sys.executable, "-c", _BUILD, str(path)], capture_output=True, text=True, env=env, check=True
    ).stdout
    return json.loads(out)


def test_v10_chromium_profile_loads_no_keyring_code_even_with_a_session_bus(tmp_path):
    path = make_chromium_db(
        tmp_path / "chromium" / "Default" / "Cookies",
        [
            {
                "host": ".grok.com",
                "name": name,
                "encrypted": encrypt_cbc(f"SECRET-{name}", ".grok.com"),
                "expires": LATER,
            }
            for name in ("sso", "sso-rw", "x-userid")
        ],
    )
    report = build_in_a_fresh_process(path, {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus"})
    assert report["names"] == ["sso", "sso-rw", "x-userid"]
    assert report["loaded"] == ["cryptography"]


def test_firefox_profile_loads_no_crypto_library(tmp_path):
    path = make_firefox_db(
        tmp_path / "ff" / "cookies.sqlite",
        [{"host": ".grok.com", "name": "sso", "value": "SECRET-ff", "expires": LATER}],
    )
    report = build_in_a_fresh_process(path)
    assert report == {"names": ["sso"], "loaded": []}


def test_import_cookie_session_loads_no_browser_reader_or_crypto():
    code = f"import sys, cookie_session; print(sorted(m for m in {WATCHED!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_firefox_seeks_on_name_and_host_for_every_name(tmp_path, monkeypatch):
    cloudflare = [
        {"host": f".site{i}.example", "name": name, "value": f"other-{i}", "expires": LATER}
        for i in range(50)
        for name in ("__cf_bm", "_cfuvid", "cf_clearance")
    ]
    path = make_firefox_db(
        tmp_path / "ff" / "cookies.sqlite",
        cloudflare + [{"host": ".grok.com", "name": "cf_clearance", "value": "SECRET-cf", "expires": LATER}],
    )
    statements, real = [], sqlite3.connect

    def traced(*args, **kwargs):
        con = real(*args, **kwargs)
        con.set_trace_callback(statements.append)
        return con

    monkeypatch.setattr(sqlite3, "connect", traced)
    load = load_xai_cookies("firefox", cookie_file=path, now=NOW)
    assert [(c.domain, c.name) for c in load.cookies] == [(".grok.com", "cf_clearance")]
    (select,) = [s for s in statements if "SELECT host" in s and "moz_cookies" in s]
    plan = [row[-1] for row in sqlite3.connect(path).execute("EXPLAIN QUERY PLAN " + select)]
    assert not [step for step in plan if step.startswith("SCAN") and "moz_cookies" in step], plan
    assert any(step.startswith("SEARCH") and "name=? AND host=?" in step for step in plan), plan
