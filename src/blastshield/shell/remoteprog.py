"""Remote shells, copies and raw sockets: ssh/scp/sftp/rsync (hosts, ports, the local
commands their options run, the remote command), nc/ncat/socat/telnet/openssl (addresses,
listeners, programs run for a connection) and DNS and ping tools."""

from __future__ import annotations

import re

from blastshield.effects import Kind
from blastshield.shell import treereads
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext
from blastshield.shell.netprog import Handler, file_opt, listener, net, unknown_net, url_host
from blastshield.shell.opts import Scan, scan

_SSH_SHORT = "BbcDEeFIiJLlmOoPpQRSWw"


def _ssh_dest(text: str) -> tuple[str, int | None]:
    got = url_host(text) if "://" in text else None
    if got:
        return got
    host = text.rsplit("@", 1)[-1]
    return host.strip("[]").lower(), None


def _ssh_options(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan) -> None:
    for opt in found.values("-o"):
        key, _, value = (opt.value or "").replace(" ", "=", 1).partition("=")
        if key.lower() in ("proxycommand", "localcommand", "knownhostscommand", "match",
                           "permitlocalcommand", "remotecommand"):
            out.ask(f"{cmd.name} -o {key} runs a local command", form=opt.value)
            if key.lower() in ("proxycommand", "localcommand", "knownhostscommand") and value:
                out.inner.append(Inner(f"{cmd.name} -o {key}", script=value.replace("%%", "%")))
        elif key.lower() == "proxyjump" and value:
            for hop in value.split(","):
                host, port = _ssh_dest(hop)
                net(out, host, port or 22, cmd.name)
    if found.values("-F"):
        out.ask(f"{cmd.name} -F reads a config file that can run commands", form="-F")
    for opt in found.values("-J"):
        for hop in (opt.value or "").split(","):
            host, port = _ssh_dest(hop)
            net(out, host, port or 22, cmd.name)
    file_opt(cmd, ctx, out, found, Kind.READ, "-i")
    if found.values("-S") and cmd.name == "scp":
        out.ask("scp -S runs another program as ssh", form="-S")


def _ssh(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values=_SSH_SHORT, stop_at_positional=True)
    _ssh_options(cmd, ctx, out, found)
    for flag in ("-L", "-R", "-D", "-w"):
        if found.values(flag):
            out.ask(f"ssh {flag} forwards ports or tunnels traffic", form=flag)
    file_opt(cmd, ctx, out, found, Kind.WRITE, "-E")
    if not found.positional:
        return
    first = found.positional[0]
    if not cmd.known[first]:
        unknown_net(out, ctx, "ssh", "the host is not statically known")
    else:
        host, port = _ssh_dest(cmd.argv[first])
        port_opt = next((o.value for o in found.values("-p")), None)
        net(out, host, int(port_opt) if port_opt and port_opt.isdigit() else (port or 22), "ssh")
    rest = found.positional[1:]
    if rest:
        remote = " ".join(cmd.argv[i] for i in rest)
        out.inner.append(Inner("remote", script=remote, remote=True))


def _remote_spec(text: str) -> tuple[str, int | None] | None:
    """``[user@]host:path`` / ``host::module`` / ``scheme://host``; None for a local path."""
    if "://" in text:
        return url_host(text)
    if text.startswith(("/", "./", "../", "~")):
        return None
    m = re.match(r"^(?:[^@/:]+@)?(\[[^\]]+\]|[^/:]+)::?", text)
    if not m:
        return None
    port = 873 if "::" in text[: m.end() + 1] and text[m.end() - 2: m.end()] == "::" else 22
    return m.group(1).strip("[]").lower(), port


def _copy_remote(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan) -> None:
    first = len(out.effects)
    _copy_ends(cmd, ctx, out, found)
    if treereads.copier_follows(cmd.name, found):  # scp -r, rsync -L/-k: links below are followed
        treereads.mark_following(out, first)
    treereads.mark_unread(cmd, out, first)


