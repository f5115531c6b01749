"""The grok.com side of the stand-in, as the web app meets grok.com in late 2026 (docs/grok-com-rules.md is the
dated table of every rule, its public evidence and the test that holds it).

Served: the pages (`GET /` with the `grok-site-verification` seed and the SVG curves, `GET /index` a branded
404), `GET /login` (sets the session cookies), `GET /api/auth/session`, `POST /rest/modes`,
`POST /rest/rate-limits`, the chat gateway `GET /ws/mgw/?uid=` (a WebSocket on this same port, see `gateway`),
the legacy `POST /rest/app-chat/conversations/new` (400 code 3 "please update your client"), and
`POST /rest/models` gone (404). Checked, each switchable off by name in `WEB_RULES` (`StandIn(relax=...)`):

- `cloudflare`: a `cf_clearance` earned with the same User-Agent (`/rest/`, `/api/`, the gateway handshake);
  else Cloudflare's 403 "Just a moment" page. `__cf_bm` is set at login but not required: nothing public shows
  grok.com requires it (the only claim is a user's guess, justlovemaki/AIClient2API #629).
- `statsig`: every `/rest/` request carries an `x-statsig-id` the stand-in's own verifier (`statsig`)
  accepts: the signed 70-byte token for this method, path, time and the current build's seed, or Chrome's
  exact fallback text; anti-bot 403 or "This page is out of date" 403 otherwise.
- `origin`: a `/rest/` request's `Origin`, if any, is this site's own; the gateway's handshake must send it.
- `legacy_chat`: the legacy chat endpoint is refused (400 code 3); relaxed, it answers text chat in NDJSON as
  it did before the gateway (`modelName` grok-4 or grok-3), for old prototypes.

Independent of the library on purpose: nothing here is imported from it.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from wsproto.utilities import generate_accept_token

from ._server import BaseHandler
from .gateway import GATEWAY_PATH, GatewayChat
from .grok_site import NOT_FOUND_PAGE
from .legacy_chat import LEGACY_MODELS, legacy_chat_lines, write_legacy_chat
from .statsig import Verdict, check
from .web_replies import (
    ANTI_BOT_REFUSAL,
    BLOCKED_ACCOUNT,
    CHALLENGE_PAGE,
    INVALID_MODEL_NAME,
    MODES,
    NOT_FOUND,
    OUT_OF_DATE,
    UNAUTHENTICATED,
    UPDATE_CLIENT,
    modes_reply,
    rate_limits_reply,
    session_reply,
)
from .websocket_io import ClientGone, ServerWebSocket, negotiate_deflate

#: Kept for code that still names them: the legacy chat's `modelName` values (served only with `legacy_chat`).
WEB_MODELS = LEGACY_MODELS
WEB_MODES = tuple(MODES)
WEB_FAILURES = (
    "challenge",
    "challenge_empty",
    "http_429",
    "anti_bot",
    "web_rate_limit",
    "blocked_account",
    "session_expired",
    "statsig_stale",
    "update_client",
    "gateway_error",
    "session_ended",
    "stream_error",
)
#: The checks grok.com makes; `StandIn(relax=...)` switches them off by name.
WEB_RULES = ("cloudflare", "statsig", "origin", "legacy_chat")
SESSION_MAX_AGE = 30 * 24 * 3600
CF_BM_MAX_AGE = 1800
LEGACY_CHAT_PATH = "/rest/app-chat/conversations/new"
#: What Cloudflare answers a non-browser TLS handshake it soft-blocks (R27): 429, no Retry-After.
TOO_MANY_REQUESTS = b"error code: 1015"
_CLOUDFLARE_FAILURES = ("challenge", "challenge_empty", "http_429")


@dataclass(frozen=True)
class StandInCookie:
    """A cookie as a browser would store it after the stand-in's login page (for `from_cookies`)."""

    name: str
    value: str = field(repr=False)
    domain: str = ".grok.com"
    path: str = "/"
    secure: bool = True
    http_only: bool = True
    expires: float | None = None


@dataclass
class WebSession:
    user_id: str
    user_agent: str


