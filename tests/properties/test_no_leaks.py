"""No secret anywhere it should not be: property-based, over every output path.

Hypothesis generates API keys (`xai-` + 80 of [A-Za-z0-9_]) and cookie values (URL-safe tokens,
and arbitrary printable ASCII without ';', ',' or whitespace, 8..200 characters), injects them
(authenticators, a stand-in that accepts them, a real Chromium cookie database, the
environment, a `.env` file, a project to migrate) and drives every output path:

- `repr`/`str` of every public object that can hold one, and of the results and reports;
- every log record at DEBUG from every logger (urllib3's included), and every warning;
- every exception raised for wrong, blocked, malformed or refused credentials and web failures,
  and for a hostile server that echoes the credential back;
- every CLI command's output, text and JSON, on stdout and stderr;
- every file the tool writes (a private temp root and working directory per example).

Each output is searched for the secret, its lower- and upper-cased forms, its URL-encodings, its
JSON/repr escapes and its base64 forms (standard and URL-safe, at every byte alignment, so a secret inside a larger
base64 blob is found too), and for any 12-character piece of those forms or of what any base64
run in the output decodes to (so a secret cut short, or cut in half, is found too).
Example counts are in each test's `settings`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import json
import logging
import os
import pickle
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
import warnings
from functools import lru_cache, partial
from pathlib import Path
from unittest import mock
from urllib.parse import quote, quote_plus

import pytest
from browser_fixtures import encrypt_cbc, make_chromium_db
from cli_runner import run_cli
from hypothesis import HealthCheck, Phase, assume, given, settings, strategies as st
from loopback import RecordingServer
from paths import TESTS
from quiet_auth import quiet_browser_auth

import cookie_session
from cookie_session import policy
from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.auth.chain import inspect_credentials, resolve_authenticator
from cookie_session.browsers import load_xai_cookies
from cookie_session.cli import cli
from cookie_session.client import GrokClient, RetryPolicy
from cookie_session.errors import CookieSessionError
from cookie_session.policy import LocalityVerdict
from cookie_session.secret import Secret
from cookie_session.testing.standin import StandIn, StandInCookie
from cookie_session.testing.standin.api_side import KeyRecord
from cookie_session.testing.standin.web_side import WebSession

UA = "Mozilla/5.0 (X11; Linux x86_64) leak-test"
LOCAL = LocalityVerdict.assume_local()
NO_RETRIES = RetryPolicy(max_retries=0)
KEY_ALPHABET = string.ascii_letters + string.digits + "_"
URLSAFE = string.ascii_letters + string.digits + "-_"
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in ";,")


def _source_vocabulary() -> str:
    """Every string constant in the package and the tests. Hypothesis draws candidate strings from
    the code under test (e.g. 'owned_by'); such a value shows up in honest output by coincidence."""
    import ast

    texts = []
    for root in (Path(cookie_session.__file__).parent, TESTS):
        for path in root.rglob("*.py"):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):  # deliberately broken test inputs
                continue
            texts += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return "\0".join(texts)


VOCABULARY = _source_vocabulary()


def _findable(value: str) -> bool:
    """At least 6 distinct characters (a value like '00000000' is in any timestamp) and not a piece
    of the tool's own text, so finding it in output can only mean it leaked."""
    return len(set(value)) >= 6 and value not in VOCABULARY


api_keys = st.text(KEY_ALPHABET, min_size=80, max_size=80).map(lambda s: "xai-" + s)
cookie_values = st.one_of(
    st.text(URLSAFE, min_size=8, max_size=200), st.text(PRINTABLE, min_size=8, max_size=200)
).filter(_findable)


