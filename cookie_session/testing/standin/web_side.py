"""The grok.com side of the stand-in: a login page that sets the session cookies, the `/rest/` endpoints
that check what grok.com checks, NDJSON replies, and each failure signal.

What a `/rest/` request must carry, as grok.com enforces it in 2026 (each rule can be switched off by
name in `WEB_RULES`, see `StandIn(relax=...)`):

- `cloudflare`: a `cf_clearance` earned with the same User-Agent, and the `__cf_bm` bot-management
  cookie Cloudflare set alongside it; else the "Just a moment" page (403 HTML). Source: DESIGN.md's
  facts (cf_clearance bound to the UA; both cookies needed since mid-2026, justlovemaki/AIClient2API 629).
- `statsig`: an `x-statsig-id` that is base64 of either the web app's fallback `x1:<JavaScript error>`
  or a 70-byte signed token (a XOR key byte, then 48 bytes of site verification, a 4-byte time, 16
  bytes of SHA-256 and the byte 3, all XORed with the key); anything else, the older `e:` prefix
  included, gets 403 `{"error":{"code":7,"message":"Request rejected by anti-bot rules.","details":[]}}`.
  Sources: chenyme/grok2api issue 562 and PR 567, diegosouzapw/OmniRoute issue 3063.
- `origin`: an `Origin` of another site gets the same code-7 refusal (a browser's same-origin fetch
  sends its own origin).

Independent of the library on purpose: nothing here is imported from it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from ._server import BaseHandler
from .api_side import answer_for

WEB_MODELS = ("grok-4", "grok-3")
CHALLENGE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body>Checking your browser before accessing grok.com.</body></html>"
)
WEB_FAILURES = ("challenge", "anti_bot", "web_rate_limit", "blocked_account", "session_expired")
#: The checks grok.com makes on every `/rest/` request; `StandIn(relax=...)` switches them off by name.
WEB_RULES = ("cloudflare", "statsig", "origin")
SESSION_MAX_AGE = 30 * 24 * 3600
CF_BM_MAX_AGE = 1800
ANTI_BOT_REFUSAL = {"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}
_STATSIG_FALLBACK = re.compile(r"x1:(?:[A-Z][A-Za-z]*)?Error: [ -~]+")
_SIGNED_TOKEN_BYTES = 1 + 48 + 4 + 16 + 1


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


def statsig_acceptable(value: str | None) -> bool:
    """True for an `x-statsig-id` grok.com accepts: base64 of the `x1:` fallback text or of a signed token."""
    if not value:
        return False
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) == _SIGNED_TOKEN_BYTES and raw[-1] ^ raw[0] == 3:
        return True
    try:
        return _STATSIG_FALLBACK.fullmatch(raw.decode("ascii")) is not None
    except UnicodeDecodeError:
        return False


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
            ("GET", "/login"): self._login,
            ("POST", "/rest/app-chat/conversations/new"): self._chat,
            ("POST", "/rest/models"): self._models,
            ("POST", "/rest/rate-limits"): self._rate_limits,
        }

    def handle_route(self, handler) -> None:
        if handler == self._login:
            handler(None)
            return
        session = self._authenticate()
        if session is not None:
            handler(session)

    def _cookies(self) -> dict[str, str]:
        """The Cookie header as servers commonly read it: `name=value` pairs split on ';', values taken
        verbatim (a browser sends any printable value it stored, quotes and backslashes included)."""
        pairs = (part.strip().partition("=") for part in self.headers.get("Cookie", "").split(";"))
        return {name: value for name, sep, value in pairs if sep and name}

    def _authenticate(self) -> WebSession | None:
        cookies = self._cookies()
        failure = self.standin.take_failure("web", only=("challenge", "blocked_account", "session_expired"))
        session = self.standin.web_sessions.get(cookies.get("sso", ""))
        if session is None or failure == "session_expired":
            self.send_json(401, {"error": {"code": 16, "message": "Unauthenticated"}})
            return None
        if failure == "challenge" or (self._enforced("cloudflare") and not self._cloudflare_passes(cookies)):
            self.send_body(403, CHALLENGE_PAGE, "text/html; charset=UTF-8")
            return None
        if (self._enforced("statsig") and not statsig_acceptable(self.headers.get("x-statsig-id"))) or (
            self._enforced("origin") and not self._origin_allowed()
        ):
            self.send_json(403, ANTI_BOT_REFUSAL)
            return None
        if failure == "blocked_account":
            self.send_json(403, {"error": {"code": 7, "message": "blocked-user"}})
            return None
        return session

    def _enforced(self, rule: str) -> bool:
        return rule not in self.standin.relaxed

    def _cloudflare_passes(self, cookies: dict[str, str]) -> bool:
        """`cf_clearance` earned with this User-Agent, and a live `__cf_bm` issued with it."""
        user_agent = self.headers.get("User-Agent", "")
        bound_agent = self.standin.cf_clearances.get(cookies.get("cf_clearance", ""))
        bot_cookie = self.standin.cf_bms.get(cookies.get("__cf_bm", ""))
        return (
            bound_agent is not None
            and bound_agent == user_agent
            and bot_cookie is not None
            and bot_cookie > time.time()
        )

    def _origin_allowed(self) -> bool:
        """No `Origin`, this stand-in's own origin, or (served as grok.com) an https grok.com origin: same site."""
        origin = self.headers.get("Origin")
        if origin is None:
            return True
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

    def _login(self, _session) -> None:
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

    def _chat(self, session: WebSession) -> None:
        body = self.read_json()
        if body is None:
            return
        if body.get("modelName") not in WEB_MODELS:
            self.send_json(400, {"error": {"code": 3, "message": f"Unknown model {body.get('modelName')}"}})
            return
        failure = self.standin.take_failure("web", only=("anti_bot", "web_rate_limit"))
        self.start_chunked("application/json")
        line = lambda item: self.write_chunk(json.dumps(item).encode() + b"\n")  # noqa: E731
        line({"result": {"conversation": {"conversationId": str(uuid.uuid4()), "temporary": True}}})
        if failure is not None:
            anti_bot = failure == "anti_bot"
            code, message = (7, "Request rejected by anti-bot rules.") if anti_bot else (8, "Too many requests")
            line({"error": {"code": code, "message": message, "details": []}})
            self.end_chunked()
            return
        text = answer_for(str(body.get("message", "")))
        response_id = str(uuid.uuid4())
        line({"result": {"response": {"token": "", "isThinking": True, "responseId": response_id}}})
        for index, word in enumerate(text.split(" ")):
            line(
                {
                    "result": {
                        "response": {
                            "token": word if index == 0 else " " + word,
                            "isThinking": False,
                            "responseId": response_id,
                        }
                    }
                }
            )
            if self.standin.stream_delay:
                time.sleep(self.standin.stream_delay)
        line(
            {
                "result": {
                    "response": {"modelResponse": {"responseId": response_id, "message": text, "sender": "ASSISTANT"}}
                }
            }
        )
        self.end_chunked()

    def _models(self, session: WebSession) -> None:
        self.send_json(
            200, {"models": [{"modelId": model, "name": model.replace("-", " ").title()} for model in WEB_MODELS]}
        )

    def _rate_limits(self, session: WebSession) -> None:
        self.send_json(200, {"windowSizeSeconds": 7200, "remainingQueries": 30, "totalQueries": 30})
