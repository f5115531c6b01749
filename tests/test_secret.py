import pickle

import pytest

from cookie_session.secret import Secret, fingerprint
from cookie_session.standin import make_test_key


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
