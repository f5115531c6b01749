"""Notebooks as notebooks (issue 19 item 4): findings by cell and line in the cell, outputs scanned too, and
`--fix` leaves a notebook as it is with one reason."""

from __future__ import annotations

import json

import pytest
from cli_runner import run_cli
from test_migrate_corpus import random_session_jwt

from cookie_session.migrate import scan
from cookie_session.testing.standin import make_test_key


def notebook(*cells: dict) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def code(source: str, outputs: list | None = None) -> dict:
    return {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": outputs or [],
        "source": source.splitlines(keepends=True),
    }


def markdown(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_findings_are_located_by_cell_and_line_in_the_cell(project):
    (project / "nb.ipynb").write_text(
        notebook(
            markdown("# Notes\nWe read cookies here.\n"),
            code("%pip install browser-cookie3\nimport requests\n"),
            code(
                'import browser_cookie3\njar = browser_cookie3.chrome()\nrequests.post("https://grok.com/rest/app-chat/'
                'conversations/new", cookies=jar)\n'
            ),
        )
    )
    found = {(f.rule_id, f.cell, f.cell_line, f.col) for f in scan(["nb.ipynb"]).findings}
    assert found == {
        ("CS101", 3, 1, 1),
        ("CS101", 3, 2, 7),
        ("CS105", 3, 3, 1),
        ("CS103", 3, 3, 15),
    }
    text = run_cli("migrate", "nb.ipynb").stdout
    assert "nb.ipynb:" in text and "(cell 3, line 2): CS101 [error]" in text
    document = json.loads(run_cli("migrate", "--format", "json", "nb.ipynb").stdout)
    assert {(f["cell"], f["cell_line"], f["in_output"]) for f in document["findings"]} >= {(3, 2, False)}


def test_outputs_are_scanned_for_secrets_a_printed_jar_or_key(project):
    sso, key = random_session_jwt(), make_test_key()
    jar = f"<RequestsCookieJar[<Cookie sso={sso} for .grok.com/>]>\n"
    (project / "nb.ipynb").write_text(
        notebook(
            code("print(jar)\n", [{"name": "stdout", "output_type": "stream", "text": [jar]}]),
            code("key\n", [{"output_type": "execute_result", "data": {"text/plain": [repr(key)]}, "metadata": {}}]),
        )
    )
    result = scan(["nb.ipynb"])
    outputs = {(f.rule_id, f.cell, f.cell_line, f.in_output) for f in result.findings if f.in_output}
    assert outputs == {("CS208", 1, 1, True), ("CS201", 2, 1, True)}
    text = run_cli("migrate", "nb.ipynb").stdout
    assert "(cell 1 output, line 1): CS208 [error]" in text
    assert sso not in text and key not in text


def test_a_notebook_that_is_not_json_is_still_scanned_by_line(project):
    (project / "nb.ipynb").write_text('{"cells": [ "import browser_cookie3"\n')
    assert scan(["nb.ipynb"]).files_scanned == 1


def test_fix_leaves_a_notebook_as_it_is_with_one_reason(project):
    text = notebook(code('import browser_cookie3\nAPI_KEY = "' + make_test_key() + '"\n'))
    (project / "nb.ipynb").write_text(text)
    result = run_cli("migrate", "--fix", "nb.ipynb")
    assert (project / "nb.ipynb").read_text() == text
    reasons = [line for line in result.stderr.splitlines() if line.startswith("left alone: nb.ipynb: ")]
    assert len(reasons) == 1 and "a notebook: --fix rewrites .py files only" in reasons[0]


@pytest.mark.parametrize(
    "document",
    [
        {"cells": [{"cell_type": "code", "source": [1, None, "import browser_cookie3\n"], "outputs": {"a": 1}}]},
        {"cells": [{"cell_type": "code", "source": 5, "outputs": [{"data": [1, 2]}, "x", {"text": 3}]}]},
        {"cells": ["x", None, 3]},
        {"cells": {}},
        [],
    ],
)
def test_a_malformed_notebook_is_scanned_without_a_crash(project, document):
    (project / "nb.ipynb").write_text(json.dumps(document))
    result = scan(["nb.ipynb"])
    assert result.files_scanned == 1
