"""The credential chain: argument > XAI_API_KEY > .env, and what it says when it finds nothing."""

import os

import pytest

from cookie_session.auth.chain import inspect_credentials, resolve_authenticator
from cookie_session.errors import InvalidApiKeyFormatError, NoCredentialsError
from cookie_session.testing.standin import make_test_key


def test_argument_wins_over_environment_and_dotenv(tmp_path):
    arg, env_key, file_key = make_test_key(), make_test_key(), make_test_key()
    (tmp_path / ".env").write_text(f"XAI_API_KEY={file_key}\n")
    auth = resolve_authenticator(api_key=arg, environ={"XAI_API_KEY": env_key})
    assert auth.api_key == arg and auth.source == "argument"


def test_environment_wins_over_dotenv(tmp_path):
    env_key, file_key = make_test_key(), make_test_key()
    (tmp_path / ".env").write_text(f"XAI_API_KEY={file_key}\n")
    auth = resolve_authenticator(environ={"XAI_API_KEY": env_key})
    assert auth.api_key == env_key and auth.source == "env:XAI_API_KEY"


def test_dotenv_is_read_without_touching_os_environ(tmp_path):
    file_key = make_test_key()
    (tmp_path / ".env").write_text(f'# comment\nexport OTHER=1\nXAI_API_KEY="{file_key}"\n')
    auth = resolve_authenticator()
    assert auth.api_key == file_key and auth.source == f".env:{tmp_path / '.env'}"
    assert "XAI_API_KEY" not in os.environ


def test_nothing_found_lists_every_source_and_why(tmp_path):
    with pytest.raises(NoCredentialsError) as caught:
        resolve_authenticator()
    error = caught.value
    assert [source for source, _ in error.attempts] == [
        "argument",
        "env:XAI_API_KEY",
        f".env:{tmp_path / '.env'}",
        "browser:any browser",
    ]
    assert "XAI_API_KEY not set" in str(error) and "no .env file" in str(error)
    assert "Browser-cookie auth is off" in str(error)
    assert error.exit_code == 3


def test_dotenv_without_the_key_says_so(tmp_path):
    (tmp_path / ".env").write_text("OTHER=1\n")
    with pytest.raises(NoCredentialsError, match="no XAI_API_KEY in it"):
        resolve_authenticator()


def test_a_malformed_first_key_is_an_error_not_skipped(tmp_path):
    (tmp_path / ".env").write_text(f"XAI_API_KEY={make_test_key()}\n")
    with pytest.raises(InvalidApiKeyFormatError, match="env:XAI_API_KEY"):
        resolve_authenticator(environ={"XAI_API_KEY": "xai-typo"})
    report = inspect_credentials(environ={"XAI_API_KEY": "xai-typo"})
    assert report.authenticator is None
    assert [c.found for c in report.checks] == [False, True, True]
    assert "present but invalid" in report.checks[1].detail


def test_report_is_masked_and_marks_the_chosen_source(tmp_path):
    key = make_test_key()
    report = inspect_credentials(environ={"XAI_API_KEY": key})
    assert report.chosen.source == "env:XAI_API_KEY"
    assert all(key not in c.detail for c in report.checks)
    assert report.chosen.detail == f"xai-…{key[-4:]}"


def test_unknown_auth_mode_is_bad_input():
    from cookie_session.errors import BadInputError

    with pytest.raises(BadInputError, match="Unknown auth mode"):
        inspect_credentials(auth="password")
