"""Where the browser session may run: every locality marker decided (a table), the container override
lifting the container reason and nothing else, and the opt-in that only `True` gives."""

import pytest

from cookie_session.auth.chain import inspect_credentials
from cookie_session.errors import PolicyError
from cookie_session.policy import (
    CONTAINER_ENV_VAR,
    UNSAFE_ENV_VALUE,
    UNSAFE_ENV_VAR,
    locality_verdict,
    require_browser_cookie_use,
    unsafe_opt_in,
)


def _root(tmp_path, *files):
    for path in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).touch()
    return tmp_path


# (environment, files under /, local?, words in the reason); one row per decision README documents.
LOCALITY_TABLE = [
    ({"HOME": "/home/me"}, (), True, None),
    ({"SSH_AUTH_SOCK": "/run/user/1000/keyring/ssh"}, (), True, None),  # a desktop's agent: not remote
    ({"SSH_AUTH_SOCK": "/tmp/ssh-x/agent.1", "SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, (), False, "SSH session"),
    (
        {"BUILD_ID": "2026-11-27_10-00-00"},
        (),
        False,
        "CI environment: Jenkins, Hudson or TeamCity (BUILD_ID)",
    ),  # Jenkins
    (
        {"BUILD_NUMBER": "42"},
        (),
        False,
        "CI environment: Jenkins, Hudson or TeamCity (BUILD_NUMBER)",
    ),  # Jenkins, TeamCity
    ({"TEAMCITY_VERSION": "2026.1"}, (), False, "CI environment"),
    ({"CI": "false"}, (), True, None),
    ({"CODESPACES": "true"}, (), False, "hosted remote workspace: GitHub Codespaces (CODESPACES)"),
    ({"GITPOD_WORKSPACE_ID": "abc-123"}, (), False, "hosted remote workspace: Gitpod (GITPOD_WORKSPACE_ID)"),
    ({"CLOUD_SHELL": "true"}, (), False, "hosted remote workspace: Google Cloud Shell (CLOUD_SHELL)"),
    ({"REPL_ID": "x"}, (), False, "hosted remote workspace"),
    ({"REMOTE_CONTAINERS": "true"}, (), False, "container (REMOTE_CONTAINERS)"),  # VS Code dev container
    ({"container": "podman"}, (), False, "container (container)"),
    ({}, (".dockerenv",), False, "container (/.dockerenv)"),
    ({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, (), False, "Kubernetes pod"),
    ({}, ("var/run/secrets/kubernetes.io/token",), False, "Kubernetes pod"),
    ({"K_SERVICE": "svc"}, (), False, "serverless"),
    # the platforms a container vouch used to let through (each variable as the platform sets it)
    ({"CLOUD_RUN_JOB": "nightly", "CLOUD_RUN_EXECUTION": "nightly-x"}, (), False, "Cloud Run job (CLOUD_RUN_JOB"),
    ({"ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/abc"}, (), False, "Amazon ECS"),
    ({"AWS_BATCH_JOB_ID": "0123", "AWS_BATCH_JQ_NAME": "q"}, (), False, "AWS Batch"),
    ({"NOMAD_ALLOC_ID": "5a1c", "NOMAD_JOB_NAME": "web"}, (), False, "Nomad"),
    ({"GAE_APPLICATION": "s~app", "GAE_SERVICE": "default"}, (), False, "App Engine"),
    ({"WEBSITE_SITE_NAME": "my-app", "WEBSITE_INSTANCE_ID": "ab12"}, (), False, "Azure App Service"),
    ({"FUNCTIONS_WORKER_RUNTIME": "python"}, (), False, "Azure Functions"),
    ({"CONTAINER_APP_NAME": "api"}, (), False, "Azure Container Apps"),
    ({"FLY_APP_NAME": "app", "FLY_MACHINE_ID": "1"}, (), False, "Fly.io"),
    ({"RENDER": "true"}, (), False, "Render"),
    ({"RAILWAY_PROJECT_ID": "p"}, (), False, "Railway"),
    ({"DYNO": "web.1"}, (), False, "Heroku"),
    ({"COLAB_RELEASE_TAG": "release-colab_20261201-060000_RC00"}, (), False, "Google Colab"),
    ({"CODER_WORKSPACE_NAME": "dev", "CODER_AGENT_URL": "https://coder.example/"}, (), False, "Coder"),
    ({"bamboo_buildKey": "PROJ-PLAN-JOB1"}, (), False, "Bamboo (bamboo_buildKey)"),
    ({"CI": "0", "GITHUB_ACTIONS": "false"}, (), True, None),  # CI-style booleans said false
]


@pytest.mark.parametrize("env, files, local, words", LOCALITY_TABLE)
def test_every_marker_is_decided(tmp_path, env, files, local, words):
    verdict = locality_verdict(env, root=_root(tmp_path, *files))
    assert verdict.local is local, verdict
    if words:
        assert any(words in reason for reason in verdict.reasons), verdict.reasons


# Each row: the one non-container reason present; vouching for the container must not lift it.
NEVER_OVERRIDABLE = [row for row in LOCALITY_TABLE if not row[2] and "container (" not in row[3]]


@pytest.mark.parametrize("env, files, local, words", NEVER_OVERRIDABLE)
def test_vouching_for_the_container_lifts_nothing_else(tmp_path, env, files, local, words):
    root = _root(tmp_path, ".dockerenv", *files)
    for verdict in (
        locality_verdict(env, root=root, container_is_local=True),
        locality_verdict({**env, CONTAINER_ENV_VAR: "yes"}, root=root),
    ):
        assert not verdict.local
        assert [r for r in verdict.reasons if words in r] and not [r for r in verdict.reasons if "container (" in r]
        with pytest.raises(PolicyError) as caught:
            require_browser_cookie_use(True, verdict)
        assert "container-is-local" not in caught.value.cli_hint and "container_is_local" not in str(caught.value)


def test_every_platform_row_is_recognised_by_each_of_its_markers_and_cites_a_source(tmp_path):
    from cookie_session.hosted_platforms import PLATFORMS
    from cookie_session.policy import LOCALITY_MARKERS

    for platform in PLATFORMS:
        assert platform.source.strip(), platform.name
        for name in platform.env:
            assert name in LOCALITY_MARKERS, name  # the test environment is cleared of it, and status lists it
            verdict = locality_verdict({name: "1"}, root=tmp_path, container_is_local=True)
            assert not verdict.local and any(platform.name in r and name in r for r in verdict.reasons), (name, verdict)
        for path in platform.files:
            verdict = locality_verdict({}, root=_root(tmp_path / platform.name, path + "/x"), container_is_local=True)
            assert not verdict.local and any(platform.name in r for r in verdict.reasons), (path, verdict)


@pytest.mark.parametrize(
    "files, env",
    [
        ((".dockerenv",), {}),
        (("run/.containerenv",), {}),
        ((), {"container": "docker"}),
        ((), {"REMOTE_CONTAINERS": "true"}),
    ],
)
def test_vouching_lifts_the_container_reason(tmp_path, files, env):
    root = _root(tmp_path, *files)
    refused = locality_verdict(env, root=root)
    assert not refused.local and refused.only_container
    with pytest.raises(PolicyError) as caught:
        require_browser_cookie_use(True, refused)
    assert "container_is_local=True" in str(caught.value) and CONTAINER_ENV_VAR in str(caught.value)
    assert "--container-is-local" in caught.value.cli_hint and "container_is_local" not in caught.value.cli_hint
    for verdict in (
        locality_verdict(env, root=root, container_is_local=True),
        locality_verdict({**env, CONTAINER_ENV_VAR: "yes"}, root=root),
    ):
        assert verdict.local and verdict.container_vouched and "vouched" in str(verdict)
        require_browser_cookie_use(True, verdict)
        with pytest.raises(PolicyError, match="explicit opt-in"):  # the opt-in is still needed on top
            require_browser_cookie_use(False, verdict)


@pytest.mark.parametrize("value", ["1", "true", "YES", " yes", "y"])
def test_the_container_env_var_needs_its_word(tmp_path, value):
    assert not locality_verdict({CONTAINER_ENV_VAR: value}, root=_root(tmp_path, ".dockerenv")).local


@pytest.mark.parametrize("value", ["true", 1, "yes", "false", "0"])
def test_container_is_local_counts_only_as_true(tmp_path, value):
    assert not locality_verdict({}, root=_root(tmp_path, ".dockerenv"), container_is_local=value).local


@pytest.mark.parametrize("value", ["false", "0", "true", "yes", 1, 0, "", [True]])
def test_only_true_opts_in(value):
    opted, why = unsafe_opt_in(value, environ={UNSAFE_ENV_VAR: UNSAFE_ENV_VALUE})
    assert opted is False and why
    with pytest.raises(PolicyError, match="explicit opt-in"):
        require_browser_cookie_use(opted, locality_verdict({}, root="/nonexistent", container_is_local=True))


@pytest.mark.parametrize("value", [UNSAFE_ENV_VALUE + "\n", " " + UNSAFE_ENV_VALUE, UNSAFE_ENV_VALUE.upper()])
def test_the_env_opt_in_needs_the_exact_word(value):
    assert unsafe_opt_in(environ={UNSAFE_ENV_VAR: value})[0] is False


@pytest.mark.parametrize("value", ["false", "0"])
def test_the_chain_refuses_a_string_opt_in(tmp_path, value):
    report = inspect_credentials(
        auth="browser", unsafe_browser_cookies=value, environ={}, cwd=tmp_path, container_is_local=True
    )
    assert report.authenticator is None and isinstance(report.error, PolicyError)
    assert "explicit opt-in" in report.error.message and "must be True" in report.error.message


@pytest.mark.parametrize("value", ["false", "0", "yes"])
def test_the_authenticator_refuses_a_string_opt_in_before_reading_anything(tmp_path, value):
    from cookie_session.auth.browser import BrowserCookieAuthenticator

    with pytest.raises(PolicyError, match="must be True to opt in, not a str"):
        BrowserCookieAuthenticator(
            cookie_file=tmp_path / "never-read.sqlite",
            unsafe_browser_cookies=value,
            environ={},
            container_is_local=True,
        )


def test_the_chain_passes_the_vouch_on(tmp_path):
    root_env = {"container": "docker"}
    refused = inspect_credentials(auth="browser", unsafe_browser_cookies=True, environ=root_env, cwd=tmp_path)
    assert "container" in refused.error.message and refused.verdict.only_container
    vouched = inspect_credentials(
        auth="browser",
        unsafe_browser_cookies=True,
        environ=root_env,
        cwd=tmp_path,
        container_is_local=True,
        cookie_file=str(tmp_path / "missing.sqlite"),
    )
    assert vouched.verdict.local and "container" not in str(vouched.error)  # it went on to read the profile
