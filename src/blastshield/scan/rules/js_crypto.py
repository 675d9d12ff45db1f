"""JavaScript/TypeScript cryptography rules: weak randomness, hashes, ciphers, keys, JWT, TLS."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Severity
from blastshield.scan.registry import declare

_JS = "javascript"

WEAK_RANDOM = declare(
    "BS-JS-338",
    338,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "Math.random() used for a token, id, password or key: it is predictable",
    "use crypto.randomBytes / crypto.randomUUID / crypto.getRandomValues for anything secret or unique",
    _JS,
)
PASSWORD_HASH = declare(
    "BS-JS-916",
    916,
    Severity.HIGH,
    Confidence.HIGH,
    "password hashed with a fast hash (md5/sha1/sha2) instead of a password hashing function",
    "hash passwords with argon2, bcrypt, scrypt or PBKDF2 with a random salt and a high work factor",
    _JS,
)
WEAK_HASH = declare(
    "BS-JS-328",
    328,
    Severity.LOW,
    Confidence.MEDIUM,
    "weak hash algorithm (md5 or sha1): collisions are practical",
    "use sha256 or stronger; for passwords use argon2/bcrypt/scrypt",
    _JS,
)
WEAK_CIPHER = declare(
    "BS-JS-327",
    327,
    Severity.HIGH,
    Confidence.HIGH,
    "broken or risky cipher (DES, 3DES, RC4, Blowfish, ECB mode, createCipher without IV)",
    "use AES-256-GCM (or chacha20-poly1305) with crypto.createCipheriv and a random IV",
    _JS,
)
STATIC_IV = declare(
    "BS-JS-329",
    329,
    Severity.HIGH,
    Confidence.HIGH,
    "cipher initialised with a constant IV",
    "generate a fresh IV with crypto.randomBytes for every encryption and store it with the ciphertext",
    _JS,
)
STATIC_SALT = declare(
    "BS-JS-760",
    760,
    Severity.HIGH,
    Confidence.HIGH,
    "password hash or key derivation with a constant salt",
    "generate a random salt per password with crypto.randomBytes(16+) and store it with the hash",
    _JS,
)
WEAK_KEY = declare(
    "BS-JS-326",
    326,
    Severity.HIGH,
    Confidence.HIGH,
    "RSA/DSA/DH key shorter than 2048 bits",
    "generate RSA/DSA keys of at least 2048 bits (3072 for long-lived keys), or use ed25519",
    _JS,
)
JWT = declare(
    "BS-JS-347",
    347,
    Severity.HIGH,
    Confidence.MEDIUM,
    "JWT accepted without verifying its signature or expiry",
    "use jwt.verify(token, key, { algorithms: ['HS256'] }) (or RS256/ES256); never jwt.decode for auth",
    _JS,
)
TLS_OFF = declare(
    "BS-JS-295",
    295,
    Severity.HIGH,
    Confidence.HIGH,
    "TLS certificate verification turned off",
    "keep rejectUnauthorized true; trust a private CA with the ca option or NODE_EXTRA_CA_CERTS",
    _JS,
)
TIMING = declare(
    "BS-JS-208",
    208,
    Severity.MEDIUM,
    Confidence.MEDIUM,
    "secret, password or signature compared with == / ===, which leaks timing",
    "compare secrets with crypto.timingSafeEqual on equal-length Buffers (compare hashes of both sides)",
    _JS,
)
