"""`migrate --fix` keeps what a cookie prototype does (docs/fix-equivalence.md), or leaves the file alone with one
reason: every cookie prototype of the corpus is run before the fix against the stand-in's grok.com side and
after it against the API side, and must print the same, write the same files and end the same way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_runner import run_cli
from equivalence import last_line, run_fixed, run_original
from test_migrate_corpus import CORPUS, materialize

from cookie_session.testing.standin import make_test_key

#: Every corpus file that talks to grok.com with a browser session, and what --fix must do with it: None for a
#: rewrite that keeps behaviour, else the start of the one reason the file is left alone.
COOKIE_PROTOTYPES: dict[str, str | None] = {
    "fix/cookie_chat.py": None,
    "fix/cookie_header_final.py": None,
    "fix/cookie_stream.py": None,
    "fix/leave_custom_loop.py": "the loop does more than parse each line before the token",
    "fix/leave_session_cookies.py": "its grok.com chat request is not a statement",
    "shapes/ask_and_print.py": None,
    "shapes/session_early_stop.py": None,
    "shapes/jar_in_helper.py": None,
    "shapes/token_generator.py": None,
    "shapes/httpx_client.py": None,
    "shapes/httpx_stream.py": None,
    "shapes/httpx_client_context.py": None,
    "shapes/iter_content_chunks.py": None,
    "shapes/jar_as_argument.py": None,
    "shapes/session_cookie_header.py": None,
    "shapes/status_raise.py": None,
    "shapes/status_check.py": None,
    "shapes/status_exit_final.py": None,
    "shapes/async_httpx.py": "async code",
    "sessions/pasted_session.py": "the reply ('reply') is read in a way --fix cannot prove equivalent",
}


def test_every_cookie_prototype_of_the_corpus_is_listed():
    talks_to_grok = {
        path.relative_to(CORPUS).as_posix()
        for folder in ("fix", "shapes", "sessions")
        for path in (CORPUS / folder).glob("*.py")
        if "grok.com/rest/app-chat" in path.read_text() or "/rest/app-chat" in path.read_text()
    }
    assert talks_to_grok == set(COOKIE_PROTOTYPES)


@pytest.fixture
def corpus(tmp_path, standin):
    root = tmp_path / "corpus"
    materialize(root, standin_key=standin.api_key)
    return root


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.is_file() and not p.name.endswith(".py")}


def test_each_prototype_is_fixed_with_the_same_behaviour_or_left_with_one_reason(corpus, standin, tmp_path, capsys):
    fixed_same, wrong, left = [], [], []
    for name, reason in COOKIE_PROTOTYPES.items():
        work = tmp_path / "run" / name.replace("/", "_")
        work.mkdir(parents=True)
        script = work / Path(name).name
        shutil.copy(corpus / name, script)
        source = script.read_text()
        before = run_original(script, standin, tmp_path / "shim") if reason is None else None
        written_before = _files(work)
        for produced in written_before:
            (work / produced).unlink()
        result = run_cli("migrate", "--fix", str(script))
        mine = [line for line in result.stderr.splitlines() if line.startswith(("fixed: ", "left alone: "))]
        if reason is not None:
            assert script.read_text() == source, name
            assert len(mine) == 1 and mine[0].startswith("left alone: ") and f"/{script.name}: {reason}" in mine[0], (
                name,
                mine,
            )
            left.append(name)
            continue
        assert before is not None and before.returncode == 0, (name, before and before.stderr)
        assert mine and all(line.startswith("fixed: ") for line in mine), (name, result.stderr)
        web_requests = len(standin.requests)
        after = run_fixed(script, standin)
        assert not [p for p in standin.requests[web_requests:] if "/rest/" in p[1]], "the fix still calls grok.com"
        same = (after.returncode, after.stdout, _files(work)) == (before.returncode, before.stdout, written_before)
        (fixed_same if same else wrong).append(name)
        assert same, (name, before.stdout, after.stdout, after.stderr)
        assert "with GrokClient(" in script.read_text() and "https://api.x.ai" not in script.read_text()
    with capsys.disabled():
        print(
            f"\nmigrate --fix on {len(COOKIE_PROTOTYPES)} cookie prototypes: fixed with identical behaviour "
            f"{len(fixed_same)}/{len(COOKIE_PROTOTYPES)} ({len(fixed_same) / len(COOKIE_PROTOTYPES):.0%}), "
            f"wrong rewrites {len(wrong)}, left alone with a reason {len(left)}"
        )
    assert wrong == []


def test_raise_for_status_maps_to_the_library_errors_with_the_same_exit_status(corpus, standin, tmp_path):
    script = tmp_path / "ask_and_print.py"
    shutil.copy(corpus / "shapes" / "ask_and_print.py", script)
    standin.fail_next("session_expired")  # grok.com: 401, the session is gone
    before = run_original(script, standin, tmp_path / "shim")
    run_cli("migrate", "--fix", str(script))
    after = run_fixed(script, standin, key=standin.add_key(disabled=True))  # api.x.ai: the key is refused
    assert before.returncode == after.returncode == 1
    assert last_line(before.stderr).startswith("requests.exceptions.HTTPError: 401 Client Error")
    assert last_line(after.stderr).startswith("cookie_session.errors.")
    from cookie_session import errors

    raised = getattr(errors, last_line(after.stderr).split(":")[0].rsplit(".", 1)[1])
    assert issubclass(raised, errors.CredentialsRejectedError)  # docs/fix-equivalence.md: 401/403 -> this
    assert before.stdout == after.stdout == ""


@pytest.mark.parametrize(("name", "status"), [("status_check.py", 2), ("status_exit_final.py", 3)])
@pytest.mark.parametrize(
    ("web_failure", "api_failure"),
    [
        ("session_expired", "refused key"),  # grok.com 401 / api.x.ai refuses the key
        ("challenge", "server_error"),  # Cloudflare's 403 / a 503 from api.x.ai
    ],
)
def test_a_status_check_that_exits_keeps_its_output_and_exit_status_for_a_failed_request(
    corpus, standin, tmp_path, name, status, web_failure, api_failure
):
    script = tmp_path / name
    shutil.copy(corpus / "shapes" / name, script)
    standin.fail_next(web_failure)
    before = run_original(script, standin, tmp_path / "shim")
    run_cli("migrate", "--fix", str(script))
    assert "except (CredentialsRejectedError, UpstreamError) as error:" in script.read_text()
    key = None
    if api_failure == "refused key":
        key = standin.add_key(disabled=True)
    else:
        standin.fail_next(api_failure)
    after = run_fixed(script, standin, key=key)
    assert before.returncode == after.returncode == status, (before.stderr, after.stderr)
    assert before.stdout == after.stdout, (before.stdout, after.stdout)
    assert "Traceback" not in before.stderr + after.stderr


@pytest.mark.parametrize("name", ["status_check.py", "status_exit_final.py"])
def test_a_status_check_that_exits_still_crashes_as_before_when_no_reply_comes(corpus, standin, tmp_path, name):
    """A request that never completed is no status: the original's check never ran (an uncaught requests
    error, exit status 1) and the fixed script re-raises the library's TransportError the same way."""
    script = tmp_path / name
    shutil.copy(corpus / "shapes" / name, script)
    standin.fail_next("drop_before_reply")
    before = run_original(script, standin, tmp_path / "shim")
    run_cli("migrate", "--fix", str(script))
    standin.fail_next("drop_before_reply")
    after = run_fixed(script, standin)
    assert before.returncode == after.returncode == 1, (before.stderr, after.stderr)
    assert before.stdout == after.stdout == ""
    assert last_line(before.stderr).startswith("requests.exceptions.ConnectionError")
    assert last_line(after.stderr).startswith("cookie_session.errors.ConnectionFailedError")