def examples(count: int, *, shrink: bool = False) -> settings:
    """`count` examples with no per-example deadline (each drives many real requests). No shrinking
    by default: a leak report names the example, the output and the form, and shrinking examples that
    each make dozens of requests would take minutes. The function-scoped autouse env fixture is
    idempotent across examples, so its health check is off."""
    phases = tuple(Phase) if shrink else (Phase.explicit, Phase.reuse, Phase.generate)
    return settings(
        max_examples=count,
        deadline=None,
        phases=phases,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- finding a secret in any form ------------------------------------------------------------


def _base64_cores(raw: bytes, encode) -> list[str]:
    """The part of encode(prefix + raw) that depends on `raw` alone, for each of the 3 byte alignments."""
    cores = []
    for shift in range(3):
        text = encode(b"\0" * shift + raw).decode()
        core = text[-(-8 * shift // 6) : 8 * (shift + len(raw)) // 6]
        if len(core) >= 8:
            cores.append(core)
    return cores


def forms(secret: str) -> dict[str, str]:
    """Every way a secret could be written out: raw, URL/form-encoded, JSON/repr-escaped, base64."""
    found = {
        "raw": secret,
        "lower-cased": secret.lower(),
        "upper-cased": secret.upper(),
        "url-encoded": quote(secret, safe=""),
        "form-encoded": quote_plus(secret),
        "json-escaped": json.dumps(secret)[1:-1],
        "repr-escaped": repr(secret)[1:-1],
        "base64": base64.b64encode(secret.encode()).decode(),
        "urlsafe base64": base64.urlsafe_b64encode(secret.encode()).decode(),
    }
    for name, encode in (("base64", base64.b64encode), ("urlsafe base64", base64.urlsafe_b64encode)):
        for index, core in enumerate(_base64_cores(secret.encode(), encode)):
            found[f"{name} (alignment {index})"] = core
    return found


PIECE = 12  # a piece this long, with 6 distinct characters and not in our own text, cannot be a coincidence
BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{%d,}" % (PIECE * 4 // 3))  # noqa: UP031 -- a regex quantifier's braces


@lru_cache(maxsize=64)
def pieces(secret: str) -> dict[str, str]:
    """Every findable PIECE-character window of the secret's textual forms, each with its form's name."""
    found = {}
    for form_name, form in forms(secret).items():
        if "base64" in form_name:
            continue  # a piece of a base64 form is found by decoding the output's base64 runs
        for start in range(len(form) - PIECE + 1):
            window = form[start : start + PIECE]
            if window not in found and _findable(window):
                found[window] = form_name
    return found


def _decoded_base64_runs(text: str) -> str:
    """What each base64 run in `text` decodes to, at each of its 4 character alignments (latin-1)."""
    decoded = []
    for run in BASE64_RUN.findall(text):
        run = run.replace("-", "+").replace("_", "/")
        for offset in range(4):
            chunk = run[offset:]
            chunk = chunk[:-1] if len(chunk) % 4 == 1 else chunk + "=" * (-len(chunk) % 4)  # keep a last part-group
            with contextlib.suppress(binascii.Error):
                decoded.append(base64.b64decode(chunk).decode("latin-1"))
    return "\0".join(decoded)


def _first_piece(text: str, windows: dict[str, str]) -> str | None:
    return next(
        (windows[text[i : i + PIECE]] for i in range(len(text) - PIECE + 1) if text[i : i + PIECE] in windows), None
    )


class Outputs:
    """Everything the tool showed or wrote during one example, each with where it came from."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, where: str, text) -> None:
        self.items.append((where, text.decode("latin-1") if isinstance(text, bytes) else str(text)))

    def add_object(self, where: str, obj) -> None:
        self.add(f"repr({where})", repr(obj))
        self.add(f"str({where})", str(obj))

    def leaks(self, secrets: dict[str, str]) -> list[str]:
        found = []
        for label, secret in secrets.items():
            for where, text in self.items:  # per output: a whole form found in one must not hide a piece in another
                whole = [
                    f"{label} ({form_name}) in {where}" for form_name, form in forms(secret).items() if form in text
                ]
                found += whole or self._pieces(label, secret, where, text)  # no whole form: look for a piece
        return found

    @staticmethod
    def _pieces(label: str, secret: str, where: str, text: str) -> list[str]:
        windows = pieces(secret)
        if form_name := _first_piece(text, windows):
            return [f"{label} (a {PIECE}-character piece, {form_name}) in {where}"]
        if _first_piece(_decoded_base64_runs(text), windows):
            return [f"{label} (a {PIECE}-character piece, inside base64) in {where}"]
        return []

    def assert_clean(self, secrets: dict[str, str]) -> None:
        assert self.items, "nothing was collected: the test drove no output"
        found = self.leaks(secrets)
        assert not found, f"{len(found)} leaks:\n" + "\n".join(found[:60])


@contextlib.contextmanager
def captured_logs_and_warnings(out: Outputs):
    """Every log record of every logger at DEBUG (formatted, with any traceback), and every warning."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            out.add(
                f"log {record.name}:{record.levelname}",
                logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s").format(record),
            )

    handler = Collect(logging.DEBUG)
    root = logging.getLogger()
    loggers = [root] + [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    levels = {lg: lg.level for lg in loggers}
    islands = [lg for lg in loggers if lg is root or not lg.propagate]  # records that never reach the root
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in islands:
        logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for warning in caught:
            out.add(f"warning {warning.category.__name__}", f"{warning.message} {warning.filename}")
    finally:
        for logger in islands:
            logger.removeHandler(handler)
        for logger, level in levels.items():
            logger.setLevel(level)


@contextlib.contextmanager
def scratch():
    """A working directory and a temp root of its own, removed afterwards: (work, tmp)."""
    root = Path(tempfile.mkdtemp(prefix="leak-test-"))
    work, tmp = root / "work", root / "tmp"
    work.mkdir()
    tmp.mkdir()
    old_cwd, old_tempdir = os.getcwd(), tempfile.tempdir
    os.chdir(work)
    tempfile.tempdir = str(tmp)
    try:
        yield work, tmp
    finally:
        os.chdir(old_cwd)
        tempfile.tempdir = old_tempdir
        shutil.rmtree(root, ignore_errors=True)


def add_files(out: Outputs, *roots: Path, planted: set[Path] = frozenset()) -> None:
    """Every file under `roots` except the inputs we planted ourselves."""
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p not in planted):
            out.add(f"file {path.relative_to(root.parent)}", path.read_bytes())


def expect_error(out: Outputs, where: str, call, error=CookieSessionError) -> CookieSessionError:
    """Run `call`, require `error`, and collect its message, repr and hint."""
    with pytest.raises(error) as caught:
        call()
    out.add_object(f"{where}: {type(caught.value).__name__}", caught.value)
    out.add(f"{where}: args", repr(caught.value.args))
    return caught.value


def collected(out: Outputs, *prefixes: str) -> None:
    """A guard that outputs of these kinds (e.g. 'log urllib3', 'warning') were captured and searched."""
    for prefix in prefixes:
        assert any(where.startswith(prefix) for where, _text in out.items), f"nothing collected from {prefix!r}"


def distinct(*values: str) -> bool:
    """No value equals or contains another, so each leak is attributed to the right one."""
    return all(a not in b for i, a in enumerate(values) for j, b in enumerate(values) if i != j)


def ran_something(out: Outputs, word: str) -> None:
    """A guard that the example really exercised a path (so a silently skipped path cannot pass)."""
    assert any(word in text for _where, text in out.items), f"no output mentions {word!r}"


@pytest.fixture(scope="module")
def stand_in():
    with StandIn() as server:
        yield server


def register_key(stand_in: StandIn, key: str, **record) -> str:
    stand_in.keys[key] = KeyRecord("leak-test key", "leak-team", **record)
    return key


def only_keys(stand_in: StandIn, key: str, **others: dict) -> None:
    """Start an example with `key` (and `others`, name -> record) as the only keys the module's stand-in knows,
    so a key an earlier example registered can never pass as this example's unknown key."""
    stand_in.keys.clear()
    register_key(stand_in, key)
    for other, record in others.items():
        register_key(stand_in, other, **record)


def register_session(stand_in: StandIn, sso: str, cf_clearance: str, user_id: str) -> str:
    """Open a stand-in session for these cookie values; returns the `__cf_bm` Cloudflare pairs with them."""
    with stand_in._lock:
        stand_in.web_sessions[sso] = WebSession(user_id, UA)
        stand_in.cf_clearances[cf_clearance] = UA
    return stand_in.issue_cf_bm()


def opted_in_auth(items, **kwargs) -> BrowserCookieAuthenticator:
    """A browser-session authenticator whose warning is left to `captured_logs_and_warnings`, to be searched."""
    kwargs.setdefault("unsafe_browser_cookies", True)
    kwargs.setdefault("verdict", LOCAL)
    return BrowserCookieAuthenticator.from_cookies(items, user_agent=kwargs.pop("user_agent", UA), **kwargs)


def web_cookie_list(sso, sso_rw, cf_clearance, user_id, cf_bm):
    expires = time.time() + 30 * 86400
    return [
        StandInCookie("sso", sso, expires=expires),
        StandInCookie("sso-rw", sso_rw, expires=expires),
        StandInCookie("x-userid", user_id, http_only=False, expires=expires),
        StandInCookie("cf_clearance", cf_clearance, expires=expires),
        StandInCookie("__cf_bm", cf_bm, expires=time.time() + 1800),
    ]


def chromium_db(path: Path, values: dict[str, str]) -> Path:
    expires = time.time() + 30 * 86400
    return make_chromium_db(
        path,
        [
            {"host": ".grok.com", "name": name, "encrypted": encrypt_cbc(value, ".grok.com"), "expires": expires}
            for name, value in values.items()
        ],
    )


# --- the detector itself ------------------------------------------------------------------------


@examples(50, shrink=True)
@given(secret=st.one_of(api_keys, cookie_values), prefix=st.binary(max_size=5))
def test_the_detector_finds_each_form_even_inside_a_larger_blob(secret, prefix):
    out = Outputs()
    blob = base64.b64encode(prefix + b"user:" + secret.encode()).decode()
    out.add("basic auth header", "Authorization: Basic " + blob)
    out.add("url", "https://example.test/?token=" + quote(secret, safe=""))
    out.add("json", json.dumps({"value": secret}))
    found = out.leaks({"secret": secret})
    assert any("base64" in f and "basic auth" in f for f in found)
    assert any("url-encoded" in f or "raw" in f for f in found if "in url" in f)
    assert any("in json" in f for f in found)


@examples(50, shrink=True)
@given(secret=st.one_of(api_keys, cookie_values), data=st.data())
def test_the_detector_finds_a_piece_of_the_secret_in_any_form(secret, data):
    raw_pieces = sorted(piece for piece, form in pieces(secret).items() if form == "raw")
    assume(raw_pieces)
    piece = data.draw(st.sampled_from(raw_pieces))
    start = secret.index(piece)
    cut = secret[start : start + data.draw(st.integers(PIECE, len(secret) - start))]
    assume(cut != secret)
    out = Outputs()
    out.add("a message cut short", f"value {cut}… (shortened)")
    out.add("a url cut short", "https://example.test/?t=" + quote(cut, safe=""))
    out.add("base64 of a piece", base64.urlsafe_b64encode(data.draw(st.binary(max_size=4)) + cut.encode()).decode())
    found = out.leaks({"secret": secret})
    assert any("message cut short" in f for f in found)
    assert any("url cut short" in f for f in found)
    assert any("base64 of a piece" in f for f in found)


@examples(50, shrink=True)
@given(secret=st.one_of(api_keys, cookie_values))
def test_the_detector_does_not_fire_on_what_the_tool_shows_instead(secret):
    out = Outputs()
    masked = Secret(secret, name="sso")
    out.add("masked", f"{masked!r} {masked} {Secret(secret)!r} fingerprint {masked.fingerprint}")
    out.add("the tool's own text", VOCABULARY[:20000])
    assert out.leaks({"secret": secret}) == []


# --- the library: objects, calls, errors, logs, warnings ------------------------------------------


@examples(30)
@given(keys=st.lists(api_keys, min_size=4, max_size=4, unique=True))
def test_api_key_never_shows_in_objects_errors_logs_or_warnings(stand_in, keys):
    key, unknown, blocked, disabled = keys
    only_keys(stand_in, key, **{blocked: {"blocked": True}, disabled: {"disabled": True}})
    out = Outputs()
    with scratch() as (work, tmp), captured_logs_and_warnings(out):
        authenticator = ApiKeyAuthenticator(key)
        out.add_object("Secret", Secret(key))
        out.add_object("ApiKeyAuthenticator", authenticator)
        out.add("describe()", authenticator.describe())
        out.add("redact(text)", authenticator.redact(f"echo {key} and {quote(key, safe='')}"))
        out.add_object("StandIn holding the key", stand_in)
        with GrokClient(authenticator, base_url=stand_in.base_url, retry=NO_RETRIES) as client:
            out.add_object("GrokClient", client)
            out.add("session.headers", repr(client.session.headers))
            out.add("session.cookies", repr(client.session.cookies))
            result = client.chat("hello", max_tokens=3)
            out.add_object("ChatResult", result)
            out.add("ChatResult.to_dict()", json.dumps(result.to_dict()))
            stream = client.chat("stream me", stream=True)
            out.add_object("ChatStream", stream)
            out.add("stream pieces", "".join(stream))
            out.add_object("ChatStream.result", stream.result)
            out.add_object("models()", client.models())
            identity = client.whoami()
            out.add_object("Identity", identity)
            out.add("Identity.to_dict()", json.dumps(identity.to_dict()))
            for failure, call in [("rate_limit", client.models), ("server_error", client.whoami)]:
                stand_in.fail_next(failure)
                expect_error(out, failure, call)
            expect_error(out, "unknown model", lambda: client.chat("hi", model="grok-nope"))
            stand_in.fail_next("drop_mid_body")
            expect_error(out, "dropped connection", client.whoami)
        for label, wrong in [("unknown key", unknown), ("blocked key", blocked), ("disabled key", disabled)]:
            with GrokClient(ApiKeyAuthenticator(wrong), base_url=stand_in.base_url, retry=NO_RETRIES) as client:
                expect_error(out, label, client.whoami)
                expect_error(out, f"{label} chat", lambda: client.chat("hi", stream=True))
        for label, malformed in [
            ("trailing space", key + " "),
            ("newline", key[:40] + "\n" + key[40:]),
            ("look-alike", key[:-1] + "é"),
            ("short", key[:-1]),
            ("tab", "\t" + key),
        ]:
            expect_error(out, f"malformed key ({label})", partial(ApiKeyAuthenticator, malformed))
            report = inspect_credentials(environ={"XAI_API_KEY": malformed}, cwd=work, verdict=LOCAL)
            out.add_object(f"CredentialReport for a malformed key ({label})", report)
            expect_error(
                out,
                f"resolve malformed ({label})",
                partial(resolve_authenticator, environ={"XAI_API_KEY": malformed}, cwd=work),
            )
        (work / ".env").write_text(f"XAI_API_KEY={key}\n", encoding="utf-8")
        for label, kwargs in [
            ("argument", {"api_key": key}),
            ("env", {"environ": {"XAI_API_KEY": key}}),
            (".env", {"environ": {}}),
        ]:
            report = inspect_credentials(cwd=work, verdict=LOCAL, **kwargs)
            out.add_object(f"CredentialReport from {label}", report)
            out.add_object(f"SourceCheck from {label}", report.checks)
            out.add_object(f"resolve_authenticator from {label}", resolve_authenticator(cwd=work, **kwargs))
        (work / ".env").unlink()
        add_files(out, work, tmp)
        assert not [p for p in (*work.rglob("*"), *tmp.rglob("*"))], "the library wrote files"
    ran_something(out, "xai-…")
    collected(out, "log urllib3")
    out.assert_clean({"api key": key, "unknown key": unknown, "blocked key": blocked, "disabled key": disabled})


@examples(30)
@given(sso=cookie_values, sso_rw=cookie_values, cf_clearance=cookie_values, user_id=cookie_values)
def test_cookie_values_never_show_in_objects_errors_logs_or_warnings(stand_in, sso, sso_rw, cf_clearance, user_id):
    values = {"sso": sso, "sso-rw": sso_rw, "cf_clearance": cf_clearance, "x-userid": user_id}
    assume(distinct(*values.values()))
    values["__cf_bm"] = register_session(stand_in, sso, cf_clearance, user_id)
    out = Outputs()
    with scratch() as (work, tmp), captured_logs_and_warnings(out):
        items = web_cookie_list(sso, sso_rw, cf_clearance, user_id, values["__cf_bm"])
        authenticator = opted_in_auth(items)
        out.add_object("Secret(cookie)", Secret(sso, name="sso"))
        out.add_object("BrowserCookieAuthenticator", authenticator)
        out.add("describe()", authenticator.describe())
        out.add("identity()", repr(authenticator.identity()))
        for label, attempt in [
            ("pickle", lambda: pickle.dumps(authenticator)),
            ("copy", lambda: copy.copy(authenticator)),
            ("deepcopy", lambda: copy.deepcopy(authenticator)),
        ]:
            expect_error(out, label, attempt, TypeError)
        with GrokClient(authenticator, web_base_url=stand_in.web_base_url, retry=NO_RETRIES) as client:
            out.add_object("GrokClient", client)
            out.add("session.cookies", repr(client.session.cookies))
            out.add("session.headers", repr(client.session.headers))
            result = client.chat("hello")
            assert result.text.startswith("Stand-in answer")  # the stand-in accepted the generated session
            out.add_object("ChatResult", result)
            out.add("stream pieces", "".join(client.chat("stream me", stream=True)))
            out.add_object("models()", client.models())
            out.add_object("Identity", client.whoami())
            out.add("Identity.to_dict()", json.dumps(client.whoami().to_dict()))
            for failure in ("challenge", "anti_bot", "blocked_account", "session_expired", "web_rate_limit"):
                stand_in.fail_next(failure)
                expect_error(out, failure, lambda: client.chat("hi"))
            expect_error(out, "unknown model", lambda: client.chat("hi", model="grok-nope"))
            stand_in.fail_next("drop_mid_headers")
            expect_error(out, "dropped connection", client.models)
        with GrokClient(
            opted_in_auth(items, user_agent="another browser"), web_base_url=stand_in.web_base_url
        ) as client:
            expect_error(out, "user-agent mismatch", client.whoami)
        expect_error(out, "not logged in", lambda: opted_in_auth([i for i in items if i.name != "sso"]))
        expect_error(out, "no opt-in", lambda: opted_in_auth(items, unsafe_browser_cookies=None, environ={}))
        expect_error(out, "CI", lambda: opted_in_auth(items, verdict=None, environ={"CI": "true"}))
        expect_error(out, "non-grok host", lambda: GrokClient(authenticator, web_base_url="https://example.com"))
        db = chromium_db(work / "profile" / "Cookies", values)
        load = load_xai_cookies(cookie_file=db)
        out.add_object("CookieLoad", load)
        out.add_object("BrowserCookie", load.cookies)
        from_db = BrowserCookieAuthenticator(cookie_file=db, unsafe_browser_cookies=True, verdict=LOCAL, user_agent=UA)
        out.add_object("BrowserCookieAuthenticator from a cookie file", from_db)
        report = inspect_credentials(
            auth="browser",
            unsafe_browser_cookies=True,
            cookie_file=db,
            verdict=LOCAL,
            user_agent=UA,
            environ={},
            cwd=work,
        )
        out.add_object("CredentialReport", report)
        with GrokClient(from_db, web_base_url=stand_in.web_base_url) as client:
            out.add_object("chat through the cookie file", client.chat("hello from the db"))
        add_files(out, work, tmp, planted={db})
    ran_something(out, "sso=…")
    collected(out, "log urllib3", "log cookie_session.browsers", "warning BrowserCookieWarning")
    out.assert_clean(values)


@examples(20)
@given(key=api_keys, sso=cookie_values)
def test_a_server_echoing_the_credential_back_is_scrubbed(key, sso):
    """A hostile or verbose server that puts the credential in its error text, in every encoding,
    or in the address of a redirect to another origin: our messages still never hold it."""
    out = Outputs()

    def echo(value: str) -> str:
        return (
            f"raw {value} url {quote(value, safe='')} form {quote_plus(value)} "
            f"b64 {base64.b64encode(value.encode()).decode()} "
            f"b64url {base64.urlsafe_b64encode(value.encode()).decode().rstrip('=')}"
        )

    def body(status: int, text: str):
        return status, {"Content-Type": "application/json"}, json.dumps({"code": "x", "error": text}).encode()

    with RecordingServer() as server, RecordingServer() as elsewhere, captured_logs_and_warnings(out):
        server.routes["/v1/api-key"] = body(400, f"Incorrect API key provided: {echo(key)}")
        server.routes["/v1/models"] = body(500, echo(key))
        server.routes["/v1/chat/completions"] = (
            200,
            {"Content-Type": "text/event-stream"},
            f"data: {json.dumps({'error': {'message': echo(key)}})}\n\n".encode(),
        )
        server.routes["/rest/modes"] = body(401, echo(sso))
        server.routes["/api/auth/session"] = (403, {"Content-Type": "text/html"}, echo(sso).encode())
        for path in ("/v2/redirect", "/rest/redirect"):
            server.redirect(path, f"{elsewhere.url}/steal?key={quote(key, safe='')}&sso={quote(sso, safe='')}")
        api = GrokClient(ApiKeyAuthenticator(key), base_url=f"{server.url}/v1", retry=NO_RETRIES)
        web = GrokClient(opted_in_auth([StandInCookie("sso", sso)]), web_base_url=server.url, retry=NO_RETRIES)
        expect_error(out, "api 400", api.whoami)
        expect_error(out, "api 500", api.models)
        expect_error(out, "api stream error", lambda: "".join(api.chat("hi", stream=True)))
        expect_error(out, "web 401", web.models)
        expect_error(out, "web 403", web.whoami)
        expect_error(out, "web chat: its modes refused", lambda: web.chat("hi"))
        redirect = GrokClient(ApiKeyAuthenticator(key), base_url=f"{server.url}/v2", retry=NO_RETRIES)
        with mock.patch.object(redirect._transport, "base_url", f"{server.url}/v2"):
            expect_error(out, "cross-origin redirect (api)", lambda: redirect._transport._request("GET", "/redirect"))
        expect_error(out, "cross-origin redirect (web)", lambda: web._transport._request("GET", "/rest/redirect"))
        assert elsewhere.requests == []
    out.assert_clean({"api key": key, "sso": sso})


def test_a_gateway_echoing_the_session_back_is_scrubbed(stand_in):
    """grok.com's chat gateway puts the session in its error event, its session.ended reason or a failed
    response.done: the errors that reach the caller never hold it, in any encoding."""
    out = Outputs()
    cookies = stand_in.web_cookies(UA)
    sso = next(c.value for c in cookies if c.name == "sso")
    echo = (
        f"raw {sso} url {quote(sso, safe='')} b64 {base64.b64encode(sso.encode()).decode()} "
        f"upper {sso.upper()} part {sso[5:30]}"
    )
    frames = [
        [{"event": {"type": "error", "error": {"code": 7, "message": echo}}}],
        [{"event": {"type": "error", "error": {"code": echo, "message": echo}}}],
        [{"event": {"type": "session.ended", "reason": echo}}],
        [{"event": {"type": "response.done", "response": {"status": echo, "error": {"code": 13, "message": echo}}}}],
        [{"event": {"type": "response.done", "response": {"status": echo}}}],
    ]
    with captured_logs_and_warnings(out):
        client = GrokClient(
            quiet_browser_auth(cookies, user_agent=UA), web_base_url=stand_in.web_base_url, retry=NO_RETRIES
        )
        for index, script in enumerate(frames):
            stand_in.script_gateway(script)
            expect_error(out, f"gateway echo {index}", partial(client.chat, "hi"))
        client.close()
    out.assert_clean({"sso": sso})


def echoed(secret: str) -> list[str]:
    """The ways a hostile server hands a secret back: whole, lower- and upper-cased, URL-encoded, and in
    part (all but its last character, its middle 40, its first 12), each as it could sit in a header."""
    return [
        secret,
        secret.lower(),
        secret.upper(),
        quote(secret, safe=""),
        secret[:-1],
        secret[20:60],
        secret[:12].lower(),
    ]


class EchoServer(RecordingServer):
    """A loopback server whose every reply carries `secret` in its status line reason and in every header
    (Content-Type included), in each of its `echoed` forms; routes decide status, extra headers and body."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret
        forms = echoed(secret)
        routes = self.routes
        server = self

        class Handler(self._httpd.RequestHandlerClass):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, headers, body = routes.get(self.path.split("?")[0], (200, {}, b"{}"))
                self.send_response(status, " ".join(f"reason-{form}" for form in forms))
                self.send_header("Content-Type", headers.pop("Content-Type", "text/html") + "; echo=" + ";".join(forms))
                for index, form in enumerate(forms):
                    self.send_header(f"X-Echo-{index}", form)
                for name, value in headers.items():
                    self.send_header(name, value.replace("{port}", str(server.port)))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self._httpd.RequestHandlerClass = Handler


@examples(15)
@given(key=api_keys, sso=cookie_values.filter(lambda value: len(value) >= 40))
def test_a_server_echoing_secrets_through_status_headers_redirects_and_hosts_is_scrubbed(stand_in, key, sso):
    """Issue 15, class 3: every string from the server or a URL (status reason, Content-Type, redirect
    Location with the secret in its query, user info or host, model ids, identity fields) passes through
    redaction before any message, result or CLI output (text and --json), whole, in any case and in part."""
    out = Outputs()
    for label, secret in (("api", key), ("web", sso)):
        with EchoServer(secret) as server, RecordingServer() as elsewhere:
            forms = echoed(secret)
            json_models = json.dumps(
                {"data": [{"id": f, "owned_by": f} for f in forms], "models": [{"modelId": f} for f in forms]}
            ).encode()
            server.routes.update(
                {
                    "/v1/models": (200, {"Content-Type": "application/json"}, json_models),
                    "/v1/api-key": (
                        200,
                        {"Content-Type": "application/json"},
                        json.dumps({"name": forms[0], "team_id": forms[1], "acls": forms}).encode(),
                    ),
                    "/v1/chat/completions": (200, {"Content-Type": "text/plain"}, b"not an event stream"),
                    "/same-origin/models": (
                        302,
                        {"Location": f"/v1/x?k={quote(secret, safe='')}&l={secret.lower()}"},
                        b"",
                    ),
                    "/userinfo/models": (
                        302,
                        {"Location": f"http://user:{quote(secret, safe='')}@127.0.0.1:{{port}}/v1/x"},
                        b"",
                    ),
                    "/v1/x": (500, {"Content-Type": "application/json"}, b"{}"),
                    "/host/models": (302, {"Location": f"https://{secret.lower()[:60]}.evil.test/"}, b""),
                    "/partial/models": (
                        302,
                        {"Location": f"http://{elsewhere.host}:{elsewhere.port}/{secret[:-1]}"},
                        b"",
                    ),
                    "/rest/modes": (
                        200,
                        {"Content-Type": "application/json"},
                        json.dumps({"modes": [{"id": f} for f in forms]}).encode(),
                    ),
                    "/api/auth/session": (200, {"Content-Type": "text/html"}, b"<html>"),
                }
            )
            if label == "api":
                client = GrokClient(ApiKeyAuthenticator(key), base_url=f"{server.url}/v1", retry=NO_RETRIES)
                for call in ("models", "whoami"):
                    out.add_object(f"{label} {call}", getattr(client, call)())
                expect_error(out, "non-JSON chat", partial(client.chat, "hi"))
                expect_error(out, "streamed chat, no events", lambda c=client: "".join(c.chat("hi", stream=True)))
                for prefix in ("same-origin", "userinfo", "host", "partial"):
                    redirected = GrokClient(
                        ApiKeyAuthenticator(key), base_url=f"{server.url}/{prefix}", retry=NO_RETRIES
                    )
                    expect_error(out, f"redirect {prefix}", redirected.models)
                env = {"XAI_API_KEY": key, "XAI_BASE_URL": f"{server.url}/v1"}
                for args in (
                    ["models"],
                    ["models", "--json"],
                    ["whoami"],
                    ["whoami", "--json"],
                    ["chat", "hi"],
                    ["chat", "hi", "--json"],
                    ["status", "--check", "--json"],
                ):
                    invoke(out, args, env)
            else:
                client = GrokClient(
                    quiet_browser_auth([StandInCookie("sso", sso)], user_agent=UA),
                    web_base_url=server.url,
                    retry=NO_RETRIES,
                )
                out.add_object("web models", client.models())
                expect_error(out, "web whoami non-JSON", client.whoami)
                expect_error(out, "web chat: no such mode among the echoed ones", partial(client.chat, "hi"))
            assert elsewhere.requests == []
    ran_something(out, "xai-…")
    out.assert_clean({"api key": key, "sso": sso})


# --- the command line, and the files it writes ------------------------------------------------------


def invoke(out: Outputs, args: list[str], env: dict[str, str], input: str | None = None):
    result = run_cli(*args, env=env, input=input)
    where = "cookie-session " + " ".join(a if len(a) < 40 else a[:20] + "…" for a in args)
    out.add(f"{where} (exit {result.exit_code}) stdout", result.stdout)
    out.add(f"{where} (exit {result.exit_code}) stderr", result.stderr)
    for message in result.browser_warnings:  # what a real process prints to stderr
        out.add("warning BrowserCookieWarning", message)
    assert "Traceback" not in result.output, result.output
    return result


@examples(20)
@given(keys=st.lists(api_keys, min_size=2, max_size=2, unique=True))
def test_cli_with_an_api_key_never_prints_or_writes_it(stand_in, keys):
    key, unknown = keys
    only_keys(stand_in, key)
    out = Outputs()
    with scratch() as (work, tmp), captured_logs_and_warnings(out):
        env = {"XAI_API_KEY": key, "XAI_BASE_URL": stand_in.base_url}
        for args in (
            ["status"],
            ["status", "--json"],
            ["status", "--check"],
            ["status", "--check", "--json"],
            ["chat", "hello"],
            ["chat", "hello", "--no-stream"],
            ["chat", "hello", "--json"],
            ["chat", "-", "--json"],
            ["models"],
            ["models", "--json"],
            ["whoami"],
            ["whoami", "--json"],
        ):
            assert invoke(out, args, env, input="from stdin").exit_code == 0, args
        wrong = {"XAI_API_KEY": unknown, "XAI_BASE_URL": stand_in.base_url}
        for args in (["status", "--check"], ["status", "--check", "--json"], ["chat", "hi"], ["whoami", "--json"]):
            assert invoke(out, [*args, "--retries", "0"] if args[0] != "status" else args, wrong).exit_code == 4
        for malformed in (key + " x", key[:-1]):
            assert invoke(out, ["status", "--json"], {"XAI_API_KEY": malformed}).exit_code == 7
            assert invoke(out, ["chat", "hi"], {"XAI_API_KEY": malformed}).exit_code == 7
        (work / ".env").write_text(f"XAI_API_KEY={key}\n", encoding="utf-8")
        assert invoke(out, ["status", "--check"], {"XAI_BASE_URL": stand_in.base_url}).exit_code == 0
        assert invoke(out, ["whoami", "--json"], {"XAI_BASE_URL": stand_in.base_url}).exit_code == 0
        add_files(out, work, tmp, planted={work / ".env"})
    ran_something(out, f"xai-…{key[-4:]}")
    collected(out, "log urllib3")
    out.assert_clean({"api key": key, "unknown key": unknown})


@examples(15)
@given(sso=cookie_values, cf_clearance=cookie_values, user_id=cookie_values)
def test_cli_with_browser_cookies_never_prints_or_writes_them(stand_in, sso, cf_clearance, user_id):
    values = {"sso": sso, "sso-rw": sso, "cf_clearance": cf_clearance, "x-userid": user_id}
    assume(distinct(sso, cf_clearance, user_id))
    values["__cf_bm"] = register_session(stand_in, sso, cf_clearance, user_id)
    out = Outputs()
    with (
        scratch() as (work, tmp),
        captured_logs_and_warnings(out),
        mock.patch.object(policy, "CONTAINER_FILES", ()),
    ):  # this test machine is a container
        db = chromium_db(work / "profile" / "Cookies", values)
        env = {"GROK_WEB_BASE_URL": stand_in.web_base_url, "GROK_USER_AGENT": UA}
        browser = ["--auth", "browser", "--unsafe-browser-cookies", "--cookie-file", str(db)]
        for args in (
            ["status"],
            ["status", "--json"],
            ["status", "--check"],
            ["status", "--check", "--json"],
            ["chat", "hello"],
            ["chat", "hello", "--no-stream"],
            ["chat", "hello", "--json"],
            ["models"],
            ["models", "--json"],
            ["whoami"],
            ["whoami", "--json"],
        ):
            assert invoke(out, [*args, *browser], env).exit_code == 0, args
        for args in (["cookies"], ["cookies", "--json"]):
            assert invoke(out, [*args, "--unsafe-browser-cookies", "--cookie-file", str(db)], env).exit_code == 0
        stand_in.fail_next("session_expired")
        assert invoke(out, ["chat", "hi", *browser], env).exit_code == 4
        assert invoke(out, ["whoami", *browser], {**env, "GROK_USER_AGENT": "another"}).exit_code == 4
        assert (
            invoke(
                out, ["status", "--unsafe-browser-cookies", "--cookie-file", str(db)], {**env, "CI": "true"}
            ).exit_code
            == 5
        )
        add_files(out, work, tmp, planted={db})
    ran_something(out, "sso=…")
    collected(out, "log urllib3", "log cookie_session.browsers", "warning BrowserCookieWarning")
    out.assert_clean(values)


# --- compare and migrate ---------------------------------------------------------------------------


def _has_command(name: str) -> bool:
    return name in cli.list_commands(None)


@examples(10)
@given(keys=st.lists(api_keys, min_size=2, max_size=2, unique=True), sso=cookie_values, cf_clearance=cookie_values)
def test_compare_never_prints_either_credential(stand_in, keys, sso, cf_clearance):
    assert _has_command("compare"), "`cookie-session compare` does not exist: this test must cover it"
    from cookie_session.compare import compare_methods, render_table

    key, unknown = keys
    assume(distinct(sso, cf_clearance))
    only_keys(stand_in, key)
    cf_bm = register_session(stand_in, sso, cf_clearance, "leak-test-user")
    values = {"sso": sso, "sso-rw": sso, "cf_clearance": cf_clearance, "__cf_bm": cf_bm}
    out = Outputs()
    with scratch() as (work, tmp), captured_logs_and_warnings(out), mock.patch.object(policy, "CONTAINER_FILES", ()):
        db = chromium_db(work / "profile" / "Cookies", values)
        env = {
            "XAI_API_KEY": key,
            "XAI_BASE_URL": stand_in.base_url,
            "GROK_WEB_BASE_URL": stand_in.web_base_url,
            "GROK_USER_AGENT": UA,
        }
        browser = ["--unsafe-browser-cookies", "--cookie-file", str(db)]
        assert invoke(out, ["compare", "hello", *browser], env).exit_code == 0
        data = json.loads(invoke(out, ["compare", "hello", "--json", *browser], env).stdout)
        assert [m["ok"] for m in data["methods"]] == [True, True], data
        stand_in.fail_next("session_expired")
        failed = invoke(
            out, ["compare", "hello", "--json", "--retries", "0", *browser], {**env, "XAI_API_KEY": unknown}
        )
        assert failed.exit_code == 4 and [m["ok"] for m in json.loads(failed.stdout)["methods"]] == [False, False]
        authenticators = [ApiKeyAuthenticator(key), opted_in_auth(web_cookie_list(sso, sso, cf_clearance, "u", cf_bm))]
        comparison = compare_methods(
            "hello",
            authenticators=authenticators,
            client_options={"base_url": stand_in.base_url, "web_base_url": stand_in.web_base_url},
        )
        out.add_object("Comparison", comparison)
        out.add("Comparison.to_dict()", json.dumps(comparison.to_dict()))
        out.add("render_table()", render_table(comparison, width=200))
        add_files(out, work, tmp, planted={db})
    ran_something(out, "Stand-in answer")
    out.assert_clean({"api key": key, "unknown key": unknown, **values})


MIGRATE_FORMATS = (["--format", "text"], ["--format", "json"], ["--format", "sarif"])


@examples(15)
@given(key=api_keys, sso=cookie_values)
def test_migrate_reports_never_show_the_secrets_in_the_project(key, sso):
    assert _has_command("migrate"), "`cookie-session migrate` does not exist: this test must cover it"
    out = Outputs()
    with scratch() as (work, tmp), captured_logs_and_warnings(out):
        project = work / "project"
        project.mkdir()
        planted = {
            project / "script.py": (
                f"import requests\nAPI_KEY = {key!r}\n"
                f"cookies = {{'sso': {sso!r}}}\n"
                f"requests.post('https://grok.com/rest/app-chat/conversations/new', "
                f"cookies=cookies, headers={{'Authorization': 'Bearer ' + API_KEY}})\n"
            ),
            project / "config.env": f"XAI_API_KEY={key}\nGROK_SSO={quote(sso, safe='')}\n",
            project / "notes.md": f"token: {base64.b64encode(key.encode()).decode()}\n",
        }
        for path, text in planted.items():
            path.write_text(text, encoding="utf-8")
        for fmt in MIGRATE_FORMATS:
            assert invoke(out, ["migrate", str(project), *fmt], {}).exit_code == 1  # findings
            report = work / f"report.{fmt[-1]}"
            assert invoke(out, ["migrate", str(project), *fmt, "--output", str(report)], {}).exit_code == 1
            assert report.is_file()
        add_files(out, work, tmp, planted=set(planted))
    ran_something(out, "script.py:3")  # the cookie handling was reported (a placeholder-like key may not be)
    out.assert_clean({"api key": key, "sso": sso})


# --- a real process: nothing on the terminal either ---------------------------------------------------


def test_a_real_cli_process_with_debug_logging_prints_no_secret(stand_in, tmp_path):
    """The installed entry point as a subprocess, with Python's own warnings and urllib3's debug
    logging switched on from the outside: stdout and stderr hold no key."""
    key = register_key(stand_in, "xai-" + "Zq9_" * 20)
    code = (
        "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr);"
        "from cookie_session.cli import main; sys.argv = ['cookie-session'] + sys.argv[1:]; main()"
    )
    env = {**os.environ, "XAI_API_KEY": key, "XAI_BASE_URL": stand_in.base_url, "PYTHONWARNINGS": "always"}
    out = Outputs()
    for args in (["chat", "hi"], ["whoami", "--json"], ["status", "--check"]):
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
        out.add(f"{args} stdout", proc.stdout)
        out.add(f"{args} stderr", proc.stderr)
    assert any("urllib3" in text for _w, text in out.items)  # debug logging really was on
    out.assert_clean({"api key": key})
