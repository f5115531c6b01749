"""`POST /rest/app-chat/conversations/new`, the legacy REST chat, as it answered before the gateway (NDJSON).

grok.com now answers it 400 code 3 "Invalid request. Please update your client" (xtekky/gpt4free #3437;
chat moved to the gateway, chenyme/grok2api PR #859). The stand-in serves this old answer only when the rule
`legacy_chat` is relaxed, so old prototypes (migrate's before/after tests) still have a server to run against.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

from .api_side import answer_for

LEGACY_MODELS = ("grok-4", "grok-3")


def legacy_chat_lines(body: dict, failure: str | None) -> tuple[int, dict | None, list[dict]]:
    """`(status, error_body, lines)`: a 400 for an unknown `modelName`, else the NDJSON lines of the answer
    (an in-stream error code 7 or 8 for the `anti_bot` / `web_rate_limit` failures)."""
    if body.get("modelName") not in LEGACY_MODELS:
        return 400, {"error": {"code": 3, "message": f"Unknown model {body.get('modelName')}"}}, []
    lines: list[dict] = [{"result": {"conversation": {"conversationId": str(uuid.uuid4()), "temporary": True}}}]
    if failure is not None:
        code, message = (
            (7, "Request rejected by anti-bot rules.") if failure == "anti_bot" else (8, "Too many requests")
        )
        return 200, None, [*lines, {"error": {"code": code, "message": message, "details": []}}]
    text = answer_for(str(body.get("message", "")))
    response_id = str(uuid.uuid4())
    lines.append({"result": {"response": {"token": "", "isThinking": True, "responseId": response_id}}})
    for index, word in enumerate(text.split(" ")):
        token = word if index == 0 else " " + word
        lines.append({"result": {"response": {"token": token, "isThinking": False, "responseId": response_id}}})
    final = {"modelResponse": {"responseId": response_id, "message": text, "sender": "ASSISTANT"}}
    return 200, None, [*lines, {"result": {"response": final}}]


def write_legacy_chat(lines: list[dict], write: Callable[[bytes], None], stream_delay: float) -> None:
    """Write the lines one chunk each, `stream_delay` seconds after each answer token."""
    for line in lines:
        write(json.dumps(line).encode() + b"\n")
        response = line.get("result", {}).get("response", {})
        if stream_delay and response.get("isThinking") is False:
            time.sleep(stream_delay)
