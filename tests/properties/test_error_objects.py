"""Issue 15, class 8 (the request half): a failed call's exception keeps no request or reply object, and no
raw `Authorization` or `Cookie` value, anywhere in its chain (`__context__`, `__cause__`) and attributes
(`__dict__`, `args`), and no request or reply is a local of a frame in its traceback.

Walked: everything reachable from the exception through those, except the inside of a `Secret` (the one
place a value may live). Frame locals are checked one level deep (the caller's own frame holds its client).
"""

from __future__ import annotations

import socket
import time
import types
from collections.abc import Mapping

import pytest
import requests
from loopback import RecordingServer

from cookie_session.auth import ApiKeyAuthenticator
from cookie_session.auth.browser import BrowserCookieAuthenticator
from cookie_session.client import NO_RETRIES, GrokClient
from cookie_session.errors import BrowserCookieWarning, CookieSessionError
from cookie_session.policy import LocalityVerdict
from cookie_session.secret import Secret
from cookie_session.testing.standin import DROP_MODES, StandIn

UA = "Mozilla/5.0 (X11; Linux x86_64) error-objects-test"
FORBIDDEN_TYPES = (requests.PreparedRequest, requests.Request, requests.Response, requests.Session)


def reachable(root, depth: int = 8):
    """Every object reachable from `root` through exception links, attributes, containers and frame locals."""
    seen: set[int] = set()
    stack = [(root, 0)]
    while stack:
        obj, level = stack.pop()
        if obj is None or id(obj) in seen or level > depth:
            continue
        seen.add(id(obj))
        yield obj
        children: list = []
        if isinstance(obj, BaseException):
            children += [obj.__context__, obj.__cause__, *obj.args, *vars(obj).values()]
        elif isinstance(obj, Secret) or isinstance(
            obj, (str, bytes, int, float, type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)
        ):
            continue
        elif isinstance(obj, Mapping):
            children += [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            children += list(obj)
        else:
            children += list(getattr(obj, "__dict__", {}).values())
        stack += [(child, level + 1) for child in children]


def frame_locals(error: BaseException):
    for exc in (e for e in reachable(error) if isinstance(e, BaseException)):
        tb = exc.__traceback__
        while tb is not None:
            yield from tb.tb_frame.f_locals.values()
            tb = tb.tb_next


def assert_holds_nothing(error: BaseException, secrets: list[str]) -> None:
    for value in frame_locals(error):
        assert not isinstance(value, FORBIDDEN_TYPES[:3]), (
            f"a traceback frame of {type(error).__name__} holds a {type(value).__name__}"
        )
    for obj in reachable(error):
        assert not isinstance(obj, FORBIDDEN_TYPES), f"{type(error).__name__} keeps a {type(obj).__name__}"
        if isinstance(obj, (str, bytes)):
            text = obj.decode("latin-1") if isinstance(obj, bytes) else obj
            assert not any(secret in text for secret in secrets), f"{type(error).__name__} keeps a raw secret"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failures(make_client, base: str, scenario: str, stand_in: StandIn):
    """Run one failing call; return its exception."""
    if scenario in DROP_MODES:
        client = make_client(base)
        client.models()  # what later calls reuse is learnt (grok.com's statsig page): the drop hits the call itself
        stand_in.fail_next(scenario)
    elif scenario == "refused":
        client = make_client(f"http://127.0.0.1:{closed_port()}" + ("/v1" if base.endswith("/v1") else ""))
    else:
        client = make_client(base)
    with pytest.raises(CookieSessionError) as caught:
        if scenario == "stream":
            for _ in client.chat("hi", stream=True):
                stand_in.fail_next("drop_mid_body")
        else:
            client.models() if scenario != "chat" else client.chat("hi")
    return caught.value


@pytest.fixture(scope="module")
def stand_in():
    with StandIn() as server:
        yield server


@pytest.mark.parametrize("scenario", ["refused", *DROP_MODES, "chat"])
def test_an_api_key_error_keeps_no_request_object_or_raw_key(stand_in, scenario):
    key = stand_in.api_key if scenario != "chat" else stand_in.add_key(blocked=True)
    error = failures(
        lambda base: GrokClient(ApiKeyAuthenticator(key), base_url=base, retry=NO_RETRIES),
        stand_in.base_url,
        scenario,
        stand_in,
    )
    assert_holds_nothing(error, [key, f"Bearer {key}"])


@pytest.mark.parametrize("scenario", ["refused", *DROP_MODES])
def test_a_browser_cookie_error_keeps_no_request_object_or_raw_cookie(stand_in, scenario):
    cookies = stand_in.web_cookies(UA)
    with pytest.warns(BrowserCookieWarning):
        auth = BrowserCookieAuthenticator.from_cookies(
            cookies, user_agent=UA, unsafe_browser_cookies=True, verdict=LocalityVerdict.assume_local()
        )
    error = failures(
        lambda base: GrokClient(auth, web_base_url=base, retry=NO_RETRIES), stand_in.web_base_url, scenario, stand_in
    )
    assert_holds_nothing(error, [cookie.value for cookie in cookies])


@pytest.mark.parametrize("route", ["timeout", "redirect", "not json", "401"])
def test_errors_from_hostile_replies_keep_nothing_either(route):
    key = "xai-" + "e" * 80
    with RecordingServer() as server:
        server.routes["/v1/models"] = {
            "redirect": (302, {"Location": "http://127.0.0.2:9/steal"}, b""),
            "not json": (200, {"Content-Type": "text/html"}, b"<html>"),
            "401": (401, {"Content-Type": "application/json"}, b'{"error": "no"}'),
            "timeout": (200, {"Content-Type": "application/json"}, b"{}"),
        }[route]
        client = GrokClient(
            ApiKeyAuthenticator(key),
            base_url=f"{server.url}/v1",
            retry=NO_RETRIES,
            timeout=(1, 1) if route != "timeout" else (1, 0.000001),
        )
        start = time.monotonic()
        with pytest.raises(CookieSessionError) as caught:
            client.models()
        assert time.monotonic() - start < 10
    assert_holds_nothing(caught.value, [key])
