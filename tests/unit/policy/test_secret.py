import base64
import json
import pickle
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given, settings, strategies as st

from cookie_session.secret import MIN_PIECE, Secret, fingerprint, redact
from cookie_session.testing.standin import make_test_key


def test_key_shows_only_prefix_and_last_four():
    key = make_test_key()
    secret = Secret(key)
    assert str(secret) == repr(secret)[8:-2] == f"xai-…{key[-4:]}"
    assert key not in repr(secret) and key not in str(secret) and key not in f"{secret}"
    assert secret.reveal() == key


def test_cookie_fingerprint_shows_name_and_length_only():
    secret = Secret("abcdefghij" * 4 + "xyz", name="sso")
    assert str(secret) == "sso=…(43 chars)"
    assert "abc" not in repr(secret)


def test_short_values_reveal_nothing_but_length():
    assert fingerprint("xai-short") == "…(9 chars)"
    assert fingerprint("hunter2") == "…(7 chars)"


def test_comparison_is_by_value_and_works_with_plain_strings():
    key = make_test_key()
    assert Secret(key) == key
    assert Secret(key) == Secret(key)
    assert Secret(key) != make_test_key()
    assert (Secret(key) == 42) is False
    assert hash(Secret(key)) == hash(Secret(key))


def test_rejects_non_strings_and_unwraps_secrets():
    with pytest.raises(TypeError):
        Secret(b"bytes")
    inner = Secret("value", name="sso")
    assert Secret(inner).reveal() == "value"


def test_pickle_round_trips_for_api_keys():
    key = make_test_key()
    assert pickle.loads(pickle.dumps(Secret(key))).reveal() == key


# --- redact: the one function server-controlled text passes through (issue 15, class 3) ------------------

KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
COOKIE_CHARS = KEY_CHARS + "-.~!$&'()*+=:@/?%"


def written(secret: str) -> dict[str, str]:
    raw = secret.encode()
    forms = {
        "whole": secret,
        "lower": secret.lower(),
        "upper": secret.upper(),
        "url": quote(secret, safe=""),
        "form": quote_plus(secret),
        "json": json.dumps(secret)[1:-1],
        "base64": base64.b64encode(raw).decode(),
        "urlsafe base64": base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    for shift in (1, 2):  # inside a larger base64 blob
        encoded = base64.b64encode(b"k" * shift + raw).decode()
        forms[f"base64 after {shift} bytes"] = encoded[-(-8 * shift // 6) :]  # from the first character of ours
    return {name: form.rstrip("=") for name, form in forms.items()}  # padding is not part of the secret


@settings(max_examples=300, deadline=None)
@given(
    secret=st.one_of(
        st.text(KEY_CHARS, min_size=80, max_size=80).map(lambda s: "xai-" + s),
        st.text(COOKIE_CHARS, min_size=MIN_PIECE, max_size=120),
    ),
    data=st.data(),
)
def test_redact_leaves_no_piece_of_a_secret_in_any_form_or_case(secret, data):
    template = "server said <> (content-type: ; x)"
    assume(not any(secret.lower()[i : i + MIN_PIECE] in template for i in range(len(secret) - MIN_PIECE + 1)))
    form_name = data.draw(st.sampled_from(sorted(written(secret))))
    form = written(secret)[form_name]
    start = data.draw(st.integers(0, max(0, len(form) - MIN_PIECE)))
    end = data.draw(st.integers(min(len(form), start + MIN_PIECE), len(form)))
    text = f"server said <{form[start:end]}> (Content-Type: {form[start:end]}; x)"
    shown = redact(text, [Secret(secret)])
    lowered = shown.lower()
    for other in written(secret).values():
        other = other.lower()
        assert not any(
            other[i : i + MIN_PIECE] in lowered
            for i in range(len(other) - MIN_PIECE + 1)
            if "…" not in other[i : i + MIN_PIECE]
        ), (form_name, text, shown)
    assert shown.startswith("server said <") and "Content-Type" in shown


def test_redact_replaces_by_the_fingerprint_and_leaves_other_text_alone():
    key = make_test_key()
    secret = Secret(key)
    assert redact(f"a {key} b", [secret]) == f"a {secret.fingerprint} b"
    assert redact(f"https://{key.lower()}.evil.test/", [secret]) == f"https://{secret.fingerprint}.evil.test/"
    assert redact("nothing secret here at all", [secret]) == "nothing secret here at all"
    assert redact(f"7 chars {key[10:17]} stay", [secret]) == f"7 chars {key[10:17]} stay"


def test_redact_finds_a_short_secret_only_whole():
    assert redact("x=abc ABC abcd", [Secret("abc", name="c")]) == "x=c=…(3 chars) c=…(3 chars) abcd"


def test_short_cookie_values_leave_the_rest_of_a_message_readable():
    """grok.com's cookies are all sent now, and some hold `1`, `en` or `=`: a message stays readable, while
    the value itself, standing alone, is still replaced."""
    message = "grok.com answered 401: the session is not valid; open grok.com again (code 7, mode en)"
    secrets = [Secret("1", name="consent"), Secret("en", name="i18nextLng"), Secret("m", name="m")]
    assert redact(message, secrets) == message.replace("mode en", "mode i18nextLng=…(2 chars)")
    assert redact("flag=1; lang=EN", secrets) == "flag=consent=…(1 chars); lang=i18nextLng=…(2 chars)"
    names = "auth_kind: browser_cookie, x-userid, grok-4-mini"
    assert redact(names, [Secret("browser", name="a"), Secret("userid", name="b"), Secret("grok-4", name="c")]) == names
