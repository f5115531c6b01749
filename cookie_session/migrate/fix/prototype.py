"""A grok.com chat request made by hand becomes `with GrokClient(resolve_authenticator(auth="api-key")) as client:`.

The class of scripts rewritten (docs/fix-equivalence.md states each rule and how it is tested):

- the request: `requests.post`, `httpx.post`, `<session>.post` (a `requests.Session()` / `httpx.Client()`),
  `requests.request("POST", ...)`, or `with <any of those, or .stream("POST", ...)> as reply:`, to grok.com's
  `/rest/app-chat/conversations/new` (a literal, a module constant, an f-string of constants); its body a dict
  literal of `message` / `modelName` (plus fields that are empty or false), held in a variable, or returned by a
  module function of one `return {...}`; `json=` or `data=json.dumps(...)`; cookies and headers (`cookies=`,
  `headers=`, a session's own) of any origin: they are grok.com's and go with it;
- the reply read as NDJSON by a loop over `iter_lines()` / `iter_content()` / `.text.splitlines()`: the loop's
  parsing and skipping become `for <token> in client.chat(..., stream=True):` and what the loop did with each
  token stays as written (printing with its `flush`, collecting, `break`, `return`, `yield`);
  `raise_for_status()` goes (`GrokClient` raises the library's errors for a failed request);
- or the final message read from the last line (`json.loads(...)[...]["modelResponse"]["message"]`) ->
  `reply.text`.

Whatever else touches the reply, an unknown body field, a loop that uses the raw event after taking the token,
async code: the file is left as it is, with one reason. Cookie plumbing the rewrite left unused (browser
readers, cookie dicts, Cookie headers, a session only the request used, a function that only built the body or
read cookies) goes afterwards (`sweep_dead_plumbing`).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from .cst_tools import GuardedTransformer, ModuleFacts, dotted, keyword, literal, names_in, statement_of

__all__ = ["PrototypeToClient", "CLIENT", "drop_unused_parameters", "name_uses", "sweep_dead_plumbing"]

CHAT_PATH = "/rest/app-chat/conversations/new"
CLIENT = 'GrokClient(resolve_authenticator(auth="api-key"))'
#: Request fields the web app sends that say nothing about the answer when empty or false.
_NEUTRAL_FIELDS = frozenset(
    {
        "temporary",
        "fileAttachments",
        "imageAttachments",
        "disableSearch",
        "enableImageGeneration",
        "returnImageBytes",
        "returnRawGrokInXaiRequest",
        "enableImageStreaming",
        "imageGenerationCount",
        "forceConcise",
        "toolOverrides",
        "enableSideBySide",
        "sendFinalMetadata",
        "isPreset",
        "isReasoning",
        "disableTextFollowUps",
        "webpageUrls",
        "disableArtifact",
        "deviceEnvInfo",
    }
)
_REQUEST_KEYWORDS = frozenset({"json", "data", "cookies", "headers", "stream", "timeout", "verify", "allow_redirects"})
_SESSION_FACTORIES = frozenset({"requests.Session", "requests.session", "httpx.Client"})
#: Calls a loop may make while turning a raw line into the token (anything else is doing more than parsing).
_PARSE_CALLS = frozenset(
    {"json.loads", "loads", "get", "decode", "strip", "lstrip", "rstrip", "removeprefix", "startswith", "isinstance"}
)
_LINE_SOURCES = frozenset({"iter_lines", "iter_content", "iter_text", "splitlines", "split", "strip", "text"})
_code = cst.Module([]).code_for_node


class Unproven(Exception):
    """Why a request was left as it is (one sentence, no secret)."""


def _calls(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            name = dotted(call.func)
            if name not in ("json.loads", "print", "isinstance", "len") and isinstance(call.func, cst.Attribute):
                name = call.func.attr.value
            found.append(name)

    node.visit(Visitor())
    return found


def _literals(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            if (value := literal(string)) is not None:
                found.append(value)

    node.visit(Visitor())
    return found


def _single_assign(line: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    small = statement_of(line) if isinstance(line, cst.BaseStatement) else None
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    return None


def _neutral(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "True", "None")
    if isinstance(node, (cst.List, cst.Dict, cst.Tuple)):
        return not node.elements
    if isinstance(node, cst.Integer):
        return True
    return literal(node) is not None


def _mentions(lines) -> set[str]:
    found: set[str] = set()
    for line in lines:
        found.update(names_in(line))
    return found


class _Substitute(cst.CSTTransformer):
    def __init__(self, values: dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.values = values

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.values.get(original.value, updated)


class _FinalMessage(cst.CSTTransformer):
    """`json.loads(<reply>...)[...]["modelResponse"]["message"]` (or `.get` chains) -> `<reply>.text`."""

    def __init__(self, reply: str, aliases: set[str]) -> None:
        super().__init__()
        self.reply, self.aliases, self.count = reply, aliases, 0

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        keys: list[str | None] = []
        node: cst.BaseExpression = original
        while True:
            if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                keys.append(literal(node.slice[0].slice.value))
                node = node.value
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
                keys.append(literal(node.args[0].value) if node.args else None)
                node = node.func.value
            else:
                break
        if (
            keys
            and keys[0] == "message"
            and "modelResponse" in keys
            and isinstance(node, cst.Call)
            and dotted(node.func) in ("json.loads", "loads")
            and set(names_in(node)) - {"json", "loads"} <= {self.reply} | self.aliases
        ):
            self.count += 1
            return cst.Attribute(cst.Name(self.reply), cst.Name("text"))
        return updated


def _raises_on_failure(line: cst.BaseStatement, reply: str) -> bool:
    """`if reply.status_code != 200: raise ...` / `if not reply.ok: raise ...`: what `raise_for_status()` does,
    in the script's words (the raise may quote `reply.text`); no else."""
    if not (isinstance(line, cst.If) and line.orelse is None and isinstance(line.body, cst.IndentedBlock)):
        return False
    test_names = set(names_in(line.test)) - {"True", "False", "None"}
    return (
        test_names == {reply}
        and set(_attributes(line.test)) <= {"status_code", "ok"}
        and bool(line.body.body)
        and all(isinstance(statement_of(s), cst.Raise) for s in line.body.body)
    )


