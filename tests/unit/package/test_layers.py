"""The import-layer contract of DESIGN.md, checked on the source itself.

An AST scan of cookie_session/ builds the import graph (module-level *and* the lazy imports
inside functions, which the design relies on; `if TYPE_CHECKING:` blocks are left out, they
never run). On that graph:

- every module sits in a layer, and imports point down or sideways only, never up;
- there are no import cycles;
- the key-only path (`auth`, `auth.base`, `auth.api_key`) never reaches the browser code
  (auth.browser, browsers, testing.headless, browser-cookie3), directly or through anything it imports;
- nothing outside the CLI reaches click, directly or transitively;
- the stand-in shares no code with the library it stands in for (an independent oracle),
  and the library proper never loads it;
- the package root is a lazy facade: it imports nothing of its own at import time;
- `settings` imports nothing (stdlib only), so anything may read it, and no other module spells
  one of its values (an env var name, a URL, the opt-in word) itself;
- no module imports another package's private (`_name`) module or name;
- the old flat import paths are gone: no module, and no mention of them anywhere in the repository.

A subprocess check then imports each module on its own and looks at `sys.modules`, which
also catches third-party packages that would pull click or browser-cookie3 in.

An AST scan rather than an import-linter contract: no extra dependency, and the rules
above (lazy imports counted, TYPE_CHECKING not, the facade, "every module placed") are
this project's, stated here in one file with messages that name the offending chain.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cookie_session

PACKAGE = "cookie_session"
ROOT = Path(cookie_session.__file__).resolve().parent

#: Lowest first. A module may import modules of its own layer or below.
#: Matching is by dotted prefix, the longest prefix wins: "transports" covers cookie_session.transports
#: and its submodules, "auth.chain" takes that module out of "auth".
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("L0 values", ("settings", "errors", "secret", "results")),
    ("L1 rules", ("policy", "url_policy", "hosted_platforms", "user_agents")),
    ("L2 credentials and wire", ("auth", "browsers", "transports")),
    ("L3 client and chain", ("auth.chain", "client", "compare", "migrate")),
    ("L3t offline tooling", ("testing", "testing.standin", "testing.headless", "testing.processes")),
    ("L4 entry points", ("cli", "__main__", "testing.demo", "testing.pytest_plugin")),
]
FACADE = PACKAGE  # cookie_session/__init__.py: lazy re-exports, importable by anyone
KEY_ONLY_PATH = ("cookie_session.auth", "cookie_session.auth.base", "cookie_session.auth.api_key")
BROWSER_CODE = ("auth.browser", "browsers", "testing.headless", "testing.processes")
BROWSER_PACKAGES = {"browser_cookie3", "Cryptodome", "lz4"}
CLI_OWNERS = ("cli", "__main__")  # __main__ is the CLI's `python -m` entry point
STANDIN = ("testing.standin",)
LIBRARY_PROPER = (
    "settings",
    "errors",
    "secret",
    "results",
    "policy",
    "url_policy",
    "hosted_platforms",
    "user_agents",
    "auth",
    "browsers",
    "transports",
    "client",
    "compare",
    "migrate",
)
#: The flat paths the layout replaced (never released): they must not come back, as modules or in the docs.
OLD_PATHS = ("browser_auth", "sources", "standin", "headless_login", "demo", "pytest_plugin")


# --- the graph ----------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every Import/ImportFrom node that can run (skips `if TYPE_CHECKING:` bodies), with its line."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


class Graph:
    """Internal edges (module -> {module: line}) and external top-level packages per module."""

    def __init__(self) -> None:
        self.files = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
        self.modules = set(self.files)
        self.edges: dict[str, dict[str, int]] = {m: {} for m in self.modules}
        self.external: dict[str, dict[str, int]] = {m: {} for m in self.modules}
        for module, path in self.files.items():
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in _imports(tree):
                for target in self._targets(module, path, node):
                    self._add(module, target, node.lineno)

    def _targets(self, module: str, path: Path, node) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        if node.level == 0:
            base = node.module
        else:
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([node.module] if node.module else []))
        # `from .x import y` loads x, and y too when y is a submodule.
        return [base] + [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in self.modules]

    def _add(self, module: str, target: str, line: int) -> None:
        if target == PACKAGE or target.startswith(PACKAGE + "."):
            if target != module:
                self.edges[module].setdefault(target, line)
        else:
            self.external[module].setdefault(target.split(".")[0], line)

    def loads(self, module: str) -> set[str]:
        """What importing `module` loads (directly): its edges plus the packages those live in."""
        found = set()
        own = set(_ancestors(module)) | {module}
        for target in self.edges[module]:
            found.add(target)
            found.update(a for a in _ancestors(target) if a not in own)
        return found

    def path_to(self, start: str, goal) -> list[str] | None:
        """The shortest import chain from `start` to a module for which `goal(module)` is true, or None."""
        previous, frontier = {start: None}, [start]
        while frontier:
            nxt = []
            for module in frontier:
                for target in sorted(self.loads(module)):
                    if target in previous:
                        continue
                    previous[target] = module
                    if goal(target):
                        chain = [target]
                        while previous[chain[-1]] is not None:
                            chain.append(previous[chain[-1]])
                        return chain[::-1]
                    nxt.append(target)
            frontier = nxt
        return None

    def reaches_external(self, start: str, packages: set[str]) -> list[str] | None:
        """A chain from `start` to a module importing one of `packages`, ending with that package."""
        direct = self.external[start].keys() & packages
        if direct:
            return [start, sorted(direct)[0]]
        chain = self.path_to(start, lambda m: bool(self.external.get(m, {}).keys() & packages))
        if chain is None:
            return None
        return chain + [sorted(self.external[chain[-1]].keys() & packages)[0]]


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _short(module: str) -> str:
    return module[len(PACKAGE) + 1 :] if module.startswith(PACKAGE + ".") else module


def _matches(module: str, prefixes) -> bool:
    name = _short(module)
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer_of(module: str) -> int | None:
    """The layer of the longest prefix matching `module`, or None."""
    best: tuple[int, int] | None = None
    name = _short(module)
    for index, (_label, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph()


# --- the scan finds what is there ----------------------------------------------------------


def test_the_scan_sees_module_level_lazy_and_relative_imports(graph):
    assert "cookie_session.errors" in graph.edges["cookie_session.auth.api_key"]  # module level
    assert "cookie_session.auth.browser" in graph.edges["cookie_session.auth.chain"]  # inside a function
    assert "cookie_session.transports.base" in graph.edges["cookie_session.transports.api"]  # `from .base`
    assert "cookie_session.transports.api" in graph.edges["cookie_session.client"]  # `from .transports.api`
    assert "click" in graph.external["cookie_session.cli"]
    assert "requests" in graph.external["cookie_session.auth.base"]
    # TYPE_CHECKING imports never run: the facade's are not edges.
    assert graph.edges[FACADE] == {}


def test_the_checks_would_catch_a_violation(graph):
    """The rules below, run on a graph with a planted bad import, report it with its chain."""
    planted = Graph.__new__(Graph)
    planted.files, planted.modules = graph.files, graph.modules
    planted.edges = {m: dict(e) for m, e in graph.edges.items()}
    planted.external = {m: dict(e) for m, e in graph.external.items()}
    planted.edges["cookie_session.secret"]["cookie_session.policy"] = 1  # an upward import
    planted.edges["cookie_session.errors"]["cookie_session.client"] = 1  # upward, closes a cycle
    planted.external["cookie_session.results"]["click"] = 1  # click below the CLI
    assert ("cookie_session.secret", "cookie_session.policy") in upward_imports(planted)
    assert find_cycle(planted) is not None
    assert planted.reaches_external("cookie_session.auth", {"click"})[-1] == "click"


# --- the contract ----------------------------------------------------------------------


def test_every_module_sits_in_a_layer(graph):
    unplaced = sorted(m for m in graph.modules if m != FACADE and layer_of(m) is None)
    assert not unplaced, f"place these modules in a layer in tests/unit/package/test_layers.py LAYERS: {unplaced}"


def upward_imports(graph: Graph) -> list[tuple[str, str]]:
    found = []
    for module, targets in graph.edges.items():
        if module == FACADE:
            continue
        for target in targets:
            if target == FACADE:
                continue  # the facade re-exports lazily; importing it (e.g. for __version__) loads nothing
            if layer_of(module) is not None and layer_of(target) is not None and layer_of(target) > layer_of(module):
                found.append((module, target))
    return found


def test_imports_point_down_only(graph):
    bad = [
        f"{_short(m)} ({LAYERS[layer_of(m)][0]}) imports {_short(t)} ({LAYERS[layer_of(t)][0]}) "
        f"at line {graph.edges[m][t]}"
        for m, t in upward_imports(graph)
    ]
    assert not bad, "upward imports:\n" + "\n".join(bad)


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle (as a chain that ends where it starts), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.edges.get(module, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(graph.modules):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return None


def test_no_import_cycles(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(map(_short, cycle))


def test_the_key_only_path_never_reaches_the_browser_code(graph):
    for start in KEY_ONLY_PATH:
        chain = graph.path_to(start, lambda m: _matches(m, BROWSER_CODE))
        assert chain is None, f"{_short(start)} reaches the browser code: " + " -> ".join(map(_short, chain))
        chain = graph.reaches_external(start, BROWSER_PACKAGES)
        assert chain is None, f"{_short(start)} reaches a browser-cookie package: " + " -> ".join(map(_short, chain))


def test_nothing_below_the_cli_reaches_click(graph):
    bad = []
    for module in sorted(graph.modules):
        if _matches(module, CLI_OWNERS):
            continue
        chain = graph.reaches_external(module, {"click"})
        if chain:
            bad.append(" -> ".join(map(_short, chain)))
    assert not bad, "click outside cookie_session/cli/:\n" + "\n".join(bad)


def test_the_stand_in_shares_no_code_with_the_library(graph):
    """The stand-in is the oracle the client is tested against: it must not reuse the client's code."""
    bad = [
        f"{_short(m)} imports {_short(t)}"
        for m in graph.modules
        if _matches(m, STANDIN)
        for t in graph.edges[m]
        if not _matches(t, STANDIN) and t != FACADE
    ]
    assert not bad, bad
    users = [
        f"{_short(m)} imports {_short(t)}"
        for m in graph.modules
        if _matches(m, LIBRARY_PROPER)
        for t in graph.edges[m]
        if _matches(t, STANDIN + ("testing",))
    ]
    assert not users, f"the library proper must not load the stand-in: {users}"


