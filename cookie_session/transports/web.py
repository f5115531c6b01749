"""The grok.com web app (unofficial, changes without notice): endpoints, NDJSON replies, signals.

Every grok.com detail lives here or in `grok_web` (what the browser sends: headers, x-statsig-id,
the chat body), so a change on the site is a fix in these two files:
- chat: `POST /rest/app-chat/conversations/new`; the reply streams one JSON object per line,
  text pieces at `result.response.token`, the final text at `result.response.modelResponse.message`;
- models: `POST /rest/models`; cheap probe for `whoami`: `POST /rest/rate-limits`;
- signals: 401 session invalid; 403 + "Just a moment" page = Cloudflare challenge; 403 JSON (or
  in-stream) `{"error": {"code": 7}}` = anti-bot refusal (since June 2026: no valid `x-statsig-id`),
  `code 8` rate limit; body text `blocked-user` = account blocked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator

import requests

from ..errors import (
    AccountBlockedError,
    AntiBotRejectedError,
    BadResponseError,
    CloudflareChallengeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    SessionExpiredError,
    UpstreamError,
)
from ..results import ChatResult, ChatStream, Identity, Model, Usage
from ..settings import API_KEY_ENV, STATSIG_ENV
from .base import CHAT_RETRY_STATUSES, Transport
from .grok_web import chat_payload
from .replies import ended_early, json_body, streamed_json_object, translate_transport_errors
from .retry import retry_after_seconds

__all__ = ["WebTransport", "chat_payload", "iter_ndjson", "raise_for_web_error", "ANTI_BOT_HINT"]

CHAT_PATH = "/rest/app-chat/conversations/new"
MODELS_PATH = "/rest/models"
PROBE_PATH = "/rest/rate-limits"
#: The model named in the cheap probe.
PROBE_MODEL = "grok-3"
ANTI_BOT_CODE = 7
RATE_LIMIT_CODE = 8
#: What to do when grok.com's anti-bot rules refuse a request (code 7).
ANTI_BOT_HINT = (
    f"Open grok.com in the same browser, send a message, copy the x-statsig-id request header of "
    f"that request from DevTools (Network tab) into {STATSIG_ENV} and try again; or use the API key "
    f"({API_KEY_ENV}), which is meant for scripts"
)
CHROMIUM_FLUSH_HINT = (
    "Chromium is running with this profile and writes a fresh login to disk up to 30 s later: "
    "wait half a minute (or quit the browser) and try again; else log in to grok.com again, "
    f"or use the API key ({API_KEY_ENV})"
)
_SAID_CHARS = 200


def raise_for_web_error(
    response: requests.Response,
    *,
    redact: Callable[[str], str] = lambda text: text,
    browser_running: Callable[[], bool] = lambda: False,
) -> None:
    """Raise the error matching a non-2xx grok.com reply; return quietly on 2xx.

    `redact` scrubs the credentials from grok.com's text before it reaches a message;
    `browser_running` tells whether the profile's Chromium runs now (it shapes the 401 hint).
    """
    status = response.status_code
    if status < 400:
        return
    text = response.text[:4096] if "json" in response.headers.get("Content-Type", "") or status == 403 else ""
    error = _json_error(text)
    if "blocked-user" in text:
        raise AccountBlockedError("grok.com says this account is blocked")
    if status == 401:
        raise SessionExpiredError(
            "grok.com answered 401: the browser session is not valid any more",
            hint=CHROMIUM_FLUSH_HINT if browser_running() else None,
        )
    if status == 403 and error.get("code") == ANTI_BOT_CODE:
        raise AntiBotRejectedError("grok.com's anti-bot rules rejected the request (403, code 7)", hint=ANTI_BOT_HINT)
    if status == 403 and "just a moment" in text.lower():
        raise CloudflareChallengeError(
            "grok.com answered with a Cloudflare challenge (cf_clearance expired, "
            "or the User-Agent differs from the browser's)"
        )
    if status == 403:
        said = _shown(redact(str(error.get("message") or _visible_text(text))))
        raise PermissionDeniedError(
            f"grok.com answered 403: {said or '(no message)'}",
            hint=f"Check the account at grok.com in the browser, or use the API key ({API_KEY_ENV})",
        )
    if status == 429:
        raise RateLimitedError(
            "Rate limited by grok.com", retry_after=retry_after_seconds(response.headers.get("Retry-After"))
        )
    if status >= 500:
        raise ServerError(f"grok.com answered {status}", status=status)
    raise UpstreamError(
        f"grok.com answered {status} to {response.request.method} {response.request.path_url}", status=status
    )


def _json_error(text: str) -> dict:
    """The `error` object of a JSON error body (`{"error": {"code": 7, ...}}`), or {}."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # not JSON; or nested deeper than the parser goes
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _visible_text(text: str) -> str:
    """The words of a body, markup dropped (an HTML error page read as text)."""
    return " ".join(re.sub(r"<[^>]*>", " ", text).split())


