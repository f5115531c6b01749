"""The common cookie prototype becomes `GrokClient(resolve_authenticator()).chat(...)`.

The shape, within one block of statements (a function body or the module):

1. `jar = <browser-cookie reader>(... "grok.com" ...)` (browser_cookie3, rookiepy, pycookiecheat, any alias);
2. optionally names derived from it only (`cookies = {c.name: c.value for c in jar}`, a `Cookie` header);
3. `reply = requests.post(<grok.com chat URL>, json={"message": P, "modelName": M, ...}, cookies=/headers=...)`;
4. the reply read as NDJSON: a loop over `reply.iter_lines()` / `reply.text.splitlines()` that collects the
   tokens (or the final message) into `answer` (-> `answer = reply.text`), or prints them as they come
   (-> a loop over the stream), or `json.loads(<last line>)[...]["modelResponse"]["message"]` (-> `reply.text`).

Anything else that touches the cookies or the reply, an unknown request field, or a loop that does more than
parse and collect, and the block is left as it is (its findings stay).
"""

from __future__ import annotations

import libcst as cst

from .cst_tools import GuardedTransformer, ModuleFacts, dotted, keyword, literal, names_in, statement_of

__all__ = ["PrototypeToClient"]

CHAT_PATH = "/rest/app-chat/conversations/new"
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
_LOOP_CALLS = frozenset(
    {"json.loads", "loads", "get", "strip", "decode", "startswith", "isinstance", "len", "print", "lstrip", "rstrip"}
)
_CLIENT = "GrokClient(resolve_authenticator())"
_code = cst.Module([]).code_for_node


def _literals(node: cst.CSTNode) -> list[str]:
    found: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            if (value := literal(string)) is not None:
                found.append(value)

    node.visit(Visitor())
    return found


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


