"""Wrappers: programs that run another command or a shell string.

Each wrapper yields :class:`~blastshield.shell.command.Inner` items (an argv, or a
script text analysed as a whole command line); the walker analyses them recursively,
so ``sudo env FOO=1 nice -n 5 bash -c 'git push'`` meets ``git push *``. Both the
wrapper and the inner command are exec effects.
"""

from __future__ import annotations

import os
import re
import shlex

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell import fanout
from blastshield.shell.codeprog import run_file
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.effects import program
from blastshield.shell.files import FileContext
from blastshield.shell.opts import scan
from blastshield.shell.wrappers import SHELLS, WRAPPERS, Unwrapper, Wrap, generic, has_flag, script


def unwrap(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """Add what ``cmd`` runs in turn to ``out.inner`` (and the wrapper's own floors)."""
    name = program(cmd.argv[0])
    special = SPECIAL.get(name)
    if special is not None:
        special(cmd, ctx, out)
    elif name in SHELLS:
        _shell(cmd, ctx, out)
    elif name in WRAPPERS:
        generic(cmd, ctx, out, WRAPPERS[name])


# --------------------------------------------------------------------- shells
def _shell(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="oO", long_values=("--rcfile", "--init-file"),
                 plus_options=True)
    for opt in found.values("--rcfile", "--init-file"):
        out.ask(f"{cmd.name} {opt.name} runs a start-up file", form=opt.name)
    # options end at the first operand; re-scan so that "bash script.sh -c x" is not -c
    first = found.positional[0] if found.positional else len(cmd.argv)
    option_names = {o.name for o in found.opts if o.index < first}
    if "-c" in option_names:
        if not found.positional:
            return
        i = found.positional[0]
        script(cmd, out, cmd.argv[i], f"{cmd.name} -c", i,
                positional=tuple(cmd.argv[i + 1:]))
        return
    if "-s" in option_names or not found.positional:
        run_file(cmd, ctx, out, None, shell=True)
        return
    run_file(cmd, ctx, out, found.positional[0], shell=True)


def _eval(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) < 2:
        return
    script(cmd, out, " ".join(cmd.argv[1:]), "eval", 1, all_known=all(cmd.known[1:]),
            download=any(cmd.dl[1:]))


def _source(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) < 2:
        return
    out.unresolved(f"'{cmd.argv[0]}' runs the commands of a file in this shell")
    run_file(cmd, ctx, out, 1, shell=True)


def _env(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="uCSP", long_values=("--unset", "--chdir", "--split-string"),
                 stop_at_positional=True)
    words: list[tuple[str, bool, bool, bool]] = []
    for opt in found.values("-S", "--split-string"):
        at = opt.value_index if opt.value_index is not None else opt.index
        try:
            parts = shlex.split(opt.value or "")
        except ValueError:
            out.unresolved("env -S has a string that cannot be split with certainty")
            parts = (opt.value or "").split()
        words.extend((p, cmd.known[at], cmd.dl[at], False) for p in parts)
    for i in found.positional:
        words.append((cmd.argv[i], cmd.known[i], cmd.dl[i], cmd.glob(i)))
    assigns: dict[str, str | None] = {}
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0][0]):
        key, _, value = words[0][0].partition("=")
        assigns[key] = value if words[0][1] else None
        words.pop(0)
    if not words:
        out.effects.append(Effect.env("*", origin="env").with_floor(
            Verdict.ASK, "'env' without a command prints every environment variable"))
        return
    cwd = None
    chdir = found.values("-C", "--chdir")
    if chdir:
        cwd = os.path.normpath(os.path.join(cmd.cwd, chdir[0].value or ""))
    inner = Cmd(tuple(w[0] for w in words), tuple(w[1] for w in words), tuple(w[2] for w in words),
                cwd or cmd.cwd, "env", cmd.stdin, {**cmd.assigns, **assigns}, dict(cmd.placeholders),
                cmd.stdin_args, cmd.remote, tuple(w[3] for w in words))
    out.inner.append(Inner("env", cmd=inner))


