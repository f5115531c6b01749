"""`cookie_session.migrate.scan`: rules on code not comments, fake keys, walking, git, and bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cookie_session.errors import BadInputError
from cookie_session.migrate import scan
from cookie_session.migrate.patterns import is_placeholder_key
from cookie_session.migrate.scanner import MAX_FILE_BYTES
from cookie_session.migrate.walk import iter_files
from cookie_session.testing.standin import make_test_key


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rules(result) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule_id) for f in result.findings]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


# --- keys: real shape vs obviously fake -------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "x" * 80,
        "X" * 80,
        "0" * 80,
        "ab" * 40,
        "0123456789" * 8,
        "EXAMPLE" + "aB3" * 24 + "aBcDeFgHi"[:1],
        "test" + "Qw9_" * 19,
        "your_key_here" + "Zz19" * 16 + "Zz19"[:3],
        "fake" + "Lm7" * 25 + "L",
    ],
)
def test_obviously_fake_keys_are_not_keys(body):
    key = "xai-" + body[:80].ljust(80, "a")
    assert len(key) == 84
    assert is_placeholder_key(key)


def test_random_keys_of_the_real_shape_are_keys():
    assert not any(is_placeholder_key(make_test_key()) for _ in range(200))


def test_a_key_is_found_anywhere_in_any_text_file_even_in_a_comment(tmp_path):
    key = make_test_key()
    write(tmp_path / "a.py", f"# old key: {key}\n")
    write(tmp_path / "b.txt", f"the key is {key}.\n")
    write(tmp_path / "c.unknownext", f"k={key}\n")
    result = scan([tmp_path])
    assert sorted((Path(f.path).name, f.rule_id) for f in result.findings) == [
        ("a.py", "CS201"),
        ("b.txt", "CS201"),
        ("c.unknownext", "CS201"),
    ]
    assert {f.masked for f in result.findings} == {f"xai-…{key[-4:]}"}


@pytest.mark.parametrize(
    "template",
    [
        'KEY = "{a}" "{b}"\n',  # implicit concatenation on one line
        'KEY = (\n    "{a}"\n    "{b}"\n)\n',  # the same, one piece a line
        'KEY = f"{a}" f"{b}"\n',  # f-string pieces without a placeholder
        'KEY = "{a}" + "{b}"\n',
        'call(key=("{a}"\n     "{b}"))\n',
    ],
)
def test_a_key_split_across_string_pieces_is_found_masked(tmp_path, template):
    key = make_test_key()
    write(tmp_path / "a.py", template.format(a=key[:30], b=key[30:]))
    findings = scan([tmp_path]).findings
    assert [(f.rule_id, f.masked) for f in findings] == [("CS201", f"xai-…{key[-4:]}")]
    assert not any(key[:30] in str(f) or key[30:] in str(f) for f in findings)


def test_a_key_glued_to_more_characters_is_not_the_key_shape(tmp_path):
    key = make_test_key()
    write(tmp_path / "a.py", f'A = "{key}Z"\nB = "my{key}"\n')
    assert scan([tmp_path]).findings == []


# --- Python: code, not comments or docstrings --------------------------------------


def test_python_rules_fire_on_code_and_not_on_comments_or_docstrings(tmp_path):
    write(
        tmp_path / "p.py",
        '"""Uses browser_cookie3 and the sso cookie; --unsafe-browser-cookies."""\n'
        "# import browser_cookie3\n"
        "def f():\n"
        "    '''Sends Cookie: sso=1 to grok.com/rest/app-chat.'''\n"
        "    import browser_cookie3 as bc\n"
        "    return bc.chrome()\n",
    )
    assert rules(scan([tmp_path])) == [("p.py", 5, "CS101"), ("p.py", 6, "CS101")]  # the import and the call


@pytest.mark.parametrize(
    "source, expected",
    [
        ('c = {"sso": v}\n', ["CS102"]),
        ('c = {"ssome": v, "sso_enabled": 1, "x-sso": 2, "SSO": 3}\n', []),
        ('s.cookies.set("sso-rw", v)\n', ["CS102", "CS105"]),
        ('h = {"Cookie": "sso=" + v}\n', ["CS104"]),
        ('h = {"Set-Cookie": "a=b"}\nr.headers.get("Cookie")\n', []),
        ("requests.get(u, cookies=None)\n", []),
        ("requests.get(u, cookies=jar)\n", ["CS105"]),
        ('u = "https://grok.com/rest/app-chat/conversations/new"\n', ["CS103"]),
        ('u = "https://example.com/rest/app-chat"\n', []),
        ("print(api_key)\n", ["CS206"]),
        ("print(token, usage.total_tokens, api_key_blocked, cookie_file)\n", []),
        ('key = os.environ["XAI_API_KEY"]\nlog = logging.getLogger()\nlog.info("k=%s", key)\n', ["CS206"]),
        ("print(Secret(k).fingerprint, len(api_key))\n", []),
        ('h = {"Authorization": "Bearer %s" % k}\n', ["CS205"]),
        ('ok = header.startswith("Bearer ")\n', []),
        ("a = BrowserCookieAuthenticator.from_cookies(c)\n", ["CS305"]),
        ("resolve_authenticator(unsafe_browser_cookies=args.unsafe)\n", []),
        ("resolve_authenticator(unsafe_browser_cookies=False)\n", []),
        ('run(["cookie-session", "--auth", "browser"])\n', ["CS304"]),
        ('@click.option("--unsafe-browser-cookies", is_flag=True)\ndef f(): pass\n', []),
        ('raise SystemExit("pass --unsafe-browser-cookies to allow it")\n', []),
        ('os.environ.setdefault("COOKIE_SESSION_UNSAFE_BROWSER_COOKIES", "i-understand-the-risks")\n', ["CS303"]),
        ('WORD = "i-understand-the-risks"\n', []),
        ('import importlib\nm = importlib.import_module("rookiepy")\n', ["CS101"]),
        ("from yt_dlp import YoutubeDL\n", []),
    ],
)
def test_python_rules(tmp_path, source, expected):
    write(tmp_path / "p.py", source)
    assert sorted(f.rule_id for f in scan([tmp_path]).findings) == expected


def test_columns_count_characters_not_bytes(tmp_path):
    write(tmp_path / "p.py", 'x = "héé"; c = {"sso": 1}\n')
    [finding] = scan([tmp_path]).findings
    assert (finding.line, finding.col) == (1, 17)


@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\x85", "\u2028"])
def test_lines_are_numbered_as_editors_and_python_number_them(tmp_path, separator):
    """A form feed (a page break in older code) and other separators str.splitlines() splits at are not
    line ends: findings keep their line, and a suppression comment still covers its own line."""
    key = make_test_key()
    write(
        tmp_path / "paged.py",
        f"x = 1\n{separator}\nimport browser_cookie3  # cookie-session: ignore\nkey = '{key}'\nimport rookiepy\n",
    )
    result = scan([tmp_path / "paged.py"])
    assert [(f.line, f.rule_id) for f in result.findings] == [(4, "CS201"), (5, "CS101")]
    assert [(f.line, f.rule_id) for f in result.suppressed] == [(3, "CS101")]


def test_a_scanned_file_with_invalid_escapes_prints_no_warning(tmp_path):
    write(tmp_path / "regex.py", 'import re\nPATTERN = re.compile("\\d+\\.\\w")\n')
    code = (
        "from cookie_session.migrate import scan; "
        f"result = scan([{str(tmp_path / 'regex.py')!r}]); print(len(result.findings), result.notices)"
    )
    for flag in ("default", "error"):  # shown, or turned into errors (which would make it "not valid Python")
        run = subprocess.run([sys.executable, "-W", flag, "-c", code], capture_output=True, text=True)
        assert (run.returncode, run.stdout, run.stderr) == (0, "0 []\n", ""), flag


def test_unknown_format_or_severity_is_bad_input():
    from cookie_session.migrate import render

    result = scan([])
    with pytest.raises(BadInputError, match="format"):
        render(result, "xml")
    with pytest.raises(BadInputError, match="severity"):
        result.at_or_above("fatal")


def test_one_finding_per_rule_per_line(tmp_path):
    write(tmp_path / "p.py", 'c = {"sso": a, "sso-rw": b, "cf_clearance": c}\n')
    assert rules(scan([tmp_path])) == [("p.py", 1, "CS102")]


def test_a_python_file_that_does_not_parse_is_scanned_by_pattern_and_says_so(tmp_path):
    write(tmp_path / "p.py", "import browser_cookie3\n# import rookiepy\ndef broken(:\n")
    result = scan([tmp_path])
    assert rules(result) == [("p.py", 1, "CS101")]
    assert [n.path for n in result.notices] == ["p.py"] and "not valid Python" in result.notices[0].message


# --- walking ------------------------------------------------------------------------


def test_the_walk_sees_what_git_sees_with_nested_gitignores_and_negation(tmp_path):
    git(tmp_path, "init", "-q")
    write(tmp_path / ".gitignore", "*.log\nbuild/\n/top_only.py\n")
    write(tmp_path / ".git" / "info" / "exclude", "*.tmp\n")
    write(tmp_path / "sub" / ".gitignore", "!keep.log\nlocal_*.py\n")
    names = (
        "a.log",
        "build/x.py",
        "top_only.py",
        "sub/top_only.py",
        "sub/keep.log",
        "sub/local_x.py",
        "sub/other.log",
        "sub/b.py",
        "x.tmp",
        "sub/deeper/c.py",
        "sub/deeper/local_y.py",
    )
    for name in names:
        write(tmp_path / name, "import browser_cookie3\n")
    listed = subprocess.run(
        ["git", "-C", str(tmp_path), "ls-files", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    walked = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert sorted(walked) == sorted(listed)
    assert set(walked) >= {"sub/keep.log", "sub/top_only.py", "sub/deeper/c.py"}
    assert rules(scan([tmp_path / "sub" / "deeper"])) == [("sub/deeper/c.py", 1, "CS101")]


def test_a_parent_gitignore_applies_to_a_scanned_subfolder(tmp_path):
    git(tmp_path, "init", "-q")
    write(tmp_path / ".gitignore", "secret_stuff/\n")
    write(tmp_path / "app" / "secret_stuff" / "k.py", "import browser_cookie3\n")
    write(tmp_path / "app" / "main.py", "import rookiepy\n")
    assert rules(scan([tmp_path / "app"])) == [("app/main.py", 1, "CS101")]


def test_a_folder_named_on_purpose_is_scanned_even_if_git_ignores_it(tmp_path):
    git(tmp_path, "init", "-q")
    write(tmp_path / ".gitignore", "vendor/\n")
    write(tmp_path / "vendor" / "lib" / "k.py", "import browser_cookie3\n")
    assert rules(scan(["."])) == []
    assert rules(scan(["vendor/lib"])) == [("vendor/lib/k.py", 1, "CS101")]


def test_vcs_caches_venvs_and_node_modules_are_skipped(tmp_path):
    for folder in (".git", "__pycache__", "node_modules/pkg", "myenv", ".venv"):
        write(tmp_path / folder / "x.py", "import browser_cookie3\n")
    write(tmp_path / "myenv" / "pyvenv.cfg", "home = /usr\n")
    write(tmp_path / "app.py", "import browser_cookie3\n")
    assert rules(scan([tmp_path])) == [("app.py", 1, "CS101")]


def test_binary_huge_and_undecodable_files_never_raise(tmp_path):
    key = make_test_key()
    (tmp_path / "blob.bin").write_bytes(b"\0\1\2" + key.encode())
    (tmp_path / "huge.txt").write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    (tmp_path / "latin1.sh").write_bytes(b"# caf\xe9\ncurl -H 'Authorization: Bearer " + key.encode() + b"'\n")
    result = scan([tmp_path])
    assert rules(result) == [("latin1.sh", 2, "CS201")]
    assert sorted((n.path, n.message.split(":")[0]) for n in result.notices) == [
        ("huge.txt", "skipped"),
        ("latin1.sh", "not valid UTF-8"),
    ]
    assert result.files_scanned == 1


def test_a_dangling_symlink_named_or_walked_is_a_notice(tmp_path):
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    result = scan([tmp_path / "gone.py"])
    assert result.findings == [] and "cannot read" in result.notices[0].message


def test_a_path_that_does_not_exist_is_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="does not exist"):
        scan([tmp_path / "nope"])


def test_each_file_is_scanned_once_even_if_named_twice(tmp_path):
    write(tmp_path / "a.py", "import rookiepy\n")
    result = scan([tmp_path, tmp_path / "a.py", "a.py"])
    assert result.files_scanned == 1 and len(result.findings) == 1


# --- .env files and git -------------------------------------------------------------


def test_a_key_in_a_dotenv_that_git_tracks_is_an_error(tmp_path):
    key = make_test_key()
    git(tmp_path, "init", "-q")
    write(tmp_path / ".env", f"XAI_API_KEY={key}\nGITHUB_TOKEN='ghp_0123456789abcdefghij'\nDEBUG=1\n")
    git(tmp_path, "add", ".env")
    result = scan(["."])
    assert rules(result) == [(".env", 1, "CS202"), (".env", 2, "CS202")]
    assert result.findings[0].message.endswith(f"XAI_API_KEY=xai-…{key[-4:]}")
    assert result.findings[1].masked == "…(24 chars)"


def test_a_key_in_a_dotenv_git_neither_tracks_nor_ignores_is_a_warning(tmp_path):
    git(tmp_path, "init", "-q")
    write(tmp_path / ".env", f"XAI_API_KEY={make_test_key()}\n")
    assert [(f.rule_id, f.severity) for f in scan(["."]).findings] == [("CS203", "warning")]


def test_a_key_in_an_ignored_dotenv_is_where_it_belongs(tmp_path):
    git(tmp_path, "init", "-q")
    write(tmp_path / ".gitignore", ".env\n")
    write(tmp_path / ".env", f"XAI_API_KEY={make_test_key()}\n")
    assert scan(["."]).findings == []
    assert scan([".env"]).findings == []  # named explicitly: scanned, and git says it is ignored


def test_a_dotenv_outside_git_or_without_git_is_not_reported(tmp_path, monkeypatch):
    write(tmp_path / ".env", f"XAI_API_KEY={make_test_key()}\n")
    assert scan(["."]).findings == []
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".env")
    empty = tmp_path / "nobin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # git missing: nothing to ask, nothing claimed, no crash
    assert scan([".env"]).findings == []


def test_placeholders_in_a_tracked_dotenv_example_are_fine(tmp_path):
    git(tmp_path, "init", "-q")
    write(
        tmp_path / ".env.example",
        "XAI_API_KEY=\nXAI_API_KEY=xai-...\nAPI_TOKEN=<your token>\nSECRET_KEY=changeme\nPASSWORD=${PASSWORD}\n",
    )
    git(tmp_path, "add", ".env.example")
    assert scan(["."]).findings == []


def test_unsafe_opt_in_in_any_dotenv_is_reported(tmp_path):
    write(tmp_path / ".env", "COOKIE_SESSION_UNSAFE_BROWSER_COOKIES=i-understand-the-risks\n")
    assert rules(scan(["."])) == [(".env", 1, "CS303")]


def test_paths_outside_the_working_directory_are_shown_absolute(tmp_path, monkeypatch):
    write(tmp_path / "proj" / "a.py", "import rookiepy\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    [finding] = scan([tmp_path / "proj"]).findings
    assert finding.path == (tmp_path / "proj" / "a.py").as_posix() and os.path.isabs(finding.path)


@pytest.mark.parametrize(
    "source, line",
    [
        ("import browser_cookie3\njar = browser_cookie3.chrome(domain_name='grok.com')\n", 2),
        ("import browser_cookie3 as bc\n\n\ndef f():\n    return bc.firefox()\n", 5),
        ("import rookiepy as r\ncookies = r.chrome(['grok.com'])\n", 2),
        ("from pycookiecheat import chrome_cookies as cc\nx = cc('https://grok.com')\n", 2),
        ("from browser_cookie3 import chrome\nx = dict(\n    a=chrome())\n", 3),
        ("import importlib\nb = importlib.import_module('browser_cookie3')\nj = b.load()\n", 3),
        ("from yt_dlp import cookies as ytc\nj = ytc.extract_cookies_from_browser('chrome')\n", 2),
    ],
)
def test_every_call_that_reads_browser_cookies_is_a_finding_of_its_own(tmp_path, source, line):
    path = tmp_path / "proto.py"
    path.write_text(source)
    lines = sorted(f.line for f in scan([path]).findings if f.rule_id == "CS101")
    assert line in lines and len(lines) == 2  # the import (or import_module) and the call


def test_calls_of_unrelated_names_are_not_cookie_reads(tmp_path):
    path = tmp_path / "proto.py"
    path.write_text(
        "import yt_dlp\nfrom yt_dlp import YoutubeDL\nYoutubeDL().download(['x'])\nyt_dlp.main()\n"
        "chrome = object\nchrome()\n"
    )
    assert scan([path]).findings == []


def test_a_tracked_file_is_scanned_even_when_a_gitignore_rule_matches_it(tmp_path, monkeypatch):
    """.gitignore added after the .env was committed: git still commits it, so the walk must still see it."""
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / ".env").write_text(f"XAI_API_KEY={make_test_key()}\n")
    subprocess.run(["git", "add", "app/.env"], check=True)
    (tmp_path / ".gitignore").write_text(".env\n")
    for root in (".", "app", str(tmp_path)):
        found = [(f.path.rsplit("/", 1)[-1], f.rule_id) for f in scan([root]).findings]
        assert found == [(".env", "CS202")], root
