"""Network programs: hosts and ports from URLs and arguments, listeners, package managers
and their registries, and the package runners (npx, uvx, pipx run) that run code."""

from __future__ import annotations

import re
from collections.abc import Callable

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext
from blastshield.shell.opts import Scan, scan

Handler = Callable[[Cmd, FileContext, Outcome], None]

PYPI = ("pypi.org", "files.pythonhosted.org")
NPM = ("registry.npmjs.org",)
YARN = ("registry.yarnpkg.com",)
CRATES = ("crates.io",)
GOPROXY = ("proxy.golang.org",)
RUBYGEMS = ("rubygems.org",)
PACKAGIST = ("repo.packagist.org",)
DOWNLOADERS = frozenset({"curl", "wget", "aria2c", "http", "https", "xh", "xhs", "lynx", "w3m",
                         "links", "fetch", "lwp-request", "GET", "POST", "axel"})

_PORTS = {"http": 80, "https": 443, "ftp": 21, "ftps": 990, "ssh": 22, "sftp": 22, "scp": 22,
          "git": 9418, "rsync": 873, "ws": 80, "wss": 443, "telnet": 23, "ldap": 389,
          "gopher": 70, "dict": 2628, "smtp": 25, "imap": 143, "pop3": 110, "tftp": 69,
          "git+ssh": 22, "git+https": 443, "git+http": 80, "ssh+git": 22, "mqtt": 1883}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#\s]*)(?::(\d+))?")
_BARE_HOST = re.compile(r"^(?:[^@/\s]+@)?((?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+|localhost|\[[0-9a-fA-F:]+\])"
                        r"(?::(\d+))?(?:[/?#].*)?$")


def url_host(text: str, default_scheme: str = "") -> tuple[str, int | None] | None:
    """Host and port of a URL (or of ``host[:port]/path`` when ``default_scheme`` is set)."""
    m = _URL.match(text)
    if m:
        scheme = m.group(1).lower()
        host = m.group(2).strip("[]")
        if not host:
            return None
        port = int(m.group(3)) if m.group(3) else _PORTS.get(scheme)
        return host.lower(), port
    if default_scheme:
        b = _BARE_HOST.match(text)
        if b:
            port = int(b.group(2)) if b.group(2) else _PORTS.get(default_scheme)
            return b.group(1).strip("[]").lower(), port
    return None


def net(out: Outcome, host: str, port: int | None, origin: str) -> None:
    out.effects.append(Effect.net(host, port, origin=origin))


def unknown_net(out: Outcome, ctx: FileContext, origin: str, reason: str) -> None:
    out.effects.append(Effect.net("<unknown>", origin=origin).with_floor(ctx.unresolved, reason))


def listener(out: Outcome, port: int | None, origin: str, what: str) -> None:
    out.effects.append(Effect.net("0.0.0.0", port, origin=origin).with_floor(
        Verdict.ASK, f"{what} opens a listening socket"))


def add_url(cmd: Cmd, ctx: FileContext, out: Outcome, i: int, default_scheme: str = "") -> None:
    text = cmd.argv[i]
    if not cmd.known[i]:
        unknown_net(out, ctx, cmd.name, "the address is not statically known")
        return
    if text.lower().startswith("file://"):
        out.effects.extend(ctx.file_effects(Kind.READ, text[7:] or "/", True, cmd.cwd, cmd.name))
        return
    got = url_host(text, default_scheme)
    if got is not None:
        net(out, got[0], got[1], cmd.name)


def _file_opt(cmd: Cmd, ctx: FileContext, out: Outcome, found: Scan, kind: Kind, *names: str) -> list[str]:
    paths: list[str] = []
    for opt in found.values(*names):
        assert opt.value is not None
        known = cmd.known[opt.value_index if opt.value_index is not None else opt.index]
        out.effects.extend(ctx.file_effects(kind, opt.value, known, cmd.cwd, cmd.name))
        paths.append(opt.value)
    return paths