def _is_reply_call(line: cst.BaseStatement, reply: str, methods: tuple[str, ...]) -> bool:
    """`reply.raise_for_status()` (or another of `methods`) as a statement of its own."""
    small = statement_of(line)
    return (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and not small.value.args
        and dotted(small.value.func) in {f"{reply}.{method}" for method in methods}
    )


class PrototypeToClient(GuardedTransformer):
    """Rewrites each provable grok.com chat request; `changes` says what it did, `left` why it left one."""

    def __init__(self, facts: ModuleFacts, module: cst.Module) -> None:
        super().__init__()
        self.facts = facts
        self.changes: list[str] = []
        self.left: list[str] = []
        self.sessions = _session_names(module)
        self.body_functions = _body_functions(module)
        taken = set(names_in(module))
        #: The name the GrokClient gets: `client`, unless the script already uses it (an httpx.Client, say).
        self.client = next(name for name in ("client", "grok_client", "grok", "xai_client") if name not in taken)
        self._block_dicts: dict[str, cst.Dict] = {}
        self._loop_names: set[str] = set()

    # --- where ---------------------------------------------------------------------------------------------
    def _where(self, node: cst.CSTNode) -> int:
        position = self.get_metadata(PositionProvider, node, None)
        return position.start.line if position is not None else 0

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        module = updated.with_changes(body=self._block(list(updated.body), list(original.body)))
        if not self.changes and not self.left and any(CHAT_PATH in text for text in self._strings(original)):
            self.left.append(
                "its grok.com chat request is not a statement --fix can follow (`reply = requests.post(...)`, "
                "`with ... as reply:`); see docs/fix-equivalence.md"
            )
        return module

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._block(list(updated.body), list(original.body)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is not None and self._sends_to_grok(node):
            self.left.append(
                f"async code (line {self._where(node)}): rewrite it by hand to openai.AsyncOpenAI(base_url=os.environ"
                '.get("XAI_BASE_URL", ...), api_key=os.environ["XAI_API_KEY"]); --fix proves sync code only'
            )

    def _sends_to_grok(self, node: cst.CSTNode) -> bool:
        return any(CHAT_PATH in text or "grok.com" in text for text in self._strings(node))

    def _strings(self, node: cst.CSTNode) -> list[str]:
        texts = _literals(node)
        texts += [self.facts.constants[name] for name in names_in(node) if name in self.facts.constants]
        return texts

    # --- the request ----------------------------------------------------------------------------------------
    def _url(self, node: cst.BaseExpression) -> str | None:
        text = self.facts.string_of(node)
        if text is None and isinstance(node, cst.FormattedString):
            parts = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    parts.append(part.value)
                elif isinstance(part, cst.FormattedStringExpression) and (
                    value := self.facts.string_of(part.expression)
                ):
                    parts.append(value)
                else:
                    return None
            text = "".join(parts)
        return text

    def _request(self, call: cst.BaseExpression) -> tuple[str, bool] | None:
        """For a provable chat request: (the `client.chat(...)` arguments, whether it asked to stream); None when
        `call` is no request to grok.com's chat; Unproven when it is one that cannot be moved."""
        if not isinstance(call, cst.Call):
            return None
        name = dotted(call.func)
        head, _, method = name.rpartition(".")
        if head not in ("requests", "httpx") and head not in self.sessions:
            return None
        args = list(call.args)
        if method in ("request", "stream"):
            if not args or (literal(args[0].value) or "").upper() != "POST":
                return None
            args = args[1:]
        elif method != "post":
            return None
        url_arg = keyword(call, "url") or (args[0] if args and args[0].keyword is None else None)
        url = self._url(url_arg.value) if url_arg is not None else None
        if url is None or "grok.com" not in url or not url.split("?")[0].rstrip("/").endswith(CHAT_PATH):
            return None
        for arg in args:
            if arg is url_arg:
                continue
            if arg.keyword is None or arg.keyword.value not in _REQUEST_KEYWORDS:
                shown = arg.keyword.value if arg.keyword is not None else _code(arg.value)
                raise Unproven(f"the grok.com request passes {shown!r}, which has no GrokClient equivalent")
        fields = self._body(call)
        if "message" not in fields:
            raise Unproven("the grok.com request's body has no 'message' --fix can see")
        for key, value in fields.items():
            if key not in ("message", "modelName") and not (key in _NEUTRAL_FIELDS and _neutral(value)):
                raise Unproven(f"the grok.com request sends {key!r}, which the API has no equivalent for")
        model = f", model={_code(fields['modelName'])}" if "modelName" in fields else ""
        stream = keyword(call, "stream")
        return f"{_code(fields['message'])}{model}", method == "stream" or (
            stream is not None and _code(stream.value) != "False"
        )

    def _body(self, call: cst.Call) -> dict[str, cst.BaseExpression]:
        body = keyword(call, "json")
        value = body.value if body is not None else None
        data = keyword(call, "data")
        if value is None and data is not None:
            if not (isinstance(data.value, cst.Call) and dotted(data.value.func) in ("json.dumps", "dumps")):
                raise Unproven("the grok.com request's body is not JSON --fix can read")
            value = data.value.args[0].value if data.value.args else None
        if isinstance(value, cst.Name) and value.value in self._block_dicts:
            value = self._block_dicts[value.value]
        elif isinstance(value, cst.Call) and dotted(value.func) in self.body_functions:
            value = self._inline_body(value, *self.body_functions[dotted(value.func)])
        if not isinstance(value, cst.Dict):
            raise Unproven("the grok.com request's body is built in a way --fix cannot read")
        fields: dict[str, cst.BaseExpression] = {}
        for element in value.elements:
            key = literal(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                raise Unproven("the grok.com request's body has a key --fix cannot read")
            fields[key] = element.value
        return fields

    @staticmethod
    def _inline_body(call: cst.Call, parameters: cst.Parameters, body: cst.Dict) -> cst.Dict:
        """The dict a one-`return` body function returns, its parameters replaced by the call's arguments."""
        values: dict[str, cst.BaseExpression] = {}
        params = list(parameters.params)
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if len(positional) > len(params) or any(arg.star for arg in call.args):
            raise Unproven("the body function is called in a way --fix cannot follow")
        for param, arg in zip(params, positional, strict=False):
            values[param.name.value] = arg.value
        for arg in call.args:
            if arg.keyword is not None:
                values[arg.keyword.value] = arg.value
        for param in params:
            if param.name.value not in values:
                if param.default is None:
                    raise Unproven("the body function is called in a way --fix cannot follow")
                values[param.name.value] = param.default
        if not all(_pure(value) for value in values.values()):
            raise Unproven("the body function is given an expression with a call, which --fix does not move")
        return body.visit(_Substitute(values))  # type: ignore[return-value]

    # --- one block ------------------------------------------------------------------------------------------
    def _block(self, lines: list[cst.BaseStatement], originals: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
        if any(self.guarded(line) for line in originals):
            return lines
        first, rewrites = lines, 0
        while rewrites < 16:  # each request of the block in turn
            self._block_dicts = _body_dicts(lines)
            for index in range(len(lines)):
                try:
                    rewritten = self._rewrite_at(lines, index)
                except Unproven as why:
                    where = self._where(originals[index]) if not rewrites and index < len(originals) else 0
                    self.left.append(f"{why} (line {where})" if where else str(why))
                    return first
                if rewritten is not None:
                    lines, rewrites = rewritten, rewrites + 1
                    break
            else:
                return lines
        return lines

    def _rewrite_at(self, lines: list[cst.BaseStatement], index: int) -> list[cst.BaseStatement] | None:
        line = lines[index]
        if isinstance(line, cst.With) and len(line.items) == 1 and line.items[0].asname is not None:
            target = line.items[0].asname.name
            found = self._request(line.items[0].item)
            if found is None or not isinstance(target, cst.Name):
                return None
            body = list(line.body.body) if isinstance(line.body, cst.IndentedBlock) else []
            inner = self._read(body, target.value, *found)
            self._done()
            return [*lines[:index], *inner, *lines[index + 1 :]]
        assign = _single_assign(line)
        if assign is None:
            return None
        found = self._request(assign[1])
        if found is None:
            return None
        rest = self._read(lines[index + 1 :], assign[0], *found)
        self._done()
        return [*lines[:index], *rest]

    def _done(self) -> None:
        self.changes.append(f"grok.com chat request -> with {CLIENT} as client: client.chat(...)")

    def _read(self, rest: list[cst.BaseStatement], reply: str, arguments: str, _stream: bool):
        """The statements after the request, rewritten to read the answer from `client.chat(...)`."""
        rest = [
            line
            for line in rest
            if not (_is_reply_call(line, reply, ("raise_for_status", "close")) or _raises_on_failure(line, reply))
        ]
        loops = [i for i, line in enumerate(rest) if isinstance(line, cst.For) and reply in names_in(line.iter)]
        if loops:
            at = loops[0]
            original = rest[at]
            assert isinstance(original, cst.For)
            loop = self._stream_loop(original, reply, arguments)
            after = rest[at + 1 :]
            if reply in _mentions(rest[:at]) or reply in _mentions(after):
                raise Unproven(f"the reply is used besides the loop that reads its lines ({reply!r})")
            if used_later := _read_before_rebound(self._loop_names, after):
                raise Unproven(f"{used_later[0]!r}, set by the loop reading the reply, is used after it")
            block = cst.parse_statement(f"with {CLIENT} as {self.client}:\n    pass\n")
            assert isinstance(block, cst.With)
            wrapped = block.with_changes(
                body=block.body.with_changes(body=[loop]), leading_lines=original.leading_lines
            )
            return [*rest[:at], wrapped, *after]
        aliases = _reply_aliases(rest, reply)
        final = _FinalMessage(reply, set(aliases))
        read = [line.visit(final) for line in rest if (_single_assign(line) or ("", None))[0] not in aliases]
        if final.count == 0:
            raise Unproven(f"the reply ({reply!r}) is read in a way --fix cannot prove equivalent")
        if _reply_misused(read, reply) or set(aliases) & _mentions(read):
            raise Unproven(f"the reply ({reply!r}) is used other than for its final message")
        call = cst.parse_statement(f"with {CLIENT} as {self.client}:\n    {reply} = {self.client}.chat({arguments})\n")
        return [call, *read]

    def _stream_loop(self, loop: cst.For, reply: str, arguments: str) -> cst.For:
        """`for line in reply.iter_lines(): <parse> <token = ...> <use>` -> `for token in client.chat(...,
        stream=True): <use>`; Unproven when the loop does anything with a line but take its token."""
        if loop.orelse is not None or not isinstance(loop.target, cst.Name):
            raise Unproven("the loop reading the reply has an else or several targets")
        if not (
            set(names_in(loop.iter)) - {"True", "False", "None"} == {reply}
            and set(_calls(loop.iter) + _attributes(loop.iter)) <= _LINE_SOURCES
        ):
            raise Unproven("the reply is iterated in a way --fix does not know")
        body = list(loop.body.body) if isinstance(loop.body, cst.IndentedBlock) else []
        raw = {loop.target.value}
        if (buffered := _buffered_lines(body, loop.target.value)) is not None:
            raw, body = {buffered[0]}, buffered[1]
        body = _unwrapped(body, raw)
        derived: set[str] = set()
        token: str | None = None
        kept: list[cst.BaseStatement] = []
        for line in body:
            touched = set(names_in(line)) & (raw | derived)
            if token is not None:
                if touched:
                    raise Unproven("the loop uses the raw event after taking the token")
                kept.append(line)
                continue
            if _is_skip(line) and touched:
                continue
            parsed = _parse_step(line, raw | derived)
            if parsed is None:
                raise Unproven("the loop does more than parse each line before the token")
            name, value = parsed
            if "token" in _literals(value):
                token = name
            else:
                derived.add(name)
        if token is None or not kept:
            raise Unproven("the loop reading the reply takes no token --fix can see")
        self._loop_names = raw | derived | {token}  # the old loop's values: gone, or different, after it
        header = cst.parse_statement(f"for {token} in {self.client}.chat({arguments}, stream=True):\n    pass\n")
        assert isinstance(header, cst.For)
        return header.with_changes(body=header.body.with_changes(body=kept))


def _pure(node: cst.CSTNode) -> bool:
    """No call, await, yield or assignment in `node`: evaluating it twice, or not at all, changes nothing."""

    class Visitor(cst.CSTVisitor):
        impure = False

        def on_visit(self, child: cst.CSTNode) -> bool:
            if isinstance(child, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr, cst.Lambda)):
                self.impure = True
            return not self.impure

    visitor = Visitor()
    node.visit(visitor)
    return not visitor.impure


def _attributes(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> None:
            found.append(attribute.attr.value)

    node.visit(Visitor())
    return found


def _buffered_lines(body: list[cst.BaseStatement], chunk: str) -> tuple[str, list[cst.BaseStatement]] | None:
    """`buf += chunk` then `while "\\n" in buf: line, buf = buf.split("\\n", 1); <inner>`: chunks cut into
    lines, the NDJSON way; (the line's name, <inner>), else None."""
    if len(body) != 2 or not isinstance(body[1], cst.While) or body[1].orelse is not None:
        return None
    grow, loop = statement_of(body[0]), body[1]
    if not (
        isinstance(grow, cst.AugAssign)
        and isinstance(grow.operator, cst.AddAssign)
        and isinstance(grow.target, cst.Name)
        and names_in(grow.value) == [chunk]
    ):
        return None
    buffer = grow.target.value
    test = loop.test
    if not (
        isinstance(test, cst.Comparison)
        and literal(test.left) == "\n"
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.In)
        and names_in(test.comparisons[0].comparator) == [buffer]
        and isinstance(loop.body, cst.IndentedBlock)
        and loop.body.body
    ):
        return None
    split = statement_of(loop.body.body[0])
    if not (
        isinstance(split, cst.Assign)
        and len(split.targets) == 1
        and isinstance(split.targets[0].target, cst.Tuple)
        and [names_in(e.value) for e in split.targets[0].target.elements][1:] == [[buffer]]
        and len(split.targets[0].target.elements) == 2
        and isinstance(split.targets[0].target.elements[0].value, cst.Name)
        and names_in(split.value) == [buffer]
        and _calls(split.value) == ["split"]
    ):
        return None
    line = split.targets[0].target.elements[0].value
    assert isinstance(line, cst.Name)
    return line.value, list(loop.body.body[1:])


def _read_before_rebound(names: set[str], lines: list[cst.BaseStatement]) -> list[str]:
    """Those of `names` that `lines` read before binding them anew (a later loop's target, an assignment)."""
    live, read = set(names), []
    for line in lines:
        bound: set[str] = set()
        if isinstance(line, cst.For) and isinstance(line.target, cst.Name):
            read += sorted(live & set(names_in(line.iter)))
            bound = {line.target.value}
        elif (assign := _single_assign(line)) is not None:
            read += sorted(live & set(names_in(assign[1])))
            bound = {assign[0]}
        else:
            read += sorted(live & set(names_in(line)))
        live -= bound | set(read)
        if isinstance(line, cst.For) and isinstance(line.target, cst.Name):
            live -= _assigned_in(line.body)  # the later loop binds them before it reads them, as this one did
    return read


def _assigned_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            if isinstance(target.target, cst.Name):
                found.add(target.target.value)

    node.visit(Visitor())
    return found


def _body_dicts(lines: list[cst.BaseStatement]) -> dict[str, cst.Dict]:
    """Names assigned a dict literal once in the block and mentioned once more (the request): a body held in a
    variable, not changed before it is sent."""
    mentions: dict[str, int] = {}
    for line in lines:
        for name in names_in(line):
            mentions[name] = mentions.get(name, 0) + 1
    found: dict[str, cst.Dict] = {}
    for line in lines:
        assign = _single_assign(line)
        if assign is not None and isinstance(assign[1], cst.Dict) and mentions.get(assign[0]) == 2:
            found[assign[0]] = assign[1]
    return found


def _unwrapped(body: list[cst.BaseStatement], raw: set[str]) -> list[cst.BaseStatement]:
    """A body that is one `if <test of the line>:` (no else) is its inner statements: the test skips lines."""
    if (
        len(body) == 1
        and isinstance(body[0], cst.If)
        and body[0].orelse is None
        and set(names_in(body[0].test)) <= raw
        and isinstance(body[0].body, cst.IndentedBlock)
    ):
        return list(body[0].body.body)
    return body


def _is_skip(line: cst.BaseStatement) -> bool:
    """`if <test>: continue` (no else)."""
    return (
        isinstance(line, cst.If)
        and line.orelse is None
        and isinstance(line.body, cst.IndentedBlock)
        and len(line.body.body) == 1
        and isinstance(statement_of(line.body.body[0]), cst.Continue)
    )


def _parse_step(line: cst.BaseStatement, known: set[str]) -> tuple[str, cst.BaseExpression] | None:
    """`name = <parsing of known names>`, or the same inside `try: ... except ...: continue`."""
    if isinstance(line, cst.Try) and isinstance(line.body, cst.IndentedBlock) and len(line.body.body) == 1:
        if line.orelse is not None or line.finalbody is not None:
            return None
        if not all(
            isinstance(handler.body, cst.IndentedBlock)
            and len(handler.body.body) == 1
            and isinstance(statement_of(handler.body.body[0]), (cst.Continue, cst.Pass))
            for handler in line.handlers
        ):
            return None
        line = line.body.body[0]
    assign = _single_assign(line)
    if assign is None:
        return None
    used = set(names_in(assign[1])) - {"json", "loads"}
    if not used or not used <= known or not set(_calls(assign[1])) <= _PARSE_CALLS:
        return None
    return assign


def _reply_aliases(lines, reply: str) -> list[str]:
    """Names assigned from the reply's text only (`last = reply.text.splitlines()[-1]`)."""
    aliases = []
    for line in lines:
        assign = _single_assign(line)
        if assign and names_in(assign[1]) == [reply] and set(_calls(assign[1])) <= {"strip", "splitlines", "split"}:
            aliases.append(assign[0])
    return aliases


def _reply_misused(lines, reply: str) -> bool:
    """True if the reply is used other than as `reply.text` (what a ChatResult offers both ways)."""

    class Visitor(cst.CSTVisitor):
        bad = False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if isinstance(node.value, cst.Name) and node.value.value == reply:
                self.bad |= node.attr.value != "text"
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            self.bad |= node.value == reply

    visitor = Visitor()
    for line in lines:
        line.visit(visitor)
    return visitor.bad


def _session_names(module: cst.Module) -> set[str]:
    """Names bound anywhere to `requests.Session()` / `httpx.Client(...)` (assigned, or `with ... as`)."""
    found: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if isinstance(node.value, cst.Call) and dotted(node.value.func) in _SESSION_FACTORIES:
                found.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

        def visit_WithItem(self, node: cst.WithItem) -> None:
            if (
                isinstance(node.item, cst.Call)
                and dotted(node.item.func) in _SESSION_FACTORIES
                and node.asname is not None
                and isinstance(node.asname.name, cst.Name)
            ):
                found.add(node.asname.name.value)

    module.visit(Visitor())
    return found


def _body_functions(module: cst.Module) -> dict[str, tuple[cst.Parameters, cst.Dict]]:
    """Module functions whose whole body is `return {...}` (maybe after a docstring): what a body builder is."""
    found = {}
    for line in module.body:
        if not isinstance(line, cst.FunctionDef) or line.decorators or not isinstance(line.body, cst.IndentedBlock):
            continue
        statements = [s for s in line.body.body if not _is_docstring(s)]
        small = statement_of(statements[0]) if len(statements) == 1 else None
        if isinstance(small, cst.Return) and isinstance(small.value, cst.Dict):
            if line.params.star_arg is not cst.MaybeSentinel.DEFAULT or line.params.kwonly_params:
                continue
            found[line.name.value] = (line.params, small.value)
    return found


def _is_docstring(line: cst.BaseStatement) -> bool:
    small = statement_of(line)
    return isinstance(small, cst.Expr) and literal(small.value) is not None


# --- dead cookie plumbing --------------------------------------------------------------------------------------
_PLUMBING_CALLS = frozenset(
    {
        "join",
        "dict",
        "str",
        "items",
        "get",
        "next",
        "format",
        "dict_from_cookiejar",
        "cookiejar_from_dict",
        "Session",
        "session",
        "Client",
        "CookieJar",
        "RequestsCookieJar",
        "load",
    }
)
_SESSION_SETUP = frozenset({"update", "set", "mount", "clear"})
_PURE_NODES = (
    cst.Call,
    cst.Dict,
    cst.DictComp,
    cst.List,
    cst.Tuple,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.BinaryOperation,
    cst.Integer,
    cst.Float,
    cst.Name,
)


def _cookie_functions(module: cst.Module, readers: dict[str, str]) -> set[str]:
    """Module functions that use a browser-cookie reader (or such a function): what they return is cookies."""
    found: set[str] = set()
    for _ in range(3):
        for line in module.body:
            if isinstance(line, cst.FunctionDef) and line.name.value not in found:
                names = [dotted(func) for func in _call_nodes(line.body)] + names_in(line.body)
                if any(
                    name in found or any(name == local or name.startswith(local + ".") for local in readers)
                    for name in names
                ):
                    found.add(line.name.value)
    return found


def sweep_dead_plumbing(module: cst.Module, readers: dict[str, str], removed_names: set[str]) -> cst.Module:
    """Remove, at module and function level, what the rewrite left unused: assignments of cookie plumbing (a
    browser reader's result, cookie dicts and headers, a session, a body dict) and the setup of such a session,
    functions whose only callers went (`removed_names`: names the rewrite stopped using), to a fixed point."""
    cookie_functions = _cookie_functions(module, readers)
    for _ in range(8):
        used = name_uses(module)
        sweeper = _Sweeper(used, readers, removed_names, cookie_functions)
        swept = module.visit(sweeper)
        if not sweeper.removed:
            return swept
        module = swept
    return module


def name_uses(module: cst.Module) -> dict[str, int]:
    """How often each name is read (assignment targets and definitions do not count)."""
    counts: dict[str, int] = {}

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            if isinstance(node.target, cst.Name):
                return False
            return True

        def visit_Name(self, node: cst.Name) -> None:
            counts[node.value] = counts.get(node.value, 0) + 1

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            for child in (node.params, node.body, *node.decorators):
                child.visit(self)

        def visit_Param(self, node: cst.Param) -> bool:
            if node.default is not None:
                node.default.visit(self)
            return False

    for line in module.body:
        if isinstance(line, cst.FunctionDef):
            for child in (line.params, line.body, *line.decorators):
                child.visit(Visitor())
        else:
            line.visit(Visitor())
    return counts


class _Sweeper(cst.CSTTransformer):
    def __init__(
        self, used: dict[str, int], readers: dict[str, str], removed_names: set[str], cookie_functions: set[str]
    ) -> None:
        super().__init__()
        self.used, self.readers, self.removed_names = used, readers, removed_names
        self.cookie_functions = cookie_functions
        self.removed = 0
        self._setups: dict[str, int] = {}

    def _reads_cookies(self, value: cst.CSTNode) -> bool:
        names = [dotted(func) for func in _call_nodes(value)]
        return any(
            name in self.cookie_functions
            or any(name == local or name.startswith(local + ".") for local in self.readers)
            for name in names
        )

    def _plumbing_value(self, name: str, value: cst.BaseExpression) -> bool:
        """A value whose only effect is to read cookies, or (for a name the rewrite stopped using) to build a
        value: literals, dicts, a session, joins."""
        if self._reads_cookies(value):
            return True
        if name not in self.removed_names or not isinstance(value, _PURE_NODES):
            return False
        return all(call.split(".")[-1] in _PLUMBING_CALLS for call in _calls(value))

    def _dead(self, line: cst.BaseStatement) -> bool:
        assign = _single_assign(line)
        if assign is not None:
            name, value = assign
            if self.used.get(name, 0) == 0 and self._plumbing_value(name, value):
                self.removed_names.add(name)
                self.removed_names.update(names_in(value))
                return True
            return False
        small = statement_of(line)
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            parts = dotted(small.value.func).split(".")
            if len(parts) == 3 and parts[1] in ("cookies", "headers") and parts[2] in _SESSION_SETUP:
                return self.used.get(parts[0], 0) <= self._setup_uses(parts[0])
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Subscript) and dotted(target.value).count(".") == 1:
                owner, attribute = dotted(target.value).split(".")
                if attribute in ("headers", "cookies"):
                    return self.used.get(owner, 0) <= self._setup_uses(owner)
        if isinstance(line, cst.FunctionDef) and (
            line.name.value in self.removed_names or line.name.value in self.cookie_functions
        ):
            return self.used.get(line.name.value, 0) == 0
        return False

    def _setup_uses(self, owner: str) -> int:
        return self._setups.get(owner, 0)

    def _count_setups(self, lines) -> None:
        self._setups = {}
        for line in lines:
            small = statement_of(line) if isinstance(line, cst.BaseStatement) else None
            owner = None
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                parts = dotted(small.value.func).split(".")
                if len(parts) == 3 and parts[1] in ("cookies", "headers") and parts[2] in _SESSION_SETUP:
                    owner = parts[0]
            elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Subscript) and dotted(target.value).count(".") == 1:
                    owner = dotted(target.value).split(".")[0]
            if owner:
                self._setups[owner] = self._setups.get(owner, 0) + 1

    def _sweep(self, lines):
        self._count_setups(lines)
        kept = [line for line in lines if not self._dead(line)]
        self.removed += len(lines) - len(kept)
        return kept

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._sweep(list(updated.body)))

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        kept = self._sweep(list(updated.body))
        return updated.with_changes(body=kept or [cst.SimpleStatementLine([cst.Pass()])])


