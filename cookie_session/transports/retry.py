"""How "try again later" answers are retried: `RetryPolicy` and the `Retry-After` header."""

from __future__ import annotations

import dataclasses
import email.utils
import math
import random
import time
from collections.abc import Callable

from ..errors import BadInputError
from ..settings import RETRY_BACKOFF, RETRY_BUDGET, RETRY_MAX_RETRIES, RETRY_MAX_WAIT


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry an answer that says "try again later".

    Up to `max_retries` retries. Each waits the server's `Retry-After` when it sends one,
    else `backoff * 2**n` seconds with jitter (half fixed, half random), at most `max_wait`;
    the waits together stay within `budget` seconds. A wait the budget cannot cover is not
    made: the error is raised at once (a `RateLimitedError` carries the advised wait).
    `sleep` does the waiting (tests pass a recorder).
    """

    max_retries: int = RETRY_MAX_RETRIES
    backoff: float = RETRY_BACKOFF
    max_wait: float = RETRY_MAX_WAIT
    budget: float = RETRY_BUDGET
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if not (isinstance(self.max_retries, int) and self.max_retries >= 0):
            raise BadInputError(f"max_retries must be a whole number of at least 0, not {self.max_retries!r}")
        for name in ("backoff", "max_wait", "budget"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise BadInputError(f"{name} must be a finite number of seconds of at least 0, not {value!r}")

    def wait(self, retry: int, retry_after: float | None, waited: float) -> float | None:
        """Seconds to wait before retry number `retry` (0-based), or None to give up."""
        if retry >= self.max_retries:
            return None
        if retry_after is not None:
            wait = retry_after
        else:
            step = min(self.max_wait, self.backoff * 2**retry)
            wait = step / 2 + random.uniform(0, step / 2)
        if wait > self.max_wait or waited + wait > self.budget:
            return None
        return wait


NO_RETRIES = RetryPolicy(max_retries=0)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
