"""Where grok.com's web app does what, as of late 2026 (docs/grok-com-rules.md has the evidence and dates).

- identity: `GET /api/auth/session` (no `x-statsig-id`): `status` and `session.userId`;
- modes: `POST /rest/modes {"locale": "en"}` -> `{"modes": [{"id": "fast"}, ...]}`; a chat picks a mode, not a model;
- chat: the gateway WebSocket `wss://<host>/ws/mgw/?uid=<user id>` (`gateway.py`); the REST
  `POST /rest/app-chat/conversations/new` is legacy and answers an old-shaped body with 400 code 3;
- the statsig page: `/index` (a branded 404 today), else `/` (`statsig.py`).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = [
    "REST_PREFIX",
    "API_PREFIX",
    "AUTH_SESSION_PATH",
    "MODES_PATH",
    "GATEWAY_PATH",
    "DEFAULT_MODE",
    "KNOWN_MODES",
    "gateway_url",
    "REQUEST_PATHS",
]

REST_PREFIX = "/rest/"
API_PREFIX = "/api/"
AUTH_SESSION_PATH = "/api/auth/session"
MODES_PATH = "/rest/modes"
GATEWAY_PATH = "/ws/mgw/"
#: The mode a chat uses when the caller names none (the web app's own default).
DEFAULT_MODE = "auto"
#: The modes public clients list (2026); the account's own list comes from `MODES_PATH`.
KNOWN_MODES = ("fast", "auto", "expert", "heavy")
MODES_LOCALE = "en"
#: One path of each kind of request the client makes (every `/rest/` path alike for RFC 6265's path rule).
REQUEST_PATHS = (AUTH_SESSION_PATH, MODES_PATH, GATEWAY_PATH, "/index", "/")


def gateway_url(base_url: str, user_id: str) -> str:
    """The chat gateway's URL for `user_id` on the site at `base_url` (https -> wss, http -> ws)."""
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws"}[parts.scheme]
    return urlunsplit((scheme, parts.netloc, GATEWAY_PATH, urlencode({"uid": user_id}), ""))