def _call_nodes(node: cst.CSTNode) -> list[cst.BaseExpression]:
    found: list[cst.BaseExpression] = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call.func)

    node.visit(Visitor())
    return found


def drop_unused_parameters(module: cst.Module, removed_names: set[str]) -> cst.Module:
    """A module function's parameter the rewrite stopped using (a cookie jar handed in by the caller) goes, with
    the argument at every call of the function, when each use of the function's name is a plain call that
    passes it by position or keyword; what the arguments mentioned joins `removed_names`."""
    for line in module.body:
        if (
            not isinstance(line, cst.FunctionDef)
            or line.decorators
            or line.params.star_arg != cst.MaybeSentinel.DEFAULT
        ):
            continue
        params = list(line.params.params)
        body_uses = set(names_in(line.body))
        for index, param in enumerate(params):
            name = param.name.value
            if name not in removed_names or name in body_uses or param.default is not None:
                continue
            dropper = _DropArgument(line.name.value, index, name)
            changed = module.visit(dropper)
            if dropper.refused or dropper.calls != name_uses(module).get(line.name.value, 0):
                continue
            removed_names.update(dropper.dropped)
            return drop_unused_parameters(changed, removed_names)  # positions changed: start again
    return module


class _DropArgument(cst.CSTTransformer):
    def __init__(self, function: str, index: int, name: str) -> None:
        super().__init__()
        self.function, self.index, self.name = function, index, name
        self.calls, self.refused = 0, False
        self.dropped: set[str] = set()

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        if original.name.value != self.function:
            return updated
        params = [p for p in updated.params.params if p.name.value != self.name]
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(params=updated.params.with_changes(params=params))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not (isinstance(original.func, cst.Name) and original.func.value == self.function):
            return updated
        self.calls += 1
        args = list(updated.args)
        if any(arg.star for arg in args):
            self.refused = True
            return updated
        positional = [arg for arg in args if arg.keyword is None]
        target = positional[self.index] if self.index < len(positional) else None
        target = target or next((a for a in args if a.keyword is not None and a.keyword.value == self.name), None)
        if target is None:
            self.refused = True
            return updated
        if not _pure(target.value) and not isinstance(target.value, cst.Call):
            self.refused = True
            return updated
        self.dropped.update(names_in(target.value))
        self.dropped.update(dotted(func) for func in _call_nodes(target.value))
        kept = [arg for arg in args if arg is not target]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=kept)