def session_cookies(
    host: str, *, sso: str, user_id: str, cf_clearance: str, cf_bm: str, sso_max_age: int | None, tls: bool
) -> list[str]:
    """`Set-Cookie` values as grok.com and its Cloudflare set them: on `.grok.com` when served as grok.com,
    host-only otherwise; `Secure` only over TLS (a plain-HTTP stand-in could not set them otherwise)."""
    domain = "; Domain=.grok.com" if host == "grok.com" or host.endswith(".grok.com") else ""
    domain += "; Secure" if tls else ""
    cross_site = "None" if tls else "Lax"  # SameSite=None needs Secure
    sso_age = f"; Max-Age={sso_max_age}" if sso_max_age is not None else ""
    return [
        f"sso={sso}{domain}; Path=/; HttpOnly; SameSite=Lax{sso_age}",
        f"sso-rw={sso}{domain}; Path=/; HttpOnly; SameSite=Lax{sso_age}",
        f"x-userid={user_id}{domain}; Path=/; SameSite=Lax; Max-Age={SESSION_MAX_AGE}",
        f"cf_clearance={cf_clearance}{domain}; Path=/; HttpOnly; SameSite={cross_site}; Max-Age=31536000",
        f"__cf_bm={cf_bm}{domain}; Path=/; HttpOnly; SameSite={cross_site}; Max-Age={CF_BM_MAX_AGE}",
        f"_cfuvid={secrets.token_urlsafe(30)}{domain}; Path=/; HttpOnly; SameSite={cross_site}",
    ]


