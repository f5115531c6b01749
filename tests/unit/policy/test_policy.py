"""Host matching, URL rules, the unsafe opt-in and the locality verdict."""

import pytest

from cookie_session.errors import InsecureUrlError, PolicyError
from cookie_session.policy import (
    UNSAFE_ENV_VALUE,
    UNSAFE_ENV_VAR,
    LocalityVerdict,
    check_base_url,
    host_in_domain,
    is_loopback_host,
    is_xai_cookie_host,
    locality_verdict,
    require_browser_cookie_use,
    unsafe_opt_in,
)


@pytest.mark.parametrize(
    "host", ["grok.com", ".grok.com", "www.grok.com", "a.b.grok.com", "x.ai", ".x.ai", "accounts.x.ai", "GROK.COM"]
)
def test_xai_hosts_match(host):
    assert is_xai_cookie_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "evil-grok.com",
        "notgrok.com",
        "grok.com.evil.test",
        "notx.ai",
        "x.ai.evil.test",
        ".evil-grok.com",
        "grokxcom",
        "com",
        "ai",
        "",
    ],
)
def test_lookalike_hosts_never_match(host):
    assert not is_xai_cookie_host(host)


def test_host_in_domain_is_label_exact():
    assert host_in_domain("api.x.ai", "x.ai") and not host_in_domain("apix.ai", "x.ai")


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.1", True),
        ("[::1]", True),
        ("app.localhost", False),
        ("localhost.", False),
        ("10.0.0.1", False),
        ("localhost.evil.test", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback(host, loopback):
    assert is_loopback_host(host) is loopback


def test_base_url_scoped_to_a_domain():
    assert check_base_url("https://grok.com/", allowed_domain="grok.com") == "https://grok.com"
    assert check_base_url("http://127.0.0.1:5/", allowed_domain="grok.com") == "http://127.0.0.1:5"
    with pytest.raises(PolicyError, match="neither grok.com nor loopback"):
        check_base_url("https://evil-grok.com", allowed_domain="grok.com")
    with pytest.raises(InsecureUrlError):
        check_base_url("http://grok.com", allowed_domain="grok.com")


def test_a_laptop_is_local(tmp_path):
    verdict = locality_verdict({"HOME": "/home/me", "CI": "false"}, root=tmp_path)
    assert verdict.local and verdict.reasons == () and str(verdict) == "local"


@pytest.mark.parametrize(
    "env, files, words",
    [
        ({"CI": "true"}, (), "CI environment (CI)"),
        ({"GITHUB_ACTIONS": "true"}, (), "GITHUB_ACTIONS"),
        ({"JENKINS_URL": "http://ci"}, (), "JENKINS_URL"),
        ({"TF_BUILD": "True"}, (), "TF_BUILD"),
        ({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, (), "SSH session"),
        ({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, (), "Kubernetes"),
        ({}, (".dockerenv",), "/.dockerenv"),
        ({}, ("run/.containerenv",), "/run/.containerenv"),
        ({"AWS_LAMBDA_FUNCTION_NAME": "f"}, (), "serverless"),
    ],
)
def test_non_local_signs_each_give_a_reason(tmp_path, env, files, words):
    for path in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).touch()
    verdict = locality_verdict(env, root=tmp_path)
    assert not verdict.local
    assert any(words in reason for reason in verdict.reasons)


def test_target_must_be_grok_or_loopback(tmp_path):
    assert locality_verdict({}, root=tmp_path, target_url="https://grok.com").local
    assert locality_verdict({}, root=tmp_path, target_url="https://127.0.0.1:9").local
    verdict = locality_verdict({}, root=tmp_path, target_url="https://grok.example.com")
    assert "neither grok.com nor loopback" in str(verdict)


def test_several_reasons_are_all_listed(tmp_path):
    verdict = locality_verdict({"CI": "1", "SSH_TTY": "/dev/pts/0"}, root=tmp_path)
    assert len(verdict.reasons) == 2


@pytest.mark.parametrize("value, opted", [("1", False), ("true", False), ("yes", False), (UNSAFE_ENV_VALUE, True)])
def test_env_opt_in_needs_the_deliberate_word(value, opted):
    assert unsafe_opt_in(environ={UNSAFE_ENV_VAR: value})[0] is opted


def test_explicit_argument_overrides_env():
    assert unsafe_opt_in(True, environ={}) == (True, "argument")
    assert unsafe_opt_in(False, environ={UNSAFE_ENV_VAR: UNSAFE_ENV_VALUE})[0] is False


def test_gate_needs_both_opt_in_and_local():
    require_browser_cookie_use(True, LocalityVerdict.assume_local())
    with pytest.raises(PolicyError, match="explicit opt-in") as caught:
        require_browser_cookie_use(False, LocalityVerdict.assume_local())
    assert "XAI_API_KEY" in str(caught.value) and caught.value.exit_code == 5
    with pytest.raises(PolicyError, match="CI environment") as caught:
        require_browser_cookie_use(True, LocalityVerdict(False, ("CI environment (CI set)",)))
    assert "XAI_API_KEY" in str(caught.value)
