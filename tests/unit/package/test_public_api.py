"""The curated public API, and what importing it (or running --help) pulls in."""

import subprocess
import sys

import cookie_session

EXPECTED = {
    "ApiKeyAuthenticator",
    "Authenticator",
    "BadInputError",
    "BadResponseError",
    "ChatResult",
    "ChatStream",
    "ConnectionFailedError",
    "CookieSessionError",
    "CredentialsRejectedError",
    "GrokClient",
    "Identity",
    "InsecureUrlError",
    "InvalidApiKeyError",
    "InvalidApiKeyFormatError",
    "MissingCredentialsError",
    "Model",
    "ModelNotFoundError",
    "NoCredentialsError",
    "PermissionDeniedError",
    "PolicyError",
    "RateLimitedError",
    "RequestTimeoutError",
    "Secret",
    "ServerError",
    "StandIn",
    "TransportError",
    "UpstreamError",
    "Usage",
    "inspect_credentials",
    "resolve_authenticator",
    "__version__",
    "BrowserCookieAuthenticator",
    "LocalityVerdict",
    "locality_verdict",
    "BrowserCookieWarning",
    "NotLoggedInError",
    "SessionExpiredError",
    "CloudflareChallengeError",
    "AntiBotRejectedError",
    "AccountBlockedError",
    "CookieStoreError",
    "CookieDecryptionError",
    "UnsupportedEncryptionError",
    "UnknownBrowserError",
    "BrowserNotFoundError",
    "ProfileNotFoundError",
    "RetryPolicy",
    "NO_RETRIES",
    "UnsafeRedirectError",
    "compare_methods",
    "render_table",
    "Comparison",
    "MethodReport",
    "scan_for_migration",
    "render_migration_report",
}


def test_all_is_curated_and_every_name_resolves():
    assert set(cookie_session.__all__) == EXPECTED
    for name in cookie_session.__all__:
        assert getattr(cookie_session, name) is not None
    assert set(dir(cookie_session)) == EXPECTED


def test_every_error_has_one_root():
    for name in cookie_session.__all__:
        obj = getattr(cookie_session, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, cookie_session.CookieSessionError)


def test_unknown_attribute_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError):
        _ = cookie_session.nope


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_import_pulls_in_no_browser_reader_crypto_or_http():
    loaded = modules_after("import cookie_session")
    assert not {"browser_cookie3", "Cryptodome", "requests", "click", "lz4"} & loaded


def test_help_pulls_in_no_browser_reader_or_http_stack():
    code = (
        "import sys; sys.argv = ['cookie-session', '--help']\n"
        "from cookie_session.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    loaded = modules_after(code)
    assert "click" in loaded
    assert not {"browser_cookie3", "Cryptodome", "requests", "urllib3"} & loaded


def test_api_key_path_never_imports_browser_cookie3(standin):
    code = (
        "from cookie_session import GrokClient, resolve_authenticator\n"
        f"client = GrokClient(resolve_authenticator(api_key={standin.api_key!r}), base_url={standin.base_url!r})\n"
        "client.chat('hi'); client.models(); client.whoami()"
    )
    assert "browser_cookie3" not in modules_after(code)


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "cookie_session", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "cookie-session, version" in result.stdout


def _drawn_tree() -> dict[str, str]:
    """child -> parent, read from the tree drawn in errors.py's docstring."""
    import re

    from cookie_session import errors

    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in errors.__doc__.splitlines():
        match = re.match(r"^[\s│]*(?:[├└]── )?([A-Z]\w+Error)\b", line)
        if not match:
            continue
        depth = match.start(1)  # the column the name starts in
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[match.group(1)] = stack[-1][1]
        stack.append((depth, match.group(1)))
    return parents


def test_the_error_tree_in_the_docstring_is_the_real_one():
    from cookie_session import errors

    classes = {
        name: obj
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, errors.CookieSessionError)
    }
    drawn = _drawn_tree()
    assert set(drawn) | {"CookieSessionError"} == set(classes)
    for name, parent in drawn.items():
        assert parent in [base.__name__ for base in classes[name].__bases__], (name, parent)


def test_exit_codes_are_set_on_branches_and_inherited_by_leaves():
    from cookie_session import errors

    root = errors.CookieSessionError
    for obj in vars(errors).values():
        if isinstance(obj, type) and issubclass(obj, root) and obj is not root and "exit_code" in vars(obj):
            assert root in obj.__bases__, f"{obj.__name__} restates exit_code; it should inherit its branch's"