def _assigned(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            found.update(names_in(target.target))

        def visit_AugAssign(self, assign: cst.AugAssign) -> None:
            found.update(names_in(assign.target))

        def visit_For(self, loop: cst.For) -> None:
            found.update(names_in(loop.target))

    node.visit(Visitor())
    return found


def _single_assign(line: cst.BaseStatement) -> tuple[str, cst.BaseExpression] | None:
    small = statement_of(line)
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    return None


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


class PrototypeToClient(GuardedTransformer):
    def __init__(self, facts: ModuleFacts, readers: dict[str, str]) -> None:
        super().__init__()
        self.facts = facts
        self.readers = readers  # local dotted name -> the browser-cookie module or function it is bound to
        self.changes: list[str] = []
        self.left: list[str] = []

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._block(list(updated.body), original.body))

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._block(list(updated.body), original.body))

    # --- the shape, step by step ---------------------------------------------------------------------------
    def _reader(self, line: cst.BaseStatement) -> tuple[str, str] | None:
        assign = _single_assign(line)
        if assign is None or not isinstance(assign[1], cst.Call):
            return None
        name = dotted(assign[1].func)
        reader = next(
            (
                target + name[len(local) :]
                for local, target in self.readers.items()
                if name == local or name.startswith(local + ".")
            ),
            None,
        )
        if reader is None or not any("grok.com" in text for text in _literals(assign[1])):
            return None
        return assign[0], reader

    def _chat_post(self, value: cst.BaseExpression, cookies: set[str]) -> tuple[str, bool] | None:
        """The `.chat(...)` call text for a provable `requests.post` to the chat endpoint, and whether it streams."""
        if not (
            isinstance(value, cst.Call)
            and dotted(value.func) == "requests.post"
            and value.args
            and value.args[0].keyword is None
        ):
            return None
        url = self.facts.string_of(value.args[0].value) or ""
        if "grok.com" not in url or not url.rstrip("/").endswith(CHAT_PATH):
            return None
        allowed = {"json", "cookies", "headers", "stream", "timeout"}
        if any(arg.keyword is None or arg.keyword.value not in allowed for arg in value.args[1:]):
            return None
        for name in ("cookies", "headers"):
            arg = keyword(value, name)
            if arg is not None and not (set(names_in(arg.value)) <= cookies and _calls(arg.value) in ([], ["join"])):
                return None
        body = keyword(value, "json")
        if body is None or not isinstance(body.value, cst.Dict):
            return None
        fields: dict[str, cst.BaseExpression] = {}
        for element in body.value.elements:
            key = literal(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            fields[key] = element.value
        if "message" not in fields or any(
            key not in ("message", "modelName") and not (key in _NEUTRAL_FIELDS and _neutral(node))
            for key, node in fields.items()
        ):
            return None
        model = f", model={_code(fields['modelName'])}" if "modelName" in fields else ""
        return f"{_CLIENT}.chat({_code(fields['message'])}{model}", bool(keyword(value, "stream"))

    def _block(self, lines: list[cst.BaseStatement], originals) -> list[cst.BaseStatement]:
        """The block rewritten, or as it is; a block holding a `cookie-session: ignore` mark is left alone."""
        if any(self.guarded(line) for line in originals):
            return lines
        for index, line in enumerate(lines):
            found = self._reader(line)
            if found is not None:
                rewritten = self._rewrite(lines, index, *found)
                if rewritten is not None:
                    return rewritten
                self.left.append(
                    f"{found[1]}() is used in a way --fix cannot prove equivalent to a "
                    "GrokClient call (see MIGRATING.md): move it by hand"
                )
        return lines

    def _rewrite(self, lines: list[cst.BaseStatement], start: int, jar: str, reader: str):
        cookies, removed = {jar}, {start}
        for index in range(start + 1, len(lines)):
            assign = _single_assign(lines[index])
            if assign is not None and set(names_in(assign[1])) & cookies:
                post = self._chat_post(assign[1], cookies)
                if post is not None:
                    return self._read(lines, removed, index, assign[0], post, cookies, reader)
                if set(_calls(assign[1])) <= {"join", "dict", "str", "items", "dict_from_cookiejar"}:
                    cookies.add(assign[0])
                    removed.add(index)
                    continue
            if set(names_in(lines[index])) & cookies:
                return None
        return None

    def _read(self, lines, removed, post_index, reply, post, cookies, reader):
        call, _ = post
        rest = list(enumerate(lines))[post_index + 1 :]
        out: dict[int, cst.BaseStatement | None] = {post_index: None}  # None: replaced below
        for index, line in rest:
            if not isinstance(line, cst.For) or names_in(line.iter) != [reply] or not _is_token_loop(line):
                continue
            after = [other for i, other in rest if i > index]
            local = _assigned(line.body) | set(names_in(line.target))
            collected = [name for name in local if _initialised_empty(lines, post_index, index, name)]
            if len(collected) == 1 and not (local - {collected[0]}) & _mentions(after):
                init = next(
                    i
                    for i in range(index)
                    if (assign := _single_assign(lines[i])) is not None
                    and assign[0] == collected[0]
                    and i not in removed
                )
                removed.add(init)
                out[index] = cst.parse_statement(f"{collected[0]} = {reply}.text\n").with_changes(
                    leading_lines=line.leading_lines
                )
                break
            if not collected and "print" in _calls(line.body) and not local & _mentions(after):
                out[index] = cst.parse_statement(
                    f'for piece in {reply}:\n    print(piece, end="", flush=True)\n'
                ).with_changes(leading_lines=line.leading_lines)
                call = call + ", stream=True"
                break
            return None
        aliases = _reply_aliases(lines, post_index, reply)
        final = _FinalMessage(reply, set(aliases))
        new_lines = []
        for index, line in enumerate(lines):
            if index in removed:
                continue
            if index == post_index:
                line = cst.parse_statement(f"{reply} = {call})\n").with_changes(leading_lines=line.leading_lines)
            elif index in out:
                line = out[index]
            elif index > post_index:
                line = line.visit(final)
            new_lines.append(line)
        if len(out) == 1 and final.count == 0:
            return None  # the reply is not read in a way this rewrite knows
        alias_lines = {id(line) for line in new_lines if (assign := _single_assign(line)) and assign[0] in aliases}
        if alias_lines:
            new_lines = [line for line in new_lines if id(line) not in alias_lines]
            if _mentions(new_lines) & set(aliases):
                return None
        post_line = new_lines[post_index - len([i for i in removed if i < post_index])]
        others = [line for line in new_lines if line is not post_line]
        if _mentions(others) & cookies or _reply_misused(others, reply):
            return None
        self.changes.append(
            f"cookie prototype ({reader}() + requests.post to grok.com{CHAT_PATH}) -> {_CLIENT}.chat(...)"
        )
        return new_lines


def _reply_aliases(lines, post_index: int, reply: str) -> list[str]:
    """Names assigned after the post from the reply's text only (`last = reply.text.splitlines()[-1]`)."""
    aliases = []
    for line in lines[post_index + 1 :]:
        assign = _single_assign(line)
        if assign and names_in(assign[1]) == [reply] and set(_calls(assign[1])) <= {"strip", "splitlines", "split"}:
            aliases.append(assign[0])
    return aliases


def _neutral(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("False", "True", "None")
    if isinstance(node, (cst.List, cst.Dict, cst.Tuple)):
        return not node.elements
    if isinstance(node, cst.Integer):
        return True
    return literal(node) is not None


def _is_token_loop(loop: cst.For) -> bool:
    """A loop that parses NDJSON lines and picks the answer's text out of them, and does nothing else."""
    strings = _literals(loop.body)
    calls = set(_calls(loop.body))
    return (
        ("token" in strings or "modelResponse" in strings)
        and bool(calls & {"json.loads", "loads"})
        and calls <= _LOOP_CALLS
        and loop.orelse is None
    )


def _initialised_empty(lines, post_index: int, loop_index: int, name: str) -> bool:
    for index in range(loop_index):
        assign = _single_assign(lines[index])
        if assign and assign[0] == name and literal(assign[1]) == "":
            return all(name not in names_in(lines[i]) for i in range(index + 1, loop_index))
    return False


def _mentions(lines) -> set[str]:
    found: set[str] = set()
    for line in lines:
        found.update(names_in(line))
    return found


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
        if isinstance(line, cst.For) and names_in(line.iter) == [reply]:
            continue  # the stream loop written above
        line.visit(visitor)
    return visitor.bad