def _copy_ends(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan) -> None:
    pos = found.positional
    port_opt = next((o.value for o in found.values("-P", "--port")), None)
    for n, i in enumerate(pos):
        if not cmd.known[i]:
            unknown_net(out, ctx, cmd.name, "the address is not statically known")
            out.effects.extend(ctx.file_effects(Kind.READ, cmd.argv[i], False, cmd.cwd, cmd.name))
            continue
        remote = _remote_spec(cmd.argv[i])
        if remote is not None:
            port = int(port_opt) if port_opt and port_opt.isdigit() else remote[1]
            net(out, remote[0], port, cmd.name)
        else:
            kind = Kind.WRITE if n == len(pos) - 1 and len(pos) > 1 else Kind.READ
            out.effects.extend(ctx.file_effects(kind, cmd.argv[i], True, cmd.cwd, cmd.name))


def _scp(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="cFiJloPSXD")
    _ssh_options(cmd, ctx, out, found)
    _copy_remote(cmd, ctx, out, found)


def _sftp(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="BbcDFiJlNoPRsS")
    _ssh_options(cmd, ctx, out, found)
    file_opt(cmd, ctx, out, found, Kind.READ, "-b")
    for i in found.positional[:1]:
        host, port = _ssh_dest(cmd.argv[i].split(":", 1)[0] if "://" not in cmd.argv[i] else cmd.argv[i])
        net(out, host, port or 22, "sftp")


_RSYNC_LONG = frozenset((
    "--rsh", "--rsync-path", "--exclude", "--include", "--exclude-from", "--include-from",
    "--files-from", "--filter", "--port", "--timeout", "--password-file", "--temp-dir",
    "--backup-dir", "--log-file", "--chmod", "--chown", "--bwlimit", "--partial-dir",
    "--compare-dest", "--link-dest", "--copy-dest", "--suffix", "--max-size", "--min-size",
    "--remote-option", "--out-format", "--log-file-format", "--block-size", "--modify-window",
    "--usermap", "--groupmap", "--iconv", "--checksum-choice", "--compress-choice",
))


def _rsync(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="eBfTM", long_values=_RSYNC_LONG)
    for opt in found.values("-e", "--rsh"):
        out.ask(f"rsync {opt.name} runs another program as the remote shell", form=opt.name)
        out.inner.append(Inner("rsync -e", script=opt.value))
    for opt in found.values("--rsync-path", "-M", "--remote-option"):
        out.ask(f"rsync {opt.name} changes the program run on the remote side", form=opt.name)
    file_opt(cmd, ctx, out, found, Kind.READ, "--exclude-from", "--include-from", "--files-from",
              "--password-file")
    file_opt(cmd, ctx, out, found, Kind.WRITE, "--log-file")
    _copy_remote(cmd, ctx, out, found)


def _nc(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="ecpswiqxXIOTWgG",
                 long_values=("--exec", "--sh-exec", "--lua-exec", "--source-port", "--proxy",
                              "--wait", "--idle-timeout", "--output", "--allow", "--deny"))
    for opt in found.values("-e", "--exec"):
        out.ask(f"{cmd.name} {opt.name} runs a program for the connection", form=opt.name)
        out.inner.append(Inner(f"{cmd.name} -e", script=opt.value))
    for opt in found.values("-c", "--sh-exec", "--lua-exec"):
        out.ask(f"{cmd.name} {opt.name} runs a command for the connection", form=opt.name)
        if opt.name != "--lua-exec":
            out.inner.append(Inner(f"{cmd.name} -c", script=opt.value))
    pos = [cmd.argv[i] for i in found.positional]
    port_opt = next((o.value for o in found.values("-p")), None)
    if found.has("-l", "--listen"):
        port_text = port_opt or (pos[-1] if pos else "")
        listener(out, int(port_text) if port_text.isdigit() else None, cmd.name, f"{cmd.name} -l")
        return
    if found.positional and not all(cmd.known[i] for i in found.positional):
        unknown_net(out, ctx, cmd.name, "the address is not statically known")
        return
    if pos:
        port = int(pos[1]) if len(pos) > 1 and pos[1].isdigit() else None
        net(out, pos[0].strip("[]").lower(), port, cmd.name)


