"""The bodies grok.com answers with, verbatim as public clients quote them (rows of docs/grok-com-rules.md)."""

from __future__ import annotations

#: Cloudflare's interstitial (403 HTML; orzogc/grok3_api #2). Cloudflare also sends it with an empty body (#932).
CHALLENGE_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body>Checking your browser before accessing grok.com.</body></html>"
)
#: 403 for a missing/bad x-statsig-id or a cross-site Origin (chenyme/grok2api #562).
ANTI_BOT_REFUSAL = {"error": {"code": 7, "message": "Request rejected by anti-bot rules.", "details": []}}
#: 403 for a stale or mismatched signed x-statsig-id, top-level (chenyme/grok2api PR #1002).
OUT_OF_DATE = {"code": 7, "message": "This page is out of date. Reload to continue.", "details": []}
BLOCKED_MESSAGE = "User is blocked [WKE=unauthorized:blocked-user]"
#: 403 for a blocked account, top-level (chenyme/grok2api #397, account_block.go).
BLOCKED_ACCOUNT = {"code": 7, "message": BLOCKED_MESSAGE, "details": []}
#: 400 for the legacy chat endpoint / an old-shaped body (xtekky/gpt4free #3437).
UPDATE_CLIENT = {"code": 3, "message": "Invalid request. Please update your client", "details": []}
INVALID_MODEL_NAME = {"code": 3, "message": "Invalid model name", "details": []}
#: A removed `/rest/` route (`/rest/models`).
NOT_FOUND = {"code": 5, "message": "Not Found", "details": []}
UNAUTHENTICATED = {"error": {"code": 16, "message": "Unauthenticated"}}
STANDIN_EMAIL = "standin-user@example.invalid"

#: `POST /rest/modes` (Prodigalgal/any2api `GrokWebProtocolClient.java`; chenyme/grok2api `catalog.go`).
MODES = {
    "fast": ("Fast", "Quick responses"),
    "auto": ("Auto", "Chooses Fast or Expert for each question"),
    "expert": ("Expert", "Thinks hard"),
    "heavy": ("Heavy", "Team of experts"),
}
#: `POST /rest/rate-limits {"modelName": mode}`: queries per 2-hour window (chenyme/grok2api `quota.go`).
QUERIES_PER_WINDOW = {"fast": 140, "auto": 60, "expert": 30, "heavy": 10}


def modes_reply() -> dict:
    return {"modes": [{"id": mode, "name": name, "description": text} for mode, (name, text) in MODES.items()]}


def rate_limits_reply(mode: str) -> dict:
    queries = QUERIES_PER_WINDOW[mode]
    return {
        "windowSizeSeconds": 7200,
        "remainingQueries": queries,
        "totalQueries": queries,
        "remainingTokens": queries * 4000,
        "totalTokens": queries * 4000,
        "waitTimeSeconds": 0,
    }


def session_reply(user_id: str | None, status: str = "authenticated") -> dict:
    """`GET /api/auth/session` (chenyme/grok2api `sessionidentity/session.go`)."""
    if status != "authenticated" or user_id is None:
        return {"status": status}
    identity = {"userId": user_id, "email": STANDIN_EMAIL}
    return {"status": status, "session": identity, "user": {"id": user_id, "email": STANDIN_EMAIL}}
