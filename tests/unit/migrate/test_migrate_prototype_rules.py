"""The prototype rewrite's edges (docs/fix-equivalence.md): what would change behaviour is left alone with one
reason, what keeps it is rewritten. Each case is a small script; the before/after runs are in
test_migrate_equivalence.py."""

from __future__ import annotations

import pytest

from cookie_session.migrate.fix.python_fix import fix_python

HEAD = (
    "import json\nimport browser_cookie3\nimport requests\n"
    'URL = "https://grok.com/rest/app-chat/conversations/new"\n'
    'jar = browser_cookie3.chrome(domain_name="grok.com")\n'
)
LOOP = (
    "for line in r.iter_lines():\n"
    '    token = json.loads(line).get("result", {}).get("response", {}).get("token")\n'
    "    if token:\n"
    "        print(token, end='', flush=True)\n"
)
READERS = {"browser_cookie3": "browser_cookie3"}


def fix(source: str):
    return fix_python(source, READERS)


@pytest.mark.parametrize(
    "body, reason",
    [
        (  # the body changed after it was built: sending the literal would send something else
            'payload = {"message": "hi", "modelName": "grok-3"}\npayload["modelName"] = "grok-4"\n'
            "r = requests.post(URL, cookies=jar, json=payload)\n" + LOOP,
            "body is built in a way --fix cannot read",
        ),
        (  # after the loop, `token` would be the API's last piece, not the web app's last value
            'r = requests.post(URL, cookies=jar, json={"message": "hi"})\n' + LOOP + "print(repr(token))\n",
            "'token', set by the loop reading the reply, is used after it",
        ),
        (
            'r = requests.post(URL, cookies=jar, json={"message": "hi", "parentResponseId": "abc"})\n' + LOOP,
            "sends 'parentResponseId', which the API has no equivalent for",
        ),
        (
            'r = requests.post(URL, cookies=jar, params={"x": 1}, json={"message": "hi"})\n' + LOOP,
            "passes 'params', which has no GrokClient equivalent",
        ),
        (  # a soft stop the web app signals has no API counterpart
            'r = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            "for line in r.iter_lines():\n    data = json.loads(line)\n"
            '    if data.get("isSoftStop"):\n        break\n'
            '    token = data.get("result", {}).get("response", {}).get("token")\n    print(token)\n',
            "the loop does more than parse each line before the token",
        ),
        (
            'r = requests.post(URL, cookies=jar, json={"message": "hi"})\n' + LOOP + "print(r.headers)\n",
            "the reply is used besides the loop",
        ),
        (
            'try:\n    r = requests.post(URL, cookies=jar, json={"message": "hi"})\nexcept requests.RequestException:\n'
            "    raise SystemExit(3)\n" + LOOP,
            "is read in a way --fix cannot prove equivalent",
        ),
        # a status check that exits with its own code (R3) is kept only when the failure is all it tests, the
        # reply's status shows only on stderr, and nothing runs between it and the reading
        (  # exits on success, not on a failure: no library error stands for that
            'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            "if r.status_code == 200:\n    sys.exit(2)\n" + LOOP,
            "the reply is used besides the loop",
        ),
        (  # only a 429: the library raises for every failure
            'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            "if r.status_code == 429:\n    sys.exit(2)\n" + LOOP,
            "the reply is used besides the loop",
        ),
        (  # the status on stdout: the two sides' failures are not the same status
            'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            "if r.status_code != 200:\n    print(r.status_code)\n    sys.exit(2)\n" + LOOP,
            "does more before it exits than print what --fix can keep",
        ),
        (  # writes a file the fixed script could not write the same
            'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            'if not r.ok:\n    open("failed.txt", "w").write(r.text)\n    sys.exit(2)\n' + LOOP,
            "does more before it exits than print what --fix can keep",
        ),
        (  # the print between would run before the request on the fixed side, also when it fails
            'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            'if not r.ok:\n    sys.exit(2)\nprint("Grok says:")\n' + LOOP,
            "is not right before what reads the answer",
        ),
        (  # an exit status that is not a literal
            'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            "if not r.ok:\n    sys.exit(r.status_code // 100)\n" + LOOP,
            "the reply is used besides the loop",
        ),
        (  # the library's error of that name would shadow the script's own
            "import sys\nclass UpstreamError(Exception):\n    pass\n"
            'r = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
            "if not r.ok:\n    sys.exit(2)\n" + LOOP,
            "the script has its own 'UpstreamError'",
        ),
    ],
)
def test_what_would_change_behaviour_leaves_the_file_alone_with_one_reason(body, reason):
    source = HEAD + body
    result = fix(source)
    assert result.text == source
    assert len(result.left) == 1 and reason in result.left[0], result.left


def test_each_request_of_a_block_is_rewritten():
    source = HEAD + (
        'a = requests.post(URL, cookies=jar, json={"message": "one"})\n'
        + LOOP.replace("r.", "a.")
        + 'b = requests.post(URL, cookies=jar, json={"message": "two"})\n'
        + LOOP.replace("r.", "b.")
    )
    result = fix(source)
    assert result.text.count("client.chat(") == 2 and "browser_cookie3" not in result.text, result.text
    assert result.left == []


def test_a_script_using_the_name_client_gets_another_one():
    source = HEAD + (
        'client = object()\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n' + LOOP + "print(client)\n"
    )
    text = fix(source).text
    assert "as grok_client:" in text and "grok_client.chat(" in text and "print(client)" in text


def test_functions_other_code_may_use_stay():
    source = (
        "import json\nimport browser_cookie3\nimport requests\n"
        'URL = "https://grok.com/rest/app-chat/conversations/new"\n\n\n'
        "def load_cookies():  # never called here: another module may import it\n"
        '    return browser_cookie3.chrome(domain_name="grok.com")\n\n\n'
        "@app.route('/cookies')\ndef cookie_page():\n    return str(browser_cookie3.chrome())\n\n\n"
        "def ask(prompt):\n"
        '    jar = browser_cookie3.chrome(domain_name="grok.com")\n'
        '    r = requests.post(URL, cookies=jar, json={"message": prompt})\n' + "    " + LOOP.replace("\n", "\n    ")
    )
    text = fix(source).text
    assert "def load_cookies():" in text and "def cookie_page():" in text
    assert "client.chat(prompt, stream=True)" in text and "jar = " not in text


@pytest.mark.parametrize(
    "test",
    [
        "r.status_code != 200",
        "r.status_code >= 400",
        "r.status_code > 399",
        "not r.ok",
        "r.is_error",
        "not r.is_success",
    ],
)
def test_a_status_check_that_exits_becomes_an_except_of_the_failure_errors(test):
    source = HEAD + (
        'import sys\nr = requests.post(URL, cookies=jar, json={"message": "hi"})\n'
        f'if {test}:\n    print("failed", r.status_code, r.reason, r.text[:80], file=sys.stderr)\n'
        '    print("no answer", flush=True)\n    raise SystemExit(4)\n' + LOOP
    )
    result = fix(source)
    assert result.left == [], result.left
    text = result.text
    assert "except (CredentialsRejectedError, UpstreamError) as error:" in text
    assert "if isinstance(error, (BadResponseError, TransportError)):\n            raise\n" in text
    assert 'print("failed", error, error, str(error)[:80], file=sys.stderr)' in text
    assert 'print("no answer", flush=True)\n        raise SystemExit(4)' in text
    assert "stream = client.chat(" in text and "for token in stream:" in text and "status_code" not in text
    compile(text, "fixed.py", "exec")
