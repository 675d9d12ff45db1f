"""Dangerous calls (sinks) and the functions that make data safe for them (sanitisers).

A sink has a *kind* (``cmd``, ``code``, ``sql`` ...), the argument positions that are
dangerous, and how sure we are when a non-constant value of unknown origin reaches it
(None: don't report such values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from blastshield.scan.finding import Confidence
from blastshield.scan.javascript.parse import Node, call_args, string_value, text, unwrap

CMD, CODE, REQUIRE, SQL_KIND, PATH, REDIRECT, XSS, REGEX, SSRF, XPATH = (
    "cmd",
    "code",
    "require",
    "sql",
    "path",
    "redirect",
    "xss",
    "regex",
    "ssrf",
    "xpath",
)


@dataclass(frozen=True, slots=True)
class Sink:
    kind: str
    what: str  # how the message names the API
    args: tuple[int, ...]  # dangerous argument positions; () = every argument
    unknown: Confidence | None = None
    needs_sql_shape: bool = False


_CHILD_PROCESS_ROOTS = (
    "child_process",
    "node:child_process",
    "childprocess",
    "cp",
    "shelljs",
    "shell",
    "execa",
    "ChildProcess",
    "childProcess",
)
_FS_ROOTS = frozenset(
    {
        "fs",
        "node:fs",
        "fs/promises",
        "node:fs/promises",
        "fs-extra",
        "graceful-fs",
        "fse",
        "fsp",
        "fsPromises",
        "fs.promises",
        "node:fs.promises",
        "mz/fs",
    }
)
_FS_ONE = frozenset(
    {
        "readFile",
        "readFileSync",
        "writeFile",
        "writeFileSync",
        "appendFile",
        "appendFileSync",
        "createReadStream",
        "createWriteStream",
        "unlink",
        "unlinkSync",
        "rm",
        "rmSync",
        "rmdir",
        "rmdirSync",
        "mkdir",
        "mkdirSync",
        "readdir",
        "readdirSync",
        "stat",
        "statSync",
        "lstat",
        "lstatSync",
        "exists",
        "existsSync",
        "access",
        "accessSync",
        "open",
        "openSync",
        "chmod",
        "chmodSync",
        "chown",
        "chownSync",
        "truncate",
        "truncateSync",
        "readJson",
        "readJsonSync",
        "writeJson",
        "writeJsonSync",
        "outputFile",
        "outputFileSync",
        "remove",
        "removeSync",
        "ensureDir",
        "ensureFile",
        "opendir",
        "readlink",
        "realpath",
        "realpathSync",
        "utimes",
        "watch",
        "emptyDir",
        "pathExists",
        "pathExistsSync",
    }
)
_FS_TWO = frozenset(
    {
        "rename",
        "renameSync",
        "copyFile",
        "copyFileSync",
        "symlink",
        "symlinkSync",
        "link",
        "linkSync",
        "copy",
        "copySync",
        "move",
        "moveSync",
        "cp",
        "cpSync",
    }
)
_RESPONSE_NAMES = frozenset({"res", "response", "reply", "resp", "ctx"})
_HTTP_CLIENTS = frozenset(
    {
        "axios",
        "got",
        "request",
        "node-fetch",
        "superagent",
        "needle",
        "undici",
        "cross-fetch",
        "isomorphic-fetch",
        "ky",
        "phin",
        "bent",
    }
)
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})
_SQL_METHODS_STRONG = frozenset(
    {
        "query",
        "execute",
        "raw",
        "whereRaw",
        "havingRaw",
        "orderByRaw",
        "joinRaw",
        "$queryRawUnsafe",
        "$executeRawUnsafe",
        "unsafe",
        "queryRaw",
    }
)
_SQL_METHODS_WEAK = frozenset(
    {
        "run",
        "get",
        "all",
        "each",
        "exec",
        "prepare",
        "one",
        "many",
        "none",
        "any",
        "oneOrNone",
        "manyOrNone",
        "select",
    }
)
_DB_RECEIVER = re.compile(
    r"(?i)(db|database|conn|connection|pool|client|knex|sequelize|mysql|pg|sql|"
    r"sqlite|prisma|tx|trx|transaction|store|repo)$"
)


NOSQL = "nosql"
_MONGO_METHODS = frozenset(
    {
        "find",
        "findOne",
        "findOneAndUpdate",
        "findOneAndDelete",
        "findOneAndReplace",
        "updateOne",
        "updateMany",
        "deleteOne",
        "deleteMany",
        "countDocuments",
        "count",
        "exists",
        "where",
        "findOneAndRemove",
        "remove",
        "replaceOne",
        "aggregate",
    }
)
_TEMPLATE_COMPILERS = frozenset(
    {
        "ejs.render",
        "ejs.compile",
        "pug.render",
        "pug.compile",
        "jade.compile",
        "handlebars.compile",
        "Handlebars.compile",
        "_.template",
        "lodash.template",
        "nunjucks.renderString",
        "doT.template",
        "dot.template",
        "mustache.render",
        "Mustache.render",
        "hogan.compile",
        "underscore.template",
    }
)
_DESERIALISERS = frozenset(
    {"node-serialize.unserialize", "serialize.unserialize", "funcster.deepDeserialize", "cryo.parse"}
)


def call_sink(qname: str, node: Node) -> Sink | None:
    """The sink a call is, by its qualified callee name (module aliases resolved)."""
    head, _, method = qname.rpartition(".")
    root = qname.split(".")[0]
    args = call_args(node)
    if qname in _TEMPLATE_COMPILERS:
        return Sink(CODE, f"{qname} (the template is compiled to code)", (0,))
    if qname in _DESERIALISERS:
        return Sink(CODE, f"{qname} (it evaluates functions in the data)", (0,), Confidence.MEDIUM)
    if method in _MONGO_METHODS and _looks_like_collection(head) and args:
        return Sink(NOSQL, qname, ())
    if qname in ("eval", "window.eval", "globalThis.eval", "Function", "execScript"):
        return Sink(CODE, qname, (), Confidence.MEDIUM)
    if qname in ("setTimeout", "setInterval", "setImmediate", "window.setTimeout", "window.setInterval"):
        first = unwrap(args[0]) if args else None
        if first is not None and first.type in ("string", "template_string", "binary_expression"):
            return Sink(CODE, qname, (0,), Confidence.MEDIUM)
        return None
    if root in ("vm", "node:vm") and method in (
        "runInThisContext",
        "runInNewContext",
        "runInContext",
        "compileFunction",
    ):
        return Sink(CODE, qname, (0,), Confidence.MEDIUM)
    if qname == "require" and args and string_value(args[0]) is None:
        return Sink(REQUIRE, "require", (0,), Confidence.MEDIUM)
    if head.split(".")[-1] in _CHILD_PROCESS_ROOTS or root in _CHILD_PROCESS_ROOTS:
        if method in ("exec", "execSync") or (root in ("shelljs", "shell") and method == "exec"):
            return Sink(CMD, qname, (0,), Confidence.MEDIUM)
        if method in ("spawn", "spawnSync", "execFile", "execFileSync", "fork") and _shell_spawn(args):
            return Sink(CMD, f"{qname} with a shell", (0, 1), Confidence.MEDIUM)
        if root == "execa" and method in ("command", "commandSync", "$"):
            return Sink(CMD, qname, (0,), Confidence.MEDIUM)
    if (head in _FS_ROOTS or (head.split(".")[0] in _FS_ROOTS and head.endswith(".promises"))) and (
        method in _FS_ONE or method in _FS_TWO
    ):
        return Sink(PATH, qname, (0, 1) if method in _FS_TWO else (0,), Confidence.MEDIUM)
    if head in _RESPONSE_NAMES:
        if method in ("sendFile", "download", "attachment"):
            return Sink(PATH, qname, (0,))
        if method == "redirect":
            return Sink(REDIRECT, qname, (len(args) - 1,) if args else (0,))
        if method in ("location",):
            return Sink(REDIRECT, qname, (0,))
        if method in ("send", "write", "end") and head != "ctx":
            return Sink(XSS, qname, (0,))
    if qname in (
        "location.assign",
        "location.replace",
        "window.location.assign",
        "window.location.replace",
        "document.location.assign",
        "window.open",
    ):
        return Sink(REDIRECT, qname, (0,))
    if qname in ("document.write", "document.writeln", "window.document.write"):
        return Sink(XSS, qname, (), Confidence.LOW)
    if method == "insertAdjacentHTML":
        return Sink(XSS, qname, (1,), Confidence.LOW)
    if qname in ("RegExp", "window.RegExp"):
        return Sink(REGEX, "RegExp", (0,), Confidence.MEDIUM)
    if qname in ("fetch", "window.fetch", "globalThis.fetch") or (
        root in _HTTP_CLIENTS and (head == "" or method in _HTTP_VERBS or qname == root)
    ):
        return Sink(SSRF, qname, (0,))
    if root in ("http", "https", "node:http", "node:https") and method in ("get", "request"):
        return Sink(SSRF, qname, (0,))
    if root == "xpath" and method in ("select", "select1", "evaluate", "parse", "useNamespaces"):
        return Sink(XPATH, qname, (0,), Confidence.LOW)
    if qname == "document.evaluate":
        return Sink(XPATH, qname, (0,), Confidence.LOW)
    if method in _SQL_METHODS_STRONG and (
        head.split(".")[-1] in ("", "this")
        or _DB_RECEIVER.search(head.split(".")[-1].split("(")[0])
        or head.endswith(")")
    ):
        return Sink(SQL_KIND, qname, (0,), Confidence.LOW)
    if method in _SQL_METHODS_STRONG or method in _SQL_METHODS_WEAK:
        return Sink(SQL_KIND, qname, (0,), Confidence.LOW, needs_sql_shape=True)
    return None


def _looks_like_collection(head: str) -> bool:
    """``User``, ``db.users``, ``db.collection('x')``, ``this.model``: a Mongo model or collection."""
    last = head.rsplit(".", 1)[-1]
    if not last:
        return False
    return (
        last[:1].isupper()
        or last.endswith(("Model", "model"))
        or head.startswith(("db.", "this.db.", "mongoose.model"))
        or "collection(" in head
    )


def new_sink(qname: str) -> Sink | None:
    if qname in ("Function", "window.Function"):
        return Sink(CODE, "new Function", (), Confidence.MEDIUM)
    if qname in ("RegExp", "window.RegExp"):
        return Sink(REGEX, "new RegExp", (0,), Confidence.MEDIUM)
    if qname.split(".")[0] in ("vm", "node:vm") and qname.endswith("Script"):
        return Sink(CODE, qname, (0,), Confidence.MEDIUM)
    return None


def assignment_sink(target: str) -> Sink | None:
    """A sink that is a property assignment: ``el.innerHTML = x``, ``location.href = x``."""
    prop = target.rsplit(".", 1)[-1]
    if prop in ("innerHTML", "outerHTML"):
        return Sink(XSS, prop, (), Confidence.LOW)
    if target in (
        "location",
        "location.href",
        "window.location",
        "window.location.href",
        "document.location",
        "document.location.href",
        "top.location",
        "top.location.href",
    ):
        return Sink(REDIRECT, target, ())
    return None


def _shell_spawn(args: list[Node]) -> bool:
    """spawn/execFile run through a shell: ``{shell: true}`` or ``spawn('sh', ['-c', ...])``."""
    for raw in args:
        arg = unwrap(raw)
        if arg is not None and arg.type == "object":
            for pair in arg.named_children:
                if pair.type == "pair" and text(pair.child_by_field_name("key")) == "shell":
                    value = text(pair.child_by_field_name("value"))
                    if value not in ("false", "undefined", "null", "0", "''", '""'):
                        return True
    program = string_value(args[0]) if args else None
    if program is not None and program.rsplit("/", 1)[-1] in (
        "sh",
        "bash",
        "zsh",
        "dash",
        "cmd",
        "cmd.exe",
        "powershell",
        "pwsh",
    ):
        second = unwrap(args[1]) if len(args) > 1 else None
        if second is not None and second.type == "array":
            return any(string_value(a) in ("-c", "/c", "-Command") for a in second.named_children)
        return True
    return False