class WebHandler(BaseHandler):
    def routes(self) -> dict:
        return {
            ("GET", "/"): self._home,
            ("GET", "/index"): self._not_found_page,
            ("GET", "/login"): self._login,
            ("GET", "/api/auth/session"): self._auth_session,
            ("GET", GATEWAY_PATH): self._gateway,
            ("POST", "/rest/modes"): self._rest(self._modes),
            ("POST", "/rest/rate-limits"): self._rest(self._rate_limits),
            ("POST", LEGACY_CHAT_PATH): self._rest(self._legacy_chat),
            ("POST", "/rest/models"): self._removed,
        }

    def handle_route(self, handler) -> None:
        handler()

    # --- the checks ---------------------------------------------------------------------------

    def _enforced(self, rule: str) -> bool:
        return rule not in self.standin.relaxed

    def _cookies(self) -> dict[str, str]:
        """The Cookie header as servers commonly read it: `name=value` pairs split on ';', values taken
        verbatim (a browser sends any printable value it stored, quotes and backslashes included)."""
        pairs = (part.strip().partition("=") for part in self.headers.get("Cookie", "").split(";"))
        return {name: value for name, sep, value in pairs if sep and name}

    def _session_past_cloudflare(self, failures: tuple[str, ...]) -> tuple[WebSession | None, str | None]:
        """The session the `sso` cookie opens and the queued failure taken for this request, after the checks
        every authenticated path shares: unknown session (or `session_expired`) -> 401, Cloudflare -> its
        403 page (or an empty 403, or a 429). None when refused (answered here)."""
        failure = self.standin.take_failure("web", only=failures)
        session = self.standin.web_sessions.get(self._cookies().get("sso", ""))
        if session is None or failure == "session_expired":
            self.send_json(401, UNAUTHENTICATED)
            return None, failure
        if not self._cloudflare_answer(failure):
            return None, failure
        return session, failure

    def _cloudflare_answer(self, failure: str | None) -> bool:
        """True when Cloudflare lets the request through; else its answer is sent."""
        if failure == "http_429":
            self.send_body(429, TOO_MANY_REQUESTS, "text/plain; charset=UTF-8")
        elif failure == "challenge_empty":
            self.send_body(403, b"", "text/html; charset=UTF-8", [("cf-mitigated", "challenge")])
        elif failure == "challenge" or (self._enforced("cloudflare") and not self._cloudflare_passes()):
            self.send_body(403, CHALLENGE_PAGE, "text/html; charset=UTF-8", [("cf-mitigated", "challenge")])
        else:
            return True
        return False

    def _cloudflare_passes(self) -> bool:
        """`cf_clearance` earned with this User-Agent (Cloudflare pins it; `__cf_bm` is not required)."""
        bound_agent = self.standin.cf_clearances.get(self._cookies().get("cf_clearance", ""))
        return bound_agent is not None and bound_agent == self.headers.get("User-Agent", "")

    def _origin_allowed(self, *, required: bool = False) -> bool:
        """This stand-in's own origin, or (served as grok.com) an https grok.com origin: same site. No `Origin`
        passes a fetch (`required=False`), not a WebSocket handshake, where browsers always send it."""
        origin = self.headers.get("Origin")
        if origin is None:
            return not required
        host = (self.headers.get("Host") or "").strip().lower()
        parts = urlsplit(origin.strip().lower())
        if f"{parts.scheme}://{parts.netloc}" == f"{'https' if self.standin.web_tls else 'http'}://{host}":
            return True
        return (
            all(
                name == "grok.com" or name.endswith(".grok.com")
                for name in (host.rsplit(":", 1)[0], parts.hostname or "")
            )
            and parts.scheme == "https"
        )

    def _rest(self, endpoint):
        """A `/rest/` endpoint behind grok.com's checks, in order: session, Cloudflare, origin, x-statsig-id,
        then the queued `update_client` / `blocked_account` answers."""

        def checked() -> None:
            session, failure = self._session_past_cloudflare(
                ("session_expired", *_CLOUDFLARE_FAILURES, "statsig_stale", "update_client", "blocked_account")
            )
            if session is None:
                return
            if self._enforced("origin") and not self._origin_allowed():
                self.send_json(403, ANTI_BOT_REFUSAL)
                return
            verdict = Verdict.OUT_OF_DATE if failure == "statsig_stale" else Verdict.ACCEPTED
            if verdict is Verdict.ACCEPTED and self._enforced("statsig"):
                path = self.path.split("?", 1)[0]
                verdict = check(self.headers.get("x-statsig-id"), self.command, path, self.standin.site)
            if verdict is not Verdict.ACCEPTED:
                self.send_json(403, ANTI_BOT_REFUSAL if verdict is Verdict.ANTI_BOT else OUT_OF_DATE)
            elif failure == "update_client":
                self.send_json(400, UPDATE_CLIENT)
            elif failure == "blocked_account":
                self.send_json(403, BLOCKED_ACCOUNT)
            else:
                endpoint(session)

        return checked

    # --- pages and identity ---------------------------------------------------------------------

    def _home(self) -> None:
        self.send_body(200, self.standin.site.home_page(), "text/html; charset=utf-8")

    def _not_found_page(self) -> None:
        self.send_body(404, NOT_FOUND_PAGE, "text/html; charset=utf-8")

    def _removed(self) -> None:
        self.send_json(404, NOT_FOUND)

    def _auth_session(self) -> None:
        """`GET /api/auth/session`: 200 with the status; no x-statsig-id needed (R29)."""
        failures = ("session_expired", "challenge", "challenge_empty", "blocked_account")
        failure = self.standin.take_failure("web", only=failures)
        session = self.standin.web_sessions.get(self._cookies().get("sso", ""))
        if session is None or failure == "session_expired":
            self.send_json(200, session_reply(None, "unauthenticated"))
        elif self._cloudflare_answer(failure):
            blocked = failure == "blocked_account"
            self.send_json(200, session_reply(session.user_id, "blocked" if blocked else "authenticated"))

    def _login(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        max_age = query.get("max_age", [str(SESSION_MAX_AGE)])[0]
        sso_max_age = None if max_age == "session" else int(max_age)
        user_agent = self.headers.get("User-Agent", "")
        sso, cf_clearance, user_id = self.standin.web_login(user_agent)
        cf_bm = self.standin.issue_cf_bm()
        page = (
            b"<!DOCTYPE html><html><head><title>Logged in</title></head>"
            b"<body>Logged in to the grok.com stand-in.</body></html>"
        )
        headers = [
            ("Set-Cookie", value)
            for value in session_cookies(
                host,
                sso=sso,
                user_id=user_id,
                cf_clearance=cf_clearance,
                cf_bm=cf_bm,
                sso_max_age=sso_max_age,
                tls=self.standin.web_tls,
            )
        ]
        self.send_body(200, page, "text/html; charset=UTF-8", headers)

    # --- /rest/ ----------------------------------------------------------------------------------

    def _modes(self, session: WebSession) -> None:
        if self.read_json() is not None:
            self.send_json(200, modes_reply())

    def _rate_limits(self, session: WebSession) -> None:
        body = self.read_json()
        if body is None:
            return
        mode = body.get("modelName")
        if isinstance(mode, str) and mode in MODES:
            self.send_json(200, rate_limits_reply(mode))
        else:
            self.send_json(400, INVALID_MODEL_NAME)

    def _legacy_chat(self, session: WebSession) -> None:
        if self._enforced("legacy_chat"):
            self.send_json(400, UPDATE_CLIENT)
            return
        body = self.read_json()
        if body is None:
            return
        failure = self.standin.take_failure("web", only=("anti_bot", "web_rate_limit"))
        status, error, lines = legacy_chat_lines(body, failure)
        if error is not None:
            self.send_json(status, error)
            return
        self.start_chunked("application/json")
        write_legacy_chat(lines, self.write_chunk, self.standin.stream_delay)
        self.end_chunked()

    # --- the gateway -----------------------------------------------------------------------------

    def _gateway(self) -> None:
        """`GET /ws/mgw/?uid=`: the handshake's checks (plain HTTP refusals), then the 101 and the chat."""
        session, _failure = self._session_past_cloudflare(("session_expired", *_CLOUDFLARE_FAILURES))
        if session is None:
            return
        uid = parse_qs(urlsplit(self.path).query).get("uid", [""])[0]
        if (self._enforced("origin") and not self._origin_allowed(required=True)) or uid != session.user_id:
            self.send_json(403, ANTI_BOT_REFUSAL)
            return
        key = self._websocket_key()
        if key is None:
            self.send_json(
                400,
                {"error": {"code": 3, "message": "Expected a WebSocket upgrade (Sec-WebSocket-Version 13)"}},
                [("Sec-WebSocket-Version", "13")],
            )
            return
        offers = [
            part.strip()
            for value in self.headers.get_all("Sec-WebSocket-Extensions") or ()
            for part in value.split(",")
        ]
        deflate, extensions = negotiate_deflate(offers)
        self.close_connection = True  # after the WebSocket, the connection is done
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", generate_accept_token(key.encode("ascii")).decode("ascii"))
        if extensions is not None:
            self.send_header("Sec-WebSocket-Extensions", extensions)
        self.end_headers()
        idle_seconds = self.connection.gettimeout() or 0.0  # BaseHandler.setup's IDLE_CLIENT_SECONDS
        try:
            socket_ = ServerWebSocket(
                self.connection, deflate=deflate, idle_seconds=idle_seconds, leftover=self._buffered()
            )
        except ClientGone:  # the client sent its close (or broke the protocol) right behind the upgrade request
            self.close_connection = True
            return
        GatewayChat(socket_, self.standin, drop_mid_frame=self._drop == "drop_mid_body").run()

    def _websocket_key(self) -> str | None:
        """The `Sec-WebSocket-Key` of a valid RFC 6455 upgrade request, else None."""
        upgrade = (self.headers.get("Upgrade") or "").lower()
        connection = {token.strip().lower() for token in (self.headers.get("Connection") or "").split(",")}
        key = (self.headers.get("Sec-WebSocket-Key") or "").strip()
        if "websocket" not in upgrade or "upgrade" not in connection:
            return None
        if (self.headers.get("Sec-WebSocket-Version") or "").strip() != "13":
            return None
        try:
            return key if len(base64.b64decode(key, validate=True)) == 16 else None
        except (binascii.Error, ValueError):
            return None

    def _buffered(self) -> bytes:
        """Bytes the request reader already took past the handshake (a client that did not wait for the 101)."""
        timeout = self.connection.gettimeout()
        self.connection.settimeout(0.0)
        try:
            return self.rfile.read1(1 << 16) or b""
        except (BlockingIOError, ssl.SSLWantReadError):
            return b""
        finally:
            self.connection.settimeout(timeout)
