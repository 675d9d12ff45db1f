"""Programs that run code given in their arguments, flags or standard input.

Each is at least ``ask``; the floor's ``form`` is the literal risky token (``-c``, ``-e``,
the awk program text, the make target...) so that a policy allow rule naming that exact
form lifts it. Code built from a download is ``deny``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import NamedTuple

from blastshield.effects import Kind
from blastshield.shell import tarprog
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.netprog import listener
from blastshield.shell.opts import scan

Handler = Callable[[Cmd, FileContext, Outcome], None]


class Interp(NamedTuple):
    code: tuple[str, ...]  # options whose value is code ("-c", "--eval")
    modules: tuple[str, ...] = ()  # options that load code by name ("-m", "--require")
    short_values: str = ""  # every short option letter that takes a value
    long_values: tuple[str, ...] = ()
    in_place: bool = False  # -i edits the files named after the code


INTERPRETERS: dict[str, Interp] = {
    "python": Interp(("-c",), ("-m",), "cmWXQ"),
    "pypy": Interp(("-c",), ("-m",), "cmWXQ"),
    "node": Interp(("-e", "--eval", "-p", "--print"), ("-r", "--require", "--import", "--loader",
                                                       "--experimental-loader"),
                   "eprC", ("--eval", "--print", "--require", "--import", "--loader",
                            "--experimental-loader", "--conditions", "--input-type")),
    "nodejs": Interp(("-e", "--eval", "-p", "--print"), ("-r", "--require"), "eprC",
                     ("--eval", "--print", "--require")),
    "perl": Interp(("-e", "-E"), ("-M", "-m"), "eEMmIlx0C", in_place=True),
    "ruby": Interp(("-e",), ("-r",), "erICEFx", in_place=True),
    "php": Interp(("-r", "-B", "-R", "-E"), ("-F", "-d"), "rBREFcdzStf"),
    "lua": Interp(("-e",), ("-l",), "el"), "luajit": Interp(("-e",), ("-l",), "elj"),
    "Rscript": Interp(("-e", "--expr"), (), "e"), "R": Interp(("-e",), (), "e"),
    "julia": Interp(("-e", "-E", "--eval", "--print"), ("-L", "--load"), "eEL"),
    "osascript": Interp(("-e",), (), "el"), "expect": Interp(("-c",), (), "cf"),
    "tclsh": Interp((), ()), "jshell": Interp((), ()),
    "groovy": Interp(("-e",), (), "e"), "scala": Interp(("-e",), (), "e"),
}


def interpreter(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    from blastshield.shell.effects import program

    spec = INTERPRETERS[program(cmd.argv[0])]
    found = scan(cmd.argv, short_values=spec.short_values,
                 long_values=spec.long_values, stop_at_positional=True)
    ran_code = False
    for opt in found.opts:
        at = opt.value_index if opt.value_index is not None else opt.index
        if opt.name in spec.code:
            ran_code = True
            if cmd.dl[at]:
                out.deny(f"{cmd.name} {opt.name} runs code built from a download")
            elif not cmd.known[at]:
                out.unresolved(f"{cmd.name} {opt.name} runs code that is not statically known")
            out.ask(f"{cmd.name} {opt.name} runs code given on the command line", form=opt.name)
        elif opt.name in spec.modules:
            out.ask(f"{cmd.name} {opt.name} loads and runs code by name", form=opt.name)
            if opt.name == "-m" and spec.short_values.startswith("cm"):
                ran_code = True
                _python_module(cmd, ctx, out, opt.value or "", at)
    if spec.in_place and any(re.match(r"-[A-Za-z]*i", cmd.argv[o.index]) for o in found.opts):
        files = found.positional if ran_code else found.positional[1:]
        add_paths(cmd, ctx, out, Kind.WRITE, files)
    if ran_code:
        return
    if cmd.name == "php" and found.values("-S"):
        value = found.values("-S")[0].value or ""
        port = value.rsplit(":", 1)[-1]
        listener(out, int(port) if port.isdigit() else None, "php", "php -S")
        return
    script = found.positional[0] if found.positional else None
    if script is not None and program(cmd.argv[0]) in ("python", "pypy") and cmd.known[script] \
            and _is_blastshield_entry(cmd.argv[script], cmd.cwd):
        # `python …/blastshield/__main__.py hook …` is `blastshield hook …` (what init registers).
        from blastshield.shell.selfprog import blastshield as blastshield_command

        blastshield_command(cmd.derived(("blastshield", *cmd.argv[script + 1:]), origin=cmd.origin), ctx, out)
    run_file(cmd, ctx, out, script, shell=False)


def _is_blastshield_entry(path: str, cwd: str) -> bool:
    """A path that runs blastshield's command line when given to Python: any copy's
    ``blastshield/__main__.py``, ``blastshield/cli/__main__.py`` or the package folder itself."""
    resolved = os.path.realpath(os.path.join(cwd, os.path.expanduser(path)))
    parts = resolved.split(os.sep)
    return (parts[-2:] == ["blastshield", "__main__.py"]
            or parts[-3:] == ["blastshield", "cli", "__main__.py"]
            or (parts[-1] == "blastshield" and os.path.isfile(os.path.join(resolved, "__main__.py"))))


def run_file(cmd: Cmd, ctx: FileContext, out: Outcome, script: int | None, *, shell: bool) -> None:
    """A shell or interpreter runs a script file, or code from standard input."""
    if script is None or cmd.argv[script] in ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"):
        stdin = cmd.stdin
        if stdin is None or cmd.stdin_args:
            return
        if stdin.download:
            out.deny(f"{cmd.name} runs code downloaded from the network")
        elif shell and stdin.text is not None:
            out.inner.append(Inner(f"{cmd.name} stdin", script=stdin.text))
        elif stdin.kind == "file" and shell:
            return
        elif shell:
            out.unresolved(f"{cmd.name} runs commands fed on standard input that are not "
                           "statically known")
        else:
            out.ask(f"{cmd.name} runs code fed on standard input")
        return
    path = cmd.argv[script]
    if cmd.dl[script]:
        out.deny(f"{cmd.name} runs code downloaded from the network")
    elif not cmd.known[script]:
        out.unresolved(f"{cmd.name} runs a script whose name is not statically known")
    elif ctx.was_downloaded(path, cmd.cwd):
        out.deny(f"{cmd.name} runs {path}, which a download in this command line wrote")
    else:
        wrote, content = ctx.written_content(path, cmd.cwd)
        if wrote and shell and content is not None:
            out.inner.append(Inner(f"{cmd.name} {path}", script=content,
                                   positional=tuple(cmd.argv[script:])))
        elif wrote:
            out.unresolved(f"{cmd.name} runs {path}, which this command line wrote")
    out.effects.extend(ctx.file_effects(Kind.READ, path, cmd.known[script], cmd.cwd, cmd.name))


def _python_module(cmd: Cmd, ctx: FileContext, out: Outcome, module: str, at: int) -> None:
    if module in ("http.server", "SimpleHTTPServer", "CGIHTTPServer", "pydoc", "smtpd",
                  "xmlrpc.server"):
        port = 8000
        for i in range(at + 1, len(cmd.argv)):
            if cmd.argv[i].isdigit():
                port = int(cmd.argv[i])
                break
        listener(out, port, "python -m " + module, f"python -m {module}")
    elif module == "pip":
        from blastshield.shell.pkgprog import pip_args

        pip_args(cmd, out, at + 1, "python -m pip")
    else:
        from blastshield.shell.toolprog import module_handler

        handler = module_handler(module)
        if handler is not None:  # python -m pytest ...: the tool's own arguments
            handler(cmd.derived((module, *cmd.argv[at + 1:]), origin=cmd.origin), ctx, out)


def _deno(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, stop_at_positional=True)
    if not found.positional:
        return
    sub = cmd.argv[found.positional[0]]
    if sub == "eval":
        out.ask("deno eval runs code given on the command line", form="eval")
    elif sub in ("run", "install", "x"):
        rest = scan(cmd.argv, found.positional[0] + 1, stop_at_positional=True,
                    long_values=("--config", "--import-map", "--location", "--seed"))
        for i in rest.positional[:1]:
            if "://" in cmd.argv[i] or cmd.argv[i].startswith(("npm:", "jsr:")):
                out.deny(f"deno {sub} runs code downloaded from the network")


def _pwsh(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for arg in cmd.argv[1:]:
        low = arg.lower()
        if low in ("-c", "-command", "-e", "-ec", "-enc", "-encodedcommand", "-commandwithargs",
                   "-cwa"):
            out.ask(f"{cmd.name} {arg} runs code given on the command line", form=arg)
            return


def _pager(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="bhjkoOpPtTxyz#" if cmd.name != "man" else "PHpMmCLSe",
                 long_values=("--pager", "--html", "--preprocessor", "--lesskey-file", "--log-file",
                              "--LOG-FILE", "--lesskey-src", "--config-file"), plus_options=True)
    for opt in found.opts:
        if opt.name.startswith("+") or (opt.name in ("-P", "--pager", "-H", "--html", "-p",
                                                     "--preprocessor", "-k", "--lesskey-file",
                                                     "--lesskey-src") and \
                (cmd.name == "man" or opt.name.startswith("+") or opt.name in ("-k", "--lesskey-file",
                                                                               "--lesskey-src"))):
            out.ask(f"{cmd.name} {opt.name} can run commands", form=cmd.argv[opt.index])
    for i in range(1, len(cmd.argv)):
        if cmd.argv[i].startswith("+"):
            out.ask(f"{cmd.name} {cmd.argv[i]} runs pager commands", form=cmd.argv[i])
    if cmd.name != "man":
        add_paths(cmd, ctx, out, Kind.READ, [i for i in found.positional
                                             if not cmd.argv[i].startswith("+")])


def _editor(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="cSusTrUiwWqt", long_values=("--cmd", "--servername"),
                 plus_options=True)
    for opt in found.opts:
        if opt.name in ("-c", "--cmd", "-S", "-u", "-s", "-w", "-W", "-e", "-E") or \
                opt.name.startswith("+"):
            out.ask(f"{cmd.name} {opt.name} runs editor commands", form=cmd.argv[opt.index])
            break
    if cmd.name in ("ex", "exim") or (cmd.stdin is not None and cmd.stdin.kind != "pipe"):
        out.ask(f"{cmd.name} runs editor commands from standard input", form=cmd.name)
    add_paths(cmd, ctx, out, Kind.WRITE, [i for i in found.positional
                                          if not cmd.argv[i].startswith("+")])


def _emacs(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for arg in cmd.argv[1:]:
        name = arg.split("=", 1)[0]
        if name in ("--eval", "-l", "--load", "-f", "--funcall", "--batch", "-batch", "--script",
                    "-x", "--execute"):
            out.ask(f"emacs {name} runs Lisp code", form=name)
            return


def _gdb(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for i, arg in enumerate(cmd.argv[1:], 1):
        name = arg.split("=", 1)[0]
        if name in ("-ex", "--ex", "-x", "--x", "-eval-command", "--eval-command", "-command",
                    "--command", "-iex", "-ix", "-batch", "--batch"):
            out.ask(f"gdb {name} runs debugger commands", form=name)
            return
        if arg == "--args" and i + 1 < len(cmd.argv):
            out.inner.append(Inner("gdb --args", cmd=cmd.tail(i + 1, origin="gdb --args")))
            return


def _make(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="fCIojlOWE", long_values=("--file", "--makefile",
                                                                "--directory", "--include-dir",
                                                                "--jobs", "--load-average",
                                                                "--old-file", "--what-if",
                                                                "--eval"))
    targets = [cmd.argv[i] for i in found.positional if "=" not in cmd.argv[i]]
    form = targets[0] if targets else cmd.name
    out.ask(f"{cmd.name} runs the recipes of the Makefile", form=form)
    if found.values("-E", "--eval"):
        out.ask(f"{cmd.name} --eval runs make code given on the command line", form="--eval")


#: GNU tar (fileprog's handler calls it here): its own module, tarprog.
tar = tarprog.tar


HANDLERS: dict[str, Handler] = {name: interpreter for name in INTERPRETERS}
HANDLERS.update({
    "deno": _deno, "pwsh": _pwsh, "powershell": _pwsh,
    "less": _pager, "more": _pager, "most": _pager, "man": _pager,
    "vi": _editor, "vim": _editor, "nvim": _editor, "view": _editor, "gvim": _editor,
    "ex": _editor, "rvim": _editor, "vimdiff": _editor,
    "emacs": _emacs, "gdb": _gdb, "make": _make, "gmake": _make, "bmake": _make,
})
