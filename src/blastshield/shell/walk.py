"""Walk a bash syntax tree and collect the effects of every command that would run.

The walker follows the shell's own structure: lists, pipelines, subshells, groups,
loops and conditionals, function definitions and calls, substitutions, redirections
and here-documents. It tracks what the line itself changes (``cd``, variables,
functions, aliases, symlinks, files written by downloads) and hands every simple
command to program knowledge (:mod:`~blastshield.shell.effects`) and wrapper
knowledge (:mod:`~blastshield.shell.unwrap`), recursing into what they say runs.
"""

from __future__ import annotations

import os

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell import effects as program_effects
from blastshield.shell import unwrap
from blastshield.shell.command import Cmd, Floor, Inner, Outcome, Stdin
from blastshield.shell.globopts import with_option_names
from blastshield.shell.parse import (
    PLAIN_WORD,
    Arg,
    Node,
    adjacent_groups,
    dropped_words,
    eval_nodes,
    eval_word,
    parse,
    text_of,
)
from blastshield.shell.redirects import REDIRECTS, Redirections
from blastshield.shell.simple import SimpleCommand, simple_line

MAX_DEPTH = 24
FAST_PATH = True  # read simple lines without tree-sitter (tests switch it off for reference)
_BLOCKS = frozenset({"program", "compound_statement", "do_group", "else_clause", "elif_clause",
                     "case_item", "if_statement", "while_statement", "negated_command",
                     "case_statement", "for_statement", "c_style_for_statement", "ERROR"})


