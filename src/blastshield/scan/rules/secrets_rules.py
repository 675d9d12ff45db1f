"""Secret rules: credentials committed in any text file (formats from blastshield.audit.redact)."""

from __future__ import annotations

from blastshield.scan.finding import Confidence, Severity
from blastshield.scan.registry import declare

ANY = "any"

SECRET_PRIVATE_KEY = declare(
    "BS-SECRET-KEY", 321, Severity.CRITICAL, Confidence.HIGH, "private key committed in a file",
    "remove the key from the file and its git history, revoke it, and load keys from a secret store "
    "or a file outside the repository", ANY)
SECRET_TOKEN = declare(
    "BS-SECRET-TOKEN", 798, Severity.HIGH, Confidence.HIGH, "provider API key or token committed in a file",
    "revoke the token at its provider, remove it from the file and its git history, "
    "and read it from the environment or a secret store", ANY)
SECRET_PASSWORD = declare(
    "BS-SECRET-PASSWORD", 259, Severity.HIGH, Confidence.MEDIUM, "password written into a file",
    "change the password, remove it from the file and its history, and read it from the environment "
    "or a secret store", ANY)
SECRET_GENERIC = declare(
    "BS-SECRET-GENERIC", 798, Severity.MEDIUM, Confidence.MEDIUM,
    "secret-looking value assigned to a secret-like name",
    "if it is a real secret, rotate it and read it from the environment or a secret store; "
    "if it is a placeholder, make that obvious (e.g. <your-token>) or suppress with a reason", ANY)