# ------------------------------------------------------------------ downloaders
_CURL_LONG = frozenset((
    "--url", "--output", "--upload-file", "--data", "--data-binary", "--data-raw", "--data-ascii",
    "--data-urlencode", "--form", "--form-string", "--header", "--user", "--user-agent", "--referer",
    "--request", "--proxy", "--proxy-user", "--cookie", "--cookie-jar", "--config", "--max-time",
    "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time", "--resolve", "--connect-to",
    "--cacert", "--capath", "--cert", "--key", "--cert-type", "--key-type", "--pass", "--ciphers",
    "--dump-header", "--output-dir", "--write-out", "--trace", "--trace-ascii", "--stderr",
    "--unix-socket", "--abstract-unix-socket", "--interface", "--dns-servers", "--json",
    "--limit-rate", "--max-filesize", "--range", "--continue-at", "--quote", "--time-cond",
    "--proxy-header", "--preproxy", "--socks5", "--socks5-hostname", "--socks4", "--socks4a",
    "--oauth2-bearer", "--aws-sigv4", "--netrc-file", "--tls-max", "--expect100-timeout",
    "--keepalive-time", "--local-port", "--max-redirs", "--mail-from", "--mail-rcpt", "--noproxy",
    "--variable", "--etag-save", "--etag-compare", "--hsts", "--alt-svc", "--engine", "--random-file",
))


def _curl(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="AbcdDeEFHKmoQrTuUwxXyYzCtP", long_values=_CURL_LONG)
    for i in found.positional:
        add_url(cmd, ctx, out, i, "http")
    for opt in found.values("--url", "-x", "--proxy", "--preproxy", "--socks5", "--socks5-hostname",
                            "--socks4", "--socks4a"):
        i = opt.value_index if opt.value_index is not None else opt.index
        got = url_host(opt.value or "", "http")
        if not cmd.known[i]:
            unknown_net(out, ctx, "curl", "the address is not statically known")
        elif got:
            net(out, got[0], got[1], "curl")
    for opt in found.values("--resolve", "--connect-to"):
        addr = (opt.value or "").rsplit(":", 1)[-1].strip("[]")
        if addr:
            net(out, addr, None, "curl")
    out.downloads_to.extend(_file_opt(cmd, ctx, out, found, Kind.WRITE, "-o", "--output"))
    _file_opt(cmd, ctx, out, found, Kind.WRITE, "-c", "--cookie-jar", "-D", "--dump-header",
              "--trace", "--trace-ascii", "--stderr", "--etag-save")
    _file_opt(cmd, ctx, out, found, Kind.READ, "-T", "--upload-file", "-K", "--config",
              "--netrc-file", "-E", "--cert", "--key")
    if found.values("-K", "--config"):
        out.ask("curl reads its options (and URLs) from a file", form="-K")
    for opt in found.values("-d", "--data", "--data-binary", "--data-urlencode", "--data-ascii",
                            "--json", "-F", "--form"):
        value = opt.value or ""
        m = re.search(r"(?:^|=)[@<](.+)$", value) if opt.name in ("-F", "--form") else \
            re.search(r"(?:^|=)@(.+)$", value)
        if m:
            out.effects.extend(ctx.file_effects(Kind.READ, m.group(1), True, cmd.cwd, "curl"))
    if found.has("-O", "--remote-name", "--remote-name-all"):
        outdir = next((o.value for o in found.values("--output-dir")), None)
        for i in found.positional:
            name = cmd.argv[i].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            if name:
                path = f"{outdir.rstrip('/')}/{name}" if outdir else name
                out.effects.extend(ctx.file_effects(Kind.WRITE, path, cmd.known[i], cmd.cwd, "curl"))
                out.downloads_to.append(path)


_WGET_LONG = frozenset((
    "--output-document", "--output-file", "--append-output", "--directory-prefix", "--input-file",
    "--execute", "--tries", "--timeout", "--wait", "--user-agent", "--quota", "--base", "--level",
    "--domains", "--exclude-domains", "--include-directories", "--exclude-directories", "--reject",
    "--accept", "--header", "--user", "--password", "--http-user", "--http-password", "--post-data",
    "--post-file", "--body-data", "--body-file", "--method", "--load-cookies", "--save-cookies",
    "--limit-rate", "--referer", "--ca-certificate", "--certificate", "--private-key", "--config",
    "--bind-address", "--dns-timeout", "--connect-timeout", "--read-timeout", "--waitretry",
))


