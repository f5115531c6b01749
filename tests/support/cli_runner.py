"""The command line in-process, as the tests run it, and the one shape every CLI error must have."""

from __future__ import annotations

import warnings

from click.testing import CliRunner, Result

from cookie_session import BrowserCookieWarning
from cookie_session.cli import cli


def run_cli(
    *args, env: dict[str, str] | None = None, input: str | None = None, catch_exceptions: bool = False
) -> Result:
    """`cookie-session ARGS` through click's CliRunner (stdout and stderr apart); an unexpected exception
    propagates (fails the test with its traceback) unless `catch_exceptions`.

    The `BrowserCookieWarning` a real process prints once to stderr is kept on `result.browser_warnings` (its
    messages) instead of reaching pytest's summary; any other warning is passed on as raised.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(
            cli, [str(arg) for arg in args], env=env, input=input, catch_exceptions=catch_exceptions
        )
    result.browser_warnings = [str(w.message) for w in caught if issubclass(w.category, BrowserCookieWarning)]
    for w in caught:
        if not issubclass(w.category, BrowserCookieWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    return result


def one_error_line(result: Result, code: int | None = None, *secrets: str, alone: bool = False) -> str:
    """Assert exactly one `Error: ` line, the last line of stderr (the only one when `alone`), no traceback,
    exit `code` when given and none of `secrets` anywhere in the output; return the line."""
    if code is not None:
        assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    assert not alone or len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for secret in secrets:
        assert secret not in result.output
    return errors[0]