def test_the_package_root_is_a_lazy_facade(graph):
    assert graph.edges[FACADE] == {}, f"cookie_session/__init__.py imports at import time: {graph.edges[FACADE]}"
    assert set(graph.external[FACADE]) <= {"importlib", "typing", "__future__"}


def test_settings_import_nothing(graph):
    """Every module reads its settings from `settings`; it must stay free to import from anywhere."""
    assert graph.edges["cookie_session.settings"] == {}
    assert set(graph.external["cookie_session.settings"]) <= {"__future__"}


def _package_of(module: str) -> str:
    return module if module in PACKAGES else module.rsplit(".", 1)[0]


PACKAGES = {module_name(p) for p in ROOT.rglob("__init__.py")}


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def private_imports(graph: Graph) -> list[str]:
    """Imports of a private module (`x._y`) or name (`from x import _z`) from outside the package that owns it."""
    found = []
    for module, path in graph.files.items():
        own = _package_of(module)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            targets = [t for t in graph._targets(module, path, node) if _inside(t, PACKAGE)]
            for target in targets:
                parts = target.split(".")
                private = [i for i, part in enumerate(parts) if part.startswith("_") and not part.startswith("__")]
                if private and not _inside(own, ".".join(parts[: private[0]])):
                    found.append(f"{_short(module)} imports {_short(target)} (line {node.lineno})")
            if isinstance(node, ast.ImportFrom) and targets and not _inside(own, _package_of(targets[0])):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(
                            f"{_short(module)} imports {alias.name} from {_short(targets[0])} (line {node.lineno})"
                        )
    return found


