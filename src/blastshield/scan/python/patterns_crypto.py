"""Crypto and transport misuse visible at one call: fixed IVs and salts, random tokens from the
``random`` module, TLS without verification, cleartext logins, regex HTML filters, cookies.

Constants are followed through names: ``iv = b'x' * 16; AES.new(key, AES.MODE_CBC, iv)``
counts as a constant IV when every assignment to ``iv`` in the file is a constant.
"""

from __future__ import annotations

import ast
import re

from blastshield.scan.finding import Confidence, Finding, RuleSpec
from blastshield.scan.lazyre import lazy
from blastshield.scan.python.names import FileIndex, call_name, const_str, dotted, is_true, kwarg, last
from blastshield.scan.registry import finding
from blastshield.scan.rules import python_patterns as R

H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW
IV_MODES = frozenset({"MODE_CBC", "MODE_CFB", "MODE_OFB", "MODE_CTR", "MODE_GCM", "MODE_EAX", "MODE_CCM",
                      "MODE_OPENPGP", "MODE_SIV", "MODE_OCB"})
MODE_CLASSES = frozenset({"CBC", "CFB", "CFB8", "OFB", "CTR", "GCM", "XTS"})
SALTED_KDFS = {"hashlib.pbkdf2_hmac": (2, "salt"), "hashlib.scrypt": (1, "salt"),
               "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC": (-1, "salt"),
               "cryptography.hazmat.primitives.kdf.scrypt.Scrypt": (-1, "salt"),
               "bcrypt.hashpw": (1, "salt"), "passlib.hash.pbkdf2_sha256.hash": (-1, "salt")}
RANDOM_SOURCES = ("os.urandom", "secrets.", "random.SystemRandom")
RANDOM_PICKS = frozenset({"random.choice", "random.choices", "random.sample"})
ALPHABETS = lazy(r"^string\.(ascii_letters|ascii_lowercase|ascii_uppercase|digits|hexdigits|"
                       r"punctuation|printable|letters|lowercase|uppercase)$")
CLEARTEXT_CLIENTS = {"ftplib.FTP": "FTP", "telnetlib.Telnet": "Telnet", "smtplib.SMTP": "SMTP",
                     "poplib.POP3": "POP3", "imaplib.IMAP4": "IMAP"}
HTML_TAG_PATTERN = lazy(r"<\s*/?\s*\(?\??(script|iframe|style|img|a|on\w+)\b", re.I)
MAC_NAME = lazy(r"(^|_)(sig|signature|hmac|mac|digest|hash_?mac)$", re.I)
MAC_CALL = lazy(r"^(sign|_sign|make_signature|compute_signature|calc(ulate)?_signature|get_signature|"
                      r"signature|compute_hmac|calc_hmac|make_hmac|get_hmac|hmac_digest)$", re.I)
SESSION_COOKIE = lazy(r"sess|token|auth|sid$|jwt|remember|login|csrf|user", re.I)


BARE_ALPHABETS = frozenset({"ascii_letters", "ascii_lowercase", "ascii_uppercase", "hexdigits"})


def _alphabet(node: ast.AST, aliases: dict[str, str], local: set[str]) -> bool:
    """string.ascii_letters and the like; bare ascii_letters when imported from string (or in a fragment
    without its imports, where the file binds the name to nothing else)."""
    if isinstance(node, ast.Attribute):
        return bool(ALPHABETS.match(dotted(node) or ""))
    if isinstance(node, ast.Name) and node.id in BARE_ALPHABETS:
        if node.id in aliases:
            return aliases[node.id].startswith("string.")
        return node.id not in local
    return False


def _const_names(index: FileIndex) -> dict[str, bool]:
    """Names whose every assignment in the file is a constant value."""
    out: dict[str, bool] = {}
    for node in index.nodes(ast.Assign):
        for t in node.targets:
            if isinstance(t, ast.Name):
                out[t.id] = out.get(t.id, True) and _literal(node.value, {})
    return out


def _literal(node: ast.AST | None, names: dict[str, bool]) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, bytes)) and len(node.value) > 0
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add)):
        return (_literal(node.left, names) and (isinstance(node.right, (ast.Constant, ast.Attribute))
                                                or _literal(node.right, names))) or (
            isinstance(node.left, ast.Constant) and _literal(node.right, names))
    if isinstance(node, ast.Call) and last(dotted(node.func) or "") in ("bytes", "bytearray", "encode") \
            and isinstance(node.func, ast.Attribute) and _literal(node.func.value, names):
        return True  # 'fixed'.encode()
    if isinstance(node, ast.Name):
        return names.get(node.id, False)
    return False


