"""The browsers package's log (logger `cookie_session.browsers`), without importing `logging` for nothing.

Debug and info records reach `logging` once something in the process has imported it. Before that nobody
can have set a handler or a level, so `logging` would drop them anyway (the root logger's level is WARNING
and its last-resort handler shows WARNING and above only): reading a profile then costs no `logging`
import (~3 ms of `cookie-session cookies`). Warnings always go through `logging`.
"""

from __future__ import annotations

import sys

NAME = "cookie_session.browsers"


def _logger():
    import logging

    return logging.getLogger(NAME)


def debug(message: str, *args: object) -> None:
    if "logging" in sys.modules:
        _logger().debug(message, *args)


def info(message: str, *args: object) -> None:
    if "logging" in sys.modules:
        _logger().info(message, *args)


def warning(message: str, *args: object) -> None:
    _logger().warning(message, *args)