def test_no_module_imports_another_packages_private_names(graph):
    bad = private_imports(graph)
    assert not bad, "private names used outside their package:\n" + "\n".join(bad)


def test_the_private_name_check_would_catch_one(tmp_path):
    """client.py importing `transports._limits` (as it once did) is reported."""
    planted = Graph.__new__(Graph)
    client = tmp_path / "client.py"
    client.write_text("from .transports._limits import DEFAULT_DEADLINE\nfrom .transports.base import _x\n")
    planted.files = {"cookie_session.client": client}
    planted.modules = {"cookie_session.client", "cookie_session.transports._limits", "cookie_session.transports.base"}
    found = private_imports(planted)
    assert any("transports._limits" in line for line in found) and any("_x from" in line for line in found), found


#: Where a setting's literal may appear besides settings.py: the stand-in is an independent oracle (it shares
#: no code with the library), and the demo's sample prototype is a user's code, hard-coded on purpose.
LITERAL_ALLOWED = ("testing.standin", "standin")
SAMPLE_CODE = {("cookie_session.testing.demo", "SAMPLE_PROTOTYPE")}


def settings_literals(graph: Graph) -> list[str]:
    """String constants outside settings.py (docstrings aside) that contain a setting's value."""
    import cookie_session.settings as settings

    values = {
        name: value
        for name, value in vars(settings).items()
        if name.isupper() and isinstance(value, str) and len(value) >= 6
    }
    found = []
    for module, path in sorted(graph.files.items()):
        if module == "cookie_session.settings" or _matches(module, LITERAL_ALLOWED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (
                isinstance(body, list)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
            ):
                skip.add(id(body[0].value))  # a docstring
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and (module, t.id) in SAMPLE_CODE for t in node.targets
            ):
                skip.update(id(n) for n in ast.walk(node.value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                found += [
                    f"{_short(module)}:{node.lineno} spells {name} ({value!r}); import it from settings"
                    for name, value in values.items()
                    if value in node.value
                ]
    return found


def test_each_setting_is_spelled_once(graph):
    bad = settings_literals(graph)
    assert not bad, "\n".join(bad)


def test_the_old_flat_import_paths_are_gone():
    import importlib

    for old in OLD_PATHS:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"{PACKAGE}.{old}")
        assert not (ROOT / f"{old}.py").exists() and not (ROOT / old).exists(), old


def test_nothing_in_the_repository_mentions_an_old_import_path():
    repository = ROOT.parent
    old = "|".join(OLD_PATHS)
    pattern = re.compile(rf"\bcookie_session[./]({old})\b|\bfrom cookie_session import [\w, (]*\b({old})\b")
    listed = subprocess.run(["git", "ls-files"], cwd=repository, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout (an installed copy): the source tree is checked where it is one")
    hits = []
    for name in listed.stdout.splitlines():
        path = repository / name
        if name.startswith("tests/migrate_corpus/") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        hits += [f"{name}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert not hits, "\n".join(hits)


# --- the same claims, at run time --------------------------------------------------------------


def _loaded_after_import(modules: list[str]) -> dict[str, set[str]]:
    """For each module, the set of modules loaded after importing it alone in a fresh interpreter."""
    code = "import importlib, sys; importlib.import_module(sys.argv[1]); print(' '.join(sys.modules))"
    procs = {
        m: subprocess.Popen([sys.executable, "-c", code, m], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for m in modules
    }
    loaded = {}
    for module, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"importing {module} failed: {err.strip().splitlines()[-1:]}"
        loaded[module] = set(out.split())
    return loaded


def test_importing_each_module_alone_loads_neither_click_nor_browser_code_where_forbidden(graph):
    modules = sorted(m for m in graph.modules if not _matches(m, ("__main__",)))
    loaded = _loaded_after_import(modules)
    with_click = sorted(m for m in modules if "click" in loaded[m] and not _matches(m, CLI_OWNERS))
    assert not with_click, f"importing these loads click: {with_click}"
    assert "click" in loaded["cookie_session.cli"]  # the check can see click
    browser = {f"{PACKAGE}.{name}" for name in BROWSER_CODE} | BROWSER_PACKAGES
    for module in KEY_ONLY_PATH:
        assert not browser & loaded[module], (module, browser & loaded[module])
    assert "cookie_session.browsers" in loaded["cookie_session.auth.browser"]  # ... and browser code
