"""Cryptography pattern checks: weak randomness, hashes, ciphers, IVs, salts, key sizes, JWT."""

from __future__ import annotations

import re

from blastshield.scan.finding import Confidence, Finding, RuleSpec
from blastshield.scan.javascript.naming import ID_WORDS, SECRET_WORDS, context_names, has_word
from blastshield.scan.javascript.parse import (
    Node,
    call_args,
    line,
    qualified_name,
    string_value,
    text,
    unwrap,
)
from blastshield.scan.registry import finding
from blastshield.scan.rules import js_crypto as rules
from blastshield.scan.rules import js_misc as misc_rules

_WEAK_HASHES = frozenset({"md5", "md4", "md2", "sha1", "sha-1", "ripemd", "ripemd160"})
_FAST_HASHES = _WEAK_HASHES | {
    "sha256",
    "sha-256",
    "sha512",
    "sha-512",
    "sha384",
    "sha224",
    "sha3-256",
    "sha3-512",
}
_WEAK_CIPHER = re.compile(r"(?i)^(des|des-|des3|3des|des-ede|rc2|rc4|bf|blowfish|cast|idea|seed)|-ecb$|^ecb")
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass", "pw"})


class CryptoChecks:
    def __init__(
        self, path: str, bindings: dict[str, str], constants: dict[str, Node], out: list[Finding]
    ) -> None:
        self.path, self.bindings, self.constants, self.out = path, bindings, constants, out

    def call(self, node: Node, qname: str) -> None:
        method = qname.rsplit(".", 1)[-1]
        args = call_args(node)
        if qname == "Math.random":
            self._random(node)
        elif method in ("createHash",) and args:
            self._hash(node, (string_value(args[0]) or "").lower())
        elif qname in (
            "md5",
            "sha1",
            "CryptoJS.MD5",
            "CryptoJS.SHA1",
            "crypto-js.MD5",
            "crypto-js.SHA1",
            "crypto-js/md5",
            "crypto-js/sha1",
        ) or qname.endswith((".MD5", ".SHA1")):
            self._hash_call(node, qname)
        elif method in ("createCipheriv", "createDecipheriv", "createCipher", "createDecipher") and args:
            self._cipher(node, method, args)
        elif method in ("pbkdf2", "pbkdf2Sync", "scrypt", "scryptSync") and len(args) >= 2:
            if self._constant_bytes(args[1]):
                self._emit(
                    rules.STATIC_SALT,
                    node,
                    f"{method} is given a constant salt, so equal passwords "
                    "hash equally and precomputed tables work",
                )
        elif (
            qname.split(".")[0] in ("bcrypt", "bcryptjs")
            and method in ("hash", "hashSync")
            and len(args) >= 2
        ):
            if string_value(args[1]) is not None:
                self._emit(rules.STATIC_SALT, node, f"{qname} is given a constant salt string")
        elif method in ("generateKeyPair", "generateKeyPairSync") and len(args) >= 2:
            self._key_size(node, string_value(args[0]) or "", args[1], "modulusLength")
        elif qname.endswith("rsa.generateKeyPair") and args:
            self._key_size(node, "rsa", args[0], "bits")
        elif method == "decode" and self._is_jwt(qname):
            self._emit(
                rules.JWT,
                node,
                f"{qname} reads the token without checking its signature; anyone can forge the claims",
            )
        elif (
            qname in ("jose.decodeJwt", "jose.decodeProtectedHeader")
            or qname.endswith(".decodeJwt")
            or qname == "jwtDecode"
            or qname.startswith("jwt-decode")
        ):
            self._emit(rules.JWT, node, f"{qname} reads the token without checking its signature")
        if method in ("sign", "verify") and self._is_jwt(qname) and len(args) >= 2:
            self._literal_key(node, qname, args[1])
            if method == "verify" and len(args) >= 3:
                self._jwt_options(node, args[2])
        elif method == "createHmac" and len(args) >= 2:
            self._literal_key(node, qname, args[1])

    def new(self, node: Node, qname: str) -> None:
        if qname.split(".")[-1] in ("NodeRSA", "node-rsa") or qname == "node-rsa":
            args = call_args(node)
            if args:
                self._key_size(node, "rsa", args[0], "b")

    # ----------------------------------------------------------------------------------------
    def _random(self, node: Node) -> None:
        names = context_names(node)
        security = [n for n in names if has_word(n, ID_WORDS)]
        generator = _random_string_generator(node)
        if security or generator:
            what = f"'{security[0][:40]}'" if security else "a random string or id"
            confidence = (
                Confidence.HIGH if any(has_word(n, SECRET_WORDS) for n in security) else Confidence.MEDIUM
            )
            self._emit(rules.WEAK_RANDOM, node, f"Math.random() is predictable but builds {what}", confidence)
        else:
            self._emit(
                rules.WEAK_RANDOM,
                node,
                "Math.random() is predictable; fine for visuals, not for anything an attacker must not guess",
                Confidence.LOW,
            )

    def _hash(self, node: Node, algorithm: str) -> None:
        if algorithm not in _FAST_HASHES:
            return
        hashed = _chained_update(node)
        names = ([text(hashed)] if hashed is not None else []) + context_names(node)
        if any(has_word(n, _PASSWORD_WORDS) for n in names):
            self._emit(
                rules.PASSWORD_HASH,
                node,
                f"password hashed with fast {algorithm}: billions of guesses per second on a GPU",
            )
        elif algorithm in _WEAK_HASHES:
            self._emit(rules.WEAK_HASH, node, f"{algorithm} is broken for collision resistance")

    def _hash_call(self, node: Node, qname: str) -> None:
        args = call_args(node)
        names = [text(a) for a in args[:1]] + context_names(node)
        algorithm = qname.rsplit(".", 1)[-1].rsplit("/", 1)[-1].lower()
        if any(has_word(n, _PASSWORD_WORDS) for n in names):
            self._emit(rules.PASSWORD_HASH, node, f"password hashed with fast {algorithm}")
        else:
            self._emit(rules.WEAK_HASH, node, f"{algorithm} is broken for collision resistance")

    def _cipher(self, node: Node, method: str, args: list[Node]) -> None:
        algorithm = string_value(args[0])
        if algorithm is not None and _WEAK_CIPHER.search(algorithm):
            self._emit(rules.WEAK_CIPHER, node, f"cipher '{algorithm}' is broken or leaks patterns")
        elif method in ("createCipher", "createDecipher"):
            self._emit(
                rules.WEAK_CIPHER,
                node,
                f"crypto.{method} derives the key with MD5 and uses no IV (removed in Node 22)",
            )
        elif method == "createCipheriv" and len(args) >= 3 and self._constant_bytes(args[2]):
            self._emit(rules.STATIC_IV, node, "the IV is constant, so equal plaintexts encrypt equally")

    def _key_size(self, node: Node, algorithm: str, options: Node, field: str) -> None:
        options = unwrap(options)  # type: ignore[assignment]
        if options is None:
            return
        bits: Node | None = options if options.type == "number" else None
        if options.type == "object":
            for pair in options.named_children:
                if pair.type == "pair" and text(pair.child_by_field_name("key")) in (
                    field,
                    "modulusLength",
                    "bits",
                    "b",
                ):
                    bits = pair.child_by_field_name("value")
        value = _int(bits)
        if value is not None and value < 2048 and algorithm.lower() in ("rsa", "dsa", "dh", "rsa-pss", ""):
            self._emit(
                rules.WEAK_KEY,
                node,
                f"{algorithm or 'RSA'} key of {value} bits can be factored or "
                "broken by well-funded attackers",
            )

    def _jwt_options(self, node: Node, options: Node) -> None:
        options = unwrap(options)  # type: ignore[assignment]
        if options is None or options.type != "object":
            return
        for pair in options.named_children:
            if pair.type != "pair":
                continue
            key = text(pair.child_by_field_name("key"))
            value = pair.child_by_field_name("value")
            if key == "algorithms" and "none" in text(value).lower():
                self._emit(
                    rules.JWT,
                    node,
                    "jwt.verify accepts the 'none' algorithm: unsigned tokens pass",
                    Confidence.HIGH,
                )
            elif key == "ignoreExpiration" and text(value) == "true":
                self._emit(rules.JWT, node, "jwt.verify ignores expiry: stolen tokens never expire")

    def _literal_key(self, node: Node, qname: str, key: Node) -> None:
        """A signing/verification key written into the code."""
        if string_value(key) is not None and string_value(key) != "":
            self._emit(
                misc_rules.HARDCODED_SECRET,
                node,
                f"{qname} is given a hard-coded key: anyone with the code can forge tokens or signatures",
                Confidence.HIGH,
            )

    def _is_jwt(self, qname: str) -> bool:
        root = qname.split(".")[0]
        return root in ("jsonwebtoken", "jwt", "jws", "JWT", "jsonWebToken")

    def _constant_bytes(self, node: Node) -> bool:
        """A literal string, Buffer.from(literal), Buffer.alloc(n[, fill]) or a const bound to one."""
        node = unwrap(node)  # type: ignore[assignment]
        if node is None:
            return False
        if node.type == "identifier" and text(node) in self.constants:
            node = self.constants[text(node)]
        if string_value(node) is not None:
            return True
        if node.type == "call_expression":
            qname = qualified_name(node.child_by_field_name("function"), self.bindings)
            args = call_args(node)
            if qname in ("Buffer.alloc",):
                return True
            if qname in ("Buffer.from", "new Buffer") and args:
                first = unwrap(args[0])
                return first is not None and (string_value(first) is not None or first.type == "array")
            if qname.endswith(("enc.Hex.parse", "enc.Utf8.parse")) and args:
                return string_value(args[0]) is not None
        if node.type == "new_expression" and text(node.child_by_field_name("constructor")) in (
            "Buffer",
            "Uint8Array",
        ):
            args = call_args(node)
            return bool(args) and (
                string_value(args[0]) is not None
                or unwrap(args[0]).type  # type: ignore[union-attr]
                in ("array", "number")
            )
        return False

    def _emit(self, spec: RuleSpec, node: Node, message: str, confidence: Confidence | None = None) -> None:
        self.out.append(
            finding(spec, self.path, line(node), message, column=node.start_point[1], confidence=confidence)
        )