def _socat(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="dlLTUgb")
    for i in found.positional:
        if not cmd.known[i]:
            unknown_net(out, ctx, "socat", "the address is not statically known")
            continue
        spec = cmd.argv[i]
        kind, _, rest = spec.partition(":")
        kind = kind.upper()
        params = rest.split(",", 1)[0]
        if kind in ("EXEC", "SYSTEM"):
            out.ask(f"socat {kind} runs a command for the connection", form=spec)
            out.inner.append(Inner("socat " + kind, script=params.replace("\\:", ":")))
        elif "LISTEN" in kind or kind.endswith("-L") or kind == "TCP-L":
            listener(out, int(params) if params.isdigit() else None, "socat", "socat " + kind)
        elif kind.startswith(("TCP", "UDP", "SCTP", "OPENSSL", "SSL", "DTLS", "SOCKS", "PROXY")):
            host, _, port = params.rpartition(":")
            if host:
                net(out, host.strip("[]").lower(), int(port) if port.isdigit() else None, "socat")
        elif kind in ("OPEN", "GOPEN", "FILE"):
            out.effects.extend(ctx.file_effects(Kind.READ, params, True, cmd.cwd, "socat"))
            out.effects.extend(ctx.file_effects(Kind.WRITE, params, True, cmd.cwd, "socat"))
        elif kind == "CREATE":
            out.effects.extend(ctx.file_effects(Kind.WRITE, params, True, cmd.cwd, "socat"))


def _host_port(default_port: int | None, short: str = "") -> Handler:
    """telnet/ftp/ping/dig/...: ``HOST [PORT]``."""

    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        found = scan(cmd.argv, short_values=short)
        pos = found.positional
        if not pos:
            return
        for i in pos:
            if not cmd.known[i]:
                unknown_net(out, ctx, cmd.name, "the host is not statically known")
                return
        hosts = [cmd.argv[i] for i in pos]
        if cmd.name in ("dig", "nslookup", "host", "drill", "whois", "ping", "ping6",
                        "traceroute", "tracepath", "mtr", "nmap"):
            for h in hosts:
                h = h.lstrip("@")
                if re.fullmatch(r"[A-Za-z0-9.:_\[\]-]+", h) and ("." in h or ":" in h or h == "localhost"):
                    net(out, h.strip("[]").lower(), default_port, cmd.name)
            return
        port = int(hosts[1]) if len(hosts) > 1 and hosts[1].isdigit() else default_port
        got = url_host(hosts[0]) if "://" in hosts[0] else (hosts[0].rsplit("@", 1)[-1].lower(), port)
        if got:
            net(out, got[0], got[1], cmd.name)

    return handle


def _openssl(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    argv = cmd.argv
    if len(argv) < 2:
        return
    for i, arg in enumerate(argv):
        if arg == "-connect" and i + 1 < len(argv):
            host, _, port = argv[i + 1].rpartition(":")
            net(out, (host or argv[i + 1]).strip("[]").lower(), int(port) if port.isdigit() else 443,
                "openssl")
        elif arg in ("-accept", "-port") and argv[1] == "s_server" and i + 1 < len(argv):
            port = argv[i + 1].rsplit(":", 1)[-1]
            listener(out, int(port) if port.isdigit() else None, "openssl", "openssl s_server")
        elif arg in ("-in", "-inkey", "-key", "-cert", "-CAfile") and i + 1 < len(argv):
            out.effects.extend(ctx.file_effects(Kind.READ, argv[i + 1], cmd.known[i + 1], cmd.cwd,
                                                "openssl"))
        elif arg == "-out" and i + 1 < len(argv):
            out.effects.extend(ctx.file_effects(Kind.WRITE, argv[i + 1], cmd.known[i + 1], cmd.cwd,
                                                "openssl"))


HANDLERS: dict[str, Handler] = {
    "ssh": _ssh, "scp": _scp, "sftp": _sftp, "rsync": _rsync,
    "nc": _nc, "ncat": _nc, "netcat": _nc, "socat": _socat,
    "telnet": _host_port(23), "ftp": _host_port(21), "lftp": _host_port(21, "pucefo"),
    "tftp": _host_port(69),
    "ping": _host_port(None, "cistwWIlMQp"), "ping6": _host_port(None, "cistwWIl"),
    "dig": _host_port(53, "bcfkpqtxy"), "nslookup": _host_port(53), "host": _host_port(53, "cNRtW"),
    "drill": _host_port(53), "whois": _host_port(43, "hp"), "traceroute": _host_port(None, "fimpqwzsgtN"),
    "tracepath": _host_port(None, "lmp"), "mtr": _host_port(None), "nmap": _host_port(None, "poiDS"),
    "openssl": _openssl,
}