def _sudo(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if cmd.name == "sudoedit" or has_flag(cmd, ("-e", "--edit")):
        found = scan(cmd.argv, short_values=WRAPPERS["sudo"].short, long_values=WRAPPERS["sudo"].long)
        for i in found.positional:
            out.effects.extend(ctx.file_effects(Kind.WRITE, cmd.argv[i], cmd.known[i], cmd.cwd,
                                                "sudoedit"))
        return
    generic(cmd, ctx, out, WRAPPERS["sudo"])


def _nice(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    start = 2 if len(cmd.argv) > 1 and re.fullmatch(r"-\d+|--\d+", cmd.argv[1]) else 1
    generic(cmd, ctx, out, WRAPPERS["nice"], start)


def _watch(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if has_flag(cmd, ("-x", "--exec")):
        generic(cmd, ctx, out, Wrap("nd", ("--interval", "--differences")))
    else:
        generic(cmd, ctx, out, WRAPPERS["watch"])


def _su(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    wrap = WRAPPERS[cmd.name]
    found = scan(cmd.argv, short_values=wrap.short, long_values=wrap.long)
    for opt in found.values(*wrap.script_opts):
        script(cmd, out, opt.value or "", f"{cmd.name} {opt.name}",
                opt.value_index if opt.value_index is not None else opt.index)
    if cmd.name == "runuser" and found.values("-u", "--user") and not found.values(*wrap.script_opts):
        generic(cmd, ctx, out, Wrap(wrap.short, wrap.long))




def _flock(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``flock [OPTS] FILE CMD...`` and ``flock [OPTS] FILE -c STRING``: flock stops parsing
    options at FILE, then takes ``-c`` in the place of the command."""
    wrap = WRAPPERS["flock"]
    found = scan(cmd.argv, short_values=wrap.short, long_values=wrap.long, stop_at_positional=True)
    pos = found.positional
    if len(pos) >= 3 and cmd.argv[pos[1]] in ("-c", "--command"):
        script(cmd, out, cmd.argv[pos[2]], f"flock {cmd.argv[pos[1]]}", pos[2])
        return
    generic(cmd, ctx, out, wrap)


def _busybox(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) > 1:
        out.inner.append(Inner("busybox", cmd=cmd.tail(1, origin="busybox")))


def _trap(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) > 2 and cmd.argv[1] not in ("-", "", "-p", "-l", "--"):
        script(cmd, out, cmd.argv[1], "trap", 1)


def _container_exec(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    if len(argv) < 3 or argv[1] not in ("exec", "debug", "run"):
        return
    if cmd.name in ("kubectl", "oc"):
        if "--" in argv:
            at = argv.index("--") + 1
            if at < len(argv):
                inner = cmd.tail(at, origin=f"{cmd.name} {argv[1]}")
                inner.remote = True
                out.inner.append(Inner(f"{cmd.name} {argv[1]}", cmd=inner, remote=True))
        return
    if argv[1] != "exec":
        return
    found = scan(argv, 2, short_values="euw", long_values=("--env", "--env-file", "--user",
                                                           "--workdir", "--detach-keys"),
                 stop_at_positional=True)
    if len(found.positional) >= 2:
        inner = cmd.tail(found.positional[1], origin=f"{cmd.name} exec")
        inner.remote = True
        out.inner.append(Inner(f"{cmd.name} exec", cmd=inner, remote=True))


def _run_sub(subs: tuple[str, ...], short: str = "", long: tuple[str, ...] = (),
             skip: int = 0) -> Unwrapper:
    """``poetry run CMD``, ``uv run CMD``, ``bundle exec CMD``, ``conda run -n env CMD``."""

    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        head = scan(cmd.argv, long_values=("--directory", "--project", "--python", "--cwd"),
                    stop_at_positional=True)
        if not head.positional or cmd.argv[head.positional[0]] not in subs:
            return
        generic(cmd, ctx, out, Wrap(short, long, skip=skip), head.positional[0] + 1)

    return handle


def _nix_shell(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    for i, arg in enumerate(cmd.argv[:-1]):
        if arg in ("--run", "--command"):
            script(cmd, out, cmd.argv[i + 1], f"nix-shell {arg}", i + 1)


def _scheduler(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if cmd.name == "crontab":
        if any(a in ("-l", "-r") for a in cmd.argv[1:]):
            return
        out.unresolved("crontab installs commands that run later, unseen")
        return
    out.unresolved(f"{cmd.name} schedules commands that run later")
    run_file(cmd, ctx, out, None, shell=True)


def _terminal(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    if cmd.name == "tmux":
        for i, arg in enumerate(argv):
            if arg in ("send-keys", "send", "paste-buffer", "pasteb"):
                out.unresolved("tmux send-keys types commands into a terminal")
                return
            if arg in ("run-shell", "run", "new-session", "new", "new-window", "neww",
                       "split-window", "splitw", "respawn-pane", "respawn-window"):
                rest = scan(argv, i + 1, short_values="cnstxyFeSlp", stop_at_positional=True)
                if rest.positional:
                    start = rest.positional[0]
                    script(cmd, out, " ".join(argv[start:]), f"tmux {arg}", start,
                            all_known=all(cmd.known[start:]))
                return
    elif cmd.name == "screen":
        if "-X" in argv or "stuff" in argv:
            out.unresolved("screen -X sends commands to a session")
            return
        found = scan(argv, short_values="SstcTLhp", stop_at_positional=True)
        if found.positional:
            out.inner.append(Inner("screen", cmd=cmd.tail(found.positional[0], origin="screen")))


SPECIAL: dict[str, Unwrapper] = {
    "eval": _eval, "source": _source, ".": _source, "env": _env, "sudo": _sudo,
    "sudoedit": _sudo, "nice": _nice, "watch": _watch, "su": _su, "runuser": _su,
    "xargs": fanout.xargs, "find": fanout.find, "parallel": fanout.parallel, "fd": fanout.fd,
    "fdfind": fanout.fd, "flock": _flock,
    "sem": fanout.parallel, "busybox": _busybox,
    "trap": _trap, "kubectl": _container_exec, "oc": _container_exec, "docker": _container_exec,
    "podman": _container_exec, "nix-shell": _nix_shell, "at": _scheduler, "batch": _scheduler,
    "crontab": _scheduler, "tmux": _terminal, "screen": _terminal,
    "poetry": _run_sub(("run",)), "pipenv": _run_sub(("run",)), "pdm": _run_sub(("run",)),
    "hatch": _run_sub(("run",)), "rye": _run_sub(("run",)),
    "uv": _run_sub(("run",), "pw", ("--with", "--python", "--from", "--env-file", "--package",
                                    "--extra", "--group", "--index", "--directory", "--project")),
    "bundle": _run_sub(("exec",)), "conda": _run_sub(("run",), "np", ("--name", "--prefix")),
    "mamba": _run_sub(("run",), "np", ("--name", "--prefix")), "pnpm": _run_sub(("exec",)),
    "nix": _run_sub(("develop", "shell")), "direnv": _run_sub(("exec",), skip=1),
}