def _wget(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="OoaPieTtwUQBlDXIRAb", long_values=_WGET_LONG)
    for i in found.positional:
        add_url(cmd, ctx, out, i, "http")
    for i_opt in found.values("-i", "--input-file"):
        unknown_net(out, ctx, "wget", "the URLs come from a file")
        del i_opt
    _file_opt(cmd, ctx, out, found, Kind.READ, "-i", "--input-file", "--post-file", "--body-file",
              "--load-cookies", "--config", "--private-key", "--certificate")
    _file_opt(cmd, ctx, out, found, Kind.WRITE, "-o", "--output-file", "-a", "--append-output",
              "--save-cookies")
    if found.values("-e", "--execute"):
        out.ask("wget -e runs a wgetrc command", form="-e")
    docs = _file_opt(cmd, ctx, out, found, Kind.WRITE, "-O", "--output-document")
    out.downloads_to.extend(docs)
    if not docs:
        prefix = next((o.value for o in found.values("-P", "--directory-prefix")), None)
        for i in found.positional:
            name = cmd.argv[i].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "index.html"
            if "/" not in cmd.argv[i].split("://", 1)[-1]:
                name = "index.html"
            path = f"{prefix.rstrip('/')}/{name}" if prefix else name
            out.effects.extend(ctx.file_effects(Kind.WRITE, path, cmd.known[i], cmd.cwd, "wget"))
            out.downloads_to.append(path)


def _urls_anywhere(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """aria2c, httpie/xh, lynx, w3m: every argument that looks like a URL (or host/path)."""
    scheme = "http"
    for i in range(1, len(cmd.argv)):
        arg = cmd.argv[i]
        if arg.startswith("-") or (cmd.name in ("http", "https", "xh") and arg.isupper()):
            continue
        if "://" in arg or (i == 1 or cmd.name in ("http", "https", "xh", "xhs")):
            if not cmd.known[i]:
                unknown_net(out, ctx, cmd.name, "the address is not statically known")
                return
            got = url_host(arg, scheme) or (url_host("http://" + arg) if arg.startswith(":") else None)
            if arg.startswith(":"):
                got = ("localhost", int(arg[1:].split("/")[0]) if arg[1:].split("/")[0].isdigit() else 80)
            if got:
                net(out, got[0], got[1], cmd.name)
                if cmd.name in ("http", "https", "xh", "xhs"):
                    return


# ------------------------------------------------------------ remote shells
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
    _file_opt(cmd, ctx, out, found, Kind.READ, "-i")
    if found.values("-S") and cmd.name == "scp":
        out.ask("scp -S runs another program as ssh", form="-S")


def _ssh(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values=_SSH_SHORT, stop_at_positional=True)
    _ssh_options(cmd, ctx, out, found)
    for flag in ("-L", "-R", "-D", "-w"):
        if found.values(flag):
            out.ask(f"ssh {flag} forwards ports or tunnels traffic", form=flag)
    _file_opt(cmd, ctx, out, found, Kind.WRITE, "-E")
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
    _file_opt(cmd, ctx, out, found, Kind.READ, "-b")
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
    _file_opt(cmd, ctx, out, found, Kind.READ, "--exclude-from", "--include-from", "--files-from",
              "--password-file")
    _file_opt(cmd, ctx, out, found, Kind.WRITE, "--log-file")
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
    "curl": _curl, "wget": _wget, "aria2c": _urls_anywhere, "http": _urls_anywhere,
    "https": _urls_anywhere, "xh": _urls_anywhere, "xhs": _urls_anywhere, "lynx": _urls_anywhere,
    "w3m": _urls_anywhere, "links": _urls_anywhere, "axel": _urls_anywhere,
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