class CryptoChecks:
    def __init__(self, index: FileIndex, path: str) -> None:
        self.index, self.path, self.aliases = index, path, index.aliases
        self.names = _const_names(index)
        self._bindings: dict[str, list[ast.expr]] | None = None
        self._locals: set[str] | None = None
        self.out: list[Finding] = []
        called = {n.func.attr for n in index.nodes(ast.Call) if isinstance(n.func, ast.Attribute)}
        verify_calls = {"set_verify", "load_verify_locations", "load_default_certs"}
        self.sets_verify = bool(called & verify_calls) or any(
            isinstance(t, ast.Attribute) and t.attr == "verify_mode"
            for a in index.nodes(ast.Assign) for t in a.targets)
        self.starttls = "starttls" in called

    def add(self, spec: RuleSpec, node: ast.AST, message: str, confidence: Confidence | None = None) -> None:
        line = getattr(node, "lineno", 1)
        self.out.append(finding(spec, self.path, line, message, end_line=getattr(node, "end_lineno", line),
                                confidence=confidence))

    def run(self) -> list[Finding]:
        for call in self.index.nodes(ast.Call):
            name = call_name(call, self.aliases)
            method = last(name) if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
            self.iv(call, name, method)
            self.salt(call, name)
            self.random_string(call, name)
            self.transport(call, name, method)
            if name in ("re.sub", "re.compile", "re.subn", "re.findall") and call.args:
                pattern = const_str(call.args[0])
                if pattern and HTML_TAG_PATTERN.search(pattern):
                    self.add(R.REGEX_HTML_FILTER, call, f"{name}() filters HTML tags with a regular "
                             "expression — browsers accept many spellings it misses ('<script >', "
                             "'</script foo>', nesting)")
            if method == "set_cookie" and call.args:
                self.cookie(call)
        for node in self.index.nodes(ast.Compare):
            self.compare(node)
        return self.out

    def compare(self, node: ast.Compare) -> None:
        """A signature or MAC compared with ==: the time taken leaks how many leading bytes match."""
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        sides = [node.left, node.comparators[0]]
        if any(isinstance(x, ast.Constant) for x in sides):
            return
        if any(self._mac(x) for x in sides):
            text = ("a signature or MAC is compared with ==/!= — the comparison stops at the first differing "
                    "byte, so response times let an attacker guess it byte by byte; use hmac.compare_digest")
            self.add(R.TIMING_COMPARE, node, text)

    def _mac(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call):
            name = call_name(node, self.aliases)
            method = last(name) if name else (node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if method in ("digest", "hexdigest") and "hmac" in name:
                return True
            return name in ("hmac.digest",) or bool(MAC_CALL.match(method))
        text = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        return bool(text) and bool(MAC_NAME.search(text))

    def iv(self, call: ast.Call, name: str, method: str) -> None:
        iv: ast.expr | None = None
        if method == "new" and len(call.args) >= 2 and isinstance(call.args[1], ast.Attribute) \
                and call.args[1].attr in IV_MODES:
            iv = kwarg(call, "iv") or kwarg(call, "nonce") or (call.args[2] if len(call.args) > 2 else None)
        elif name.startswith(("cryptography.hazmat.primitives.ciphers.modes.", "modes.")) and \
                last(name) in MODE_CLASSES and call.args:
            iv = call.args[0]
        if iv is not None and _literal(iv, self.names):
            self.add(R.STATIC_IV, call, "the cipher gets a constant IV/nonce — equal plaintexts encrypt "
                     "equally and stream modes leak the XOR of messages; use os.urandom() per message")

    def salt(self, call: ast.Call, name: str) -> None:
        spec = SALTED_KDFS.get(name)
        if spec is None:
            return
        index, kw = spec
        salt = kwarg(call, kw) or (call.args[index] if 0 <= index < len(call.args) else None)
        if salt is not None and _literal(salt, self.names):
            self.add(R.STATIC_SALT, call, f"{last(name)}() with a constant salt — one precomputed table "
                     "cracks every password; use os.urandom(16) per password and store it")
        elif salt is not None and self._derived_salt(salt):
            self.add(R.STATIC_SALT, call, f"{last(name)}() with a salt computed by hashing known data (a "
                     "user name, an email) — anyone can compute it in advance; use os.urandom(16) per "
                     "password and store it")

    def _derived_salt(self, salt: ast.expr) -> bool:
        """A salt that is a hash digest of something (sha256(username).digest()): deterministic, not random.
        A name counts when every value the file binds to it is such a digest."""
        values = self._bound_values(salt.id) if isinstance(salt, ast.Name) else [salt]
        return bool(values) and all(self._digest_call(v) for v in values)

    def _digest_call(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("digest", "hexdigest", "encode"):
            if node.func.attr == "encode":
                return self._digest_call(node.func.value)
            hashed = node.func.value
            return isinstance(hashed, ast.Call) and call_name(hashed, self.aliases).startswith("hashlib.") \
                and not any(call_name(c, self.aliases).startswith(RANDOM_SOURCES)
                            for c in ast.walk(hashed) if isinstance(c, ast.Call) and c is not hashed)
        return False

    def random_string(self, call: ast.Call, name: str) -> None:
        if name not in RANDOM_PICKS or not call.args:
            return
        pool = call.args[0]
        pools = [pool, *self._bound_values(pool.id)] if isinstance(pool, ast.Name) else [pool]
        named = [n for p in pools for n in ast.walk(p) if _alphabet(n, self.aliases, self._local_names())]
        text = max((const_str(p) or "" for p in pools), key=len)
        if named or (len(text) >= 16 and any(c.isdigit() for c in text) and any(c.isalpha() for c in text)):
            self.add(R.WEAK_RANDOM, call, f"{name}() picks characters for a random string — the random "
                     "module is predictable; use secrets.choice / secrets.token_urlsafe for IDs, tokens and "
                     "passwords")

    def _local_names(self) -> set[str]:
        """Parameter and assigned names of the file: a bare ascii_letters among them is not the constant."""
        if self._locals is None:
            self._locals = {a.arg for fn in self.index.functions() for a in ast.walk(fn.args)
                            if isinstance(a, ast.arg)}
            self._locals |= {t.id for a in self.index.nodes(ast.Assign) for t in a.targets
                             if isinstance(t, ast.Name)}
        return self._locals

    def _bound_values(self, name: str) -> list[ast.expr]:
        """What a pool name holds: its assignments in the file and the defaults of parameters so named."""
        if self._bindings is None:
            self._bindings = {}
            for a in self.index.nodes(ast.Assign):
                for t in a.targets:
                    if isinstance(t, ast.Name):
                        self._bindings.setdefault(t.id, []).append(a.value)
            for fn in self.index.functions():
                params = [*fn.args.posonlyargs, *fn.args.args]
                for p, d in zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults, strict=True):
                    self._bindings.setdefault(p.arg, []).append(d)
                for p, kd in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
                    if kd is not None:
                        self._bindings.setdefault(p.arg, []).append(kd)
        return self._bindings.get(name, [])

    def transport(self, call: ast.Call, name: str, method: str) -> None:
        if name == "ssl.wrap_socket":
            if not (kwarg(call, "cert_reqs") and (dotted(kwarg(call, "cert_reqs") or call) or "").endswith(
                    "CERT_REQUIRED")):
                self.add(R.TLS_OFF, call, "ssl.wrap_socket() checks no certificate by default (cert_reqs="
                         "CERT_NONE) and is removed in Python 3.12 — use ssl.create_default_context()."
                         "wrap_socket()")
        elif name in ("OpenSSL.SSL.Context", "ssl.SSLContext") and not self.sets_verify:
            proto = dotted(call.args[0]) if call.args else ""
            if name == "ssl.SSLContext" and (proto or "").endswith("PROTOCOL_TLS_CLIENT"):
                return
            # low: the context is often handed to code that configures it elsewhere
            self.add(R.TLS_OFF, call, f"{name}() verifies no peer certificate until verify mode and CA "
                     "locations are set — use ssl.create_default_context()", L)
        elif name in CLEARTEXT_CLIENTS and not (name == "smtplib.SMTP" and self.starttls):
            self.add(R.CLEARTEXT, call, f"{CLEARTEXT_CLIENTS[name]} sends logins and data unencrypted — use "
                     f"the TLS variant ({name.split('.')[0]}.{CLEARTEXT_CLIENTS[name]}_SSL/_TLS or STARTTLS)")

    def cookie(self, call: ast.Call) -> None:
        cookie = const_str(call.args[0]) or ""
        if not SESSION_COOKIE.search(cookie):
            return
        missing = [flag for flag in ("secure", "httponly") if not is_true(kwarg(call, flag))]
        if missing:
            self.add(R.COOKIE_FLAGS, call, f"cookie '{cookie}' set without {' and '.join(missing)}=True — "
                     "it travels over plain HTTP or can be read by scripts")


def crypto_findings(index: FileIndex, path: str) -> list[Finding]:
    return CryptoChecks(index, path).run()