def test_an_unset_key_is_the_library_s_one_line_error(corpus, standin, tmp_path):
    script = tmp_path / "session_early_stop.py"
    shutil.copy(corpus / "shapes" / "session_early_stop.py", script)
    run_cli("migrate", "--fix", str(script))
    after = run_fixed(script, standin, key="")
    assert after.returncode == 1
    error = last_line(after.stderr)
    assert error.startswith("cookie_session.errors.NoCredentialsError: No credentials found") and "XAI_API_KEY" in error
    assert "KeyError" not in after.stderr and "TypeError" not in after.stderr


@pytest.mark.parametrize(
    "source",
    [
        # a hard-coded key: it now comes from XAI_API_KEY through the library
        'import requests\nimport os\nAPI_KEY = "{key}"\n'
        'r = requests.get(os.environ.get("XAI_BASE_URL", "https://api.x.ai/v1") + "/models",\n'
        '                 headers={{"Authorization": f"Bearer {{API_KEY}}"}})\nprint(r.status_code)\n',
        # a key that may be unset: ApiKeyAuthenticator(None) would be a bare TypeError
        'import os\nimport requests\nKEY = os.environ.get("XAI_API_KEY")\n'
        'BASE = os.environ.get("XAI_BASE_URL", "https://api.x.ai/v1")\n'
        'r = requests.get(f"{{BASE}}/models", headers={{"Authorization": f"Bearer {{KEY}}"}})\nprint(r.status_code)\n',
    ],
)
def test_fixed_key_code_runs_with_the_key_and_says_so_in_one_line_without(standin, tmp_path, source):
    script = tmp_path / "models.py"
    script.write_text(source.format(key=make_test_key()))
    run_cli("migrate", "--fix", str(script))
    fixed = script.read_text()
    assert "resolve_authenticator" in fixed and "os.environ[" not in fixed
    assert run_fixed(script, standin).stdout == "200\n"
    unset = run_fixed(script, standin, key="")
    assert unset.returncode == 1
    assert last_line(unset.stderr).startswith("cookie_session.errors.NoCredentialsError: No credentials found")
    assert "KeyError" not in unset.stderr and "TypeError" not in unset.stderr
