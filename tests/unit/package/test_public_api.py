"""The curated public API, and what importing it (or running --help) pulls in."""

import subprocess
import sys

import cookie_session

EXPECTED = {
    "ApiKeyAuthenticator", "Authenticator", "BadInputError", "BadResponseError", "ChatResult", "ChatStream",
    "ConnectionFailedError", "CookieSessionError", "CredentialsRejectedError", "GrokClient", "Identity",
    "InsecureUrlError", "InvalidApiKeyError", "InvalidApiKeyFormatError", "MissingCredentialsError", "Model",
    "ModelNotFoundError", "NoCredentialsError", "PermissionDeniedError", "PolicyError", "RateLimitedError",
    "RequestTimeoutError", "Secret", "ServerError", "StandIn", "TransportError", "UpstreamError", "Usage",
    "inspect_credentials", "resolve_authenticator", "__version__",
    "BrowserCookieAuthenticator", "LocalityVerdict", "locality_verdict", "BrowserCookieWarning", "NotLoggedInError",
    "SessionExpiredError", "CloudflareChallengeError", "AntiBotRejectedError", "AccountBlockedError",
    "CookieStoreError", "CookieDecryptionError", "UnsupportedEncryptionError", "UnknownBrowserError",
    "BrowserNotFoundError", "ProfileNotFoundError",
    "RetryPolicy", "NO_RETRIES", "UnsafeRedirectError", "compare_methods", "render_table", "Comparison",
    "MethodReport", "scan_for_migration", "render_migration_report",
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
        cookie_session.nope


def modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_pulls_in_no_browser_reader_crypto_or_http():
    loaded = modules_after("import cookie_session")
    assert not {"browser_cookie3", "Cryptodome", "requests", "click", "lz4"} & loaded


def test_help_pulls_in_no_browser_reader_or_http_stack():
    code = ("import sys; sys.argv = ['cookie-session', '--help']\n"
            "from cookie_session.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    loaded = modules_after(code)
    assert "click" in loaded
    assert not {"browser_cookie3", "Cryptodome", "requests", "urllib3"} & loaded


def test_api_key_path_never_imports_browser_cookie3(standin):
    code = ("from cookie_session import GrokClient, resolve_authenticator\n"
            f"client = GrokClient(resolve_authenticator(api_key={standin.api_key!r}), base_url={standin.base_url!r})\n"
            "client.chat('hi'); client.models(); client.whoami()")
    assert "browser_cookie3" not in modules_after(code)


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "cookie_session", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "cookie-session, version" in result.stdout
