import pytest
import requests

from cookie_session.auth import ApiKeyAuthenticator, Authenticator
from cookie_session.errors import InvalidApiKeyFormatError
from cookie_session.testing.standin import make_test_key


def prepared(auth: Authenticator) -> requests.PreparedRequest:
    return auth.prepare_session().prepare_request(requests.Request("GET", "https://api.x.ai/v1/models"))


def test_adds_exactly_one_bearer_header():
    key = make_test_key()
    request = prepared(ApiKeyAuthenticator(key))
    assert request.headers["Authorization"] == f"Bearer {key}"
    carrying = [name for name, value in request.headers.items() if key in value]
    assert carrying == ["Authorization"]
    assert key not in request.url


def test_prepare_session_sets_auth_not_headers():
    auth = ApiKeyAuthenticator(make_test_key())
    session = auth.prepare_session()
    assert session.auth is auth
    assert "Authorization" not in session.headers
    existing = requests.Session()
    assert auth.prepare_session(existing) is existing


def test_describes_itself_masked():
    key = make_test_key()
    auth = ApiKeyAuthenticator(key, source="env:XAI_API_KEY")
    assert auth.kind == "api_key" and auth.service == "api" and auth.source == "env:XAI_API_KEY"
    for text in (auth.describe(), repr(auth), str(auth)):
        assert key not in text
        assert f"xai-…{key[-4:]}" in text
        assert "env:XAI_API_KEY" in text


@pytest.mark.parametrize(
    "bad, words",
    [
        ("", "empty"),
        ("xai-" + "a" * 79, "does not look like an xAI key"),
        ("sk-" + "a" * 80, "does not start with 'xai-'"),
        ("xai-" + "a" * 40 + "\r\nX-Evil: 1" + "a" * 30, "whitespace or a control character"),
        ("xai-" + "a" * 79 + " ", "whitespace"),
        ("xai-" + "а" * 80, "non-ASCII"),  # Cyrillic look-alikes
        ("xai-" + "a" * 79 + "\x00", "control character"),
    ],
)
def test_rejects_malformed_keys_without_echoing_them(bad, words):
    with pytest.raises(InvalidApiKeyFormatError) as caught:
        ApiKeyAuthenticator(bad)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message
    if len(bad) > 8:
        assert bad.strip() not in message


def test_format_check_can_be_switched_off_for_test_keys_but_never_for_injection():
    assert ApiKeyAuthenticator("test-key", check_format=False).api_key.reveal() == "test-key"
    with pytest.raises(InvalidApiKeyFormatError):
        ApiKeyAuthenticator("test key", check_format=False)


def test_redact_replaces_raw_and_url_encoded_forms():
    auth = ApiKeyAuthenticator(make_test_key())
    key = auth.api_key.reveal()
    text = auth.redact(f"raw {key} and in a url ?k={key}")
    assert key not in text and text.count(f"xai-…{key[-4:]}") == 2


def test_redact_replaces_base64_and_form_encoded_forms():
    import base64
    from urllib.parse import quote_plus

    key = make_test_key()
    forms = [
        quote_plus(key),
        base64.b64encode(key.encode()).decode(),
        base64.urlsafe_b64encode(key.encode()).decode(),
        base64.b64encode(key.encode()).decode().rstrip("="),
    ]
    text = ApiKeyAuthenticator(key).redact(" | ".join(forms))
    assert not any(form in text for form in forms)
    assert text.count(f"xai-…{key[-4:]}") == len(forms) and text.count(" | ") == len(forms) - 1


def test_authenticator_is_abstract():
    with pytest.raises(TypeError):
        Authenticator(source="x")
