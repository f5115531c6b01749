"""`WebTransport`: `GrokClient`'s calls spoken as grok.com's web app speaks them today (see the package docstring).

- `chat`/`stream`: the gateway WebSocket (`gateway.py`) for the mode named by `model` (default `auto`), checked
  against the account's modes first (an unknown one is a `BadInputError` listing them);
- `models`: the modes, from `POST /rest/modes`;
- `whoami` and the gateway's user id: `GET /api/auth/session`.
A `/rest/` request refused as "out of date" (a stale statsig) is replayed once with a fresh page and token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import requests

from ...errors import AccountBlockedError, BadInputError, BadResponseError, SessionExpiredError, StaleStatsigError
from ...results import ChatResult, ChatStream, Identity, Model, StreamPiece, Usage
from ...settings import API_KEY_ENV
from ..base import Transport, connection_settings
from ..replies import json_body
from .endpoints import AUTH_SESSION_PATH, DEFAULT_MODE, GATEWAY_PATH, MODES_LOCALE, MODES_PATH, gateway_url
from .gateway import GatewayChat
from .headers import origin_of
from .signals import raise_for_web_error, site_of
from .websocket import GatewayConnector

__all__ = ["WebTransport"]


class WebTransport(Transport):
    """Speaks to the grok.com web app at `base_url` through `session`, whose `auth` is a `BrowserWire` (cookies,
    the browser's headers, the signed statsig). `redact` and `browser_running` as in `raise_for_web_error`;
    `temporary=False` keeps chats in the account's history (by default they are temporary and without memory)."""

    chat_path = GATEWAY_PATH

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        *,
        redact: Callable[[str], str] = lambda text: text,
        browser_running: Callable[[], bool] = lambda: False,
        temporary: bool = True,
        **options,
    ) -> None:
        super().__init__(session, base_url, **options)
        self._redact = redact
        self._browser_running = browser_running
        self.temporary = temporary
        self._lock = threading.Lock()
        self._user_id: str | None = None
        self._modes: list[Model] | None = None
        self._connector: GatewayConnector | None = None
        self.site = site_of(base_url)  # how messages name the server
        self._socket_settings: tuple | None = None

    @property
    def chat_url(self) -> str:
        """The gateway's address (without the user id the chat adds)."""
        return gateway_url(self.base_url, "").split("?", 1)[0]

    @classmethod
    def for_client(cls, authenticator, session: requests.Session, base_url: str, **options) -> WebTransport:
        keep_history = bool(options.pop("keep_web_history", False))
        return cls(
            session,
            base_url,
            auth_kind=authenticator.kind,
            redact=authenticator.redact,
            browser_running=authenticator.browser_running,
            temporary=not keep_history,
            **options,
        )

    @property
    def _wire(self):
        return self.session.auth

    @property
    def browser_tls(self) -> bool:
        """True when fetches go over the browser's TLS handshake (the curl_cffi adapter is mounted)."""
        return getattr(self._wire.authenticator, "impersonating", None) is not None

    def raise_for_error(self, response: requests.Response) -> None:
        raise_for_web_error(
            response, redact=self._redact, browser_running=self._browser_running, browser_tls=self.browser_tls
        )

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        """As `Transport._request`; a "page out of date" refusal is replayed once with a fresh page and token."""
        try:
            return super()._request(method, path, **kwargs)
        except StaleStatsigError:
            self._wire.signer.invalidate()
            try:
                return super()._request(method, path, **kwargs)
            except StaleStatsigError as again:
                again.message += ", again after loading a fresh page and signing anew"
                raise

    # --- identity and modes -------------------------------------------------------------

    def _session_identity(self) -> dict:
        body = json_body(self._request("GET", AUTH_SESSION_PATH))
        status = str(body.get("status", "")).lower()
        if status == "unauthenticated":
            raise SessionExpiredError(
                f"{self.site} says this browser session is not logged in (session status 'unauthenticated')"
            )
        if status == "blocked":
            raise AccountBlockedError(f"{self.site} says this account is blocked (session status 'blocked')")
        session = body["session"] if isinstance(body.get("session"), dict) else {}
        user = body["user"] if isinstance(body.get("user"), dict) else {}
        user_id = session.get("userId") or user.get("id") or user.get("userId")
        if not isinstance(user_id, str) or not user_id.strip():
            raise BadResponseError(f"{self.base_url}{AUTH_SESSION_PATH} answered without a user id")
        return {"user_id": user_id.strip(), "email": session.get("email") or user.get("email")}

    def _gateway_user_id(self) -> str:
        with self._lock:
            if self._user_id is None:
                self._user_id = self._session_identity()["user_id"]
            return self._user_id

    def models(self) -> list[Model]:
        """The account's chat modes (what `model=` names on this path), asked of grok.com each time."""
        body = json_body(self._request("POST", MODES_PATH, json={"locale": MODES_LOCALE}))
        items = body.get("modes")
        if not isinstance(items, list):
            raise BadResponseError(f"{self.base_url}{MODES_PATH} answered without a mode list")
        modes = [
            Model(id=item["id"].strip(), owned_by="grok.com")
            for item in items
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip()
        ]
        with self._lock:
            self._modes = modes
        return list(modes)

    def whoami(self) -> Identity:
        identity = self._session_identity()
        from ...secret import Secret

        return Identity(
            auth_kind=self.auth_kind,
            name=f"grok.com session ({self._wire.authenticator.source})",
            user_id=Secret(identity["user_id"], name="x-userid").fingerprint,
            acls=("whole grok.com account",),
        )

    def _checked_mode(self, model: str | None) -> str:
        """`model`, or the default mode, once it is one of the account's modes (asked once per client)."""
        mode = DEFAULT_MODE if model is None else model
        with self._lock:
            modes = self._modes
        known = [m.id for m in (modes if modes is not None else self.models())]
        if mode not in known:
            raise BadInputError(
                f"{self.site} has no chat mode {mode[:40]!r}; its modes are {', '.join(known)}",
                hint=f"Pass one of them as the model (--model), or use the API key ({API_KEY_ENV}) for model names",
            )
        return mode

    # --- chat ----------------------------------------------------------------------------

    def _gateway_connector(self, https_url: str) -> tuple[GatewayConnector, tuple]:
        """The connector (one curl_cffi session for every chat) and the proxy and `verify` for the gateway."""
        with self._lock:
            if self._connector is None:
                authenticator = self._wire.authenticator
                self._connector = GatewayConnector(authenticator.browser_identity, authenticator.user_agent)
                self._socket_settings = connection_settings(self.session, https_url, self._options.get("verify"))
            assert self._socket_settings is not None
            return self._connector, self._socket_settings

    def close(self) -> None:
        with self._lock:
            if self._connector is not None:
                self._connector.close()
                self._connector = None

    def chat(self, messages: list[dict], *, model: str | None, max_tokens: int | None) -> ChatResult:
        return self.stream(messages, model=model, max_tokens=max_tokens).collect()

    def stream(self, messages: list[dict], *, model: str | None, max_tokens: int | None) -> ChatStream:
        deadline = self.call_deadline()
        mode = self._checked_mode(model)
        url = gateway_url(self.base_url, self._gateway_user_id())
        authenticator = self._wire.authenticator
        https_url = url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        connector, (proxy, verify) = self._gateway_connector(https_url)
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout, self.timeout)
        socket = connector.open(
            url,
            cookie_header=authenticator.cookie_header(https_url),
            page_origin=origin_of(self.base_url),
            connect_timeout=connect if connect is not None else 30.0,
            verify=verify,
            proxy=proxy,
            browser_tls=self.browser_tls,
        )
        chat = GatewayChat(
            socket,
            mode=mode,
            prompt=_prompt(messages),
            idle=read if read is not None else float("inf"),
            deadline=deadline,
            budget=self.answer_budget(url),
            temporary=self.temporary,
            max_pieces=max_tokens,
            redact=self._redact,
            site=self.site,
        )
        pieces: list[str] = []

        def collected() -> Iterator[str | StreamPiece]:
            for kind, text in chat.pieces():
                if kind == "text":
                    pieces.append(text)
                    yield text
                else:
                    yield StreamPiece("thinking", text)

        def finish() -> ChatResult:
            return ChatResult(
                text="".join(pieces),
                model=mode,
                auth_kind=self.auth_kind,
                usage=Usage(),
                id=chat.response_id,
                finish_reason=chat.finish_reason,
                thinking="".join(chat.thinking),
                citations=tuple(chat.citations),
            )

        return ChatStream(collected(), finish, socket.close)


def _prompt(messages: list[dict]) -> str:
    """The one message the web app takes: a lone user message as it is, a conversation as `role: content` lines."""
    if len(messages) == 1 and messages[0]["role"] == "user":
        return messages[0]["content"]
    return "\n\n".join(f"{m['role']}: {m['content']}" for m in messages)
