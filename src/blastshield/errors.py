"""The project's own exceptions: one small hierarchy, caught once at the CLI edge.

Each error carries a one-line human message (naming the file, key or field and the
fix) and the exit code the CLI returns for it.
"""

from __future__ import annotations


class BlastshieldError(Exception):
    """Base of every error blastshield raises on purpose."""

    exit_code = 3

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        """One line for a human: what is wrong and how to fix it."""
        return f"{self.message}; {self.hint}" if self.hint else self.message


class UsageError(BlastshieldError):
    """Bad command-line usage or bad input data (exit 2)."""

    exit_code = 2


class PolicyError(UsageError):
    """The policy file cannot be read, parsed or validated (exit 2)."""


class PayloadError(UsageError):
    """A host payload is unreadable or lacks a required field (exit 2)."""


class ConfigError(UsageError):
    """A host configuration file cannot be read or merged (exit 2)."""


class IntegrityError(BlastshieldError):
    """The audit log failed verification (exit 4)."""

    exit_code = 4


class AuditStoreError(BlastshieldError):
    """The audit store cannot be opened or written (exit 3)."""


class SandboxError(BlastshieldError):
    """The OS sandbox cannot be set up as the policy requires (exit 3)."""


class ScanError(UsageError):
    """The scanner was given input it cannot work with (exit 2)."""
