"""Redirections and here-documents: the file effects of ``>``, ``>>``, ``<``, ``<>``,
``&>`` and their fd forms, what feeds a command's standard input (a file, a here-document
or here-string with its text when known), and the statements tree-sitter-bash nests
inside a here-document redirection."""

from __future__ import annotations

import abc

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell.command import Floor, Stdin
from blastshield.shell.effects import static_output
from blastshield.shell.files import dev_net
from blastshield.shell.parse import Arg, Node, adjacent_groups, dropped_words, eval_nodes, eval_word, text_of
from blastshield.shell.variables import Variables

REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})


class Redirections(Variables):
    """Redirection handling of the walker; the statement methods are the walker's."""

    @abc.abstractmethod
    def stmt(self, node: Node, stdin: Stdin | None) -> None:
        """Analyse one statement (the walker does)."""

    @abc.abstractmethod
    def command(self, node: Node, stdin: Stdin | None, extra_args: list[Node] | None = None,
                dropped: list[str] | None = None) -> None:
        """Analyse one simple command (the walker does)."""

    @abc.abstractmethod
    def pipeline(self, stages: list[Node], stdin: Stdin | None, last_stdin: Stdin | None) -> None:
        """Analyse a pipeline (the walker does)."""

    @abc.abstractmethod
    def emit(self, effect: Effect, floors: list[Floor]) -> None:
        """Record one effect with its floors (the walker does)."""

    def downloads(self, start: int) -> bool:
        """Did the effects from index ``start`` on reach the network?"""
        return any(e.kind is Kind.NET for e in self.out[start:])

    def redirected(self, node: Node, stdin: Stdin | None) -> None:
        body = node.child_by_field_name("body")
        redirects = [c for c in node.children if c.type in REDIRECTS]
        extra_args: list[Node] = []
        trailing: list[Node] = []
        in_stdin: Stdin | None = None
        outputs: list[tuple[str, bool, str]] = []  # (path, known, op)
        for red in redirects:
            got = self._redirect(red, extra_args, trailing, outputs)
            if got is not None:
                in_stdin = got
        before = len(self.out)
        dropped = dropped_words(node)
        if body is not None:
            if body.type == "command":
                self.command(body, in_stdin or stdin, extra_args, dropped)
            elif body.type == "pipeline" and in_stdin is not None:
                self.pipeline(body.named_children, stdin, in_stdin)
            else:
                self.stmt(body, in_stdin or stdin)
                for group in adjacent_groups(extra_args):
                    eval_nodes(group, self)
                if dropped or extra_args:
                    self.emit(Effect.exec((text_of(node),), cwd=self.cwd, origin="line"),
                               [Floor(Verdict.ASK, "words after a redirection cannot be attributed "
                                      "to a command with certainty", unresolved=True)])
        downloaded = self.downloads(before)
        content = static_output(self.last_cmd) \
            if body is not None and body.type == "command" else None
        for path, known, op in outputs:
            self.out.extend(self.file_effects(Kind.WRITE, path, known, self.cwd, "redirect"))
            if downloaded:
                self.note_download(path, self.cwd)
            elif known and op in (">", ">|", "&>"):
                self.note_written(path, self.cwd, content)
        self._trailing(trailing, downloaded)

    def _trailing(self, trailing: list[Node], downloaded: bool) -> None:
        """Statements the grammar nests inside a here-document redirection."""
        rest = trailing
        if trailing and trailing[0].type == "pipeline":
            out = static_output(self.last_cmd) if self.last_cmd else None
            self.pipeline(trailing[0].named_children, Stdin("pipe", out, downloaded), None)
            rest = trailing[1:]
        for item in rest:
            self.stmt(item, None)

    def _redirect(self, red: Node, extra_args: list[Node], trailing: list[Node],
                  outputs: list[tuple[str, bool, str]]) -> Stdin | None:
        """Effects of one redirection; returns what it feeds to standard input, if anything."""
        if red.type == "herestring_redirect":
            words = [c for c in red.named_children]
            args = eval_nodes(words, self) if words else []
            text = " ".join(a.text for a in args)
            known = all(a.known for a in args)
            return Stdin("herestring", text + "\n" if known else None,
                         any(a.download for a in args))
        if red.type == "heredoc_redirect":
            return self._heredoc(red, trailing)
        op = ""
        dest: list[Node] = []
        for child in red.children:
            if not child.is_named:
                op += child.type
            elif child.type == "ERROR" and not dest and set(text_of(child).strip()) <= set("<>&|-"):
                op += text_of(child).strip()  # "5<>" parses as "<" then an ERROR ">"
            elif child.type == "file_descriptor":
                continue
            elif not dest or (dest[-1].end_byte == child.start_byte and not extra_args):
                dest.append(child)
            else:
                extra_args.append(child)
        if not dest:
            return None
        args = eval_nodes(dest, self)
        target = args[0] if args else Arg("", False)
        return self.redirect_to(op, target, len(args) == 1, outputs)

    def redirect_to(self, op: str, target: Arg, single: bool,
                    outputs: list[tuple[str, bool, str]]) -> Stdin | None:
        """The effects of redirecting with ``op`` to ``target`` (one word when ``single``);
        outputs are collected for after the command ran."""
        known = target.known and single
        path = target.text
        if op in (">&", "<&", ">&-", "<&-") and (path.isdigit() or path == "-"):
            return None
        if op.startswith("<") and op != "<>":
            self.out.extend(self.file_effects(Kind.READ, path, known, self.cwd, "redirect",
                                              glob=target.glob))
            net = dev_net(path)
            return Stdin("file", None, net is not None or target.download)
        if op == "<>":
            self.out.extend(self.file_effects(Kind.READ, path, known, self.cwd, "redirect",
                                              glob=target.glob))
        if target.glob:  # bash expands a glob in a redirection target (one match)
            self.out.extend(self.file_effects(Kind.WRITE, path, known, self.cwd, "redirect", glob=True))
        outputs.append((path, known, op))
        return None

    def _heredoc(self, red: Node, trailing: list[Node]) -> Stdin:
        quoted = False
        body_text = ""
        expands = False
        strip_tabs = False
        for child in red.children:
            if child.type == "heredoc_start":
                quoted = any(ch in text_of(child) for ch in "'\"\\")
            elif child.type == "<<-":
                strip_tabs = True
            elif child.type == "heredoc_body":
                body_text = text_of(child)
                if not quoted:
                    for sub in child.named_children:
                        if sub.type in ("simple_expansion", "expansion", "command_substitution"):
                            expands = True
                            eval_word(sub, self)
            elif child.is_named and child.type not in ("heredoc_end",):
                trailing.append(child)
        if strip_tabs:
            body_text = "\n".join(line.lstrip("\t") for line in body_text.split("\n"))
        return Stdin("heredoc", None if expands else body_text, False)