class Walker(Redirections):
    """One analysis of one command line (not reusable)."""

    def __init__(self, *, cwd: str, workspace: str, home: str, non_interactive: bool) -> None:
        super().__init__(cwd=cwd, home=home, non_interactive=non_interactive)
        self.workspace = workspace
        self.functions: dict[str, Node] = {}
        self.called: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.origin = ""
        self.depth = 0
        self.calling: set[str] = set()

    # ----------------------------------------------------------------- scripts
    def script(self, text: str, *, origin: str = "", positional: tuple[str, ...] | None = None,
               remote: bool = False, stdin: Stdin | None = None, same_shell: bool = False) -> None:
        """Analyse a whole script text (the line itself, ``bash -c``'s string, ...)."""
        if self.depth >= MAX_DEPTH:
            self.emit(Effect.exec((text,), cwd=self.cwd, origin=origin),
                       [Floor(Verdict.ASK, "wrappers nested too deeply to analyse", unresolved=True)])
            return
        lines = simple_line(text, self.home) if FAST_PATH and text.isascii() else None
        root = parse(text).root_node if lines is None else None
        saved = (self.origin, self.positional, self.cwd, self.cwd_known, self.visited)
        self.origin = origin or self.origin
        if positional is not None:
            self.positional = positional
        self.visited = set()
        self.depth += 1
        start = len(self.out)
        try:
            if lines is not None:
                self._simple(lines, stdin)
            elif root is not None:
                if root.has_error:
                    self.emit(Effect.exec((text,), cwd=self.cwd, origin=origin or "line"),
                              [Floor(Verdict.ASK, "the command line does not parse cleanly; "
                                     "it cannot be analysed with certainty", unresolved=True)])
                self.stmt(root, stdin)
                self._sweep(root)
            for name, body in list(self.functions.items()):
                if name not in self.called:
                    self.called.add(name)
                    self.stmt(body, None)
        finally:
            self.depth -= 1
            self.origin, self.positional = saved[0], saved[1]
            self.visited = saved[4]
            if not same_shell:
                self.cwd, self.cwd_known = saved[2], saved[3]
        if remote:
            kept = [e.replace(origin="remote", cwd=None)
                    for e in self.out[start:] if e.kind in (Kind.EXEC, Kind.NET)]
            del self.out[start:]
            self.out.extend(kept)

    def _simple(self, pipelines: list[list[SimpleCommand]], stdin: Stdin | None) -> None:
        """A line read by the fast front end (:mod:`.simple`): what :meth:`stmt` does for
        the same line's syntax tree, without the tree."""
        for stages in pipelines:
            if len(stages) == 1:
                self._simple_command(stages[0], stdin)
                continue
            current = stdin
            for stage in stages:
                before = len(self.out)
                self.last_cmd = None
                self._simple_command(stage, current)
                text = program_effects.static_output(self.last_cmd) if self.last_cmd else None
                current = Stdin("pipe", text, self.downloads(before))

    def _simple_command(self, command: SimpleCommand, stdin: Stdin | None) -> None:
        outputs: list[tuple[str, bool, str]] = []
        for op, target in command.redirects:
            if target:
                got = self.redirect_to(op.lstrip("12"), Arg(target), True, outputs)
                stdin = got or stdin
        n = len(command.words)
        cmd = Cmd(tuple(command.words), (True,) * n, (False,) * n, self.cwd, self.origin, stdin,
                  dict(command.assigns))
        self.finish(cmd, outputs)

    def _sweep(self, root: Node) -> None:
        """Safety net: analyse any command node the structured walk did not reach."""
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type in ("command", "declaration_command") and \
                    (node.start_byte, node.end_byte) not in self.visited:
                self.stmt(node, None)
                continue
            if node.type in ("heredoc_body", "raw_string"):
                continue
            stack.extend(node.children)

    # -------------------------------------------------------------- statements
    def stmt(self, node: Node, stdin: Stdin | None) -> None:
        kind = node.type
        if kind == "command":
            self.command(node, stdin)
        elif kind == "list":
            for child in node.named_children:
                self.stmt(child, stdin)
        elif kind == "pipeline":
            self.pipeline(node.named_children, stdin, None)
        elif kind == "redirected_statement":
            self.redirected(node, stdin)
        elif kind == "subshell":
            saved = (self.cwd, self.cwd_known)
            for child in node.named_children:
                self.stmt(child, stdin)
            self.cwd, self.cwd_known = saved
        elif kind == "function_definition":
            self._define_function(node)
        elif kind in ("variable_assignment", "variable_assignments"):
            self._assignments(node)
        elif kind == "declaration_command":
            self._declaration(node)
        elif kind == "for_statement":
            self._for(node, stdin)
        elif kind in REDIRECTS:  # "$(< file)": a redirection with no command
            outputs: list[tuple[str, bool, str]] = []
            trailing: list[Node] = []
            self._redirect(node, [], trailing, outputs)
            for path, known, _ in outputs:
                self.out.extend(self.file_effects(Kind.WRITE, path, known, self.cwd, "redirect"))
            self._trailing(trailing, False)
        elif kind in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            return
        elif kind in _BLOCKS or node.named_child_count:
            for child in node.named_children:
                if child.type in ("word", "string", "raw_string", "concatenation", "number",
                                  "simple_expansion", "expansion", "variable_name"):
                    self._words_only(child)
                elif child.type in ("command_substitution", "process_substitution"):
                    self.substitution(child)
                else:
                    self.stmt(child, stdin)

    def _words_only(self, node: Node) -> None:
        eval_word(node, self)

    def pipeline(self, stages: list[Node], stdin: Stdin | None, last_stdin: Stdin | None) -> None:
        current = stdin
        # tree-sitter-bash parses "cd x && a | b" as "(cd x && a) | b", so a directory change
        # carries forward into later stages (as it does in bash for that line).
        for index, stage in enumerate(stages):
            before = len(self.out)
            self.last_cmd = None
            if index == len(stages) - 1 and last_stdin is not None:
                current = last_stdin
            self.stmt(stage, current)
            text = program_effects.static_output(self.last_cmd) if self.last_cmd else None
            current = Stdin("pipe", text, self.downloads(before))

    # ---------------------------------------------------------------- commands
    def command(self, node: Node, stdin: Stdin | None, extra_args: list[Node] | None = None,
                dropped: list[str] | None = None) -> None:
        self.visited.add((node.start_byte, node.end_byte))
        assigns: dict[str, str | None] = {}
        words: list[Node] = []
        local_stdin = stdin
        outputs: list[tuple[str, bool, str]] = []
        trailing: list[Node] = []
        more: list[Node] = []
        for child in node.children:
            if child.type == "variable_assignment":
                name, value = self._assignment_value(child)
                assigns[name] = value
            elif child.type in REDIRECTS:
                got = self._redirect(child, more, trailing, outputs)
                if got is not None:
                    local_stdin = got
            elif (child.is_named and child.type != "comment") or child.type in ("==", "=~"):
                words.append(child)
        words.extend(extra_args or ())
        words.extend(more)
        args: list[Arg] = []
        for group in adjacent_groups(words):
            args.extend(eval_nodes(group, self))
        for word in (dropped or []) + dropped_words(node):
            # text the grammar left out of every node: keep it, literal only when plainly so
            args.append(Arg(word, PLAIN_WORD.fullmatch(word) is not None))
        if not args:
            self.vars.update(assigns)
            return
        args = with_option_names(args, self.cwd, self)  # `tar cf a.tar *` next to a file named --to-command=…
        computed_name = args[0].expanded or args[0].glob
        if args[0].glob:
            args[0] = Arg(args[0].text, False, args[0].download)
        cmd = Cmd(tuple(a.text for a in args), tuple(a.known for a in args),
                  tuple(a.download for a in args), self.cwd, self.origin, local_stdin,
                  {**self.exported, **assigns}, globs=tuple(a.glob for a in args))
        self._trailing(trailing, self.finish(cmd, outputs, computed_name=computed_name))

    def finish(self, cmd: Cmd, outputs: list[tuple[str, bool, str]], *,
               computed_name: bool = False) -> bool:
        """Run one simple command, then its output redirections; True when it downloads."""
        self.last_cmd = cmd
        before = len(self.out)
        self.run(cmd, computed_name=computed_name)
        downloaded = self.downloads(before)
        content = program_effects.static_output(cmd) if outputs else None
        for path, known, op in outputs:
            self.out.extend(self.file_effects(Kind.WRITE, path, known, self.cwd, "redirect"))
            if downloaded:
                self.note_download(path, self.cwd)
            elif known and op in (">", ">|", "&>"):
                self.note_written(path, self.cwd, content)
        return downloaded

    def run(self, cmd: Cmd, *, computed_name: bool = False) -> None:
        """Judge one simple command: its exec effect, program effects, inner commands."""
        if not cmd.argv:
            return
        name = cmd.argv[0]
        if cmd.known[0] and name in self.functions and name not in self.calling:
            self.called.add(name)
            self.calling.add(name)
            saved = self.positional
            self.positional = cmd.argv
            try:
                self.stmt(self.functions[name], cmd.stdin)
            finally:
                self.positional = saved
                self.calling.discard(name)
            return
        if self.depth >= MAX_DEPTH:
            self.emit(Effect.exec(cmd.argv, cwd=cmd.cwd, origin=cmd.origin),
                       [Floor(Verdict.ASK, "wrappers nested too deeply to analyse", unresolved=True)])
            return
        outcome = Outcome()
        if computed_name and cmd.known[0]:
            outcome.unresolved("the program name comes from a variable or a glob")
        if not cmd.known[0]:
            outcome.unresolved("the program name is not statically known")
        elif cmd.known[0] and name in self.aliases:
            outcome.unresolved(f"'{name}' is an alias defined in this command line")
            outcome.inner.append(Inner("alias", script=self.aliases[name] + " " +
                                       " ".join(_quote(a) for a in cmd.argv[1:])))
        else:
            self._builtin(cmd, outcome)
            program_effects.analyze(cmd, self, outcome)
            unwrap.unwrap(cmd, self, outcome)
        self.emit(Effect(Kind.EXEC, " ".join(cmd.argv), cmd.argv, cmd.cwd, origin=cmd.origin),
                  outcome.floors)
        self.out.extend(outcome.effects)
        for path in outcome.downloads_to:
            self.note_download(path, cmd.cwd)
        self.depth += 1
        try:
            for inner in outcome.inner:
                self._inner(inner, cmd)
        finally:
            self.depth -= 1

    def _inner(self, inner: Inner, outer: Cmd) -> None:
        if inner.cmd is not None:
            inner.cmd.origin = inner.origin
            self.run(inner.cmd)
        elif inner.script is not None:
            saved_cwd = self.cwd, self.cwd_known
            self.cwd = outer.cwd
            self.script(inner.script, origin=inner.origin, positional=inner.positional or None,
                        remote=inner.remote, stdin=inner.stdin)
            self.cwd, self.cwd_known = saved_cwd

    def emit(self, effect: Effect, floors: list[Floor]) -> None:
        if not floors:
            self.out.append(effect)
            return
        order = sorted(floors, key=lambda f: (-f.verdict.rank, f.form is not None)) \
            if len(floors) > 1 else floors
        for floor in order:
            verdict = floor.verdict
            if floor.unresolved and self.non_interactive:
                verdict = Verdict.DENY
            effect = effect.with_floor(verdict, floor.reason, floor.form)
        self.out.append(effect)

    def _builtin(self, cmd: Cmd, outcome: Outcome) -> None:
        """Shell state the command line changes: cd, pushd, alias, functions, trap."""
        name = cmd.name
        if name in ("cd", "pushd", "chdir"):
            targets = [i for i in range(1, len(cmd.argv)) if not cmd.argv[i].startswith("-")
                       or cmd.argv[i] == "-"]
            if not targets:
                self.cwd, self.cwd_known = (self.home, True) if name != "pushd" else \
                    (self.cwd, self.cwd_known)
                return
            i = targets[0]
            target = cmd.argv[i]
            if not cmd.known[i] or target == "-":
                self.cwd = os.path.normpath(os.path.join(self.cwd, target))
                self.cwd_known = False
            else:
                self.cwd = os.path.normpath(os.path.join(self.cwd, target))
        elif name == "popd":
            self.cwd_known = False
        elif name == "alias":
            for i, arg in enumerate(cmd.argv[1:], 1):
                alias, eq, value = arg.partition("=")
                if eq:
                    self.aliases[alias] = value
                    outcome.inner.append(Inner("alias", script=value))
                    if not cmd.known[i]:
                        outcome.unresolved("an alias with a value that is not statically known")

    def _define_function(self, node: Node) -> None:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name_node is not None and body is not None:
            self.functions[text_of(name_node)] = body

    def _for(self, node: Node, stdin: Stdin | None) -> None:
        var = node.child_by_field_name("variable")
        body = node.child_by_field_name("body")
        values: list[Arg] = []
        for child in node.children_by_field_name("value"):
            values.extend(eval_word(child, self))
        if var is None or body is None:
            return
        name = text_of(var)
        if any(v.glob and v.known for v in values):  # bash expands the globs before the loop
            values = [m for v in values for m in
                      ([Arg(p) for p in self._glob(v.text, self.cwd)] or [v] if v.glob else [v])]
        if values and all(v.known for v in values) and len(values) <= 16:
            for value in values:
                self.vars[name] = value.text
                self.stmt(body, stdin)
        else:
            self.vars[name] = None
            self.stmt(body, stdin)

    # ------------------------------------------------------------------ Scope
    def prompt(self, text: str | None) -> None:
        self.emit(Effect.exec((text or "${...@P}",), cwd=self.cwd, origin="prompt expansion"),
                  [Floor(Verdict.ASK, "prompt expansion (${var@P}) runs the command substitutions "
                         "its value holds", unresolved=True)])
        if text and ("$(" in text or "`" in text):
            self.script(text, origin="prompt expansion")

    def substitution(self, node: Node) -> bool:
        saved = (self.cwd, self.cwd_known, self.last_cmd)
        before = len(self.out)
        # >(cmd): cmd reads what the outer command writes there
        stdin = Stdin("pipe") if text_of(node).startswith(">(") else None
        for child in node.named_children:
            self.stmt(child, stdin)
        self.cwd, self.cwd_known, self.last_cmd = saved
        return self.downloads(before)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
