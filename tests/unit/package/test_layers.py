"""The import-layer contract of DESIGN.md, checked on the source itself.

An AST scan of cookie_session/ builds the import graph (module-level *and* the lazy imports
inside functions, which the design relies on; `if TYPE_CHECKING:` blocks are left out, they
never run). On that graph:

- every module sits in a layer, and imports point down or sideways only, never up;
- there are no import cycles;
- `auth.py` never reaches the browser code (browser_auth, browsers, headless_login,
  browser-cookie3), directly or through anything it imports;
- nothing outside the CLI reaches click, directly or transitively;
- the stand-in shares no code with the library it stands in for (an independent oracle),
  and the library proper never loads it;
- the package root is a lazy facade: it imports nothing of its own at import time.

A subprocess check then imports each module on its own and looks at `sys.modules`, which
also catches third-party packages that would pull click or browser-cookie3 in.

An AST scan rather than an import-linter contract: no extra dependency, and the rules
above (lazy imports counted, TYPE_CHECKING not, the facade, "every module placed") are
this project's, stated here in one file with messages that name the offending chain.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import cookie_session

PACKAGE = "cookie_session"
ROOT = Path(cookie_session.__file__).resolve().parent

#: Lowest first. A module may import modules of its own layer or below.
#: Matching is by dotted prefix: "transports" covers cookie_session.transports and its submodules.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("L0 values", ("errors", "secret", "results")),
    ("L1 rules", ("policy", "user_agents")),
    ("L2 credentials and wire", ("auth", "browsers", "browser_auth", "headless_login", "transports")),
    ("L3 client and chain", ("client", "sources", "compare", "migrate")),
    ("L3s stand-in", ("standin",)),
    ("L4 entry points", ("cli", "__main__", "demo", "pytest_plugin")),
]
FACADE = PACKAGE                      # cookie_session/__init__.py: lazy re-exports, importable by anyone
BROWSER_CODE = ("browser_auth", "browsers", "headless_login")
BROWSER_PACKAGES = {"browser_cookie3", "Cryptodome", "lz4"}
CLI_OWNERS = ("cli", "__main__")      # __main__ is the CLI's `python -m` entry point
LIBRARY_PROPER = ("errors", "secret", "results", "policy", "user_agents", "auth", "browsers", "browser_auth",
                  "transports", "client", "sources", "compare", "migrate")


# --- the graph ----------------------------------------------------------------------

def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


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
    return module[len(PACKAGE) + 1:] if module.startswith(PACKAGE + ".") else module


def _matches(module: str, prefixes) -> bool:
    name = _short(module)
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def layer_of(module: str) -> int | None:
    for index, (_label, prefixes) in enumerate(LAYERS):
        if _matches(module, prefixes):
            return index
    return None


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph()


# --- the scan finds what is there ----------------------------------------------------------

def test_the_scan_sees_module_level_lazy_and_relative_imports(graph):
    assert "cookie_session.errors" in graph.edges["cookie_session.auth"]             # module level
    assert "cookie_session.browser_auth" in graph.edges["cookie_session.sources"]    # inside a function
    assert "cookie_session.transports._http" in graph.edges["cookie_session.transports.api"]  # `from ._http`
    assert "cookie_session.transports.api" in graph.edges["cookie_session.client"]   # `from .transports.api`
    assert "click" in graph.external["cookie_session.cli"]
    assert "requests" in graph.external["cookie_session.auth"]
    # TYPE_CHECKING imports never run: the facade's are not edges.
    assert graph.edges[FACADE] == {}


def test_the_checks_would_catch_a_violation(graph):
    """The rules below, run on a graph with a planted bad import, report it with its chain."""
    planted = Graph.__new__(Graph)
    planted.files, planted.modules = graph.files, graph.modules
    planted.edges = {m: dict(e) for m, e in graph.edges.items()}
    planted.external = {m: dict(e) for m, e in graph.external.items()}
    planted.edges["cookie_session.secret"]["cookie_session.policy"] = 1        # an upward import
    planted.edges["cookie_session.errors"]["cookie_session.client"] = 1        # upward, closes a cycle
    planted.external["cookie_session.results"]["click"] = 1                    # click below the CLI
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
                continue   # the facade re-exports lazily; importing it (e.g. for __version__) loads nothing
            if layer_of(module) is not None and layer_of(target) is not None and layer_of(target) > layer_of(module):
                found.append((module, target))
    return found


def test_imports_point_down_only(graph):
    bad = [f"{_short(m)} ({LAYERS[layer_of(m)][0]}) imports {_short(t)} ({LAYERS[layer_of(t)][0]}) "
           f"at line {graph.edges[m][t]}" for m, t in upward_imports(graph)]
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
                return stack[stack.index(target):] + [target]
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


def test_auth_never_reaches_the_browser_code(graph):
    chain = graph.path_to("cookie_session.auth", lambda m: _matches(m, BROWSER_CODE))
    assert chain is None, "auth.py reaches the browser code: " + " -> ".join(map(_short, chain))
    chain = graph.reaches_external("cookie_session.auth", BROWSER_PACKAGES)
    assert chain is None, "auth.py reaches a browser-cookie package: " + " -> ".join(map(_short, chain))


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
    bad = [f"{_short(m)} imports {_short(t)}" for m in graph.modules if _matches(m, ("standin",))
           for t in graph.edges[m] if not _matches(t, ("standin",)) and t != FACADE]
    assert not bad, bad
    users = [f"{_short(m)} imports {_short(t)}" for m in graph.modules if _matches(m, LIBRARY_PROPER)
             for t in graph.edges[m] if _matches(t, ("standin",))]
    assert not users, f"the library proper must not load the stand-in: {users}"


def test_the_package_root_is_a_lazy_facade(graph):
    assert graph.edges[FACADE] == {}, f"cookie_session/__init__.py imports at import time: {graph.edges[FACADE]}"
    assert set(graph.external[FACADE]) <= {"importlib", "typing", "__future__"}


# --- the same claims, at run time --------------------------------------------------------------

def _loaded_after_import(modules: list[str]) -> dict[str, set[str]]:
    """For each module, the set of modules loaded after importing it alone in a fresh interpreter."""
    code = "import importlib, sys; importlib.import_module(sys.argv[1]); print(' '.join(sys.modules))"
    procs = {m: subprocess.Popen([sys.executable, "-c", code, m], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for m in modules}
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
    assert "click" in loaded["cookie_session.cli"]                     # the check can see click
    browser = {f"{PACKAGE}.{name}" for name in BROWSER_CODE} | BROWSER_PACKAGES
    assert not browser & loaded["cookie_session.auth"], browser & loaded["cookie_session.auth"]
    assert "cookie_session.browsers" in loaded["cookie_session.browser_auth"]   # ... and browser code
