"""Rules that need no taint: a dangerous API, setting or literal visible at one place."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from blastshield.scan.finding import Confidence, Finding
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import (
    FileIndex,
    call_name,
    const_str,
    dict_option,
    dotted,
    is_false,
    is_true,
    kwarg,
    last,
)
from blastshield.scan.python.patterns_creds import SECRET_PLACEHOLDER as PLACEHOLDER
from blastshield.scan.python.patterns_creds import literal_secret_confidence
from blastshield.scan.python.prefilter import optional_findings
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

TYPE_CHECKING = False  # typing is for mypy only; it honours this name
if TYPE_CHECKING:
    from typing import Any

    from blastshield.scan.lazyre import Regex

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
PASSWORDISH = lazy(r"pass(word|wd|_?phrase)?s?$|^pwd|_pwd|pwd$|^pw$|passwd|password", re.I)
SECRET_CONTEXT = lazy(r"token|secret|passw|pwd|nonce|salt|otp|session|csrf|api_?key|"
                            r"(^|_)key($|_)|(^|_)iv($|_)|pin($|_)|auth|reset|verif|captcha|cookie", re.I)
# Keyword arguments that receive a secret (narrower than SECRET_CONTEXT: sorted(key=...) is no secret).
KEYWORD_SECRET = lazy(r"passw|pwd|token|secret|nonce|salt|otp|csrf|api_?key|session_?id|(^|_)pin$",
                            re.I)
NON_SECURITY_HASH = lazy(r"checksum|etag|cache|fingerprint_?file|file_?hash|dedup|bucket|shard|"
                               r"partition|color|colour|avatar|gravatar|filename|file_?name", re.I)
WEAK_HASHES = frozenset({"hashlib.md5", "hashlib.sha1", "Crypto.Hash.MD5.new", "Crypto.Hash.SHA.new",
                         "Crypto.Hash.SHA1.new", "Cryptodome.Hash.MD5.new", "Cryptodome.Hash.SHA1.new",
                         "cryptography.hazmat.primitives.hashes.MD5",
                         "cryptography.hazmat.primitives.hashes.SHA1", "md5.new", "sha.new", "md5", "sha"})
FAST_HASHES = frozenset({"hashlib.sha224", "hashlib.sha256", "hashlib.sha384", "hashlib.sha512",
                         "hashlib.sha3_256", "hashlib.sha3_512", "hashlib.blake2b", "hashlib.blake2s"})
RANDOM_CALLS = frozenset({"random.random", "random.randint", "random.randrange", "random.choice",
                          "random.choices", "random.sample", "random.getrandbits", "random.uniform",
                          "random.shuffle", "numpy.random.randint", "numpy.random.rand"})
BARE_RANDOM = frozenset({"randint", "randrange", "getrandbits", "choice", "choices", "sample"})
WEAK_CIPHERS = frozenset({"Crypto.Cipher.DES.new", "Crypto.Cipher.DES3.new", "Crypto.Cipher.ARC4.new",
                          "Crypto.Cipher.ARC2.new", "Crypto.Cipher.Blowfish.new", "Crypto.Cipher.XOR.new",
                          "Crypto.Cipher.CAST.new", "Cryptodome.Cipher.DES.new", "Cryptodome.Cipher.DES3.new",
                          "Cryptodome.Cipher.ARC4.new", "Cryptodome.Cipher.Blowfish.new",
                          "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES",
                          "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish",
                          "cryptography.hazmat.primitives.ciphers.algorithms.ARC4",
                          "cryptography.hazmat.primitives.ciphers.algorithms.CAST5",
                          "cryptography.hazmat.primitives.ciphers.algorithms.IDEA",
                          "cryptography.hazmat.primitives.ciphers.modes.ECB", "pyDes.des",
                          "pyDes.triple_des"})
WEAK_PROTOCOLS = frozenset({"PROTOCOL_SSLv2", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1",
                            "MODE_ECB", "SSLv3_METHOD", "SSLv2_METHOD", "TLSv1_METHOD"})
WEAK_CIPHER_TAILS = frozenset({"DES.new", "DES3.new", "ARC4.new", "ARC2.new", "Blowfish.new", "XOR.new",
                               "CAST.new"})
HTTP_CALLS = frozenset({"requests.get", "requests.post", "requests.put", "requests.delete", "requests.patch",
                        "requests.head", "requests.request", "requests.options"})


def _mentions(node: ast.AST, pattern: Regex) -> bool:
    for n in ast.walk(node):
        text: str | None = None
        if isinstance(n, ast.Name):
            text = n.id
        elif isinstance(n, ast.Attribute):
            text = n.attr
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and len(n.value) < 30:
            text = n.value
        if text and pattern.search(text):
            return True
    return False


_VISITORS: dict[type, Callable[[PatternVisitor, Any], None]] = {}


class PatternVisitor(ast.NodeVisitor):
    def __init__(self, index: FileIndex, path: str) -> None:
        self.path = path
        self.index = index
        self._module_strings: dict[str, str] | None = None
        self.aliases = index.aliases
        self.star = index.star
        self.out: list[Finding] = []
        self.context: list[str] = []  # names of enclosing functions and assignment targets
        self.local = {f.name for f in index.functions()} | {c.name for c in index.nodes(ast.ClassDef)}

    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        found = _VISITORS.get(kind)
        if found is None:
            fallback = PatternVisitor.generic_visit
            found = _VISITORS[kind] = getattr(type(self), "visit_" + kind.__name__, fallback)
        found(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        """ast.NodeVisitor's walk without iter_fields: the same nodes, about twice as fast."""
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    def add(self, spec: object, node: ast.AST, message: str, confidence: Confidence | None = None) -> None:
        from blastshield.scan.finding import RuleSpec

        assert isinstance(spec, RuleSpec)
        line = getattr(node, "lineno", 1)
        self.out.append(finding(spec, self.path, line, message, end_line=getattr(node, "end_lineno", line),
                                confidence=confidence))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.context.append(node.name)
        self.generic_visit(node)
        self.context.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        # form['password'] = '...', cfg['token'] = random...: a constant key names the slot as a name does
        names = [dotted(t) or (const_str(t.slice) or "" if isinstance(t, ast.Subscript) else "")
                 for t in node.targets]
        self.context.extend(names)
        self.generic_visit(node)
        del self.context[len(self.context) - len(names):]
        for t, name in zip(node.targets, names, strict=True):
            self.secret_literal(last(name), node.value, t)
            if isinstance(t, ast.Attribute) and t.attr == "check_hostname" and is_false(node.value):
                self.add(R.TLS_OFF, node, "ssl check_hostname set to False — any certificate name is "
                         "accepted")
            if isinstance(t, ast.Attribute) and t.attr == "verify_mode" and _is_attr(node.value, "CERT_NONE"):
                self.add(R.TLS_OFF, node, "ssl verify_mode set to CERT_NONE — the peer is not authenticated")
            if isinstance(t, ast.Attribute) and t.attr == "debug" and is_true(node.value) \
                    and "app" in (dotted(t.value) or "").lower():
                self.add(R.DEBUG_MODE, node, f"{name} = True turns on the debugger in production")

    def visit_keyword(self, node: ast.keyword) -> None:
        """``User(password='pw' + str(randint(0, 999)))``: the keyword names what its value makes."""
        secret = bool(node.arg) and bool(KEYWORD_SECRET.search(node.arg or ""))
        if secret:
            self.context.append(node.arg or "")
        self.generic_visit(node)
        if secret:
            self.context.pop()

    def secret_literal(self, name: str, value: ast.expr, where: ast.AST) -> None:
        text = const_str(value)
        conf = literal_secret_confidence(name, text) if text is not None else None
        if text is not None and conf is not None:
                self.add(R.HARDCODED_SECRET, where, f"'{name}' is set to a literal credential in the source "
                     f"({len(text)} characters) — anyone with the code has it", conf)

    def visit_Compare(self, node: ast.Compare) -> None:
        self.generic_visit(node)
        if not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            return
        sides = [node.left, *node.comparators]
        named = [s for s in sides if isinstance(s, (ast.Name, ast.Attribute, ast.Subscript, ast.Call))]
        literals = [const_str(s) for s in sides if const_str(s)]
        if named and literals and any(_mentions(s, PASSWORDISH) for s in named) and not any(
                PLACEHOLDER.match(t or "") for t in literals):
            self.add(R.HARDCODED_SECRET, node, "a password is compared with a literal written in the "
                     "source — a hard-coded credential anyone with the code can use", H)
            return
        # password == ADMIN_PASSWORD where the module binds ADMIN_PASSWORD = "..." once
        held = [s for s in sides if isinstance(s, ast.Name) and s.id in self.module_strings()]
        others = [s for s in named if s not in held]
        if held and others and any(_mentions(s, PASSWORDISH) for s in sides) and not any(
                PLACEHOLDER.match(self.module_strings()[s.id]) for s in held if isinstance(s, ast.Name)):
            name = held[0].id if isinstance(held[0], ast.Name) else ""
            self.add(R.HARDCODED_SECRET, node, f"a password is compared with '{name}', a literal written in "
                     "the source — a hard-coded credential anyone with the code can use", M)

    def module_strings(self) -> dict[str, str]:
        """Module-level names bound once, to a non-empty string literal."""
        if self._module_strings is None:
            seen: dict[str, list[str | None]] = {}
            for stmt in self.index.tree.body:
                if isinstance(stmt, ast.Assign):
                    for t in stmt.targets:
                        if isinstance(t, ast.Name):
                            seen.setdefault(t.id, []).append(const_str(stmt.value))
            self._module_strings = {k: v[0] for k, v in seen.items() if len(v) == 1 and v[0]}
        return self._module_strings

    def visit_Dict(self, node: ast.Dict) -> None:
        self.generic_visit(node)
        for k, v in zip(node.keys, node.values, strict=True):
            key = const_str(k)
            if key is not None:
                self.secret_literal(key, v, v)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.generic_visit(node)
        if node.attr == "CERT_NONE":
            self.add(R.TLS_OFF, node, "ssl.CERT_NONE disables certificate verification")
        elif node.attr in WEAK_PROTOCOLS and (dotted(node) or "").split(".")[0] in self.aliases:
            spec = R.WEAK_CIPHER
            what = "ECB mode leaks patterns in the plaintext" if "ECB" in node.attr else \
                f"{node.attr} is a broken protocol version"
            self.add(spec, node, what)

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = call_name(node, self.aliases)
        method = last(name) if name else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
        for k in node.keywords:
            if k.arg:
                self.secret_literal(k.arg, k.value, k.value)
                if k.arg == "verify" and is_false(k.value):
                    self.add(R.TLS_OFF, node, f"{name or method}(verify=False) accepts any certificate — "
                             "traffic can be read and changed in transit")
        if name in WEAK_HASHES or (name == "hashlib.new" and (const_str(node.args[0] if node.args else None)
                                                              or "").lower() in ("md5", "sha1", "sha")):
            if is_false(kwarg(node, "usedforsecurity")):
                return
            if any(_mentions(a, PASSWORDISH) for a in node.args) or any(PASSWORDISH.search(c) for c in
                                                                        self.context[-2:]):
                self.add(R.PASSWORD_HASH, node, f"password hashed with {name}() — broken and fast, "
                         "cracked offline in seconds")
            elif any(NON_SECURITY_HASH.search(last(c)) for c in self.context[-2:]):
                # checksum = md5(buffer): a cache key, ETag or file checksum, not a security decision
                self.add(R.WEAK_HASH, node, f"{name}() is a broken hash: collisions are practical (used here "
                         "for a checksum or cache key)", L)
            else:
                self.add(R.WEAK_HASH, node, f"{name}() is a broken hash: collisions are practical")
        elif name in FAST_HASHES and node.args and _mentions(node.args[0], PASSWORDISH):
            self.add(R.PASSWORD_HASH, node, f"password hashed with {name}() — a fast hash without "
                     "work factor is brute-forced offline")
        elif name in RANDOM_CALLS or (name in BARE_RANDOM and name not in self.aliases
                                      and name not in self.local):
            # bare randint(...) in a fragment without its imports (or after `from random import *`)
            ctx = [c for c in self.context if SECRET_CONTEXT.search(last(c))]
            if ctx:
                self.add(R.WEAK_RANDOM, node, f"{name}() is predictable but makes '{last(ctx[-1])}' — "
                         "an attacker can guess it")
        elif name in ("tempfile.mktemp", "os.tempnam", "os.tmpnam"):
            self.add(R.TEMP_FILE, node, f"{name}() returns a name another process can take first (race)")
        elif name in ("os.chmod", "os.fchmod", "os.lchmod", "os.mkdir", "os.makedirs", "os.open") \
                or method == "chmod":
            self.file_mode(node, name or method)
        elif name == "os.umask" and node.args and _mode(node.args[0]) == 0:
            self.add(R.FILE_MODE, node, "os.umask(0) makes every new file writable by everyone")
        elif method == "run" and is_true(kwarg(node, "debug")):
            self.add(R.DEBUG_MODE, node, f"{dotted(node.func) or 'run'}(debug=True) exposes the interactive "
                     "debugger: anyone who reaches it can run code")
        elif name in ("jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"):
            self.jwt(node, name)
        elif name in ("jwt.get_unverified_claims", "jose.jwt.get_unverified_claims"):
            self.add(R.JWT_NO_VERIFY, node, f"{name}() reads a token's claims without checking its signature")
        elif name in ("yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all"):
            self.yaml(node, name)
        elif method == "extractall" or name == "shutil.unpack_archive":
            self.archive(node, name or method)
        elif name in ("lxml.etree.XMLParser", "lxml.etree.XMLPullParser") and (
                is_true(kwarg(node, "resolve_entities")) or is_false(kwarg(node, "no_network"))
                or is_true(kwarg(node, "load_dtd")) or is_true(kwarg(node, "dtd_validation"))):
            self.add(R.XML_PARSER, node, f"{name}() set to resolve entities: external entities can read "
                     "local files (XXE)", H)
        elif name == "lxml.etree.XMLParser" and kwarg(node, "resolve_entities") is None:
            self.add(R.XML_PARSER, node, "lxml.etree.XMLParser() resolves entities unless resolve_entities="
                     "False (before lxml 5 external ones too: a document can read local files)")
        elif method == "setFeature" and len(node.args) == 2 and is_true(node.args[1]) and \
                _is_attr(node.args[0], "feature_external_ges", "feature_external_pes"):
            self.add(R.XML_PARSER, node, "SAX parser set to load external entities (XXE)", H)
        elif name in WEAK_CIPHERS or (".".join(name.split(".")[-2:]) in WEAK_CIPHER_TAILS and any(
                m.split(".")[0] in ("Crypto", "Cryptodome") for m in [*self.aliases.values(), *self.star])):
            self.add(R.WEAK_CIPHER, node, f"{last(name.replace('.new', ''))} is a broken cipher or mode")
        elif name in ("ssl._create_unverified_context", "ssl._create_stdlib_context"):
            self.add(R.TLS_OFF, node, f"{name}() builds a context that checks no certificate")
        elif name in ("jinja2.Environment", "jinja2.environment.Environment") or (
                name == "Environment" and kwarg(node, "loader") is not None):
            self.autoescape(node)
        elif name in HTTP_CALLS and kwarg(node, "timeout") is None:
            self.add(R.NO_TIMEOUT, node, f"{name}() without timeout= can hang forever")
        self.key_size(node, name)

    def autoescape(self, node: ast.Call) -> None:
        """jinja2.Environment() without autoescape. Options given as **opts are looked up where the file
        binds them to a dict; options we cannot see may set it, so that case is low confidence."""
        auto = kwarg(node, "autoescape")
        spread = [k.value for k in node.keywords if k.arg is None]
        if auto is None and spread:
            found = [dict_option(self.index, v, "autoescape") for v in spread]
            auto = next((f for f in found if isinstance(f, ast.expr)), None)
            if auto is None and False not in found:
                self.add(R.NO_AUTOESCAPE, node, "jinja2.Environment() with options we cannot see and no "
                         "autoescape= — unless they set it, user data renders as raw HTML", L)
                return
        if auto is None or is_false(auto):
            self.add(R.NO_AUTOESCAPE, node, "jinja2.Environment() without autoescape renders user data "
                     "as raw HTML — cross-site scripting")

    def file_mode(self, node: ast.Call, name: str) -> None:
        index = {"os.open": 2, "os.mkdir": 1, "os.makedirs": 1}.get(name, 0 if name.endswith("chmod")
                                                                      and isinstance(node.func, ast.Attribute)
                                                                      and not name.startswith("os.") else 1)
        mode_node = kwarg(node, "mode") or (node.args[index] if index < len(node.args) else None)
        mode = _mode(mode_node) if mode_node is not None else None
        if mode is not None and mode & 0o002:
            self.add(R.FILE_MODE, node, f"{name}() with mode {oct(mode)} lets every local user write it")
        elif mode is not None and mode & 0o004 and name.endswith("chmod") and mode & 0o077 != 0o044 \
                and mode & 0o020:
            self.add(R.FILE_MODE, node, f"{name}() with mode {oct(mode)} opens it to the group and others")

    def jwt(self, node: ast.Call, name: str) -> None:
        options = kwarg(node, "options")
        off = is_false(kwarg(node, "verify")) or (isinstance(options, ast.Dict) and any(
            const_str(k) == "verify_signature" and is_false(v)
            for k, v in zip(options.keys, options.values, strict=True)))
        algs = kwarg(node, "algorithms")
        none_alg = isinstance(algs, (ast.List, ast.Tuple)) and any(
            (const_str(a) or "").lower() == "none" for a in algs.elts)
        no_key = len(node.args) < 2 and kwarg(node, "key") is None and options is None
        if off or none_alg:
            self.add(R.JWT_NO_VERIFY, node, f"{name}() with signature verification off — anyone can forge "
                     "a token")
        elif no_key:
            self.add(R.JWT_NO_VERIFY, node, f"{name}() without a key cannot verify the signature", M)

    def yaml(self, node: ast.Call, name: str) -> None:
        loader = kwarg(node, "Loader") or (node.args[1] if len(node.args) > 1 else None)
        loader_name = last(dotted(loader) or "") if loader is not None else ""
        if name.startswith("yaml.unsafe") or loader is None or loader_name in ("Loader", "UnsafeLoader",
                                                                               "FullLoader", "CLoader"):
            self.add(R.UNSAFE_YAML, node, f"{name}() {'without a safe Loader ' if loader is None else ''}"
                     "can build arbitrary Python objects from the document — code execution")

    def archive(self, node: ast.Call, name: str) -> None:
        if kwarg(node, "filter") is not None or kwarg(node, "members") is not None:
            return
        receiver = (dotted(node.func.value) or "").lower() if isinstance(node.func, ast.Attribute) else ""
        if "zip" in receiver or receiver.endswith("zf") or ("tarfile" not in self.aliases.values() \
                and "tarfile" not in self.aliases and name != "shutil.unpack_archive"):
            return
        self.add(R.ARCHIVE_EXTRACT, node, f"{name}() without a filter writes members named '../x' or "
                 "absolute paths outside the target folder")

    def key_size(self, node: ast.Call, name: str) -> None:
        if name.endswith(("rsa.generate_private_key", "dsa.generate_private_key")):
            size = kwarg(node, "key_size") or (node.args[1] if len(node.args) > 1 else None)
        elif name in ("Crypto.PublicKey.RSA.generate", "Crypto.PublicKey.DSA.generate",
                      "Cryptodome.PublicKey.RSA.generate", "rsa.newkeys"):
            size = kwarg(node, "bits") or (node.args[0] if node.args else None)
        else:
            return
        if isinstance(size, ast.Constant) and isinstance(size.value, int) and size.value < 2048:
            self.add(R.WEAK_KEY, node, f"{size.value}-bit key: factorable with public resources")


def _is_attr(node: ast.AST | None, *names: str) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in names) or (
        isinstance(node, ast.Name) and node.id in names)


def _mode(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        a, b = _mode(node.left), _mode(node.right)
        return a | b if a is not None and b is not None else None
    if isinstance(node, ast.Attribute):
        import stat

        value = getattr(stat, node.attr, None)
        return value if isinstance(value, int) else None
    return None


def pattern_findings(index: FileIndex, path: str, source: bytes) -> list[Finding]:
    """The visitor's findings and those of the prefiltered checks (prefilter.CHECKS)."""
    visitor = PatternVisitor(index, path)
    visitor.visit(index.tree)
    found = [*visitor.out, *optional_findings(index, path, source)]
    best: dict[tuple[str, int], Finding] = {}
    for f in found:  # two checks may see the same literal: keep the surer finding
        key = (f.rule_id, f.line)
        if key not in best or best[key].confidence.rank < f.confidence.rank:
            best[key] = f
    return list(best.values())