def _int(node: Node | None) -> int | None:
    node = unwrap(node)
    if node is None or node.type != "number":
        return None
    try:
        return int(text(node).replace("_", ""), 0)
    except ValueError:
        return None


def _chained_update(node: Node) -> Node | None:
    """The argument of ``.update(x)`` chained on a createHash(...) call."""
    parent = node.parent
    if (
        parent is not None
        and parent.type == "member_expression"
        and text(parent.child_by_field_name("property")) == "update"
    ):
        call = parent.parent
        if call is not None and call.type == "call_expression":
            args = call_args(call)
            return args[0] if args else None
    return None


def _random_string_generator(node: Node) -> bool:
    """``chars.charAt(Math.floor(Math.random() * n))``, ``chars[...]`` appended in a loop, or
    ``Math.random().toString(36)``: the shapes of hand-made id and token generators."""
    current: Node | None = node
    for _ in range(6):
        parent = current.parent if current is not None else None
        if parent is None:
            return False
        if (
            parent.type == "member_expression"
            and text(parent.child_by_field_name("property")) in ("toString", "substr", "substring", "slice")
            and parent.parent is not None
        ):
            args = call_args(parent.parent) if parent.parent.type == "call_expression" else []
            if text(parent.child_by_field_name("property")) != "toString" or (
                args and text(args[0]) in ("16", "36", "32")
            ):
                return True
        if parent.type == "call_expression" and text(parent.child_by_field_name("function")).endswith(
            (".charAt", "String.fromCharCode")
        ):
            return True
        if parent.type == "subscript_expression" and current == parent.child_by_field_name("index"):
            holder = parent.parent
            return holder is not None and holder.type in (
                "augmented_assignment_expression",
                "binary_expression",
                "arguments",
            )
        if parent.type.endswith("statement"):
            break
        current = parent
    function = node.parent
    while function is not None and function.type not in (
        "function_expression",
        "arrow_function",
        "function_declaration",
        "method_definition",
    ):
        function = function.parent
    body = text(function) if function is not None else ""
    return len(body) < 1500 and re.search(r"\.toString\(\s*(16|36|32)\s*\)", body) is not None