def _shown(text: str) -> str:
    """Server text fit for a one-line message: printable, one line, at most `_SAID_CHARS` characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in " ".join(text.split()))
    return text if len(text) <= _SAID_CHARS else text[: _SAID_CHARS - 1] + "…"


def iter_ndjson(lines: Iterable[bytes], url: str) -> Iterator[dict]:
    """One JSON object per non-empty line; `BadResponseError` for a line that is not one."""
    for line in lines:
        if line.strip():
            yield streamed_json_object(line, url, "a line")


def _raise_stream_error(error) -> None:
    code = error.get("code") if isinstance(error, dict) else None
    if code == ANTI_BOT_CODE:
        raise AntiBotRejectedError("grok.com's anti-bot rules rejected the request (code 7)", hint=ANTI_BOT_HINT)
    if code == RATE_LIMIT_CODE:
        raise RateLimitedError("grok.com rate limit reached (code 8)")
    shown = code if isinstance(code, int) and not isinstance(code, bool) else "not a number"
    raise UpstreamError(f"grok.com reported an error mid-stream (code {shown})")


class WebTransport(Transport):
    """Speaks to the grok.com web app at `base_url` through a session whose `auth` adds the browser's
    cookies and headers. `identity` is what `whoami` reports besides the probe (see
    `BrowserCookieAuthenticator.identity`); `redact` and `browser_running` as in `raise_for_web_error`."""

    chat_path = CHAT_PATH

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        identity: dict,
        redact: Callable[[str], str] = lambda text: text,
        browser_running: Callable[[], bool] = lambda: False,
        **options,
    ) -> None:
        super().__init__(session, base_url, **options)
        self._identity = identity
        self._redact = redact
        self._browser_running = browser_running

    def raise_for_error(self, response: requests.Response) -> None:
        raise_for_web_error(response, redact=self._redact, browser_running=self._browser_running)

    def chat(self, messages: list[dict], *, model: str, max_tokens: int | None) -> ChatResult:
        return self.stream(messages, model=model, max_tokens=max_tokens).collect()

    def stream(self, messages: list[dict], *, model: str, max_tokens: int | None) -> ChatStream:
        # max_tokens has no web-app equivalent: the answer is cut client-side to that many pieces.
        deadline = self.call_deadline()
        response = self._request(
            "POST",
            CHAT_PATH,
            json=chat_payload(messages, model=model),
            stream=True,
            retry_on=CHAT_RETRY_STATUSES,
            deadline=deadline,
        )
        # The final text arrives whole at the end; pieces are kept only for an answer cut at max_tokens.
        pieces: list[str] = []
        budget = self.answer_budget(response.url)
        final: dict = {"model": model}

        def events() -> Iterator[str]:
            with translate_transport_errors(response.url):
                lines = self.lines(response, deadline)
                for item in iter_ndjson(lines, response.url):
                    if "error" in item:
                        _raise_stream_error(item["error"])
                    result = item.get("result")
                    reply = (result.get("response") if isinstance(result, dict) else None) or {}
                    if not isinstance(reply, dict):
                        continue
                    final_reply = reply.get("modelResponse")
                    if isinstance(final_reply, dict):
                        lines.progress()
                        final["text"] = final_reply.get("message")
                        if isinstance(final["text"], str):  # the whole answer again: held to the cap on its own
                            self.answer_budget(response.url).add(final["text"])
                        final["id"] = final_reply.get("responseId")
                        continue
                    token = reply.get("token")
                    if isinstance(token, str) and token:
                        lines.progress()  # thinking tokens too: the model is at work
                    if isinstance(token, str) and token and not reply.get("isThinking"):
                        if max_tokens is not None and len(pieces) >= max_tokens:
                            final["finish_reason"] = "length"
                            return
                        budget.add(token)
                        if max_tokens is not None:
                            pieces.append(token)
                        yield token
                if "text" not in final:  # a complete stream ends with the modelResponse object
                    raise ended_early(response.url)

        def finish() -> ChatResult:
            text = final.get("text") if final.get("finish_reason") != "length" else None
            return ChatResult(
                text=text if isinstance(text, str) else "".join(pieces),
                model=model,
                auth_kind=self.auth_kind,
                usage=Usage(),
                id=final.get("id"),
                finish_reason=final.get("finish_reason", "stop"),
            )

        return ChatStream(events(), finish, response.close)

    def models(self) -> list[Model]:
        response = self._request("POST", MODELS_PATH, json={})
        items = json_body(response).get("models")
        if not isinstance(items, list):
            raise BadResponseError(f"{response.url} answered without a model list")
        return [
            Model(id=str(item["modelId"]), owned_by="grok.com")
            for item in items
            if isinstance(item, dict) and item.get("modelId")
        ]

    def whoami(self) -> Identity:
        response = self._request("POST", PROBE_PATH, json={"requestKind": "DEFAULT", "modelName": PROBE_MODEL})
        json_body(response)  # a session that can read its own rate limits is alive
        return Identity(
            auth_kind=self.auth_kind,
            name=self._identity.get("name"),
            user_id=self._identity.get("user_id"),
            acls=("whole grok.com account",),
        )
